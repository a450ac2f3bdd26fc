"""How registries are reached, as the environment says: a value the entry point reads once
(``config.environment``) and hands to the registry client. Imports nothing heavy (no HTTP library),
so the settings can hold it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hatch_aicontainer.registry.reference import is_loopback_host, split_host_port

#: where ``requests`` would find a CA bundle, in its order
_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


@dataclass(frozen=True)
class RegistryAccess:
    """What reaching a registry depends on in the environment, given by the caller (the entry point
    reads it once: config.environment): the hosts reached over plain HTTP, the CA bundle, and the
    variables credentials come from (``AICONTAINER_REGISTRY_*``, ``DOCKER_CONFIG``, ``HOME``)."""

    insecure_hosts: frozenset[str] = frozenset()  #: ``host[:port]`` or ``host``, lowercase
    ca_bundle: str | bool = True  #: ``requests``' ``verify``: a bundle path, or True for the default trust
    environ: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)  #: holds credentials

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], insecure_hosts: frozenset[str] = frozenset()) -> RegistryAccess:
        bundle: str | bool = True
        for variable in _CA_VARIABLES:
            value = environ.get(variable)
            if value and os.path.exists(value):
                bundle = value
                break
        return cls(insecure_hosts=insecure_hosts, ca_bundle=bundle, environ=MappingProxyType(dict(environ)))

    def allows_plain_http(self, host: str) -> bool:
        """Loopback hosts and the insecure ones (with or without the port)."""
        if is_loopback_host(host):
            return True
        name, _ = split_host_port(host.lower())
        return host.lower() in self.insecure_hosts or name in self.insecure_hosts
