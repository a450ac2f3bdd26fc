"""``[tool.aicontainer.kubernetes]`` → ``dist/<name>.k8s.yaml``, validated against the Kubernetes schemas.

``kubernetes-validate`` checks every document against the (strict) OpenAPI
schemas of the newest Kubernetes it knows; the image reference's digest is
compared with the digest ``skopeo`` reads from the built archive. Invalid
settings are in tests/test_settings.py (table INVALID, ids ``k8s-*``).
"""

from __future__ import annotations

import json
import subprocess

import kubernetes_validate
import pytest
import yaml
from fresh_imports import modules_loaded_by
from trust_fixtures import tiny_project_info

from hatch_aicontainer.build.base.accounts import ResolvedUser
from hatch_aicontainer.config.settings import ProjectInfo, load_settings
from hatch_aicontainer.outputs.kubernetes import manifests, resource_name, write_manifest

DIGEST = "sha256:" + "c" * 64
PROJECT = ProjectInfo("example-project", "1.2.0+local.1", scripts={"example-project": "example_project.cli:main"})
K8S_VERSION = kubernetes_validate.latest_version()


def settings(**table):
    return load_settings({"tensorflow": "2.16.1", **table}, PROJECT, {})


def validate(documents):
    for document in documents:
        kubernetes_validate.validate(document, K8S_VERSION, strict=True)  # raises on any schema error


#: the ids of the default user ("10001:10001"), as a build resolves them
DEFAULT_IDS = ResolvedUser(10001, 10001, False)


def written(tmp_path, s, digest=DIGEST, user=DEFAULT_IDS):
    path = write_manifest(s, PROJECT.version, digest, user, tmp_path, source="x.oci.tar")
    assert path is not None
    documents = list(yaml.safe_load_all(path.read_text()))
    validate(documents)
    return path, documents


def container(documents):
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return deployment, only


