"""``[tool.aicontainer]`` → a validated, frozen :class:`Settings`.

Pure: :func:`load_settings` takes the table, facts about the project
(:class:`ProjectInfo`), the environment and the target table, and returns
values; every problem is a :class:`~hatch_aicontainer.core.errors.ConfigError`
whose message is ONE line of the form::

    <key> = <value>: <what is wrong>; allowed: <what is allowed>

where ``<key>`` is the full TOML key (``tool.aicontainer.ports[1]``,
``tool.hatch.build.targets.container.accelerator``) or the environment
variable the value came from. docs/settings.md is the user reference (every
key with type, default and example); keep it in step with ``KEYS`` (keys.py).

Where settings come from, later wins:

1. defaults (derived from the project where that makes sense);
2. ``[tool.aicontainer]``;
3. ``[tool.hatch.build.targets.<target>]`` (``target_overrides``): the same keys
   for one build target, so ``container`` and e.g. ``container-gpu`` can differ.
   Tables (``env``, ``labels``) are merged key by key; every other value is
   replaced. That table also holds hatchling's own builder options
   (``include``, ``dependencies``, ``hooks``, ``directory``, ...: see
   :data:`HATCHLING_TARGET_OPTIONS`); they are hatchling's, ignored here and
   exempt from the unknown-key check. Two of our keys clash with them, so in
   the target table they are spelled ``image-include`` and
   ``image-dependencies`` (in ``[tool.aicontainer]`` they are ``include`` and
   ``dependencies``);
4. the environment: ``AICONTAINER_BASE_IMAGE`` (non-empty) replaces
   ``base-image`` (air-gapped CI uses a mirror); ``Settings.base_image_from_env``
   and ``Settings.origins`` record it so messages can say where a value came from.

The frameworks: ``tensorflow``, ``torch`` and ``jax``, at least one and any
combination in one image. Each is an exact version (``"2.16.1"`` or
``"==2.16.1"``) or a PEP 440 range (``"~=2.16.0"``, ``">=2.15,<2.17"``).
``Settings.pins`` holds one :class:`Pin` per pinned framework (``spec``: the
specifier, ``"==2.16.1"`` for an exact pin; ``version``: the exact version, None
for a range). When every pin is exact, ``Settings.targets`` holds one checked
:class:`~hatch_aicontainer.config.compat.Target` per platform; while a range is
open, ``targets`` is empty until the lock step has chosen a version: it then calls
:func:`load_settings` again with ``resolved={"tensorflow": "2.16.2"}`` (the same
checks run on that version). At load time a range is checked for admitting at
least one usable release. Ranges are accepted only with ``allow_ranges=True`` (a
caller that can resolve them); by default a range is an error asking for an exact
version, so callers that need the versions never meet None. ``python``'s default
is computed from the settings (pins or ranges), not from the resolution, so it is
the same before and after the lock.

Values that depend on the pins per platform (the requirement to install, its
index, CUDA/cuDNN) are in ``Settings.targets``, checked with the full key names:
prefer them to calling :func:`~hatch_aicontainer.config.compat.check_target` again.

Not checked here (they need the network, the filesystem or the base image):
whether an exact version exists on the index (``2.16.9``), what a base image
reference points to (deep parsing belongs to the reference/registry code:
here only the syntax, see :func:`base_image_problem` and
``Settings.base_image``, a ``BaseImageSpec``), whether ``include`` sources exist or
resolve through symlinks outside the project, and the base image's Python.

The package, one job per module (``__all__`` is the public face: the names other
parts of the plugin use; the validation kit is imported from its module):

* ``keys.py``: the keys of ``[tool.aicontainer]``, environment variables, defaults;
* ``syntax.py``: regular expressions (users, ports, durations, environment names);
* ``values.py``: the validation kit: typed parsing helpers (``string_value``,
  ``string_list``, ``string_table``, ``parse_duration``, ...) and ``config_error``
  (the one-line error format, whose home is :mod:`hatch_aicontainer.config.compat`);
* ``probes.py``: Python/TensorFlow versions to probe specifiers with, marker environments;
* ``model.py``: the frozen value types (``ProjectInfo``, ``User``, ``IncludeSpec``,
  ``Healthcheck``, ``OutputSettings``, ``Settings``);
* ``sources.py``: ``Sources``, the merged table (target overrides win) and the environment;
* ``tensorflow.py``: the TensorFlow pin, accelerator, Python and their combination;
* ``image.py``: the options that shape the image (platforms, base image, ... healthcheck);
* ``release.py``: the image name, tag templates and release outputs (push, load, ...);
* ``kubernetes.py``: ``[tool.aicontainer.kubernetes]`` (the manifest is ``hatch_aicontainer.outputs.kubernetes``);
* ``loader.py``: ``load_settings``, which calls the option parsers in reporting order.

Tag and reference templates are rendered by :mod:`hatch_aicontainer.config.naming`, the one
rule the build uses too.
"""

from __future__ import annotations

from hatch_aicontainer.config.naming import render_reference
from hatch_aicontainer.config.settings.keys import (
    DEFAULT_BASE_IMAGE,
    DEFAULT_USER,
    DEFAULT_WORKDIR,
    HATCHLING_TARGET_OPTIONS,
    TABLE,
    TARGET_KEY_NAMES,
)
from hatch_aicontainer.config.settings.loader import load_settings
from hatch_aicontainer.config.settings.model import (
    Healthcheck,
    IncludeSpec,
    OutputSettings,
    Pin,
    ProjectInfo,
    Settings,
    SigningSettings,
    User,
)
from hatch_aicontainer.config.settings.values import base_image_problem
from hatch_aicontainer.config.variables import BASE_IMAGE_ENV

__all__ = [
    "BASE_IMAGE_ENV",
    "DEFAULT_BASE_IMAGE",
    "DEFAULT_USER",
    "DEFAULT_WORKDIR",
    "HATCHLING_TARGET_OPTIONS",
    "TABLE",
    "TARGET_KEY_NAMES",
    "Healthcheck",
    "IncludeSpec",
    "OutputSettings",
    "Pin",
    "ProjectInfo",
    "Settings",
    "SigningSettings",
    "User",
    "base_image_problem",
    "load_settings",
    "render_reference",
]
