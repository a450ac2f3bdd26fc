"""What importing a module really loads: asked of a fresh interpreter, so that the test process's own
imports (and ``if TYPE_CHECKING:`` blocks, which never run) do not count."""

from __future__ import annotations

import json
import subprocess
import sys


def modules_loaded_by(module: str) -> set[str]:
    """The modules of ours (``hatch_aicontainer.…``) that ``import <module>`` loads."""
    code = (f"import json, sys, {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'hatch_aicontainer')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))
