"""ELF facts of the base image's interpreter: its dynamic loader (PT_INTERP), and how this host runs
its machine code (natively, by a binfmt_misc registration, or through qemu-user on PATH)."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

from hatch_aicontainer.build.base.filesystem import MAX_NAME

_QEMU_NAMES = {3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390x", 40: "arm", 62: "x86_64", 183: "aarch64", 243: "riscv64"}


class CannotRun(Exception):
    """The base image's interpreter cannot run on this host; ``str()`` says why, in one line."""


def _elf_header(path: Path) -> tuple[bytes, str, int] | None:
    """(first 64 bytes, struct byte order, e_machine) of an ELF file, else None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return None
    if len(head) < 52 or head[:4] != b"\x7fELF" or (head[4] == 2 and len(head) < 64):
        return None
    order = "<" if head[5] == 1 else ">"
    return head, order, struct.unpack_from(order + "H", head, 18)[0]


def program_interpreter(python_file: Path) -> str | None:
    """The program interpreter (dynamic loader) named by PT_INTERP, as written, or None (static)."""
    header = _elf_header(python_file)
    if header is None:
        return None
    head, order, _ = header
    wide = head[4] == 2
    if wide:
        phoff, phentsize, phnum = struct.unpack_from(order + "Q", head, 32)[0], *struct.unpack_from(order + "HH", head, 54)
    else:
        phoff, phentsize, phnum = struct.unpack_from(order + "I", head, 28)[0], *struct.unpack_from(order + "HH", head, 42)
    with open(python_file, "rb") as handle:
        for number in range(min(phnum, 256)):
            handle.seek(phoff + number * phentsize)
            entry = handle.read(phentsize)
            if len(entry) < (56 if wide else 32) or struct.unpack_from(order + "I", entry, 0)[0] != 3:  # PT_INTERP
                continue
            if wide:
                offset, size = struct.unpack_from(order + "Q", entry, 8)[0], struct.unpack_from(order + "Q", entry, 32)[0]
            else:
                offset, size = struct.unpack_from(order + "I", entry, 4)[0], struct.unpack_from(order + "I", entry, 16)[0]
            handle.seek(offset)
            name = handle.read(min(size, MAX_NAME)).split(b"\0", 1)[0].decode("utf-8", "replace")
            return name
    return None


def emulator(python_file: Path, spec: str) -> tuple[str, ...]:
    """() when this host runs the image's machine code (natively or by binfmt_misc), else qemu-user's command."""
    image = _elf_header(python_file)
    if image is None:
        raise CannotRun(f'the Python of base-image "{spec}" is not an ELF executable')
    host = _elf_header(Path("/proc/self/exe"))
    if host is not None and (image[0][4:6], image[2]) == (host[0][4:6], host[2]):
        return ()
    name = _QEMU_NAMES.get(image[2], f"machine-{image[2]}")
    if name == "ppc64" and image[1] == "<":
        name = "ppc64le"
    for candidate in (f"qemu-{name}-static", f"qemu-{name}"):
        found = shutil.which(candidate)
        if found:
            return (found,)
    try:
        registered = (Path("/proc/sys/fs/binfmt_misc") / f"qemu-{name}").read_text().splitlines()[:1] == ["enabled"]
    except OSError:
        registered = False
    if registered:
        return ()
    raise CannotRun(
        f'the Python of base-image "{spec}" is {name} machine code and this host has neither qemu-{name}(-static) '
        "on PATH nor a binfmt_misc registration for it"
    )
