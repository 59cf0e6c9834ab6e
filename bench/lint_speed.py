"""Benchmark scaffolder against the targets of docs/performance.md.

    python bench/lint_speed.py                    # every case, 500-service corpus
    python bench/lint_speed.py --cases one,help   # some cases only
    python bench/lint_speed.py --services 100     # a smaller corpus for a quick look

Every case runs the real command several times in fresh processes and prints min / median / max
wall time and the figure the target is about; nothing is asserted. Commands a target compares run
in turns (A B, A B, ...), so both see the same conditions on a shared machine, and the speed of a
fixed Python loop is printed at the start and end to show how fast the machine was. The corpus
(bench/corpus.py) is generated from --seed under bench/.corpus/ (git-ignored), so a rerun measures
the same input.
Peak memory is the largest sum of resident memory over the command's process tree, sampled from
/proc every 20 ms. checkov is installed into bench/.checkov-venv (git-ignored) on first use.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import corpus
from scaffolder.checks.hadolint import RTS_OPTIONS, chunk_sizes  # how scaffolder runs hadolint

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SCAFFOLDER = [PYTHON, "-m", "scaffolder"]
HADOLINT = str(Path(PYTHON).parent / "hadolint")
CASES = ("help", "one", "checkov", "corpus", "jobs", "scaling", "cache", "new")


# ---- measuring ---------------------------------------------------------------------------------------
class TreeMemory:
    """Peak of the summed RSS of a process and its descendants, sampled from /proc."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:
                fields = stream.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


# As users run it: with compiled bytecode (pip writes it on install; a checkout gets it on first run).
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], cwd: Path | None = None, memory: bool = False) -> tuple[float, int, str]:
    """(wall seconds, peak tree memory in bytes or 0, stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=ENVIRONMENT)
    sampler = TreeMemory(process.pid) if memory else None
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    return elapsed, sampler.stop() if sampler else 0, stderr


def repeat(action: Callable[[], float], runs: int) -> list[float]:
    return [action() for _ in range(runs)]


def interleaved(actions: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each action run `runs` times, in rounds (A B C, A B C, ...): on a shared machine whose speed
    drifts, the things a target compares then see the same conditions."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            times[name].append(action())
    return times


def machine_speed() -> str:
    """How fast this machine is right now: a fixed pure-Python loop, best of three. Printed at the
    start and end of a run so that figures taken while the machine was slow can be told apart."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(number * number for number in range(2_000_000))
        best = min(best, time.perf_counter() - started)
    return f"{best * 1000:.0f} ms"


def stats(times: list[float]) -> str:
    return (f"min {min(times) * 1000:8.0f} ms  median {statistics.median(times) * 1000:8.0f} ms  "
            f"max {max(times) * 1000:8.0f} ms")


def row(label: str, times: list[float], note: str = "") -> float:
    print(f"  {label:<46} {stats(times)}  {note}")
    return statistics.median(times)


def verdict(text: str, met: bool) -> None:
    print(f"  -> {text}: {'met' if met else 'NOT met'}")


# ---- the cases -----------------------------------------------------------------------------------------
def lint_command(path: Path, *flags: str) -> list[str]:
    return [*SCAFFOLDER, "lint", "--format", "json", "-o", os.devnull, *flags, str(path)]


def hadolint_per_file(dockerfiles: list[Path], jobs: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda path: subprocess.run([HADOLINT, "--no-fail", "-f", "json", str(path)],
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                      dockerfiles))
    return time.perf_counter() - started


def hadolint_batched(dockerfiles: list[Path], jobs: int, as_scaffolder: bool = False) -> float:
    """hadolint on 64 Dockerfiles per process, `jobs` processes at a time, as a user would batch it
    (xargs -n 64 -P jobs); with as_scaffolder, exactly as scaffolder runs it: its runtime options,
    and chunks that shrink towards the end."""
    sizes = chunk_sizes(len(dockerfiles), jobs) if as_scaffolder else [64] * -(-len(dockerfiles) // 64)
    starts = [sum(sizes[:index]) for index in range(len(sizes))]
    chunks = [dockerfiles[start:start + size] for start, size in zip(starts, sizes)]
    options = RTS_OPTIONS if as_scaffolder else ()
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda chunk: subprocess.run([HADOLINT, *options, "--no-fail", "-f", "json",
                                                    *map(str, chunk)],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), chunks))
    return time.perf_counter() - started


def case_help(args, work: Path) -> None:
    print("scaffolder --help")
    median = row("scaffolder --help", repeat(lambda: run([*SCAFFOLDER, "--help"])[0], args.runs * 2))
    verdict(f"<= 150 ms ({median * 1000:.0f} ms)", median <= 0.150)


