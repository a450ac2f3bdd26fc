from . import laue
from . import mono
