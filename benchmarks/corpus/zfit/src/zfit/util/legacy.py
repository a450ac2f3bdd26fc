#  Copyright (c) 2025 zfit