def generated_service(work: Path) -> Path:
    target = work / "one" / "svc"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*SCAFFOLDER, "new", "container", str(target), "--defaults"], check=True,
                       stdout=subprocess.DEVNULL)
    return target


def case_one(args, work: Path) -> None:
    service = generated_service(work)
    print(f"one generated service, cold process, no cache ({service})")
    times = interleaved({"ours": lambda: run(lint_command(service, "--no-cache"))[0],
                         "alone": lambda: run([HADOLINT, str(service / "Dockerfile")])[0]}, args.runs * 2)
    ours = row("scaffolder lint --no-cache", times["ours"])
    alone = row("hadolint Dockerfile", times["alone"])
    verdict(f"<= 300 ms ({ours * 1000:.0f} ms)", ours <= 0.300)
    verdict(f"<= 200 ms above hadolint alone (+{(ours - alone) * 1000:.0f} ms)", ours - alone <= 0.200)


def checkov_binary(work: Path) -> Path | None:
    venv = HERE / ".checkov-venv"
    binary = venv / "bin" / "checkov"
    if not binary.exists():
        print("  installing checkov into bench/.checkov-venv (once) ...", flush=True)
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "checkov"], capture_output=True,
                                   text=True)
        if installed.returncode != 0:
            print(f"  checkov could not be installed: {installed.stderr.strip().splitlines()[-1:]}")
            return None
    return binary


def case_checkov(args, work: Path) -> None:
    service = generated_service(work)
    print("against checkov's Dockerfile checks, same generated service")
    binary = checkov_binary(work)
    if binary is None:
        return
    command = [str(binary), "-f", str(service / "Dockerfile"), "--framework", "dockerfile", "--quiet", "--compact",
               "-o", "json", "--skip-download"]
    print("  " + " ".join(command))
    times = interleaved({"theirs": lambda: run(command)[0],
                         "ours": lambda: run(lint_command(service, "--no-cache"))[0]}, args.runs)
    theirs = row("checkov -f Dockerfile --framework dockerfile", times["theirs"])
    ours = row("scaffolder lint --no-cache", times["ours"])
    verdict(f">= 15 times faster ({theirs / ours:.1f} times)", theirs / ours >= 15)


def corpus_at(args, services: int) -> tuple[Path, tuple]:
    root = HERE / ".corpus" / f"{services}-{args.seed}"
    stamp = root / ".complete"
    if not stamp.exists():
        corpus.build(root, services, args.seed)
        stamp.write_text("")
    return root, corpus.measure(root)


def describe_corpus(root: Path, size: tuple) -> None:
    files, sources, lines, dockerfiles = size
    print(f"  corpus {root.relative_to(HERE.parent)}: {files} files, {sources} source files, {lines} source lines, "
          f"{len(dockerfiles)} Dockerfiles")


