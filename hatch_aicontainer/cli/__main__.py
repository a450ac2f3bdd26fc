"""``python -m hatch_aicontainer.cli``: the ``aicontainer`` command."""

import sys

from hatch_aicontainer.cli.main import main

sys.exit(main())
