"""The progress bar: only on a terminal, never in CI, and only for runs longer than a second."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffolder import progress

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert progress.wanted(_Terminal())
    assert not progress.wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted(_Terminal())


def test_nothing_is_drawn_before_the_delay():
    bar = progress.DelayedProgress(delay=3600)
    bar(1, 10)
    assert bar._progress is None
    bar.close()


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` gives the command a terminal")
def test_long_run_on_a_terminal_shows_the_bar(tmp_path):
    for index in range(300):  # about two seconds of work, so the bar appears
        shutil.copytree(EXAMPLE, tmp_path / f"svc{index}")
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment["TERM"] = "xterm"
    command = f"{sys.executable} -m scaffolder lint --no-cache --jobs 1 -o report.txt ."
    result = subprocess.run(["script", "-qec", command, "/dev/null"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env=environment)
    assert "checking services" in result.stdout
    quiet = subprocess.run([sys.executable, "-m", "scaffolder", "lint", "--no-cache", "--jobs", "1", "."],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300, env=environment)
    assert "checking services" not in quiet.stderr + quiet.stdout