def case_corpus(args, work: Path) -> None:
    root, size = corpus_at(args, args.services)
    _, _, lines, dockerfiles = size
    print(f"corpus of {args.services} services, cold, no cache, --jobs {args.jobs}")
    describe_corpus(root, size)
    peaks: list[int] = []

    def whole() -> float:
        elapsed, peak, _ = run(lint_command(root, "--no-cache", "--jobs", str(args.jobs)), memory=True)
        peaks.append(peak)
        return elapsed

    half_root, half_size = corpus_at(args, args.services // 2)
    times = interleaved({
        "whole": whole,
        "checks": lambda: run(lint_command(root, "--no-cache", "--no-hadolint", "--jobs", str(args.jobs)))[0],
        "checks, half": lambda: run(lint_command(half_root, "--no-cache", "--no-hadolint", "--jobs",
                                                 str(args.jobs)))[0],
        "per file": lambda: hadolint_per_file(dockerfiles, args.jobs),
        "batched": lambda: hadolint_batched(dockerfiles, args.jobs),
        "batched rts": lambda: hadolint_batched(dockerfiles, args.jobs, as_scaffolder=True),
    }, args.runs)
    ours = row("scaffolder lint (all checks)", times["whole"])
    checks_only = row("scaffolder lint --no-hadolint (source + config)", times["checks"])
    checks_half = row(f"the same on {args.services // 2} services", times["checks, half"])
    per_file = row(f"hadolint alone, one process per file, {args.jobs} at a time", times["per file"])
    batched = row(f"hadolint alone, 64 files per process, {args.jobs} at a time", times["batched"])
    batched_n1 = row(f"hadolint as scaffolder runs it ({' '.join(RTS_OPTIONS)}, shrinking chunks)",
                     times["batched rts"])
    rate = lines / checks_only
    budget = 1.2 * batched + lines / 150_000
    marginal = (lines - half_size[2]) / max(checks_only - checks_half, 1e-9)
    # The target as the issue writes it: hadolint's time with 20 % to spare, plus the source and
    # configuration checks' lines at 150,000 a second (docs/performance.md: how the sentence is read).
    verdict(f"whole run within 1.2 x hadolint alone (batched, {args.jobs} at a time) plus the source lines at "
            f"150,000/s ({ours:.2f} s against {budget:.2f} s)", ours <= budget)
    verdict(f"the source and config checks' own rate >= 150,000 lines/s ({marginal:,.0f} lines/s for the lines "
            f"the second half of the corpus adds, start-up and discovery left out)", marginal >= 150_000)
    print("     for reference, stricter readings (docs/performance.md):")
    print(f"       whole run / hadolint alone: {ours / per_file:.2f} x one process per file, "
          f"{ours / batched:.2f} x batched, {ours / batched_n1:.2f} x run as scaffolder runs it")
    print(f"       lint --no-hadolint end to end, start-up and discovery included: {rate:,.0f} lines/s")
    peak = max(peaks)
    verdict(f"peak memory <= 200 MB ({peak / 1e6:.0f} MB = {peak / 2**20:.0f} MiB, summed over the process tree)",
            peak <= 200e6)


def case_jobs(args, work: Path) -> None:
    root, size = corpus_at(args, args.services)
    print(f"corpus of {args.services} services: 1 worker against 2")
    times = interleaved({jobs: lambda jobs=jobs: run(lint_command(root, "--no-cache", "--jobs", jobs))[0]
                         for jobs in ("1", "2")}, args.runs)
    one = row("--jobs 1", times["1"])
    two = row("--jobs 2", times["2"])
    verdict(f">= 1.6 times faster with 2 ({one / two:.2f} times)", one / two >= 1.6)


def case_scaling(args, work: Path) -> None:
    print(f"scaling, cold, no cache, --jobs {args.jobs}")
    medians = {}
    for services in (args.services // 2, args.services, args.services * 2):
        root, size = corpus_at(args, services)
        medians[services] = row(f"{services} services ({size[2]} source lines)",
                                repeat(lambda: run(lint_command(root, "--no-cache", "--jobs", str(args.jobs)))[0],
                                       args.runs))
    ratio = medians[args.services * 2] / medians[args.services]
    verdict(f"{args.services * 2} within 2.2 x of {args.services} ({ratio:.2f} x)", ratio <= 2.2)


def case_cache(args, work: Path) -> None:
    root, size = corpus_at(args, args.services)
    cache_dir = work / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    command = lint_command(root, "--cache-dir", str(cache_dir), "--jobs", str(args.jobs), "-v")
    print(f"corpus of {args.services} services with the cache in {cache_dir}")
    cold = []
    for _ in range(args.runs):
        shutil.rmtree(cache_dir, ignore_errors=True)
        cold.append(run(command)[0])
    cold_median = row("cold (empty cache)", cold)
    warm_median = row("warm (nothing changed)", repeat(lambda: run(command)[0], args.runs))
    verdict(f"warm <= 20% of cold ({warm_median / cold_median:.0%})", warm_median <= 0.2 * cold_median)
    changed = next(root.rglob("*.py"))
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + b"\n# changed by the benchmark\n")
        elapsed, _, stderr = run(command)
        line = next((text for text in stderr.splitlines() if "from the cache" in text), stderr.strip())
        print(f"  one file changed ({changed.relative_to(root)}): {elapsed * 1000:.0f} ms; {line}")
        verdict("only that file's service is re-checked", " 1 checked," in line)
    finally:
        changed.write_bytes(original)


def case_new(args, work: Path) -> None:
    print("scaffolder new container x --defaults")

    def once() -> float:
        target = Path(tempfile.mkdtemp(dir=work)) / "x"
        elapsed = run([*SCAFFOLDER, "new", "container", str(target), "--defaults"])[0]
        shutil.rmtree(target.parent)
        return elapsed

    median = row("scaffolder new container x --defaults", repeat(once, args.runs * 2))
    verdict(f"<= 1.0 s ({median:.2f} s)", median <= 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=500, help="corpus size (scaling uses half and double)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)}")
    args = parser.parse_args()
    chosen = [case.strip() for case in args.cases.split(",") if case.strip()]
    unknown = sorted(set(chosen) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs per measurement, "
          f"seed {args.seed}\ncommand: {' '.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}\n")
    run([PYTHON, "-c", "import compileall, os, scaffolder; "  # the bytecode an install would have written
                       "compileall.compile_dir(os.path.dirname(scaffolder.__file__), quiet=1)"])
    print(f"machine speed at the start: {machine_speed()} for a fixed pure-Python loop\n")
    with tempfile.TemporaryDirectory(prefix="scaffolder-bench-") as temporary:
        for case in chosen:
            globals()[f"case_{case}"](args, Path(temporary))
            print()
    print(f"machine speed at the end: {machine_speed()} for the same loop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
