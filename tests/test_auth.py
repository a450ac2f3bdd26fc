"""Credential lookup: environment, Docker config auths, credential helpers (real subprocesses)."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.registry.credentials import CredentialHelperError, Credentials, find_credentials, normalize_host


def credentials_for(host: str) -> Credentials | None:
    """What a build started now would use for ``host`` (the environment as the entry point reads it)."""
    return find_credentials(host, env=dict(os.environ))

SECRET = "s3cr3t-Pa55"


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    """Point DOCKER_CONFIG at an empty directory; returns a writer for config.json."""
    directory = tmp_path / "docker"
    directory.mkdir()
    for name in ("AICONTAINER_REGISTRY_USERNAME", "AICONTAINER_REGISTRY_PASSWORD", "AICONTAINER_REGISTRY_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))

    def write(data: dict) -> Path:
        path = directory / "config.json"
        path.write_text(json.dumps(data))
        return path

    return write


@pytest.fixture
def helper_bin(tmp_path, monkeypatch):
    """A directory on PATH for fake docker-credential-* programs (real executables)."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ.get('PATH', '')}")

    def make(name: str, answers: dict[str, dict]) -> Path:
        """Helper answering ``get`` from ``answers[server]``; logs each server asked for."""
        log = tmp_path / f"{name}.log"
        script = directory / f"docker-credential-{name}"
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, sys\n"
            f"answers = {answers!r}\n"
            "server = sys.stdin.read().strip()\n"
            f"open({str(log)!r}, 'a').write(sys.argv[1] + ' ' + server + '\\n')\n"
            "if server not in answers:\n"
            "    print('credentials not found in native keychain'); sys.exit(1)\n"
            "print(json.dumps(answers[server]))\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return log

    return make


def test_nothing_configured_is_anonymous(docker_config):
    assert credentials_for("127.0.0.1:5000") is None


def test_environment(docker_config, monkeypatch):
    monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "ci")
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", SECRET)
    creds = credentials_for("registry.example:5000")
    assert (creds.username, creds.password, creds.source) == ("ci", SECRET, "environment")
    assert SECRET not in repr(creds) and SECRET not in str(creds)


def test_environment_scoped_to_a_host(docker_config, monkeypatch):
    monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "ci")
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", SECRET)
    monkeypatch.setenv("AICONTAINER_REGISTRY_HOST", "docker.io")
    assert credentials_for("registry-1.docker.io").username == "ci"
    assert credentials_for("ghcr.io") is None


def test_environment_half_set_is_a_config_error(docker_config, monkeypatch):
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", SECRET)
    with pytest.raises(ConfigError) as info:
        credentials_for("ghcr.io")
    assert "AICONTAINER_REGISTRY_USERNAME" in str(info.value)
    assert SECRET not in str(info.value)


def test_environment_wins_over_docker_config(docker_config, monkeypatch):
    docker_config({"auths": {"ghcr.io": {"username": "file", "password": "x"}}})
    monkeypatch.setenv("AICONTAINER_REGISTRY_USERNAME", "env")
    monkeypatch.setenv("AICONTAINER_REGISTRY_PASSWORD", SECRET)
    assert credentials_for("ghcr.io").username == "env"


def test_auths_base64_and_docker_hub_key(docker_config):
    encoded = base64.b64encode(f"hubuser:{SECRET}".encode()).decode()
    path = docker_config(
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": encoded},
                "http://127.0.0.1:5000": {"username": "local", "password": "pw:with:colons"},
            }
        }
    )
    for host in ("registry-1.docker.io", "docker.io", "index.docker.io"):
        creds = credentials_for(host)
        assert (creds.username, creds.password, creds.source) == ("hubuser", SECRET, str(path))
    local = credentials_for("127.0.0.1:5000")
    assert (local.username, local.password) == ("local", "pw:with:colons")
    assert credentials_for("127.0.0.1:5001") is None


