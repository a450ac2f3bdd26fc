from . import empirical
from . import wilson