def test_no_table_no_manifest(tmp_path):
    assert write_manifest(settings(), PROJECT.version, DIGEST, DEFAULT_IDS, tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_minimal_deployment_by_digest(tmp_path):
    path, documents = written(tmp_path, settings(kubernetes={}))
    assert path.name == "example-project.k8s.yaml"
    assert [d["kind"] for d in documents] == ["Deployment"]  # no ports, no Service
    deployment, c = container(documents)
    assert c["image"] == f"example-project@{DIGEST}"
    assert deployment["spec"]["replicas"] == 1
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "1.2.0-local.1"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001}
    assert deployment["spec"]["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_full_settings(tmp_path):
    s = settings(
        name="registry.example.com/team/example-project",
        ports=[8080, "9090/udp"],
        accelerator="cuda",
        kubernetes={
            "name": "serving",
            "namespace": "ml",
            "replicas": 3,
            "requests": {"cpu": 0.5, "memory": "1Gi"},
            "limits": {"cpu": "2", "memory": 4294967296},
            "gpu": 2,
            "env": {"LOG_LEVEL": "debug", "A": "1"},
            "liveness": {"http-get": "/healthz", "initial-delay": "10s", "period": 15, "timeout": "2s", "failure-threshold": 4},
            "readiness": {"exec": ["python", "-m", "app.ready"]},
            "service-type": "LoadBalancer",
        },
    )
    path, documents = written(tmp_path, s)
    assert path.name == "serving.k8s.yaml"
    deployment, c = container(documents)
    (service,) = [d for d in documents if d["kind"] == "Service"]
    assert deployment["metadata"]["namespace"] == service["metadata"]["namespace"] == "ml"
    assert c["image"] == f"registry.example.com/team/example-project@{DIGEST}"
    assert deployment["spec"]["replicas"] == 3
    assert c["resources"] == {
        "requests": {"cpu": "0.5", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "4294967296", "nvidia.com/gpu": 2},
    }
    assert c["env"] == [{"name": "A", "value": "1"}, {"name": "LOG_LEVEL", "value": "debug"}]
    assert c["livenessProbe"] == {
        "httpGet": {"path": "/healthz", "port": 8080},
        "initialDelaySeconds": 10, "periodSeconds": 15, "timeoutSeconds": 2, "failureThreshold": 4,
    }
    assert c["readinessProbe"] == {"exec": {"command": ["python", "-m", "app.ready"]}}
    assert [(p["containerPort"], p["protocol"]) for p in c["ports"]] == [(8080, "TCP"), (9090, "UDP")]
    assert service["spec"]["type"] == "LoadBalancer"
    assert [(p["port"], p["targetPort"], p["protocol"]) for p in service["spec"]["ports"]] == [(8080, 8080, "TCP"), (9090, 9090, "UDP")]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_healthcheck_becomes_the_liveness_probe(tmp_path):
    s = settings(
        healthcheck={"test": "curl -f http://localhost:8080/ || exit 1", "interval": "30s", "timeout": "1500ms", "start-period": "5s", "retries": 3},
        kubernetes={"ports": [8080]},
    )
    _, documents = written(tmp_path, s)
    _, c = container(documents)
    assert c["livenessProbe"] == {
        "exec": {"command": ["/bin/sh", "-c", "curl -f http://localhost:8080/ || exit 1"]},
        "initialDelaySeconds": 5, "periodSeconds": 30, "timeoutSeconds": 2, "failureThreshold": 3,
    }


def test_the_manifest_runs_as_the_ids_the_image_runs_with(tmp_path):
    """A named user is resolved by the build against the base image's accounts: the manifest takes
    those ids, not the text of the setting."""
    _, documents = written(tmp_path, settings(user="app:users", kubernetes={}), user=ResolvedUser(2000, 100, True))
    deployment, _ = container(documents)
    assert deployment["spec"]["template"]["spec"]["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 2000, "runAsGroup": 100, "fsGroup": 100,
    }


def test_root_gets_no_run_as(tmp_path):
    _, documents = written(tmp_path, settings(user="root", kubernetes={}), user=ResolvedUser(0, 0, True))
    deployment, _ = container(documents)
    assert "securityContext" not in deployment["spec"]["template"]["spec"]


def test_gpu_on_a_cpu_image_warns():
    s = settings(kubernetes={"gpu": 1})
    assert any("gpu = 1" in w and "CPU build" in w for w in s.warnings)


def test_the_schema_validator_catches_a_broken_manifest():
    """The check is real: a manifest with a wrong type is refused."""
    documents = manifests(settings(kubernetes={}), "1.0", DIGEST, DEFAULT_IDS)
    documents[0]["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(documents)


@pytest.mark.parametrize(
    ("image", "name"),
    [("example-project", "example-project"), ("registry:5000/team/My_App.v2", "my-app-v2"), ("0day", "app-0day")],
)
def test_resource_names(image, name):
    assert resource_name(image) == name


def test_manifest_of_the_built_image_has_its_digest(tiny_build, tmp_path):
    built = tiny_build.result
    path = write_manifest(tiny_build.settings, built.project.version, built.digest, built.images[0].user, tmp_path)
    assert path is not None and path.name == "tiny-app.k8s.yaml"
    documents = list(yaml.safe_load_all(path.read_text()))
    validate(documents)
    assert [d["kind"] for d in documents] == ["Deployment", "Service"]
    done = subprocess.run(["skopeo", "inspect", f"oci-archive:{tiny_build.archive}"], capture_output=True, text=True, check=True)
    built_digest = json.loads(done.stdout)["Digest"]
    _, c = container(documents)
    assert c["image"] == f"tiny-app@{built_digest}"
    assert c["readinessProbe"] == {"tcpSocket": {"port": 8080}, "periodSeconds": 5}
    # the image's HEALTHCHECK, as a probe Kubernetes runs
    assert c["livenessProbe"]["exec"]["command"] == ["python", "-c", "import tiny_app"]


def test_image_defaults_to_the_push_repository(tmp_path):
    s = settings(push=["127.0.0.1:5000/team/{name}:{version}"], kubernetes={})
    _, documents = written(tmp_path, s)
    _, c = container(documents)
    assert c["image"] == f"127.0.0.1:5000/team/example-project@{DIGEST}"
    s = settings(push=["127.0.0.1:5000/team/{name}"], kubernetes={"image": "mirror.example.com/ml/app"})
    _, documents = written(tmp_path, s)
    assert container(documents)[1]["image"] == f"mirror.example.com/ml/app@{DIGEST}"


def test_the_settings_do_not_import_the_manifest_writer():
    """Parsing the kubernetes table lives in the settings (config/settings/kubernetes.py); loading the
    settings loads no output writer, so the manifest writer may import the settings."""
    loaded = modules_loaded_by("hatch_aicontainer.config.settings")
    assert "hatch_aicontainer.config.settings.kubernetes" in loaded
    assert [m for m in loaded if m.startswith("hatch_aicontainer.outputs")] == []


def test_a_push_reference_names_the_repository_the_cluster_pulls_from():
    s = settings(kubernetes={}, push=["registry.example.com/team/{name}:{version}"])
    deployment = manifests(s, "1.2.0", DIGEST, DEFAULT_IDS)[0]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"registry.example.com/team/example-project@{DIGEST}"


# --- the image and its manifest name one user -------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize(
    ("user", "ids"),
    [("10001:users", (10001, 100)), ("nobody", (65534, 65534)), ("10001", (10001, 0)), ("10001:10001", (10001, 10001))],
)
def test_the_image_and_its_manifest_agree_about_the_user(user, ids, tmp_path, python_base_layout):
    """Debian's /etc/group has users:100 and /etc/passwd nobody:65534:65534; a uid it does not list runs
    in group 0 (the runtime's rule). The working directory the build gives the user and the manifest's
    runAsUser/runAsGroup are those ids (the files used to get the uid as their group, the manifest none)."""
    from trust_fixtures import MTIME, archive_layers, build_wheel, layer_files, make_tiny_project, tiny_settings

    from hatch_aicontainer.build.image import build_image
    from hatch_aicontainer.oci.cache import BlobStore

    tool = {"user": user, "kubernetes": {}, "include": []}
    project = make_tiny_project(tmp_path / "tiny-app", python_base_layout.spec, git=False, tool=tool)
    table = __import__("tomllib").loads((project / "pyproject.toml").read_text())["tool"]["aicontainer"]
    settings = tiny_settings(project, table)
    built = build_image(settings, tiny_project_info(project), build_wheel(project, tmp_path / "wheel"), tmp_path / "dist",
                        BlobStore(tmp_path / "cache"), mtime=MTIME)
    workdirs = {(m.uid, m.gid) for _, layer in archive_layers(built.archive) for m, _ in layer_files(layer) if m.name == "app"}
    assert workdirs == {ids}
    path = write_manifest(settings, built.project.version, built.digest, built.images[0].user, tmp_path)
    (deployment,) = [d for d in yaml.safe_load_all(path.read_text()) if d["kind"] == "Deployment"]
    security = deployment["spec"]["template"]["spec"]["securityContext"]
    assert (security["runAsUser"], security["runAsGroup"]) == ids


@pytest.mark.e2e
def test_a_group_the_base_image_lacks_is_one_line_before_any_layer(tmp_path, python_base_layout):
    from trust_fixtures import MTIME, build_wheel, make_tiny_project, tiny_settings

    from hatch_aicontainer.build.image import build_image
    from hatch_aicontainer.core.errors import BaseImageError
    from hatch_aicontainer.oci.cache import BlobStore

    tool = {"user": "10001:nosuchgroup", "include": []}
    project = make_tiny_project(tmp_path / "tiny-app", python_base_layout.spec, git=False, tool=tool)
    table = __import__("tomllib").loads((project / "pyproject.toml").read_text())["tool"]["aicontainer"]
    with pytest.raises(BaseImageError) as info:
        build_image(tiny_settings(project, table), tiny_project_info(project), build_wheel(project, tmp_path / "wheel"),
                    tmp_path / "dist", BlobStore(tmp_path / "cache"), mtime=MTIME)
    assert str(info.value).startswith('tool.aicontainer.user = "10001:nosuchgroup": base-image "')
    assert "no group nosuchgroup in /etc/group" in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())
