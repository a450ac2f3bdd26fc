from . import empirical, wilson
