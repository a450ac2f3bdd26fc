"""Keeping secrets and VCS-ignored files out of the ``include`` layer.

The ``include`` setting copies project files into the image. A directory or a
glob easily sweeps up things that must never ship: ``.git``, ``.env``, cloud
and registry credentials, SSH and TLS keys, or files the project's VCS
ignores (local caches, scratch output). Those are left out unless the entry
names that exact path.

The rule, for every file or directory an ``include`` entry reaches:

* **The path the entry names literally is trusted.** ``include =
  [".env.production"]`` ships that file; ``{ source = "certs/ca.pem", ... }``
  ships that certificate. For a directory entry (``"models"``) and a glob
  (``"models/**/*.keras"``), the named part is the directory (``models``, the
  glob's leading plain directories): what lies *below* it, reached by walking
  or by glob matching, is checked.
* **Secret by name** (:func:`secret_reason`, case-insensitive): a path
  component that is one of :data:`SECRET_DIRECTORIES` (``.git``, ``.ssh``,
  ``.docker``, ``.aws``, ...), or a file name matching
  :data:`SECRET_FILE_PATTERNS` (``.env``, ``.env.*``, ``.netrc``, ``.pypirc``,
  ``.npmrc``, ``credentials.json``, ``id_rsa*``, ``id_ed25519*``, ``*.key``,
  ``*.pem``, ``*.p12``, ...). A glob match that is a symlink is also checked
  by the path it points to (a harmless name must not carry a secret's bytes).
* **Symlinks stay inside the project.** A symlink below an included
  directory is shipped as a symlink, never followed; one that leads outside
  the project is an error (in the image it would dangle or reach the image's
  own files). A named entry or glob match that leads outside is refused by
  the build before it is read.
* **Ignored by the VCS** (:class:`VcsIgnore`): in a git work tree, what
  ``git check-ignore`` reports, with the repository's rules (every
  ``.gitignore``, ``.git/info/exclude``) but not the user's global excludes
  file, which would make the image depend on the machine; tracked files are
  never ignored. Outside a git work tree (or when git is missing or fails),
  the nearest ``.gitignore``/``.hgignore`` as hatchling itself reads them for
  the wheel (``BuilderConfig.load_vcs_exclusion_patterns``), and every
  ``.gitignore`` in the folders below the project root, as git reads them (so
  a build host without git ships what one with git ships; one difference
  stays: git never ignores a tracked file, the patterns do). When the named
  directory is itself ignored (``models/`` in ``.gitignore`` is common for
  weights), naming it in ``include`` is taken as asking for it, and the VCS
  check is lifted for that entry; the secret check still applies.

Everything left out is recorded in :attr:`IncludeFilter.skipped` (the
build prints a one-line note). An entry whose every match was left out is
a :class:`~hatch_aicontainer.core.errors.ConfigError`.

The project wheel is hatchling's business: hatchling leaves out VCS-ignored
files and a few directories (``.git``, ``.venv``, ``__pycache__``, ...) but
not secrets by name, so :func:`wheel_secrets` lists suspicious names in the
built wheel for a warning.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from hatch_aicontainer.config.settings import IncludeSpec
from hatch_aicontainer.core.errors import ConfigError
from hatch_aicontainer.oci.layer import LayerEntry, tree_entries

#: Directories whose whole content is secret (or VCS metadata).
SECRET_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".ssh",
        ".gnupg",
        ".aws",
        ".azure",
        ".docker",
        ".kube",
        ".password-store",
    }
)
#: File name patterns (fnmatch, matched lowercased) of secrets.
SECRET_FILE_PATTERNS = (
    ".git",  # a worktree's .git file
    ".env",
    ".env.*",
    ".envrc",
    ".netrc",
    "_netrc",
    ".pypirc",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".git-credentials",
    ".pgpass",
    ".htpasswd",
    "credentials",
    "credentials.json",
    "client_secret*.json",
    "kubeconfig",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.key",
    "*.pem",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.ppk",
    "*.kdbx",
)


def secret_reason(relpath: str, *, is_dir: bool = False) -> str | None:
    """Why the relative POSIX path looks secret by its name, or None.

    Directory names are checked on every component (on all but the last for a
    file); file name patterns on a file's last component.
    """
    parts = [p for p in relpath.split("/") if p]
    if not parts:
        return None
    directories = parts if is_dir else parts[:-1]
    for index, part in enumerate(directories):
        if part.lower() in SECRET_DIRECTORIES:
            return f"{part}/ directory" if index == len(parts) - 1 else f"inside {part}/"
    if not is_dir:
        name = parts[-1].lower()
        for pattern in SECRET_FILE_PATTERNS:
            if fnmatch.fnmatchcase(name, pattern):
                return f"secret file name ({pattern})"
    return None


class VcsIgnore:
    """Which project paths the project's VCS ignores (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._git = shutil.which("git") is not None and self._in_work_tree()
        self._spec = None
        self._nested: dict[str, object] = {}
        self._cache: dict[str, bool] = {}

    @property
    def mode(self) -> str:
        return "git" if self._git else "patterns"

    def ignored(self, paths: Iterable[str]) -> set[str]:
        """The subset of ``paths`` (project-relative POSIX paths that exist) that is ignored."""
        wanted = [p for p in dict.fromkeys(paths) if p not in self._cache]
        if wanted:
            result = self._git_ignored(wanted) if self._git else None
            if result is None:
                result = self._pattern_ignored(wanted)
            for path in wanted:
                self._cache[path] = path in result
        return {p for p in paths if self._cache.get(p)}

    def is_ignored(self, path: str) -> bool:
        return bool(path) and path in self.ignored([path])

    # -- git ----------------------------------------------------------------------------------

    def _run_git(
        self, *args: str, stdin: bytes | None = None, timeout: int
    ) -> subprocess.CompletedProcess[bytes] | None:
        """Run git in the project; None when it cannot be run or does not answer in time."""
        # The user's global excludes file is left out: the image must not depend on the machine.
        command = ["git", "-c", f"core.excludesFile={os.devnull}", *args]
        try:
            return subprocess.run(command, cwd=self.root, input=stdin, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None

    def _in_work_tree(self) -> bool:
        done = self._run_git("rev-parse", "--is-inside-work-tree", timeout=60)
        if done is None or done.returncode != 0 or done.stdout.strip() != b"true":
            return False
        # A project copied into an ignored directory of some repository: not that repository's project.
        return self._git_ignored(["."]) == set()

    def _git_ignored(self, paths: Sequence[str]) -> set[str] | None:
        data = "".join(f"{p}\0" for p in paths).encode("utf-8", "surrogateescape")
        done = self._run_git("check-ignore", "--stdin", "-z", stdin=data, timeout=300)
        if done is None or done.returncode not in (0, 1):
            return None  # e.g. a path inside a nested repository: fall back to the patterns
        return {p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p}

    # -- patterns (hatchling's reading of .gitignore / .hgignore) --------------------------------

    def _pattern_ignored(self, paths: Sequence[str]) -> set[str]:
        return {path for path in paths if self._pattern_ignores(path)}

    def _pattern_ignores(self, path: str) -> bool:
        """As git decides without git: an ignored directory hides everything below it, and
        within one path the deepest ``.gitignore`` that has a say wins (last matching line)."""
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            is_dir = depth < len(parts) or (self.root / path).is_dir()
            if self._ignored_here(parts[:depth], is_dir):
                return True
        return False

    def _ignored_here(self, parts: list[str], is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        for depth in range(len(parts) - 1, 0, -1):  # .gitignore files below the root, deepest first
            spec = self._directory_spec("/".join(parts[:depth]))
            if spec is not None:
                verdict = spec.check_file("/".join(parts[depth:]) + suffix).include
                if verdict is not None:
                    return verdict
        return bool(self._root_spec().check_file("/".join(parts) + suffix).include)

    def _root_spec(self):
        """hatchling's reading of the project's ignore file (``.gitignore``/``.hgignore``, here or above)."""
        if self._spec is None:
            import pathspec
            from hatchling.builders.config import BuilderConfig

            patterns = BuilderConfig(None, str(self.root), "container", {}, {}).load_vcs_exclusion_patterns()
            self._spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        return self._spec

    def _directory_spec(self, directory: str):
        """The patterns of ``directory/.gitignore`` (None when it has none), as git reads nested files."""
        if directory not in self._nested:
            import pathspec

            try:
                lines = (self.root / directory / ".gitignore").read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = None
            self._nested[directory] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._nested[directory]


class IncludeFilter:
    """Applies the rule of the module docstring to the matches of ``include`` entries."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.vcs = VcsIgnore(self.root)
        #: (project-relative path, reason) of everything left out, in order
        self.skipped: list[tuple[str, str]] = []

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _named(self, spec: IncludeSpec) -> str:
        return spec.base  # the source itself when not a glob

    def keep(self, spec: IncludeSpec, placed: Sequence[tuple[Path, str]]) -> list[tuple[Path, str]]:
        """The (source, destination) pairs of one entry's matches that may go into the image."""
        named = self._named(spec)
        check_vcs = not self.vcs.is_ignored(named)
        reasons: dict[str, str] = {}
        candidates: list[str] = []
        for source, _ in placed:
            rel = self._rel(source)
            if not spec.is_glob and rel == spec.source:
                continue  # named exactly
            below = rel[len(named) + 1 :] if named and rel.startswith(named + "/") else rel
            reason = secret_reason(below, is_dir=source.is_dir())
            if reason is None and source.is_symlink():
                reason = self._symlink_reason(source)
            if reason is not None:
                reasons[rel] = reason
            elif check_vcs:
                candidates.append(rel)
        ignored = self.vcs.ignored(candidates) if candidates else set()
        for rel in candidates:
            if rel in ignored:
                reasons[rel] = "ignored by " + ("git" if self.vcs.mode == "git" else ".gitignore")
        kept = [(s, d) for s, d in placed if self._rel(s) not in reasons]
        left_out = [(rel, reason) for rel, reason in reasons.items()]
        self.skipped += left_out
        if placed and not kept:
            first, why = left_out[0]
            raise ConfigError(
                f"tool.aicontainer.include: {spec.source!r} matches only files left out of the image as secret or "
                f"VCS-ignored ({first}: {why}{' …' if len(left_out) > 1 else ''}); "
                "allowed: name such a file exactly to include it"
            )
        return kept

    def _symlink_reason(self, source: Path) -> str | None:
        target = source.resolve()
        try:
            rel = target.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None  # outside the project: the build refuses it with its own message
        reason = secret_reason(rel, is_dir=target.is_dir())
        if reason is None and self.vcs.is_ignored(rel):
            reason = "ignored by " + ("git" if self.vcs.mode == "git" else ".gitignore")
        return None if reason is None else f"symlink to {rel}: {reason}"

    def tree(self, spec: IncludeSpec, source: Path, prefix: str) -> list[LayerEntry]:
        """``tree_entries(source, prefix)`` without what is secret or ignored below ``source``."""
        entries = tree_entries(source, prefix)
        source_rel = self._rel(source)
        check_vcs = not self.vcs.is_ignored(source_rel)

        def project_path(entry: LayerEntry) -> tuple[str, str]:
            below = entry.path[len(prefix) + 1 :] if prefix else entry.path
            return f"{source_rel}/{below}", below

        reasons: dict[str, str] = {}
        candidates: list[str] = []
        for entry in entries:
            rel, below = project_path(entry)
            reason = secret_reason(below, is_dir=entry.kind == "dir")
            if reason is not None:
                reasons[rel] = reason
            elif check_vcs:
                candidates.append(rel)
        if candidates:
            # Paths below an already refused directory (.git/...) are never asked about.
            ignored = self.vcs.ignored(candidates)
            for rel in candidates:
                if rel in ignored:
                    reasons[rel] = "ignored by " + ("git" if self.vcs.mode == "git" else ".gitignore")
        for entry in entries:
            if entry.kind == "symlink":
                self._refuse_link_out(spec, source / project_path(entry)[1])
        directories = {project_path(entry)[0] for entry in entries if entry.kind == "dir"}
        dropped_dirs = sorted(rel for rel in reasons if rel in directories)
        kept: list[LayerEntry] = []
        for entry in entries:
            rel, _ = project_path(entry)
            if rel in reasons:
                continue
            if any(rel.startswith(d + "/") for d in dropped_dirs):
                continue
            kept.append(entry)
        # Report a refused directory once, not every file below it.
        self.skipped += [
            (rel, why) for rel, why in reasons.items() if not any(rel.startswith(d + "/") for d in dropped_dirs)
        ]
        return kept

    def _refuse_link_out(self, spec: IncludeSpec, link: Path) -> None:
        """A symlink below an included directory must point inside the project: in the image
        a link out of it would dangle (or reach the image's own files), silently."""
        if not link.resolve().is_relative_to(self.root.resolve()):
            raise ConfigError(
                f"tool.aicontainer.include: {spec.source!r} holds {self._rel(link)}, a symlink leading outside "
                f"the project (-> {os.readlink(link)}); allowed: links to files inside the project"
            )

    def note(self, limit: int = 4) -> str | None:
        """One line naming what was left out (a few of each kind), or None."""
        if not self.skipped:
            return None
        groups: dict[str, list[str]] = {}
        for rel, why in self.skipped:
            kind = why if why.startswith("ignored by") else "secret-looking"
            groups.setdefault(kind, []).append(rel)
        parts = []
        for kind, paths in groups.items():
            more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
            parts.append(f"{kind}: {', '.join(paths[:limit])}{more}")
        return f"include: left out {len(self.skipped)} path(s); {'; '.join(parts)}"


def wheel_secrets(wheel: Path) -> list[str]:
    """Names in a wheel that look secret (hatchling's selection does not check names)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return [name for name in names if secret_reason(name) is not None]


__all__ = [
    "SECRET_DIRECTORIES",
    "SECRET_FILE_PATTERNS",
    "IncludeFilter",
    "VcsIgnore",
    "secret_reason",
    "wheel_secrets",
]
