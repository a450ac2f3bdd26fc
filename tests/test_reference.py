"""Image reference parsing with Docker's normalisation."""

from __future__ import annotations

import pytest

from hatch_aicontainer.registry.reference import ImageReference, is_loopback_host

D = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("python", "docker.io", "library/python", "latest", None),
        ("python:3.11-slim", "docker.io", "library/python", "3.11-slim", None),
        ("library/python:3.11", "docker.io", "library/python", "3.11", None),
        ("me/app:v1", "docker.io", "me/app", "v1", None),
        ("docker.io/python:3.11", "docker.io", "library/python", "3.11", None),
        ("index.docker.io/me/app", "docker.io", "me/app", "latest", None),
        ("127.0.0.1:5000/library/python:3.11-slim", "127.0.0.1:5000", "library/python", "3.11-slim", None),
        ("localhost/app", "localhost", "app", "latest", None),
        ("localhost:5000/a/b/c:t", "localhost:5000", "a/b/c", "t", None),
        ("ghcr.io/org/img@" + D, "ghcr.io", "org/img", None, D),
        ("host.example/repo@" + D, "host.example", "repo", None, D),
        ("localhost/repo@" + D, "localhost", "repo", None, D),
        ("repo:tag@" + D, "docker.io", "library/repo", "tag", D),
        ("[::1]:5000/repo:t", "[::1]:5000", "repo", "t", None),
        ("reg.example.com/a_b/c-d/e.f__g:T_1.2-3", "reg.example.com", "a_b/c-d/e.f__g", "T_1.2-3", None),
        ("Registry.Example/repo", "Registry.Example", "repo", "latest", None),
        ("a" * 10 + ":" + "t" * 128, "docker.io", "library/" + "a" * 10, "t" * 128, None),
    ],
)
def test_valid(text, registry, repository, tag, digest):
    ref = ImageReference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    # the full form parses back to the same reference
    assert ImageReference.parse(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("nope:://x", "invalid registry host"),
        ("Python:3.11", "lowercase"),
        ("example.com/MyApp:1", "lowercase"),
        ("python:", "invalid tag"),
        ("python:.bad", "invalid tag"),
        ("python:" + "t" * 129, "invalid tag"),
        ("python@sha256:abc", "invalid digest"),
        ("python@md5:" + "a" * 32, "invalid digest"),
        ("python@", "invalid digest"),
        ("a//b", "empty path component"),
        ("a/b/", "empty path component"),
        ("foo_/bar", "invalid repository path component"),
        ("-foo", "invalid repository path component"),
        ("has space", "whitespace"),
        ("https://ghcr.io/x", "scheme"),
        ("ab" * 32, "64-digit"),
        ("host.example/" + "a" * 260, "longer than"),
        (":tag", "missing repository"),
        ("-bad.host/x", "invalid registry host"),
    ],
)
def test_invalid(text, reason):
    with pytest.raises(ValueError) as info:
        ImageReference.parse(text)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_str_and_properties():
    ref = ImageReference.parse("python:3.11-slim")
    assert str(ref) == "docker.io/library/python:3.11-slim"
    assert ref.api_host == "registry-1.docker.io"
    assert not ref.is_loopback
    assert ref.reference == "3.11-slim"

    local = ImageReference.parse(f"127.0.0.1:5000/library/python:3.11@{D}")
    assert str(local) == f"127.0.0.1:5000/library/python:3.11@{D}"
    assert local.api_host == "127.0.0.1:5000"
    assert local.is_loopback
    assert local.reference == D
    assert str(ImageReference.parse("ghcr.io/o/i").with_digest(D)) == f"ghcr.io/o/i:latest@{D}"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1:5000", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("localhost:5000", True),
        ("[::1]:5000", True),
        ("::1", True),
        ("128.0.0.1:5000", False),
        ("10.0.0.1", False),
        ("localhost.example.com", False),
        ("registry-1.docker.io", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback_host(host) is loopback
