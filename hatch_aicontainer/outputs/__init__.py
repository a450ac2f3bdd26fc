"""What a build writes besides the image and where it sends it: side files, results files,
OCI layout, ``docker load``, push (``apply``), and ``hatch build --clean`` (``clean``).

``apply.py`` runs the steps of ``steps.py`` in order; ``results.py`` is the
results files' format, ``references.py`` the push references and load tags,
``layout.py`` the OCI layout directory.
"""

from __future__ import annotations

from hatch_aicontainer.outputs.apply import Outputs, apply
from hatch_aicontainer.outputs.clean import clean
from hatch_aicontainer.outputs.layout import layout_path, write_oci_layout
from hatch_aicontainer.outputs.references import load_tags, push_references
from hatch_aicontainer.outputs.steps import SideOutputs

__all__ = ["Outputs", "SideOutputs", "apply", "clean", "layout_path", "load_tags", "push_references", "write_oci_layout"]
