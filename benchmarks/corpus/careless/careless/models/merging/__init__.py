from . import variational
