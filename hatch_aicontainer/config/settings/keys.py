"""The keys of ``[tool.aicontainer]`` and the defaults (the environment variables: config.variables).

docs/settings.md is the user reference; keep it in step with ``KEYS``.
"""

from __future__ import annotations

from types import MappingProxyType

from hatch_aicontainer.config.naming import TAG_FIELDS  # noqa: F401  (its home is naming; re-exported)
from hatch_aicontainer.config.variables import ARCHIVE_ENV, CACHE_TO_ENV, LATEST_ENV, LOAD_ENV, OCI_LAYOUT_ENV, PUSH_ENV
from hatch_aicontainer.oci.layer import GZIP_LEVELS

TABLE = "tool.aicontainer"
DEFAULT_BASE_IMAGE = "python:{python}-slim-bookworm"
DEFAULT_WORKDIR = "/app"
DEFAULT_USER = "10001:10001"  # numeric: needs no passwd entry in the base image
DEFAULT_PLATFORMS = ("linux/amd64",)
DEFAULT_TAGS = ("{version}",)
#: Set for ``accelerator = "cuda"`` unless ``env`` sets them (NVIDIA container runtime).
NVIDIA_ENV = {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}
#: Release outputs and the variables that override them in CI (1/0, true/false).
OUTPUT_FLAGS = (
    ("push", PUSH_ENV), ("load", LOAD_ENV), ("oci-layout", OCI_LAYOUT_ENV), ("latest", LATEST_ENV), ("archive", ARCHIVE_ENV),
    ("cache-to", CACHE_TO_ENV),
)
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
#: name -> allowed compression-level range (None: no level allowed); gzip's: oci.layer.GZIP_LEVELS
COMPRESSIONS: dict[str, tuple[int, int] | None] = {"gzip": GZIP_LEVELS, "zstd": (1, 22), "none": None}

#: Every key of ``[tool.aicontainer]`` (kebab-case).
KEYS = (
    "python",
    "tensorflow",
    "torch",
    "jax",
    "accelerator",
    "platforms",
    "base-image",
    "entrypoint",
    "cmd",
    "env",
    "workdir",
    "user",
    "labels",
    "ports",
    "include",
    "dependencies",
    "index-url",
    "extra-index-urls",
    "find-links",
    "torch-index-url",
    "compression",
    "compression-level",
    "name",
    "tags",
    "healthcheck",
    "kubernetes",
    "push",
    "load",
    "oci-layout",
    "latest",
    "archive",
    "cache-from",
    "cache-to",
    "sign",
)
#: Our key -> its name in ``[tool.hatch.build.targets.<target>]`` where it differs.
TARGET_KEY_NAMES = MappingProxyType({"include": "image-include", "dependencies": "image-dependencies"})
#: Options hatchling's ``BuilderConfig`` reads from a target table
#: (hatchling/builders/config.py); ours to ignore there.
HATCHLING_TARGET_OPTIONS = frozenset(
    {
        "artifacts",
        "dependencies",
        "dev-mode-dirs",
        "dev-mode-exact",
        "directory",
        "exclude",
        "force-include",
        "hooks",
        "ignore-vcs",
        "include",
        "only-include",
        "only-packages",
        "packages",
        "reproducible",
        "require-runtime-dependencies",
        "require-runtime-features",
        "skip-excluded-dirs",
        "sources",
        "versions",
    }
)
HEALTHCHECK_KEYS = ("test", "interval", "timeout", "start-period", "retries")
INCLUDE_KEYS = ("source", "destination")
SIGN_KEYS = ("key",)
