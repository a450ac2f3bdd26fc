"""The ``AICONTAINER_*`` environment variables: their names and what each does.

A leaf module: ``config.environment`` reads them, ``config.settings`` names the ones that
override table keys, and docs/settings.md is the user reference.
"""

from __future__ import annotations

from types import MappingProxyType

# the credentials' variables are named where they are read
from hatch_aicontainer.registry.credentials import ENV_HOST as REGISTRY_HOST_ENV
from hatch_aicontainer.registry.credentials import ENV_PASSWORD as REGISTRY_PASSWORD_ENV
from hatch_aicontainer.registry.credentials import ENV_USERNAME as REGISTRY_USERNAME_ENV

BASE_IMAGE_ENV = "AICONTAINER_BASE_IMAGE"
PUSH_ENV = "AICONTAINER_PUSH"
PUSH_TO_ENV = "AICONTAINER_PUSH_TO"  #: comma-separated references; replaces ``push``
LOAD_ENV = "AICONTAINER_LOAD"
OCI_LAYOUT_ENV = "AICONTAINER_OCI_LAYOUT"
LATEST_ENV = "AICONTAINER_LATEST"
ARCHIVE_ENV = "AICONTAINER_ARCHIVE"  #: 0/off: push straight from the cache, write no .oci.tar
CACHE_DIR_ENV = "AICONTAINER_CACHE_DIR"
CACHE_MAX_SIZE_ENV = "AICONTAINER_CACHE_MAX_SIZE"
BYTECODE_ENV = "AICONTAINER_BYTECODE"
UV_ENV = "AICONTAINER_UV"
TORCH_INDEX_URL_ENV = "AICONTAINER_TORCH_INDEX_URL"
INSECURE_REGISTRIES_ENV = "AICONTAINER_INSECURE_REGISTRIES"
CACHE_FROM_ENV = "AICONTAINER_CACHE_FROM"  #: comma-separated host/repo; replaces ``cache-from``
CACHE_TO_ENV = "AICONTAINER_CACHE_TO"  #: 1/0: replaces ``cache-to``
SIGNING_KEY_ENV = "AICONTAINER_SIGNING_KEY"  #: a path; replaces ``sign.key``
SIGNING_PASSWORD_ENV = "AICONTAINER_SIGNING_PASSWORD"  #: the key's passphrase (never a setting)
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
        TORCH_INDEX_URL_ENV: "replaces torch-index-url: the index of PyTorch's CPU builds (a mirror)",
        INSECURE_REGISTRIES_ENV: "comma-separated host[:port] reached over plain HTTP",
        CACHE_FROM_ENV: "comma-separated registry repositories (host/repo) to take cached layers from; replaces cache-from",
        CACHE_TO_ENV: "write the layers' cache entries on push (1/0); replaces cache-to",
        SIGNING_KEY_ENV: "the private key that signs the image and its attestations (replaces sign.key)",
        SIGNING_PASSWORD_ENV: "the signing key's passphrase (and the passphrase aicontainer keygen encrypts with)",
        REGISTRY_USERNAME_ENV: "registry user name (with AICONTAINER_REGISTRY_PASSWORD)",
        REGISTRY_PASSWORD_ENV: "registry password or token (with AICONTAINER_REGISTRY_USERNAME)",
        REGISTRY_HOST_ENV: "the registry the AICONTAINER_REGISTRY_* credentials are for",
    }
)
