"""core/pipeline.py: a stream's steps on threads of their own, in order, errors where they belong."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from hatch_aicontainer.core.pipeline import DEPTH, Stage, read_ahead


def test_read_ahead_gives_every_chunk_in_order_from_another_thread():
    readers = set()

    def chunks():
        for n in range(1000):
            readers.add(threading.get_ident())
            yield n.to_bytes(4, "big")

    assert list(read_ahead(chunks())) == [n.to_bytes(4, "big") for n in range(1000)]
    assert readers and threading.get_ident() not in readers


def test_read_ahead_raises_the_sources_error_after_the_chunks_before_it():
    class BrokenDownload(ConnectionError):
        pass

    def chunks():
        yield b"a"
        yield b"b"
        raise BrokenDownload("reset by peer")

    got = []
    with pytest.raises(BrokenDownload, match="reset by peer"):
        for chunk in read_ahead(chunks()):
            got.append(chunk)
    assert got == [b"a", b"b"]


def test_read_ahead_keeps_only_a_few_chunks_in_flight_and_stops_when_its_reader_does():
    produced = itertools.count()
    reading = threading.Event()

    def endless():
        while True:
            next(produced)
            reading.set()
            yield b"x"

    stream = read_ahead(endless())
    assert next(stream) == b"x"
    time.sleep(0.3)
    assert next(produced) <= DEPTH + 3  # held back by the bounded hand-over, not reading on
    stream.close()  # the reader stops early
    time.sleep(0.3)
    before = next(produced)
    time.sleep(0.3)
    assert next(produced) == before + 1  # the reading thread has stopped


def test_a_stage_does_its_work_in_order_and_drains_after_an_error():
    seen = []

    def work(item):
        if item == 5:
            raise ValueError("bad item")
        seen.append(item)

    stage = Stage(work, "test stage")
    for item in range(50):  # far more than the queue holds: a failed stage must not block its producer
        stage.put(item)
    stage.finish()
    assert seen == [0, 1, 2, 3, 4]
    assert isinstance(stage.error, ValueError)
