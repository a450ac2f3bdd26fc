"""The keys of ``[tool.aicontainer]``, the environment variables and the defaults.

docs/settings.md is the user reference; keep it in step with ``KEYS``.
"""

from __future__ import annotations

from types import MappingProxyType

from hatch_aicontainer.config.naming import TAG_FIELDS  # noqa: F401  (its home is naming; re-exported)
from hatch_aicontainer.oci.layer import GZIP_LEVELS

TABLE = "tool.aicontainer"
BASE_IMAGE_ENV = "AICONTAINER_BASE_IMAGE"
DEFAULT_BASE_IMAGE = "python:{python}-slim-bookworm"
DEFAULT_WORKDIR = "/app"
DEFAULT_USER = "10001:10001"  # numeric: needs no passwd entry in the base image
DEFAULT_PLATFORMS = ("linux/amd64",)
DEFAULT_TAGS = ("{version}",)
#: Set for ``accelerator = "cuda"`` unless ``env`` sets them (NVIDIA container runtime).
NVIDIA_ENV = {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}
#: Release outputs (``push``, ``load``, ``oci-layout``, ``latest``): CI overrides (1/0, true/false).
PUSH_ENV = "AICONTAINER_PUSH"
PUSH_TO_ENV = "AICONTAINER_PUSH_TO"  #: comma-separated references; replaces ``push``
LOAD_ENV = "AICONTAINER_LOAD"
OCI_LAYOUT_ENV = "AICONTAINER_OCI_LAYOUT"
LATEST_ENV = "AICONTAINER_LATEST"
ARCHIVE_ENV = "AICONTAINER_ARCHIVE"  #: 0/off: push straight from the cache, write no .oci.tar
OUTPUT_FLAGS = (
    ("push", PUSH_ENV), ("load", LOAD_ENV), ("oci-layout", OCI_LAYOUT_ENV), ("latest", LATEST_ENV), ("archive", ARCHIVE_ENV),
)
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
#: name -> allowed compression-level range (None: no level allowed); gzip's: oci.layer.GZIP_LEVELS
COMPRESSIONS: dict[str, tuple[int, int] | None] = {"gzip": GZIP_LEVELS, "zstd": (1, 22), "none": None}
CACHE_DIR_ENV = "AICONTAINER_CACHE_DIR"
CACHE_MAX_SIZE_ENV = "AICONTAINER_CACHE_MAX_SIZE"
BYTECODE_ENV = "AICONTAINER_BYTECODE"
UV_ENV = "AICONTAINER_UV"
INSECURE_REGISTRIES_ENV = "AICONTAINER_INSECURE_REGISTRIES"
REGISTRY_USERNAME_ENV = "AICONTAINER_REGISTRY_USERNAME"
REGISTRY_PASSWORD_ENV = "AICONTAINER_REGISTRY_PASSWORD"
REGISTRY_HOST_ENV = "AICONTAINER_REGISTRY_HOST"
#: Every ``AICONTAINER_*`` variable the code reads -> what it does (the one registry of them:
#: ``config.environment`` parses each value once and warns about unknown names;
#: tests/test_cli_mistakes.py fails when the code reads one that is not listed here).
ENVIRONMENT = MappingProxyType(
    {
        BASE_IMAGE_ENV: "replaces base-image (a registry mirror, an oci: layout)",
        PUSH_ENV: "push the image after the build (1/0, true/false)",
        PUSH_TO_ENV: "comma-separated references to push to; replaces push",
        LOAD_ENV: "docker load the image after the build (1/0)",
        OCI_LAYOUT_ENV: "also write the image as an OCI layout directory (1/0)",
        LATEST_ENV: "also tag the image latest (1/0)",
        ARCHIVE_ENV: "write the .oci.tar (1/0; 0 pushes straight from the cache)",
        CACHE_DIR_ENV: "the cache directory (default ~/.cache/hatch-aicontainer)",
        CACHE_MAX_SIZE_ENV: "prune the cache to this size after each build (20G, 500MB)",
        BYTECODE_ENV: "precompile .pyc files: auto, on or off",
        UV_ENV: "the uv executable to use instead of the bundled one",
        INSECURE_REGISTRIES_ENV: "comma-separated host[:port] reached over plain HTTP",
        REGISTRY_USERNAME_ENV: "registry user name (with AICONTAINER_REGISTRY_PASSWORD)",
        REGISTRY_PASSWORD_ENV: "registry password or token (with AICONTAINER_REGISTRY_USERNAME)",
        REGISTRY_HOST_ENV: "the registry the AICONTAINER_REGISTRY_* credentials are for",
    }
)

#: Every key of ``[tool.aicontainer]`` (kebab-case).
KEYS = (
    "python",
    "tensorflow",
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
