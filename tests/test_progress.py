"""progress.py: the line rendered from counts and time (pure), and how often lines appear
(an injected clock: no test here waits for real time)."""

from __future__ import annotations

import io

import pytest

from hatch_aicontainer.build.deps.uv import progress_line
from hatch_aicontainer.core import progress as p
from hatch_aicontainer.core.progress import Progress, human_bytes, human_seconds, render

MB = 1_000_000


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (123_456_789, "123.5 MB"), (3_100_000_000, "3.1 GB"),
     (12_000_000_000_000, "12000.0 GB")],
)
def test_human_bytes(size, text):
    assert human_bytes(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "0 s"), (8.4, "8 s"), (59.6, "1 min 00 s"), (125, "2 min 05 s"), (3720, "1 h 02 min")],
)
def test_human_seconds(seconds, text):
    assert human_seconds(seconds) == text


def test_render_rate_and_time_left():
    # 120 MB of 200 MB in 3 s: 40 MB/s, 80 MB left -> 2 s
    assert render("layer 5/6", 120 * MB, 200 * MB, 3.0) == "layer 5/6: 120.0 MB of 200.0 MB (60%), 40.0 MB/s, 2 s left"


def test_render_without_a_total_or_time():
    assert render("push", 5 * MB, None, 0.0) == "push: 5.0 MB"
    assert render("push", 5 * MB, None, 2.0) == "push: 5.0 MB, 2.5 MB/s"


def test_render_done_and_over_estimate():
    assert render("x", 300, 200, 1.0) == "x: 300 B of 200 B (100%), 300 B/s"  # an estimate exceeded: no "left"


def _plain(clock, enabled=True):
    lines: list[str] = []
    return Progress(lines.append, tty=False, enabled=enabled, clock=clock), lines


def test_plain_lines_every_ten_percent_and_a_last_line():
    clock = FakeClock()
    progress, lines = _plain(clock)
    with progress.task("layer", 1000 * MB) as task:
        for _ in range(100):
            clock.now += 0.1
            task.advance(10 * MB)
    assert len(lines) == 10  # 10 %, 20 %, ... 90 %, then the finish line (100 % is its)
    assert lines[0] == "layer: 100.0 MB of 1.0 GB (10%), 100.0 MB/s, 9 s left"
    assert lines[-1] == "layer: 1.0 GB of 1.0 GB (100%), 100.0 MB/s, done in 10 s"


def test_plain_lines_at_least_every_ten_seconds_without_a_total():
    clock = FakeClock()
    progress, lines = _plain(clock)
    task = progress.task("download")
    for _ in range(30):
        clock.now += 1.0
        task.advance(MB)
    # a line every EVERY seconds from the start
    assert lines == ["download: 10.0 MB, 1.0 MB/s", "download: 20.0 MB, 1.0 MB/s", "download: 30.0 MB, 1.0 MB/s"]


def test_short_small_steps_show_nothing():
    clock = FakeClock()
    progress, lines = _plain(clock)
    with progress.task("app layer", 10 * MB) as task:
        for _ in range(10):
            clock.now += 0.1
            task.advance(MB)
    assert lines == []


def test_quiet_shows_nothing():
    clock = FakeClock()
    progress, lines = _plain(clock, enabled=False)
    with progress.task("layer", 1000 * MB) as task:
        for _ in range(100):
            clock.now += 1
            task.advance(10 * MB)
    assert lines == [] and task.done == 1000 * MB


def test_terminal_line_is_redrawn_and_throttled():
    clock = FakeClock()
    lines: list[str] = []
    stream = io.StringIO()
    progress = Progress(lines.append, tty=True, stream=stream, clock=clock)
    with progress.task("push", 80 * MB) as task:
        for _ in range(80):
            clock.now += 0.0625  # 16 calls a second (exact in binary), for 5 s
            task.advance(MB)
    draws = stream.getvalue().split("\r\x1b[K")[1:]
    assert len(draws) == 5 / p.REDRAW + 1  # at most one redraw every REDRAW seconds, then the clearing
    assert draws[0] == "push: 4.0 MB of 80.0 MB (5%), 16.0 MB/s, 5 s left"
    assert "\n" not in stream.getvalue()
    assert draws[-1] == ""  # cleared before the last line
    assert lines == ["push: 80.0 MB of 80.0 MB (100%), 16.0 MB/s, done in 5 s"]


def test_for_app_follows_hatch_verbosity():
    class App:
        verbosity = -1

        def display_info(self, message: str) -> None:  # pragma: no cover - must not be called
            raise AssertionError(message)

    assert not Progress.for_app(App()).enabled
    App.verbosity = 0
    assert Progress.for_app(App()).enabled


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("Downloading tensorflow-cpu (220.3MiB)\n", "Downloading tensorflow-cpu (220.3MiB)"),
        (" Downloaded tensorflow-cpu\n", "Downloaded tensorflow-cpu"),
        ("Prepared 40 packages in 41.20s\n", "Prepared 40 packages in 41.20s"),
        ("\x1b[1mInstalled\x1b[0m 1 package in 7ms\n", "Installed 1 package in 7ms"),
        ("Using CPython 3.11.7 interpreter at: /usr/bin/python3\n", None),
        (" + six==1.17.0\n", None),
        ("error: Failed to download\n", None),
    ],
)
def test_uv_lines_worth_showing(line, shown):
    assert progress_line(line) == shown


def test_lines_of_a_tool_are_silent_when_quiet():
    shown: list[str] = []
    Progress(shown.append).lines("[linux/amd64] uv: ")("Installed 1 package in 7ms")
    Progress(shown.append, enabled=False).lines("uv: ")("Installed 1 package in 7ms")
    assert shown == ["[linux/amd64] uv: Installed 1 package in 7ms"]


def test_layer_writing_reports_every_tar_byte_and_the_bytes_do_not_change(tmp_path):
    from hatch_aicontainer.oci.cache import BlobStore
    from hatch_aicontainer.oci.layer import LayerEntry, tar_size_estimate, write_layer

    big = tmp_path / "weights.bin"
    big.write_bytes(b"w" * (3 << 20) + b"tail")
    entries = [LayerEntry("app/weights.bin", "file", mode=0o644, source=big), LayerEntry("app/x.txt", "file", data=b"x")]
    store = BlobStore(tmp_path / "store")
    counted: list[int] = []
    shown = write_layer(entries, store, mtime=0, compression="none", progress=counted.append)
    plain = write_layer(entries, store, mtime=0, compression="none")
    assert shown == plain  # progress is no input to the bytes
    assert sum(counted) == shown.descriptor.size  # uncompressed: the tar is the blob
    assert tar_size_estimate(entries) <= sum(counted) < tar_size_estimate(entries) + 10240 + 3 * 512


def test_a_log_line_during_a_redrawn_line_gets_a_row_of_its_own():
    clock = FakeClock()
    out = io.StringIO()
    progress = Progress(lambda message: out.write(message + "\n"), tty=True, stream=out, clock=clock)
    task = progress.task("push", 100 * MB)
    clock.now += 1
    task.advance(50 * MB)
    progress.say("pushed 127.0.0.1:5000/a:1@sha256:...")
    assert out.getvalue() == "\r\x1b[Kpush: 50.0 MB of 100.0 MB (50%), 50.0 MB/s, 1 s left\r\x1b[Kpushed 127.0.0.1:5000/a:1@sha256:...\n"
    progress.say("results a.json")  # nothing drawn since: nothing to clear
    assert out.getvalue().endswith("...\nresults a.json\n")


def test_a_step_that_moved_less_than_planned_ends_without_time_left():
    """A push whose blobs the registry mostly had: those are taken off the total, and the last line of a
    finished step never says how long is left."""
    clock = FakeClock()
    progress, lines = _plain(clock)
    task = progress.task("push", 800 * MB)
    task.shrink(700 * MB)  # the registry had them
    clock.now += 1.0
    task.advance(100 * MB)
    task.finish()
    assert lines[-1] == "push: 100.0 MB of 100.0 MB (100%), 100.0 MB/s, done in 1 s"
    stopped = progress.task("push", 800 * MB)
    clock.now += 1.0
    stopped.advance(80 * MB)
    stopped.finish()
    assert lines[-1] == "push: 80.0 MB of 800.0 MB (10%), 80.0 MB/s, done in 1 s"
