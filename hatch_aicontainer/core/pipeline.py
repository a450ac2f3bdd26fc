"""Steps of a byte stream on threads of their own, so that one step's wait or CPU overlaps another's.

A blob's download reads the socket, hashes and writes to disk; a layer's diff_id check inflates
and hashes again. Each of those releases the GIL (socket reads, file writes, hashlib, ISA-L's
inflate), so on two threads they run side by side. Both helpers keep a few chunks in flight at
most (``DEPTH``): a fast side waits for the slow one, memory stays small.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["DEPTH", "Stage", "read_ahead"]

#: chunks waiting between two steps: enough to ride out a slow moment of either side, few enough to stay small
DEPTH = 8
_END = object()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Stage:
    """A thread applying ``work`` to each item put, in order. After ``work`` raised, the rest is drained
    unread (the producer never blocks on a stage that failed) and ``error`` holds the exception."""

    def __init__(self, work: Callable[[Any], None], name: str) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
        self._work = work
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def finish(self) -> None:
        """Wait until every item put so far is done."""
        self._queue.put(_END)
        self._thread.join()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self.error is None:
                try:
                    self._work(item)
                except BaseException as exc:  # noqa: BLE001 - handed to whoever reads ``error``
                    self.error = exc


def read_ahead(chunks: Iterable[bytes], name: str = "read ahead") -> Iterator[bytes]:
    """``chunks`` as they come, read on a thread of its own while the caller handles the previous ones.

    An exception of ``chunks`` is raised here, in the caller's thread, where the chunk would have been.
    A caller that stops early leaves the reading thread to stop at its next chunk (it is not waited
    for: it may be blocked on a socket its caller is about to close).
    """
    handover: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
    stopped = threading.Event()

    def hand(item: Any) -> bool:
        while not stopped.is_set():
            try:
                handover.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand(chunk):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            hand(_Failed(exc))
            return
        hand(_END)

    threading.Thread(target=produce, name=name, daemon=True).start()
    try:
        while (item := handover.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stopped.set()
