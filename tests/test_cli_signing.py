"""``aicontainer keygen`` and ``aicontainer verify`` as a pipeline runs them: their refusals, one line each.

The happy paths (a signed release verified from its archive and its registry, and rebuilt) are in
tests/test_e2e_attestations.py; here: what keygen refuses, and what verify says of an image whose
attestations are not signed, of a missing key, and of a call that asks for nothing.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from cli_helpers import aicontainer, assert_one_line_error, cli_env

from hatch_aicontainer.signing.keys import load_public_key, load_signing_key

PASSWORD = "cli-Passphrase-77k"


def _keygen(directory, tmp_path, **extra):
    directory.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "hatch_aicontainer.cli.main", "keygen"], cwd=directory, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, env=cli_env(tmp_path, **extra), timeout=60)


def test_keygen_writes_a_cosign_key_pair_that_opens_with_its_passphrase(tmp_path):
    done = _keygen(tmp_path / "keys", tmp_path, AICONTAINER_SIGNING_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    key, public = tmp_path / "keys" / "cosign.key", tmp_path / "keys" / "cosign.pub"
    assert done.stdout.splitlines() == ["cosign.key", "cosign.pub"]  # written in the current folder
    assert key.read_text().startswith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    assert key.stat().st_mode & 0o777 == 0o600
    assert PASSWORD not in done.stdout + done.stderr + key.read_text()
    opened = load_signing_key(key, PASSWORD, what="test", password_source="AICONTAINER_SIGNING_PASSWORD")
    assert opened.keyid == load_public_key(public, what="test").keyid


def test_keygen_without_a_passphrase_and_no_terminal_is_one_line(tmp_path):
    done = _keygen(tmp_path / "keys", tmp_path)
    assert_one_line_error(done, "AICONTAINER_SIGNING_PASSWORD is not set", "not a terminal", code=2)
    assert not (tmp_path / "keys" / "cosign.key").exists()


def test_keygen_never_overwrites_a_key(tmp_path):
    assert _keygen(tmp_path / "keys", tmp_path, AICONTAINER_SIGNING_PASSWORD=PASSWORD).returncode == 0
    before = (tmp_path / "keys" / "cosign.key").read_bytes()
    done = _keygen(tmp_path / "keys", tmp_path, AICONTAINER_SIGNING_PASSWORD="another")
    assert_one_line_error(done, "cosign.key")
    assert (tmp_path / "keys" / "cosign.key").read_bytes() == before


def test_verify_asks_for_a_key_or_a_rebuild(tmp_path):
    done = aicontainer("verify", str(tmp_path), env=cli_env(tmp_path))
    assert_one_line_error(done, "--key", "--rebuild", code=2)


def test_verify_with_a_missing_key_is_one_line(tmp_path):
    done = aicontainer("verify", str(tmp_path), "--key", str(tmp_path / "nope.pub"), env=cli_env(tmp_path))
    assert_one_line_error(done, "--key", "nope.pub")


@pytest.mark.e2e
def test_an_unsigned_build_carries_attestations_that_verify_refuses(tiny_build, tmp_path):
    """Without a key the provenance and SBOM are attached bare (a consumer can read them), but not trusted."""
    assert not tiny_build.result.signed
    assert {r.annotations["io.hatch-aicontainer.attestation"] for r in tiny_build.result.referrers} == {"provenance", "sbom"}
    assert _keygen(tmp_path / "keys", tmp_path, AICONTAINER_SIGNING_PASSWORD=PASSWORD).returncode == 0
    done = aicontainer("verify", str(tiny_build.archive), "--key", str(tmp_path / "keys" / "cosign.pub"), env=cli_env(tmp_path))
    assert_one_line_error(done, "attestation", "is not signed")
