"""What an installed tree holds (its metadata), the requirements check for the target, and the facts
the labels report: on trees written here, no resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from hatch_aicontainer.build.deps.installed import (
    Distribution,
    InstalledFramework,
    check_matches_lock,
    installed_facts,
    read_distributions,
)
from hatch_aicontainer.config.compat import check_target
from hatch_aicontainer.oci.descriptor import Platform

KEYS = {"tensorflow": "tool.aicontainer.tensorflow", "torch": "tool.aicontainer.torch"}


def tf_pin(version: str, accelerator: str = "cpu"):
    """The TensorFlow of a checked linux/amd64 target (Python 3.10: 2.14's CUDA wheels stop there)."""
    return check_target("3.10", {"tensorflow": version}, accelerator, Platform("linux", "amd64")).frameworks
from hatch_aicontainer.build.deps.requirements_check import Root, check_requirements, find_conflicts
from hatch_aicontainer.config.settings.probes import marker_env
from hatch_aicontainer.core.errors import ResolveError

ENV_311_AMD64 = marker_env("3.11.2", Platform("linux", "amd64"))
ENV_312_ARM64 = marker_env("3.12.1", Platform("linux", "arm64", "v8"))


def dist_info(tree: Path, name: str, version: str, *, requires=(), extras=(), files=()) -> None:
    folder = tree / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Provides-Extra: {e}" for e in extras] + [f"Requires-Dist: {r}" for r in requires]
    (folder / "METADATA").write_text("\n".join(lines) + "\n\nThe description.\nRequires-Dist: not-a-header\n")
    record = [f"{f},sha256=x,1" for f in files] + [f"{folder.name}/METADATA,,", f"{folder.name}/RECORD,,"]
    (folder / "RECORD").write_text("\n".join(record) + "\n")


def test_distributions_are_read_from_their_metadata(tmp_path):
    dist_info(tmp_path, "tensorflow-cpu", "2.16.1", requires=["numpy<2.0.0,>=1.23.5", 'tensorflow-io-gcs-filesystem>=0.23.1; python_version < "3.12"'],
              extras=["and-cuda"], files=["tensorflow/__init__.py", "tensorflow/python/x.so", "../../bin/tool"])
    dist_info(tmp_path, "six", "1.17.0", files=["six.py"])
    (tmp_path / "six.py").write_text("")
    found = read_distributions(tmp_path)
    assert [d.name for d in found] == ["six", "tensorflow-cpu"]
    tf = found[1]
    assert tf.requires == ("numpy<2.0.0,>=1.23.5", 'tensorflow-io-gcs-filesystem>=0.23.1; python_version < "3.12"')  # body not read
    assert tf.extras == ("and-cuda",) and tf.top_level == ("tensorflow",)
    assert found[0].top_level == ("six",)
    assert Distribution.from_json(tf.to_json()) == tf


def test_a_damaged_record_is_refused():
    for bad in ({}, {"name": "a"}, {"name": "a", "version": "1", "requires": "x"}, ["a"]):
        with pytest.raises(ValueError):
            Distribution.from_json(bad)


def d(name: str, version: str, *requires: str, extras: tuple[str, ...] = (), top: tuple[str, ...] = ()) -> Distribution:
    return Distribution(name, version, requires, extras, top)


def test_a_met_graph_has_no_conflict():
    graph = [d("tf-keras", "2.16.0", "tensorflow<2.17,>=2.16"), d("tensorflow", "2.16.1", "numpy<2,>=1.23.5"), d("numpy", "1.26.4")]
    assert find_conflicts(graph, [Root("app 1.0", "tf-keras")], ENV_311_AMD64) == []


def test_the_swap_that_pip_check_reports_is_found():
    """tensorflow-cpu installed where the project (and tf-keras) ask for the name tensorflow."""
    graph = [d("app", "1.0", "tensorflow>=2.15"), d("tf-keras", "2.16.0", "tensorflow<2.17,>=2.16"), d("tensorflow-cpu", "2.16.1")]
    conflicts = find_conflicts(graph, [], ENV_311_AMD64)
    assert [c.describe() for c in conflicts] == [
        "app 1.0 requires tensorflow>=2.15, which is not installed",
        "tf-keras 2.16.0 requires tensorflow<2.17,>=2.16, which is not installed",
    ]


def test_a_version_outside_the_requirement_names_both_packages():
    graph = [d("tf-keras", "2.18.0", "tensorflow<2.19,>=2.18"), d("tensorflow", "2.16.1")]
    with pytest.raises(ResolveError) as info:
        check_requirements(graph, [], ENV_311_AMD64, "for Python 3.11.2 on linux/amd64")
    assert str(info.value) == (
        "the installed packages conflict for Python 3.11.2 on linux/amd64: "
        "tf-keras 2.18.0 requires tensorflow<2.19,>=2.18, tensorflow 2.16.1 is installed"
    )


def test_markers_are_the_images_not_the_hosts():
    graph = [d("lib", "1", 'backport; python_version < "3.12"', 'armonly; platform_machine == "aarch64"')]
    assert [c.requirement for c in find_conflicts(graph, [], ENV_311_AMD64)] == ['backport; python_version < "3.12"']
    assert [c.requirement for c in find_conflicts(graph, [], ENV_312_ARM64)] == ['armonly; platform_machine == "aarch64"']


def test_extras_asked_for_are_followed_through_the_graph():
    """The project asks for tensorflow-probability[tf]: tf-keras is required (pip check would not see it)."""
    tfp = d("tensorflow-probability", "0.24.0", "numpy>=1.13.3", 'tensorflow>=2.16; extra == "tf"', 'tf-keras>=2.16; extra == "tf"', extras=("tf",))
    graph = [tfp, d("numpy", "1.26.4"), d("tensorflow", "2.16.1")]
    roots = [Root("app 1.0 (the project)", "tensorflow-probability[tf]==0.24.0")]
    assert [c.describe() for c in find_conflicts(graph, roots, ENV_311_AMD64)] == [
        'tensorflow-probability 0.24.0 requires tf-keras>=2.16; extra == "tf", which is not installed'
    ]
    assert find_conflicts(graph, [Root("app", "tensorflow-probability==0.24.0")], ENV_311_AMD64) == []
    graph.append(d("tf-keras", "2.16.0"))
    assert find_conflicts(graph, roots, ENV_311_AMD64) == []


def test_top_level_requirements_count():
    assert [c.requirer for c in find_conflicts([d("numpy", "2.1.0")], [Root("tool.aicontainer.dependencies", "numpy<2")], ENV_311_AMD64)] == [
        "tool.aicontainer.dependencies"
    ]


def test_facts_come_from_the_installed_distributions():
    graph = [d("tensorflow", "2.16.1", top=("tensorflow",)), d("nvidia-cuda-runtime-cu12", "12.3.101", top=("nvidia",)),
             d("nvidia-cudnn-cu12", "8.9.7.29", top=("nvidia",))]
    facts = installed_facts(graph, python="3.11.2", pins=tf_pin("2.16.1", "cuda"), accelerator="cuda", keys=KEYS)
    assert (facts.python, facts.frameworks, facts.cuda, facts.cudnn) == (
        "3.11.2", (InstalledFramework("tensorflow", "tensorflow", "2.16.1"),), "12.3.101", "8.9.7.29")
    cpu = installed_facts(graph[:1], python="3.11.2", pins=tf_pin("2.16.1"), accelerator="cpu", keys=KEYS)
    assert cpu.cuda is None and cpu.cudnn is None


def test_an_image_that_is_not_what_was_pinned_fails_rather_than_report_the_setting():
    with pytest.raises(ResolveError, match=r"tool.aicontainer.tensorflow = 2.16.1: the image holds tensorflow 2.16.2, not the pinned version"):
        installed_facts([d("tensorflow", "2.16.2", top=("tensorflow",))], python="3.11.2", pins=tf_pin("2.16.1"), accelerator="cpu", keys=KEYS)
    with pytest.raises(ResolveError, match="both installed into the one tensorflow package"):
        installed_facts([d("tensorflow", "2.16.1", top=("tensorflow",)), d("tensorflow-cpu", "2.16.1", top=("tensorflow",))],
                        python="3.11", pins=tf_pin("2.16.1"), accelerator="cpu", keys=KEYS)
    with pytest.raises(ResolveError, match="holds no TensorFlow distribution"):
        installed_facts([d("numpy", "1")], python="3.11", pins=tf_pin("2.16.1"), accelerator="cpu", keys=KEYS)
    with pytest.raises(ResolveError, match="no CUDA runtime"):
        installed_facts([d("tensorflow", "2.16.1", top=("tensorflow",))], python="3.11", pins=tf_pin("2.16.1"), accelerator="cuda", keys=KEYS)


def test_a_stub_and_its_provider_are_one_tensorflow():
    """linux/arm64 up to 2.12: the tensorflow wheel is a stub whose tensorflow-cpu-aws holds the package."""
    graph = [d("tensorflow", "2.12.0", "tensorflow-cpu-aws==2.12.0"), d("tensorflow-cpu-aws", "2.12.0", top=("tensorflow",))]
    assert installed_facts(graph, python="3.11", pins=tf_pin("2.12.0"), accelerator="cpu", keys=KEYS).framework("tensorflow").version == "2.12.0"


def test_the_tree_must_hold_what_was_locked():
    check_matches_lock([d("six", "1.17.0")], {"six": "1.17.0"}, "pylock.x.toml")
    with pytest.raises(ResolveError, match=r"differ from pylock.x.toml: missing idna; not locked extra; six 1.16.0 \(locked 1.17.0\)"):
        check_matches_lock([d("six", "1.16.0"), d("extra", "1")], {"six": "1.17.0", "idna": "3"}, "pylock.x.toml")
