"""A progress bar for long lint runs: on stderr, only on a terminal, never in CI, and only once a
run has lasted a second (a pre-commit run on one service should print nothing extra). rich is
imported only when the bar appears."""

from __future__ import annotations

import os
import sys
import time

DELAY_SECONDS = 1.0


def wanted(stream=None) -> bool:
    stream = stream if stream is not None else sys.stderr  # looked up now: tests swap sys.stderr
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class DelayedProgress:
    def __init__(self, label: str = "checking services", delay: float = DELAY_SECONDS):
        self.label, self.started_at, self.delay = label, time.monotonic(), delay
        self._progress = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if time.monotonic() - self.started_at < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
