"""``[tool.aicontainer.kubernetes]`` → :class:`KubernetesSettings`: the parsing half of the
Kubernetes manifest (the manifest itself is :mod:`hatch_aicontainer.outputs.kubernetes`).

Called by :func:`hatch_aicontainer.config.settings.load_settings` and follows its conventions:
every problem is one line naming the key, the value and what is allowed. The keys are
documented in :mod:`hatch_aicontainer.outputs.kubernetes` and docs/settings.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from hatch_aicontainer.config.messages import format_key, format_value
from hatch_aicontainer.config.settings.syntax import ENV_NAME_RE
from hatch_aicontainer.config.settings.values import (
    config_error,
    parse_duration,
    parse_ports,
    string_list,
    string_table,
    string_value,
    suggest,
    type_name,
)
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.registry.reference import name_problem

GPU_RESOURCE = "nvidia.com/gpu"
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
KEYS = (
    "name",
    "namespace",
    "image",
    "replicas",
    "requests",
    "limits",
    "gpu",
    "ports",
    "service-type",
    "env",
    "liveness",
    "readiness",
)
_RESOURCE_KEYS = ("cpu", "memory")
_PROBE_KINDS = ("http-get", "tcp-socket", "exec")
_PROBE_KEYS = (*_PROBE_KINDS, "port", "initial-delay", "period", "timeout", "failure-threshold")
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")  # RFC 1035 label (Service names)
_DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")
_SUFFIX_FACTORS = {
    "": Decimal(1), "m": Decimal("0.001"), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12, "P": Decimal(10) ** 15, "E": Decimal(10) ** 18, "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
_MAX_INT32 = 2**31 - 1


@dataclass(frozen=True)
class Probe:
    """A liveness or readiness probe; durations in whole seconds."""

    kind: str  #: "http-get" | "tcp-socket" | "exec"
    path: str | None = None  #: http-get
    port: int | None = None  #: http-get, tcp-socket
    command: tuple[str, ...] = ()  #: exec
    initial_delay: int | None = None
    period: int | None = None
    timeout: int | None = None
    failure_threshold: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.kind == "http-get":
            out: dict[str, Any] = {"httpGet": {"path": self.path, "port": self.port}}
        elif self.kind == "tcp-socket":
            out = {"tcpSocket": {"port": self.port}}
        else:
            out = {"exec": {"command": list(self.command)}}
        for name, value in (
            ("initialDelaySeconds", self.initial_delay),
            ("periodSeconds", self.period),
            ("timeoutSeconds", self.timeout),
            ("failureThreshold", self.failure_threshold),
        ):
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True)
class KubernetesSettings:
    """``[tool.aicontainer.kubernetes]``, validated (see the module docstring)."""

    name: str | None = None  #: None: derived from the image name
    namespace: str | None = None
    image: str | None = None  #: None: the first push reference's repository, else the image name
    replicas: int = 1
    requests: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, str] = field(default_factory=dict)
    gpu: int = 0
    ports: tuple[str, ...] | None = None  #: "8080/tcp"; None: the image's ports
    service_type: str = "ClusterIP"
    env: Mapping[str, str] = field(default_factory=dict)
    liveness: Probe | None = None
    readiness: Probe | None = None


def parse_kubernetes(
    value: Any, key: str, *, image_ports: Sequence[str], accelerator: str
) -> tuple[KubernetesSettings, list[str]]:
    """Validate the table at ``key``; returns the settings and one-line warnings."""
    allowed_table = 'a table such as { replicas = 2, requests = { cpu = "500m", memory = "1Gi" }, ports = [8080] }'
    _table(value, key, KEYS, allowed_table)
    warnings: list[str] = []

    name = None
    if "name" in value:
        name = _dns_label(value["name"], f"{key}.name", _DNS_LABEL, "DNS-1035", _NAME_ALLOWED)
    namespace = None
    if "namespace" in value:
        allowed = 'a DNS-1123 label such as "ml" (lowercase letters, digits, "-"; at most 63)'
        namespace = _dns_label(value["namespace"], f"{key}.namespace", _DNS_1123_LABEL, "DNS-1123", allowed)
    image = None
    if "image" in value:
        allowed = 'an image repository without tag or digest, such as "registry.example.com/team/example-project"'
        image = string_value(value["image"], f"{key}.image", allowed)
        if name_problem(image) is not None:
            raise config_error(f"{key}.image", image, "not an image repository (no tag or digest; lowercase)", allowed)
    replicas = 1
    if "replicas" in value:
        replicas = _integer(value["replicas"], f"{key}.replicas", 0, _MAX_INT32, "an integer ≥ 0 such as 2")
    requests = _resources(value.get("requests"), f"{key}.requests")
    limits = _resources(value.get("limits"), f"{key}.limits")
    for resource in _RESOURCE_KEYS:
        if resource in requests and resource in limits and _quantity(requests[resource]) > _quantity(limits[resource]):
            raise config_error(
                f"{key}.requests.{resource}",
                requests[resource],
                f"more than {key}.limits.{resource} = {format_value(limits[resource])}",
                f"a request at most the limit ({limits[resource]})",
            )
    gpu = 0
    if "gpu" in value:
        gpu = _integer(value["gpu"], f"{key}.gpu", 0, 1024, f'a number of GPUs 0–1024 (requested as limits."{GPU_RESOURCE}")')
        if gpu and accelerator != "cuda":
            warnings.append(
                f'{key}.gpu = {gpu} but accelerator = "{accelerator}": the image has the CPU build of TensorFlow '
                "and will not use the GPUs it reserves"
            )
    ports: tuple[str, ...] | None = None
    if "ports" in value:
        ports = parse_ports(value["ports"], f"{key}.ports")
    effective_ports = ports if ports is not None else tuple(image_ports)
    service_type = "ClusterIP"
    if "service-type" in value:
        allowed = ", ".join(f'"{t}"' for t in SERVICE_TYPES)
        service_type = string_value(value["service-type"], f"{key}.service-type", allowed)
        if service_type not in SERVICE_TYPES:
            raise config_error(f"{key}.service-type", service_type, "unknown Service type", allowed)
        if not effective_ports:
            raise config_error(f"{key}.service-type", service_type, "there is no Service without ports", f"set {key}.ports (or the image's ports)")
    env: dict[str, str] = {}
    if "env" in value:
        env = string_table(value["env"], f"{key}.env", 'a table of strings such as env = { LOG_LEVEL = "info" }', ENV_NAME_RE, "environment variable")
    probes = {}
    for which in ("liveness", "readiness"):
        if which in value:
            probes[which] = _probe(value[which], f"{key}.{which}", effective_ports)
    return (
        KubernetesSettings(
            name=name,
            namespace=namespace,
            image=image,
            replicas=replicas,
            requests=MappingProxyType(requests),
            limits=MappingProxyType(limits),
            gpu=gpu,
            ports=ports,
            service_type=service_type,
            env=MappingProxyType(env),
            liveness=probes.get("liveness"),
            readiness=probes.get("readiness"),
        ),
        warnings,
    )


_NAME_ALLOWED = 'a DNS-1035 label such as "example-project" (lowercase letters, digits, "-"; starts with a letter; at most 63)'


def _table(value: Any, key: str, keys: Sequence[str], allowed: str) -> None:
    """``value`` must be a table of (some of) ``keys``."""
    if not isinstance(value, Mapping):
        raise config_error(key, value, f"must be a table, not {type_name(value)}", allowed)
    for sub in value:
        if sub not in keys:
            raise _unknown(key, sub, value[sub], keys)


def _unknown(prefix: str, key: Any, value: Any, candidates: Sequence[str]) -> ConfigError:
    display = f"{prefix}.{format_key(str(key))}"
    suggestion = suggest(str(key), candidates) if isinstance(key, str) else None
    if suggestion:
        return config_error(display, value, f"unknown key; did you mean {prefix}.{suggestion}?")
    return config_error(display, value, "unknown key", ", ".join(candidates))


def _dns_label(value: Any, key: str, label: re.Pattern[str], what: str, allowed: str) -> str:
    text = string_value(value, key, allowed)
    if len(text) > 63 or not label.match(text):
        raise config_error(key, text, f"not a {what} label", allowed)
    return text


def _integer(value: Any, key: str, low: int, high: int, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise config_error(key, value, f"must be an integer, not {type_name(value)}", allowed)
    if not low <= value <= high:
        raise config_error(key, value, "out of range", allowed)
    return value


def _quantity(text: str) -> Decimal:
    match = _QUANTITY.match(text)
    assert match is not None
    number = Decimal(match.group("number"))
    suffix = match.group("suffix") or ""
    if suffix[:1] in ("e", "E"):
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIX_FACTORS[suffix]


def _resources(value: Any, key: str) -> dict[str, str]:
    allowed = 'a table such as { cpu = "500m", memory = "1Gi" } (cpu: cores or millicores; memory: bytes with Ki, Mi, Gi, … or k, M, G, …)'
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise config_error(key, value, f"must be a table, not {type_name(value)}", allowed)
    out: dict[str, str] = {}
    for resource, item in value.items():
        sub = f"{key}.{format_key(str(resource))}"
        if resource not in _RESOURCE_KEYS:
            if resource in ("gpu", GPU_RESOURCE, "nvidia.com/gpu"):
                raise config_error(sub, item, "GPUs are set with the gpu key", "cpu, memory")
            raise _unknown(key, resource, item, _RESOURCE_KEYS)
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):
            raise config_error(sub, item, f"must be a string or a number, not {type_name(item)}", allowed)
        text = repr(item) if isinstance(item, float) else str(item)
        if not _QUANTITY.match(text):
            raise config_error(sub, item, "not a Kubernetes quantity", allowed)
        try:
            amount = _quantity(text)
        except (InvalidOperation, OverflowError, ValueError):
            raise config_error(sub, item, "not a Kubernetes quantity", allowed) from None
        if amount <= 0:
            raise config_error(sub, item, "must be more than zero", allowed)
        if resource == "memory" and text.endswith("m"):
            raise config_error(sub, item, f"is {amount} bytes (m is milli); did you mean {text[:-1]}Mi?", allowed)
        if resource == "cpu" and amount < Decimal("0.001"):
            raise config_error(sub, item, "less than 1m, the smallest CPU amount", allowed)
        out[resource] = text
    return out


def _seconds(value: Any, key: str, minimum: int) -> int:
    allowed = f'whole seconds ≥ {minimum}: an integer such as 10 or a duration such as "10s", "1m"'
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise config_error(key, value, f"must be an integer or a duration string, not {type_name(value)}", allowed)
    if isinstance(value, int):
        seconds = value
    else:
        if value.strip() in ("0", "0s"):
            seconds = 0
        else:
            nanoseconds = parse_duration(value, key)
            if nanoseconds % 10**9:
                raise config_error(key, value, "Kubernetes probes count whole seconds", allowed)
            seconds = nanoseconds // 10**9
    if not minimum <= seconds <= _MAX_INT32:
        raise config_error(key, value, "out of range", allowed)
    return seconds


def _probe(value: Any, key: str, ports: Sequence[str]) -> Probe:
    allowed = '{ http-get = "/healthz", port = 8080 }, { tcp-socket = 8080 } or { exec = ["python", "-m", "app.health"] }, with optional initial-delay, period, timeout, failure-threshold'
    _table(value, key, _PROBE_KEYS, allowed)
    kinds = [k for k in _PROBE_KINDS if k in value]
    if len(kinds) != 1:
        problem = "names no check" if not kinds else f"names {len(kinds)} checks ({', '.join(kinds)})"
        raise config_error(key, value, problem, "exactly one of http-get, tcp-socket, exec: " + allowed)
    kind = kinds[0]
    port_allowed = "a port number 1–65535"
    tcp_ports = [int(p.split("/")[0]) for p in ports if p.endswith("/tcp")]
    path = None
    port = None
    command: tuple[str, ...] = ()
    if kind == "http-get":
        path = string_value(value["http-get"], f"{key}.http-get", 'an HTTP path such as "/healthz"')
        if not path.startswith("/") or any(c.isspace() for c in path):
            raise config_error(f"{key}.http-get", path, "not an HTTP path", 'an HTTP path such as "/healthz"')
        if "port" in value:
            port = _integer(value["port"], f"{key}.port", 1, 65535, port_allowed)
        elif tcp_ports:
            port = tcp_ports[0]
        else:
            raise config_error(key, value, "missing port (and there are no TCP ports to take it from)", f"a port number 1–65535 in {key}.port")
    elif kind == "tcp-socket":
        if "port" in value:
            raise config_error(f"{key}.port", value["port"], "tcp-socket names its port itself", f"{key}.tcp-socket = <port>")
        port = _integer(value["tcp-socket"], f"{key}.tcp-socket", 1, 65535, port_allowed)
    else:
        if "port" in value:
            raise config_error(f"{key}.port", value["port"], "an exec probe has no port", "http-get or tcp-socket with a port")
        command = string_list(value["exec"], f"{key}.exec", 'a command as an array of strings such as ["python", "-m", "app.health"]')
        if not command:
            raise config_error(f"{key}.exec", value["exec"], "must not be empty", 'a command such as ["python", "-m", "app.health"]')
    return Probe(
        kind=kind,
        path=path,
        port=port,
        command=command,
        initial_delay=_seconds(value["initial-delay"], f"{key}.initial-delay", 0) if "initial-delay" in value else None,
        period=_seconds(value["period"], f"{key}.period", 1) if "period" in value else None,
        timeout=_seconds(value["timeout"], f"{key}.timeout", 1) if "timeout" in value else None,
        failure_threshold=(
            _integer(value["failure-threshold"], f"{key}.failure-threshold", 1, 1000, "an integer 1–1000")
            if "failure-threshold" in value
            else None
        ),
    )


__all__ = ["GPU_RESOURCE", "KEYS", "SERVICE_TYPES", "KubernetesSettings", "Probe", "parse_kubernetes"]
