"""The image's user as numbers: the ``user`` setting resolved against the base image's accounts.

``user = "10001:10001"`` needs nothing; ``user = "app"`` or ``"10001:app"`` names an account that
only the base image's ``/etc/passwd`` and ``/etc/group`` know (read in the one replay of its
layers). The rules are the container runtime's (runc's user lookup, which Docker and Kubernetes
use), so the files the build gives to the user, the image's ``HOME`` and the Kubernetes manifest's
``runAsUser``/``runAsGroup`` all name the ids the container will run with:

* a numeric user is that uid; a name must be in ``/etc/passwd``;
* a numeric group is that gid; a name must be in ``/etc/group``;
* without a group, the user's primary group from ``/etc/passwd``, else 0 (root's group, as the
  runtime does for a uid the image does not list).

A name the base image does not define is a one-line error at build time: the container would
fail to start ("unable to find user app").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hatch_aicontainer.config.settings import User
from hatch_aicontainer.core.errors import BaseImageError

PASSWD = "etc/passwd"
GROUP = "etc/group"


@dataclass(frozen=True)
class Account:
    uid: int
    gid: int
    home: str


@dataclass(frozen=True)
class Accounts:
    """The base image's ``/etc/passwd`` (name -> account) and ``/etc/group`` (name -> gid)."""

    users: Mapping[str, Account] = field(default_factory=lambda: MappingProxyType({}))
    groups: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, passwd: str, group: str) -> Accounts:
        users: dict[str, Account] = {}
        for fields in _records(passwd, 7):
            if fields[2].isdigit() and fields[3].isdigit():
                users.setdefault(fields[0], Account(int(fields[2]), int(fields[3]), fields[5]))
        groups: dict[str, int] = {}
        for fields in _records(group, 3):
            if fields[2].isdigit():
                groups.setdefault(fields[0], int(fields[2]))
        return cls(MappingProxyType(users), MappingProxyType(groups))

    def by_uid(self, uid: int) -> Account | None:
        return next((account for account in self.users.values() if account.uid == uid), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "users": {name: [a.uid, a.gid, a.home] for name, a in sorted(self.users.items())},
            "groups": dict(sorted(self.groups.items())),
        }

    @classmethod
    def from_json(cls, data: Any) -> Accounts:
        """The inverse of ``to_json``; ValueError (or KeyError, TypeError) for a damaged record."""
        users = {str(name): Account(int(uid), int(gid), str(home)) for name, (uid, gid, home) in data["users"].items()}
        groups = {str(name): int(gid) for name, gid in data["groups"].items()}
        return cls(MappingProxyType(users), MappingProxyType(groups))


def _records(text: str, width: int) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split(":")
        if len(fields) >= width:
            out.append(fields)
    return out


@dataclass(frozen=True)
class ResolvedUser:
    """The ids the container runs with, and whether ``/etc/passwd`` gives it a home."""

    uid: int
    gid: int
    listed: bool  #: the user is in ``/etc/passwd`` (the runtime then sets ``HOME`` from it)


def resolve_user(user: User, accounts: Accounts, *, setting: str, base: str) -> ResolvedUser:
    """``user`` as numbers (the module docstring's rules); BaseImageError (one line) for a name the base lacks."""
    if user.uid is not None:
        account = accounts.by_uid(user.uid)
        uid = user.uid
    else:
        account = accounts.users.get(user.user_name or "")
        if account is None:
            raise BaseImageError(
                f'{setting} = "{user}": base-image "{base}" has no user {user.user_name} in /etc/passwd; '
                "allowed: a numeric uid, or a user the base image defines"
            )
        uid = account.uid
    if user.gid is not None:
        gid = user.gid
    elif user.group_name is not None:
        found = accounts.groups.get(user.group_name)
        if found is None:
            raise BaseImageError(
                f'{setting} = "{user}": base-image "{base}" has no group {user.group_name} in /etc/group; '
                "allowed: a numeric gid, or a group the base image defines"
            )
        gid = found
    else:
        gid = account.gid if account is not None else 0
    return ResolvedUser(uid, gid, account is not None)


__all__ = ["GROUP", "PASSWD", "Account", "Accounts", "ResolvedUser", "resolve_user"]
