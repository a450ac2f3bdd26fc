"""The provenance's pure parts: the settings record (what the statement says the image was built with),
the statement's bytes, reading the recipe back, and the ``sign`` setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hatch_aicontainer.attest.provenance import (
    BASE_IMAGE,
    BUILD_TYPE,
    LOCK,
    PROJECT_WHEEL,
    SOURCE,
    Dependency,
    ProvenanceInputs,
    provenance_statement,
    read_recipe,
    subjects_for,
)
from hatch_aicontainer.attest.statements import StatementError, parse_statement
from hatch_aicontainer.config.settings import ProjectInfo, load_settings
from hatch_aicontainer.config.settings.record import settings_record
from hatch_aicontainer.core.errors import ConfigError

ROOT = "sha256:" + "a" * 64
AMD64 = "sha256:" + "b" * 64
ARM64 = "sha256:" + "c" * 64


def project(root: str) -> ProjectInfo:
    return ProjectInfo(name="app", version="1.0", requires_python=">=3.10", dependencies=(), scripts={}, root=Path(root))


def settings(root: str = "/home/alice/src/app", environ: dict[str, str] | None = None, **table: Any):
    return load_settings({"tensorflow": "2.16.1", **table}, project(root), environ or {})


def test_the_settings_record_is_the_same_wherever_the_project_lies():
    table = {
        "base-image": "oci-archive:bases/python-3.11.tar:slim",
        "find-links": ["wheels"],
        "extra-index-urls": ["https://ci-bot:s3cret-token@pypi.example.com/simple"],
        "include": ["models"],
    }
    here = settings("/home/alice/src/app", **table)
    there = settings("/builds/runner-7/app", {"AICONTAINER_CACHE_DIR": "/var/cache/x", "AICONTAINER_PUSH_TO": "reg.example.com/app:1"}, **table)
    assert settings_record(here) == settings_record(there)
    text = json.dumps(settings_record(here))
    assert "alice" not in text and "s3cret-token" not in text
    assert settings_record(here)["base-image"] == "oci-archive:python-3.11.tar:slim"
    assert settings_record(here)["extra-index-urls"] == ["https://***@pypi.example.com/simple"]


def test_what_changes_the_image_changes_the_record():
    assert settings_record(settings(python="3.11")) != settings_record(settings(python="3.12"))
    assert settings_record(settings(env={"A": "1"})) != settings_record(settings(env={"A": "2"}))
    assert settings_record(settings(tags=["{version}"])) != settings_record(settings(tags=["{version}", "latest"]))


def _inputs(**more: Any) -> ProvenanceInputs:
    values: dict[str, Any] = dict(
        subjects=subjects_for("app", ROOT, [("linux/amd64", AMD64), ("linux/arm64/v8", ARM64)]),
        project="app",
        version="1.0",
        settings=settings_record(settings(platforms=["linux/amd64", "linux/arm64"])),
        dependencies=(
            Dependency(SOURCE, "source", {"gitCommit": "f" * 40}),
            Dependency(BASE_IMAGE, "base-image", {"sha256": "d" * 64}, uri="r.example/python:3.11@sha256:" + "d" * 64, platform="linux/amd64"),
            Dependency(LOCK, "pylock.aicontainer-py311-amd64-cpu.toml", {"sha256": "e" * 64}, platform="linux/amd64"),
            Dependency(PROJECT_WHEEL, "app-1.0-py3-none-any.whl", {"sha256": "1" * 64}),
        ),
        plugin_version="0.1.0",
        internal={"layerFormat": "1"},
    )
    values.update(more)
    return ProvenanceInputs(**values)


def test_the_statement_is_canonical_and_reads_back_as_its_recipe():
    data = provenance_statement(_inputs())
    assert data == provenance_statement(_inputs())
    assert data == json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode()
    document = json.loads(data)
    assert [s["digest"]["sha256"] for s in document["subject"]] == ["a" * 64, "b" * 64, "c" * 64]
    assert document["predicate"]["buildDefinition"]["buildType"] == BUILD_TYPE
    assert set(document["predicate"]["runDetails"]) == {"builder", "metadata"} and document["predicate"]["runDetails"]["metadata"] == {}
    recipe = read_recipe(parse_statement(data, "test"))
    assert recipe.image == ROOT and recipe.manifests == {"linux/amd64": AMD64, "linux/arm64/v8": ARM64}
    assert recipe.revision == "f" * 40
    assert recipe.base_images == {"linux/amd64": ("r.example/python:3.11@sha256:" + "d" * 64, "sha256:" + "d" * 64)}
    assert recipe.locks == {"linux/amd64": ("pylock.aicontainer-py311-amd64-cpu.toml", "sha256:" + "e" * 64)}
    assert recipe.project_wheel == ("app-1.0-py3-none-any.whl", "sha256:" + "1" * 64)
    assert recipe.settings["platforms"] == ["linux/amd64", "linux/arm64"] and recipe.plugin_version == "0.1.0"


def test_a_single_platform_image_has_one_subject():
    subjects = subjects_for("app", ROOT, [("linux/amd64", ROOT)])
    assert [s.digest for s in subjects] == [ROOT]
    recipe = read_recipe(parse_statement(provenance_statement(_inputs(subjects=subjects, settings=settings_record(settings()))), "test"))
    assert recipe.manifests == {"linux/amd64": ROOT}


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda d: d.update(_type="https://in-toto.io/Statement/v0.1"), "not an in-toto Statement v1"),
        (lambda d: d.update(subject=[]), "names no subject"),
        (lambda d: d["subject"][0].update(digest={"sha512": "0"}), "without a sha256 digest"),
        (lambda d: d["predicate"]["buildDefinition"].update(buildType="https://example.com/other"), "another kind of build"),
    ],
)
def test_a_statement_that_is_not_our_provenance_is_one_line(change, fragment):
    document = json.loads(provenance_statement(_inputs()))
    change(document)
    with pytest.raises(StatementError) as caught:
        read_recipe(parse_statement(json.dumps(document).encode(), "the provenance"))
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


# --- the sign setting -------------------------------------------------------------------------------


def test_sign_key_is_relative_to_the_project_and_the_environment_replaces_or_turns_it_off():
    s = settings("/work/app", sign={"key": "keys/cosign.key"})
    assert s.signing is not None and s.signing.key == Path("/work/app/keys/cosign.key")
    assert s.signing.setting == "tool.aicontainer.sign.key"
    s = settings("/work/app", {"AICONTAINER_SIGNING_KEY": "/secrets/release.key"}, sign={"key": "keys/cosign.key"})
    assert s.signing.key == Path("/secrets/release.key") and s.signing.setting == "AICONTAINER_SIGNING_KEY"
    assert settings("/work/app", {"AICONTAINER_SIGNING_KEY": "off"}, sign={"key": "keys/cosign.key"}).signing is None
    assert settings("/work/app").signing is None
    assert "secret" not in repr(settings("/work/app", {"AICONTAINER_SIGNING_PASSWORD": "secret"}))


@pytest.mark.parametrize(
    "value, fragments",
    [
        ("cosign.key", ("tool.aicontainer.sign", "must be a table", "sign = { key =")),
        ({"keyy": "cosign.key"}, ("tool.aicontainer.sign.keyy", "did you mean")),
        ({}, ("tool.aicontainer.sign", "names no key")),
        ({"key": 3}, ("tool.aicontainer.sign.key", "must be a string")),
    ],
)
def test_a_bad_sign_setting_is_one_line(value, fragments):
    with pytest.raises(ConfigError) as caught:
        settings(sign=value)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
