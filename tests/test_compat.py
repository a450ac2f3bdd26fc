"""The TensorFlow compatibility data and the checks on it (hatch_aicontainer.config.compat);
PyTorch, JAX and frameworks together: tests/test_frameworks.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hatch_aicontainer.config import compat
from hatch_aicontainer.config.compat import check_target
from hatch_aicontainer.config.frameworks import framework
from hatch_aicontainer.config.messages import format_value
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.descriptor import Platform

REPO = Path(__file__).resolve().parents[1]

#: TensorFlow's documented facts, with their source and date: what the data is checked against
REFERENCE = Path(__file__).resolve().parent / "data" / "tensorflow-reference.md"

AMD64 = Platform.parse("linux/amd64")
ARM64 = Platform.parse("linux/arm64")
TF = framework("tensorflow")


def release_for(version):
    return TF.table.release_for(version)


def supported_table():
    return TF.table.lines


def tf_target(python, version, accelerator, platform, **kwargs):
    """The target of a TensorFlow-only image, and its TensorFlow."""
    target = check_target(python, {"tensorflow": version}, accelerator, platform, **kwargs)
    return target, target.framework("tensorflow")


def _reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def _reference_rows() -> list[tuple[str, list[str], str, str]]:
    rows = []
    for match in re.finditer(
        r"^\|\s*(\d+\.\d+\.\d+)\s*\|\s*3\.(\d+)\s*[–-]\s*3\.(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*$",
        _reference_text(),
        re.MULTILINE,
    ):
        tf, low, high, cuda, cudnn = match.groups()
        rows.append((tf, [f"3.{m}" for m in range(int(low), int(high) + 1)], cuda, cudnn))
    assert rows, "no table rows parsed from the reference"
    return rows


# --- the data against the reference facts ------------------------------------------------------


def test_every_reference_row_is_in_the_data():
    rows = _reference_rows()
    assert len(rows) == len(supported_table())
    for tf, pythons, cuda, cudnn in rows:
        release = release_for(tf)
        assert release is not None, tf
        assert release.tested == tf
        assert list(release.pythons) == pythons, tf
        assert (dict(release.cuda), dict(release.cudnn)) == ({cuda.split(".")[0]: cuda}, {cuda.split(".")[0]: cudnn}), tf


def test_and_cuda_lines_match_the_reference():
    text = _reference_text()
    first = re.search(r"From (\d+\.\d+) on, Linux x86_64 `tensorflow\[and-cuda\]`", text).group(1)
    for release in supported_table():
        assert bool(release.facts.get("and-cuda")) == (release.version >= tuple(map(int, first.split(".")))), release.line
        assert release.cuda_platforms == (("linux/amd64",) if release.facts.get("and-cuda") else ())


def test_cpu_packages_match_the_reference():
    text = _reference_text()
    assert "`tensorflow-cpu` is the smaller CPU-only wheel for Linux x86_64" in text
    assert "On Linux\n  aarch64 the plain `tensorflow` wheel is the CPU build" in text
    for release in supported_table():
        assert dict(release.facts["cpu-package"]) == {"linux/amd64": "tensorflow-cpu", "linux/arm64": "tensorflow"}


def test_manylinux_tags_match_the_reference():
    text = _reference_text()
    line, tag = re.search(r"TF (\d+\.\d+) wheels are tagged `(manylinux_\d+_\d+)_x86_64`", text).groups()
    assert release_for(line + ".0").manylinux == tag
    for release in supported_table():
        assert re.fullmatch(r"manylinux_2_\d+", release.manylinux), release.line


def test_newest_release_matches_the_reference():
    text = _reference_text()
    newest = re.search(r"Newest on PyPI at the time of writing: (\d+\.\d+\.\d+)", text).group(1)
    assert TF.table.info.newest_on_pypi == newest
    assert TF.table.newest.tested == newest


def test_data_records_source_and_date():
    info = TF.table.info
    assert "https://www.tensorflow.org/install/source" in info.source  # the public page, not a local path
    assert ".md" not in info.source
    assert re.fullmatch(r"\d{4}-\d{2}", info.source_date)
    assert re.fullmatch(r"\d{4}-\d{2}", info.recorded)
    assert info.notes


def test_the_reference_records_the_same_source_and_date():
    """The facts and the data were read from the same pages in the same state."""
    text = _reference_text()
    assert "https://www.tensorflow.org/install/source" in text and "https://www.tensorflow.org/install/pip" in text
    assert re.search(r"state of (\d{4}-\d{2})", text).group(1) == TF.table.info.source_date


def test_table_is_newest_first_and_contiguous():
    lines = [r.version for r in supported_table()]
    assert lines == sorted(lines, reverse=True)
    assert lines[0] == (2, 21) and lines[-1] == (2, 10)
    assert all(a[1] - b[1] == 1 for a, b in zip(lines, lines[1:]))
    assert TF.table.known_lines_text == "2.10 … 2.21"


def test_data_file_is_inside_the_package():
    from importlib import resources

    assert resources.files("hatch_aicontainer.config").joinpath("data", "tensorflow.toml").is_file()
    assert (REPO / "hatch_aicontainer" / "config" / "data" / "tensorflow.toml").is_file()


def test_the_wheel_carries_the_data_file(tmp_path):
    """hatchling packages the data file (a copy of the packaging inputs, so that
    files other work in progress lacks, such as the README, do not matter)."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "hatch_aicontainer", project / "hatch_aicontainer", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", ".gitignore", "README.md", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, project / name)
    if not (project / "README.md").exists():
        (project / "README.md").write_text("# stub\n")
    out = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert "hatch_aicontainer/config/data/tensorflow.toml" in zipfile.ZipFile(wheel).namelist()


