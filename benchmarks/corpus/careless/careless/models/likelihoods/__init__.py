from . import laue, mono