def test_auths_identity_token(docker_config):
    docker_config({"auths": {"myreg.example": {"auth": base64.b64encode(b"u:").decode(), "identitytoken": "idtok-7Qz"}}})
    creds = credentials_for("myreg.example")
    assert creds.identity_token == "idtok-7Qz"
    assert "idtok-7Qz" not in repr(creds)


def test_bad_auths_entry_is_one_line_without_secret(docker_config):
    docker_config({"auths": {"ghcr.io": {"auth": base64.b64encode(SECRET.encode()).decode()}}})
    with pytest.raises(ConfigError) as info:
        credentials_for("ghcr.io")
    assert SECRET not in str(info.value) and "\n" not in str(info.value)


def test_broken_config_json(docker_config):
    path = docker_config({})
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        credentials_for("ghcr.io")


def test_cred_helper_for_one_host(docker_config, helper_bin):
    log = helper_bin("fake", {"ghcr.io": {"ServerURL": "ghcr.io", "Username": "gh", "Secret": SECRET}})
    docker_config({"credHelpers": {"ghcr.io": "fake"}, "auths": {"ghcr.io": {}}})
    creds = credentials_for("ghcr.io")
    assert (creds.username, creds.password, creds.source) == ("gh", SECRET, "docker-credential-fake")
    assert log.read_text() == "get ghcr.io\n"
    # other hosts do not go to that helper
    assert credentials_for("quay.io") is None
    assert log.read_text() == "get ghcr.io\n"


def test_creds_store_gets_docker_hub_server_url(docker_config, helper_bin):
    hub = "https://index.docker.io/v1/"
    log = helper_bin("store", {hub: {"ServerURL": hub, "Username": "hubber", "Secret": SECRET}})
    docker_config({"credsStore": "store"})
    assert credentials_for("registry-1.docker.io").username == "hubber"
    assert log.read_text() == f"get {hub}\n"
    assert credentials_for("127.0.0.1:5000") is None  # helper said "not found"


def test_creds_store_identity_token(docker_config, helper_bin):
    helper_bin("tok", {"myreg.example": {"Username": "<token>", "Secret": "refresh-me"}})
    docker_config({"credsStore": "tok"})
    creds = credentials_for("myreg.example")
    assert creds.identity_token == "refresh-me" and creds.password == ""


def test_creds_store_falls_back_to_auths(docker_config, helper_bin):
    helper_bin("empty", {})
    docker_config({"credsStore": "empty", "auths": {"ghcr.io": {"username": "a", "password": "b"}}})
    assert credentials_for("ghcr.io").username == "a"


def test_missing_helper_is_a_clear_error(docker_config, helper_bin):
    docker_config({"credsStore": "no-such-helper-xyz"})
    with pytest.raises(CredentialHelperError) as info:
        credentials_for("ghcr.io")
    assert "docker-credential-no-such-helper-xyz" in str(info.value)
    assert "not installed" in str(info.value)


def test_failing_helper_does_not_leak_its_output(docker_config, helper_bin, tmp_path):
    script = tmp_path / "bin" / "docker-credential-broken"
    script.write_text(f"#!{sys.executable}\nimport sys\nprint('{SECRET}'); sys.exit(3)\n")
    script.chmod(0o755)
    docker_config({"credHelpers": {"ghcr.io": "broken"}})
    with pytest.raises(CredentialHelperError) as info:
        credentials_for("ghcr.io")
    assert "exit status 3" in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("key", "host"),
    [
        ("https://index.docker.io/v1/", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("http://127.0.0.1:5000/v2/", "127.0.0.1:5000"),
        ("GHCR.io", "ghcr.io"),
    ],
)
def test_normalize_host(key, host):
    assert normalize_host(key) == host


def test_credentials_repr_hides_secret():
    creds = Credentials("u", SECRET, identity_token=SECRET, source="x")
    assert SECRET not in repr(creds)
