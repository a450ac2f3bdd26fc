"""An image archive unpacked as a runc bundle, and commands run in it (no Docker engine).

``make_bundle`` extracts the layers the archive's Docker ``manifest.json`` names (what
``docker load`` reads, not this plugin's reader) with GNU tar, then writes ``runc spec``
with the image's env, user and working directory. ``run_in_bundle`` runs a command there
with runc (no network, no GPU) and returns its JSON output; ``run_text`` its plain output.
Needs root, as runc does here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

from isal import igzip


def make_bundle(archive: Path, config: dict, bundle: Path) -> Path:
    """A runc bundle of the archive's image: its layers in order, then ``runc spec`` with the image's env, user, workdir.

    The layers are found through the archive's Docker ``manifest.json`` (what
    ``docker load`` reads; not this plugin's reader) and extracted by GNU tar
    (gzip ones through ISA-L's gunzip): ``umoci unpack`` took 205 s for the
    2.16.1 image on this machine, and umoci already checks the CPU images'
    digests in test_e2e_example.py. No whiteouts: every layer here only adds.
    """
    rootfs = bundle / "rootfs"
    rootfs.mkdir(parents=True)
    with tarfile.open(archive) as outer:
        [entry] = json.load(outer.extractfile("manifest.json"))
        for name in entry["Layers"]:
            with outer.extractfile(name) as blob:
                gzipped = blob.read(2) == b"\x1f\x8b"
                blob.seek(0)
                stream = igzip.IGzipFile(fileobj=blob) if gzipped else blob
                untar = subprocess.Popen(["tar", "-x", "--numeric-owner", "-C", str(rootfs), "-f", "-"], stdin=subprocess.PIPE)
                shutil.copyfileobj(stream, untar.stdin, 1 << 20)
                untar.stdin.close()
                assert untar.wait() == 0, f"tar could not extract {name}"
    subprocess.run(["runc", "spec", "--bundle", str(bundle)], check=True, capture_output=True)
    spec = json.loads((bundle / "config.json").read_text())
    image = config.get("config") or {}
    uid, _, gid = (image.get("User") or "0").partition(":")
    spec["process"].update(
        terminal=False,
        env=list(image.get("Env") or []),
        cwd=image.get("WorkingDir") or "/",
        user={"uid": int(uid), "gid": int(gid or uid)},
    )
    spec["root"]["readonly"] = False
    (bundle / "config.json").write_text(json.dumps(spec))
    return bundle


def run_in_bundle(bundle: Path, args: list[str], scratch: Path) -> dict:
    """Run ``args`` in the bundle (``run_text``); it must succeed and print JSON last: parsed."""
    done = run_text(bundle, args, scratch)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_text(bundle: Path, args: list[str], scratch: Path) -> subprocess.CompletedProcess:
    """Run ``args`` in the bundle with runc (the image's env, user and workdir; no network, no GPU):
    the finished process, whatever its status."""
    config_path = bundle / "config.json"
    config = json.loads(config_path.read_text())
    config["process"]["args"] = args
    config_path.write_text(json.dumps(config))
    state = scratch / f"runc-state-{uuid.uuid4().hex[:8]}"
    state.mkdir(parents=True)
    return subprocess.run(
        ["runc", "--root", str(state), "run", "--bundle", str(bundle), f"check-{uuid.uuid4().hex[:12]}"],
        capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )
