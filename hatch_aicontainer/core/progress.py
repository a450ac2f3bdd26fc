"""Progress of the long steps (uv's installs, layer writing, the archive, the push): the one
place that decides what is shown, how it looks and how often.

A step only reports byte counts: ``task = progress.task("layer 5/6", total)``, then
``task.advance(n)`` as bytes go by and ``task.finish()``. What the user sees:

* on a terminal (stderr is a TTY): one line redrawn in place, at most every
  ``REDRAW`` seconds: ``layer 5/6: 120 MB of 200 MB (60%), 45.0 MB/s, 2 s left``;
* without a TTY (CI logs): plain lines through hatch's display (``app.display_info``)
  every ``STEP_PERCENT`` % of the total, and at least every ``EVERY`` seconds;
* with ``-q`` (``app.verbosity < 0``): nothing.

Steps shorter than ``QUIET_UNDER`` seconds and smaller than ``SMALL`` bytes show
nothing: a build of small layers prints what it printed before. Rendering is
:func:`render` (a pure function of the counts and the elapsed time, tested with
numbers), throttling is :class:`Task` with an injected clock.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["Progress", "Task", "render", "human_bytes", "human_seconds"]

Clock = Callable[[], float]
Display = Callable[[str], None]

REDRAW = 0.25  #: seconds between redraws of the terminal line
EVERY = 10.0  #: seconds between plain lines, at most
STEP_PERCENT = 10  #: a plain line each time this much more of the total is done
QUIET_UNDER = 2.0  #: a step shows progress once it has run this long ...
SMALL = 64 << 20  #: ... or from the start when it moves at least this many bytes


def human_bytes(size: float) -> str:
    """``123 B``, ``4.5 kB``, ``120.0 MB``, ``3.1 GB`` (decimal units, as registries and Docker show them)."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def human_seconds(seconds: float) -> str:
    """``8 s``, ``2 min 05 s``, ``1 h 02 min``."""
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def render(what: str, done: int, total: int | None, elapsed: float, *, finished: bool = False) -> str:
    """One progress line: bytes done (of total, with percent), rate, and time left when it can be known
    (never on the line of a step that ``finished``)."""
    parts = [human_bytes(done) if total is None else f"{human_bytes(done)} of {human_bytes(total)} ({_percent(done, total)}%)"]
    rate = done / elapsed if elapsed > 0 else 0.0
    if rate > 0:
        parts.append(f"{human_bytes(rate)}/s")
        if total is not None and total > done and not finished:
            parts.append(f"{human_seconds((total - done) / rate)} left")
    return f"{what}: {', '.join(parts)}"


def _percent(done: int, total: int) -> int:
    return 100 if total <= 0 else min(100, done * 100 // total)


class Task:
    """One step's counter; ``advance`` is cheap (a clock read and an addition) between outputs."""

    def __init__(self, progress: Progress, what: str, total: int | None) -> None:
        self._progress = progress
        self.what = what
        self.total = total
        self.done = 0
        self.started = progress.clock()
        self._last_output = self.started
        self._next_percent = STEP_PERCENT
        self._shown = False

    def begin(self, total: int | None) -> Task:
        """Start (again) now, against ``total``: for a task made before its size was known."""
        self.total = total
        self.started = self._last_output = self._progress.clock()
        return self

    def shrink(self, amount: int) -> None:
        """Take ``amount`` bytes off the total: they turned out not to need moving (a blob the registry had)."""
        if self.total is not None:
            self.total = max(self.done, self.total - amount)

    def __call__(self, amount: int) -> None:
        """The task as the ``Callable[[int], None]`` the steps take."""
        self.advance(amount)

    def advance(self, amount: int) -> None:
        self.done += amount
        progress = self._progress
        if not progress.enabled:
            return
        now = progress.clock()
        elapsed = now - self.started
        if not self._shown:
            if elapsed < QUIET_UNDER and (self.total is None or self.total < SMALL):
                return
            self._shown = True
        if progress.tty:
            if now - self._last_output >= REDRAW:
                self._draw(now)
            return
        percent = _percent(self.done, self.total) if self.total else 0
        if (self.total and percent >= self._next_percent) or now - self._last_output >= EVERY:
            while self.total and percent >= self._next_percent:
                self._next_percent += STEP_PERCENT
            if percent < 100:  # 100 % is the finish line's
                self._line(now)

    def finish(self) -> None:
        """The last line (only for a task that showed progress)."""
        progress = self._progress
        if not (progress.enabled and self._shown):
            return
        now = progress.clock()
        progress.clear_line()
        line = render(self.what, self.done, self.total, now - self.started, finished=True)
        progress.display(f"{line}, done in {human_seconds(now - self.started)}")

    def _draw(self, now: float) -> None:
        self._last_output = now
        progress = self._progress
        progress.stream.write("\r\x1b[K" + render(self.what, self.done, self.total, now - self.started))
        progress.stream.flush()
        progress.line_drawn = True

    def _line(self, now: float) -> None:
        self._last_output = now
        self._progress.display(render(self.what, self.done, self.total, now - self.started))

    def __enter__(self) -> Task:
        return self

    def __exit__(self, kind: object, *_rest: object) -> None:
        if kind is None:
            self.finish()
        else:  # leave the terminal clean for the error line
            self._progress.clear_line()


class Progress:
    """Where progress goes: ``display`` (hatch's ``app.display_info``) for lines, ``stream`` for the
    redrawn terminal line; ``enabled`` False (``-q``) shows nothing."""

    def __init__(
        self,
        display: Display,
        *,
        tty: bool = False,
        enabled: bool = True,
        stream: TextIO | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.display = display
        self.tty = tty
        self.enabled = enabled
        self.stream: TextIO = stream if stream is not None else sys.stderr
        self.clock = clock
        self.line_drawn = False  #: a redrawn line is on the terminal (cleared before any other line)

    def say(self, message: str) -> None:
        """A log line (``display``), after clearing a redrawn progress line so they do not share a row:
        pass this, not ``display``, as the build's ``log``."""
        self.clear_line()
        self.display(message)

    def clear_line(self) -> None:
        if self.line_drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.line_drawn = False

    @classmethod
    def for_app(cls, app: Any) -> Progress:
        """Through hatch's display: silent at ``-q`` (``app.verbosity < 0``); redrawn on a TTY (hatch
        writes to stderr)."""
        enabled = getattr(app, "verbosity", 0) >= 0
        return cls(app.display_info, tty=enabled and sys.stderr.isatty(), enabled=enabled)

    @classmethod
    def silent(cls) -> Progress:
        return cls(lambda _message: None, enabled=False)

    def task(self, what: str, total: int | None = None) -> Task:
        return Task(self, what, total)

    def lines(self, prefix: str) -> Display:
        """For a tool that reports its own progress in lines (uv): each shown after ``prefix``, unless quiet."""
        def show(line: str) -> None:
            if self.enabled:
                self.display(prefix + line)
        return show
