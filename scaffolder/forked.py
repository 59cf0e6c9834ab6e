"""Work spread over this process and forked copies of it, sharing one queue of chunks.

Why not ProcessPoolExecutor: its imports (multiprocessing, concurrent.futures) cost ~35 ms before
the first worker starts, and it hands each worker a fixed part of the work. Here the children are
plain fork()s that already hold everything the work needs, and every process, this one included,
takes the next chunk from a pipe when it is free, so no one idles while another still has work.

The queue is a pipe filled with 4-byte chunk numbers before the fork and then closed for writing:
a read of 4 bytes takes one whole number (every write was 4 bytes, and a pipe read is atomic), and
the end of the pipe means no work is left. A child writes one byte to a progress pipe per item done,
and its results, pickled, to an anonymous file that this process reads once the child has exited
(a pipe could fill up while this process is busy with its own chunks).

Only for a POSIX system where fork() is safe: nothing in this process may run threads that a
child would need (see engine._fork_is_safe).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
from collections.abc import Callable, Sequence
from typing import TypeVar

Result = TypeVar("Result")

_NUMBER = struct.Struct("<I")
_MAX_CHUNKS = 512  # 2 KiB of numbers: fits even the one-page pipe Linux gives a user over its pipe quota


class WorkerFailed(Exception):
    """A child process failed; the message holds what it reported."""


def run(work: Callable[[int], Result], count: int, processes: int, chunk_size: int,
        on_progress: Callable[[int], None], after_fork: Callable[[], None] | None = None) -> list[Result]:
    """[work(0), ..., work(count - 1)], computed by this process and `processes - 1` children.
    `on_progress(n)` is called in this process whenever n more items are done, by anyone;
    `after_fork()` once the children run, before this process takes its first chunk."""
    chunk_size = max(chunk_size, -(-count // _MAX_CHUNKS))
    chunks = [range(start, min(start + chunk_size, count)) for start in range(0, count, chunk_size)]
    task_read, task_write = os.pipe()
    os.write(task_write, b"".join(_NUMBER.pack(number) for number in range(len(chunks))))
    os.close(task_write)
    progress_read, progress_write = os.pipe()
    os.set_blocking(progress_read, False)
    children: list[tuple[int, object]] = []
    results: list = [None] * count
    # Frozen objects are left out of garbage collection: the children then never walk (nor copy the
    # pages of) everything they inherit. This process unfreezes them once the children exist.
    gc.freeze()
    try:
        for _ in range(processes - 1):
            output = _scratch_file()
            pid = os.fork()
            if pid == 0:
                _child(work, chunks, task_read, progress_read, progress_write, output)  # never returns
            children.append((pid, output))
        gc.unfreeze()
        os.close(progress_write)
        progress_write = -1
        if after_fork:
            after_fork()
        for number in _take(task_read):
            for index in chunks[number]:
                results[index] = work(index)
                on_progress(1 + _drain(progress_read))
        while children:
            pid, output = children.pop(0)  # off the list first: once reaped, its pid may be reused
            try:
                for index, result in _collect(pid, output):
                    results[index] = result
            finally:
                output.close()
        while more := _drain(progress_read):
            on_progress(more)
        return results
    finally:
        gc.unfreeze()  # (again, harmless, if the forks failed)
        for pid, output in children:  # this process failed or was interrupted: stop the children
            _stop(pid)
            output.close()
        for descriptor in (task_read, progress_read, progress_write):
            if descriptor >= 0:
                os.close(descriptor)


def _child(work, chunks: Sequence[range], task_read: int, progress_read: int, progress_write: int,
           output) -> None:
    """The child's whole life: it never returns into the parent's code (no finally blocks, no
    atexit handlers, no buffered output written twice)."""
    status = 1
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches the parent, which stops us
        os.close(progress_read)
        os.set_blocking(progress_write, False)  # progress is for show: never wait to report it
        done = []
        for number in _take(task_read):
            for index in chunks[number]:
                done.append((index, work(index)))
                try:
                    os.write(progress_write, b".")
                except BlockingIOError:
                    pass
        pickle.dump(done, output, protocol=pickle.HIGHEST_PROTOCOL)
        output.flush()
        status = 0
    except BaseException as error:  # reported to the parent through the same file
        try:
            import traceback

            output.seek(0)
            output.truncate()
            pickle.dump("".join(traceback.format_exception(error)), output)
            output.flush()
        except BaseException:
            pass
    finally:
        os._exit(status)


def _scratch_file():
    """An anonymous file for a child's results: in memory where Linux offers it (and without the
    imports of tempfile, ~5 ms)."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("scaffolder-worker", getattr(os, "MFD_CLOEXEC", 0)), "w+b")
    import tempfile

    return tempfile.TemporaryFile()


def _take(task_read: int):
    """Chunk numbers from the shared queue until it is empty."""
    while len(data := os.read(task_read, _NUMBER.size)) == _NUMBER.size:
        yield _NUMBER.unpack(data)[0]


def _drain(progress_read: int) -> int:
    try:
        return len(os.read(progress_read, 65536))
    except BlockingIOError:
        return 0


def _collect(pid: int, output) -> list:
    """The (index, result) pairs a child wrote, once it has exited."""
    _, status = os.waitpid(pid, 0)
    output.seek(0)
    try:
        written = pickle.load(output)
    except Exception:  # killed before it could write (a signal, the kernel's OOM killer)
        written = None
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and isinstance(written, list):
        return written
    how = (f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status)
           else f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"wait status {status}")
    detail = f":\n{written}" if isinstance(written, str) else ""
    raise WorkerFailed(f"a worker process failed ({how}){detail}")


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
