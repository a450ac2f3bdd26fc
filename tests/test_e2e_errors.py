"""Bad input through a real `hatch build -t container`: one line, non-zero exit, no traceback, nothing in dist/."""

from __future__ import annotations

import re

import pytest
from e2e_helpers import EXAMPLE, copy_project, hatch_build, hatch_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hatch_home(tmp_path_factory):
    """One hatch data dir for the module: the build environment is made once."""
    return tmp_path_factory.mktemp("hatch-errors")


def _build_with(tmp_path, wheelhouse, hatch_home, replace: dict[str, str], append: str = "", **env):
    project = copy_project(EXAMPLE, tmp_path / "example_project")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    pyproject.write_text(text + append)
    (project / "dist").mkdir()
    (project / "dist" / "keep.txt").write_text("an earlier artifact\n")
    run = hatch_build(project, hatch_env(wheelhouse, hatch_home, tmp_path / "cache", **env))
    return run


def _assert_clean_failure(run, *fragments: str) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr + run.stdout
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr[-2000:]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert run.dist_entries == ["keep.txt"]  # nothing new, nothing half-written
    return errors[0]


def test_unknown_key(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {}, 'bas-image = "python:3.11"\n', AICONTAINER_BASE_IMAGE=base_image_ref)
    _assert_clean_failure(run, "tool.aicontainer.bas-image", "did you mean tool.aicontainer.base-image")


def test_python_pin_the_base_image_does_not_provide(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {'python = "3.11"': 'python = "3.12"'}, AICONTAINER_BASE_IMAGE=base_image_ref)
    line = _assert_clean_failure(run, '"3.12"', "3.11", "AICONTAINER_BASE_IMAGE")
    assert base_image_ref in line


def test_unreachable_base_image(tmp_path, plugin_wheelhouse, hatch_home, registry):
    # a loopback port nobody listens on: the registry's port + 1 is not ours, so ask the OS
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ref = f"127.0.0.1:{port}/library/python:3.11-slim-bookworm"
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {}, AICONTAINER_BASE_IMAGE=ref)
    _assert_clean_failure(run, f"127.0.0.1:{port}")


def test_tensorflow_release_that_does_not_exist(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {'tensorflow = "2.16.1"': 'tensorflow = "2.16.9"'}, AICONTAINER_BASE_IMAGE=base_image_ref)
    _assert_clean_failure(run, "tool.aicontainer.tensorflow", "2.16.9")


def test_include_outside_the_project(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(
        tmp_path, plugin_wheelhouse, hatch_home,
        {'include = [{ source = "models", destination = "/app/models" }]': 'include = ["../outside"]'},
        AICONTAINER_BASE_IMAGE=base_image_ref,
    )
    _assert_clean_failure(run, "tool.aicontainer.include", "../outside")


def test_wrong_type(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {'entrypoint = ["example-project"]': 'entrypoint = "example-project"'}, AICONTAINER_BASE_IMAGE=base_image_ref)
    line = _assert_clean_failure(run, "tool.aicontainer.entrypoint")
    assert re.search(r"array|list", line)


def test_jax_on_a_python_it_does_not_support(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {'tensorflow = "2.16.1"': 'tensorflow = "2.16.1"\njax = "0.12.0"'},
                      AICONTAINER_BASE_IMAGE=base_image_ref)
    _assert_clean_failure(run, 'tool.aicontainer.python = "3.11"', "JAX 0.12", "3.12")


def test_two_frameworks_that_need_two_cuda_majors(tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {'tensorflow = "2.16.1"': 'tensorflow = "2.16.1"\ntorch = "2.11.0"'},
                      'accelerator = "cuda"\n', AICONTAINER_BASE_IMAGE=base_image_ref)
    _assert_clean_failure(run, 'tool.aicontainer.torch = "2.11.0"', "CUDA 13", "CUDA 12", "one CUDA major")


# --- the signing key: one line before any work, the passphrase never shown ---------------------------

SIGNING_PASSWORD = "errors-Passphrase-41z"


def _signing_keys(directory) -> tuple:
    """A cosign-format key (written by ``aicontainer keygen``) and an RSA key in PKCS#8 PEM (made by cryptography)."""
    import subprocess
    import sys

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "hatch_aicontainer.cli.main", "keygen"], cwd=directory, capture_output=True,
                          text=True, env={**__import__("os").environ, "AICONTAINER_SIGNING_PASSWORD": SIGNING_PASSWORD})
    assert done.returncode == 0, done.stderr
    rsa_key = directory / "rsa.pem"
    rsa_key.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return directory / "cosign.key", rsa_key


@pytest.mark.parametrize("case", ["wrong passphrase", "no passphrase", "an RSA key", "no such key", "the public key"])
def test_a_signing_key_that_cannot_sign_is_one_line_before_any_work(case, tmp_path, plugin_wheelhouse, hatch_home, base_image_ref):
    cosign_key, rsa_key = _signing_keys(tmp_path / "keys")
    env = {
        "wrong passphrase": {"AICONTAINER_SIGNING_KEY": str(cosign_key), "AICONTAINER_SIGNING_PASSWORD": SIGNING_PASSWORD + "x"},
        "no passphrase": {"AICONTAINER_SIGNING_KEY": str(cosign_key)},
        "an RSA key": {"AICONTAINER_SIGNING_KEY": str(rsa_key), "AICONTAINER_SIGNING_PASSWORD": SIGNING_PASSWORD},
        "no such key": {"AICONTAINER_SIGNING_KEY": str(tmp_path / "keys" / "missing.key")},
        "the public key": {"AICONTAINER_SIGNING_KEY": str(cosign_key.with_suffix(".pub"))},
    }[case]
    expected = {
        "wrong passphrase": ("AICONTAINER_SIGNING_KEY", str(cosign_key), "passphrase"),
        "no passphrase": ("AICONTAINER_SIGNING_KEY", "AICONTAINER_SIGNING_PASSWORD"),
        "an RSA key": ("AICONTAINER_SIGNING_KEY", "RSA", "ECDSA P-256"),
        "no such key": ("AICONTAINER_SIGNING_KEY", "missing.key"),
        "the public key": ("AICONTAINER_SIGNING_KEY", "cosign.pub", "public key"),
    }[case]
    run = _build_with(tmp_path, plugin_wheelhouse, hatch_home, {}, AICONTAINER_BASE_IMAGE=base_image_ref, **env)
    _assert_clean_failure(run, *expected)
    assert SIGNING_PASSWORD not in run.stdout + run.stderr
