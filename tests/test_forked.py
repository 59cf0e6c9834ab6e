"""Work shared by this process and forked children (scaffolder/forked.py)."""

from __future__ import annotations

import os
import sys
import time

import pytest

from scaffolder import forked

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork path is for Linux")


def _children() -> set[int]:
    """Child processes of this one that exist (zombies included). Earlier tests may have left
    multiprocessing's fork server running: compare before and after."""
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children", encoding="ascii") as stream:
        return {int(pid) for pid in stream.read().split()}


@pytest.mark.parametrize("processes", [2, 3])
def test_results_come_back_in_order_from_every_process(processes):
    def work(index):
        time.sleep(0.002)  # long enough that every process gets some chunks
        return index * index, os.getpid()

    progress, before = [], _children()
    results = forked.run(work, 200, processes, 4, progress.append)
    assert [square for square, _ in results] == [index * index for index in range(200)]
    assert len({pid for _, pid in results}) == processes
    assert sum(progress) == 200
    assert _children() == before


def test_more_items_than_the_queue_holds():
    results = forked.run(lambda index: index, 20_000, 2, 1, lambda done: None)
    assert results == list(range(20_000))


def test_a_failure_in_a_child_is_reported_with_its_traceback():
    parent = os.getpid()

    def work(index):
        if os.getpid() != parent and index >= 0:
            raise ValueError("broken check in a worker")
        time.sleep(0.01)  # leave the child time to take a chunk
        return index

    before = _children()
    with pytest.raises(forked.WorkerFailed, match="broken check in a worker"):
        forked.run(work, 20, 2, 1, lambda done: None)
    assert _children() == before


def test_a_failure_here_stops_the_children():
    parent = os.getpid()

    def work(index):
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(0.05)
        return index

    before = _children()
    with pytest.raises(KeyboardInterrupt):
        forked.run(work, 100, 3, 1, lambda done: None)
    assert _children() == before


def test_after_fork_runs_here_once_the_children_work():
    calls = []
    results = forked.run(lambda index: index, 50, 2, 5, lambda done: None, after_fork=lambda: calls.append(os.getpid()))
    assert results == list(range(50)) and calls == [os.getpid()]


def test_a_child_already_reaped_is_not_signalled_again(monkeypatch):
    stopped = []
    monkeypatch.setattr(forked, "_stop", stopped.append)
    parent = os.getpid()

    def work(index):
        if os.getpid() != parent:
            raise ValueError("fails in the worker")
        time.sleep(0.01)
        return index

    with pytest.raises(forked.WorkerFailed):
        forked.run(work, 20, 2, 1, lambda done: None)
    assert stopped == []  # its pid may already belong to another process