# --- release_for --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "line"),
    [
        ("2.15.0", "2.15"),
        ("2.15.1", "2.15"),
        ("2.16.1", "2.16"),
        ("2.16.2", "2.16"),
        ("2.17.1", "2.17"),
        ("2.21.0", "2.21"),
        ("2.10.1", "2.10"),
        ("2.18.0rc1", "2.18"),
    ],
)
def test_release_for_matches_major_minor(version, line):
    assert release_for(version).line == line


@pytest.mark.parametrize("version", ["2.9.3", "2.22.0", "3.0.0", "1.15.5", "banana", ""])
def test_release_for_unknown(version):
    assert release_for(version) is None


# --- check_target: valid ------------------------------------------------------------------------


def test_cpu_amd64_uses_tensorflow_cpu():
    target, tf = tf_target("3.11", "2.16.1", "cpu", AMD64)
    assert tf.requirement == "tensorflow-cpu==2.16.1"
    assert tf.distribution == "tensorflow-cpu"
    assert (tf.cuda, tf.cudnn, tf.known, tf.line, target.cuda_major) == (None, None, True, "2.16", None)
    assert target.python_tag == "py311"


def test_cpu_arm64_uses_plain_tensorflow():
    for platform in (ARM64, Platform.parse("linux/arm64/v8")):
        target, tf = tf_target("3.12", "2.17.1", "cpu", platform)
        assert tf.requirement == "tensorflow==2.17.1"
        assert tf.distribution == "tensorflow"
        assert target.platform == platform


def test_cuda_uses_and_cuda_and_labels_versions():
    target, tf = tf_target("3.10", "2.14.1", "cuda", AMD64)  # 2.14's and-cuda pulls tensorrt 8.5.3.1: cp36-cp310 wheels only
    assert tf.requirement == "tensorflow[and-cuda]==2.14.1"
    assert tf.distribution == "tensorflow"
    assert (tf.cuda, tf.cudnn, target.cuda_major) == ("11.8", "8.7", "11")
    target, tf = tf_target("3.12.4", "2.16.1", "cuda", AMD64)
    assert (tf.cuda, tf.cudnn, target.python, target.python_minor) == ("12.3", "8.9", "3.12.4", "3.12")


def test_patch_release_of_a_known_line():
    _, tf = tf_target("3.11", "2.15.1", "cpu", AMD64)
    assert tf.known and tf.line == "2.15" and tf.requirement == "tensorflow-cpu==2.15.1"


