#  Copyright (c) 2025 zfit

# __all__ = ['AppendDocstring']

# from tensorflow.python.ops.distributions.util import AppendDocstring