def test_unknown_newer_version_is_cpu_only_and_unknown():
    _, tf = tf_target("3.13", "2.22.0", "cpu", AMD64)
    assert tf.known is False
    assert tf.requirement == "tensorflow-cpu==2.22.0"
    assert (tf.cuda, tf.cudnn, tf.line) == (None, None, None)
    warning = compat.unknown_release_warning("tensorflow", "2.22.0", "3.13", [AMD64])
    assert "\n" not in warning and "2.22.0" in warning and "2.10 … 2.21" in warning


def test_keys_name_the_settings():
    with pytest.raises(ConfigError) as info:
        tf_target("3.13", "2.16.1", "cpu", AMD64, keys={"python": "tool.aicontainer.python"})
    assert str(info.value).startswith('tool.aicontainer.python = "3.13": ')


# --- check_target: invalid ----------------------------------------------------------------------

INVALID = [
    # (python, tensorflow, accelerator, platform, key, value, fragment)
    ("3.13", "2.16.1", "cpu", "linux/amd64", "python", '"3.13"', "allowed: 3.9, 3.10, 3.11, 3.12"),
    ("3.9", "2.21.0", "cpu", "linux/amd64", "python", '"3.9"', "allowed: 3.10, 3.11, 3.12, 3.13"),
    ("3.12", "2.15.1", "cpu", "linux/amd64", "python", '"3.12"', "TensorFlow 2.15"),
    ("3.11", "2.13.0", "cuda", "linux/amd64", "accelerator", '"cuda"', "tensorflow[and-cuda] first shipped in 2.14"),
    ("3.10", "2.10.0", "cuda", "linux/amd64", "accelerator", '"cuda"', "needs tensorflow >= 2.14"),
    ("3.11", "2.16.1", "cuda", "linux/arm64", "accelerator", '"cuda"', "CUDA wheels exist only for linux/amd64"),
    ("3.11", "2.22.0", "cuda", "linux/amd64", "accelerator", '"cuda"', "CUDA/cuDNN versions are unknown"),
    ("3.11", "2.9.0", "cpu", "linux/amd64", "tensorflow", '"2.9.0"', "known lines: 2.10 … 2.21"),
    ("3.11", "1.15.5", "cpu", "linux/amd64", "tensorflow", '"1.15.5"', "not a TensorFlow release this plugin knows"),
    ("3.11", "two", "cpu", "linux/amd64", "tensorflow", '"two"', "not a version"),
    ("3.11", "2.16", "cpu", "linux/amd64", "tensorflow", '"2.16"', "not an exact"),
    ("3.11", "2.16.1", "gpu", "linux/amd64", "accelerator", '"gpu"', 'allowed: "cpu", "cuda"'),
    ("3.11", "2.16.1", "cpu", "linux/s390x", "platforms", '"linux/s390x"', "linux/amd64, linux/arm64"),
    ("3.11", "2.16.1", "cpu", "linux/amd64/v3", "platforms", '"linux/amd64/v3"', "no Linux wheels"),
    ("3.11", "2.16.1", "cpu", "windows/amd64", "platforms", '"windows/amd64"', "no Linux wheels"),
    ("3", "2.16.1", "cpu", "linux/amd64", "python", '"3"', '"3.N" or "3.N.M"'),
    ("2.7", "2.16.1", "cpu", "linux/amd64", "python", '"2.7"', "not a Python version"),
    ("3.11.x", "2.16.1", "cpu", "linux/amd64", "python", '"3.11.x"', "not a Python version"),
]


@pytest.mark.parametrize(("python", "tensorflow", "accelerator", "platform", "key", "value", "fragment"), INVALID)
def test_invalid_targets(python, tensorflow, accelerator, platform, key, value, fragment):
    with pytest.raises(ConfigError) as info:
        tf_target(python, tensorflow, accelerator, Platform.parse(platform))
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{key} = {value}: "), message
    assert fragment in message
    assert "allowed: " in message


def test_format_value_is_one_line():
    assert format_value("a\nb\u2028c") == '"a\\nb\\u2028c"'
    assert format_value({"a b": [1, True]}) == '{ "a b" = [1, true] }'
    assert len(format_value("x" * 500)) == 120
