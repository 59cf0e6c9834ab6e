"""Where the in-process time goes: each check module timed alone over the benchmark corpus.

    python bench/check_speed.py                         # every check, 500-service corpus, 5 runs
    python bench/check_speed.py --checks go_source      # one check (comma-separated for several)
    python bench/check_speed.py --language go --profile # Go services only, with a cProfile listing

Everything runs in this process, one core. Each run discovers the services afresh (so no text or
parse is reused between runs) and calls each wanted check module on every service that has its
files, in the engine's order, so a check that reuses evidence another check memoised (the parsed
Dockerfile, serverConfig) is timed the way the engine runs it. The first run also pays for imports
and is left out when there are more. Prints, per check, the minimum and median seconds over the
runs and the milliseconds per service; it asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402

from scaffolder.checks import checks_for  # noqa: E402
from scaffolder.project import UnparsableFile, discover_services  # noqa: E402


def corpus_root(services: int, seed: int) -> Path:
    root = HERE / ".corpus" / f"{services}-{seed}"
    stamp = root / ".complete"
    if not stamp.exists():
        corpus.build(root, services, seed)
        stamp.write_text("")
    return root


def one_run(root: Path, wanted: set[str] | None, profiler: cProfile.Profile | None) -> dict[str, float]:
    """Seconds per check module (and for discovery) over every service under `root`."""
    spent: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    services = discover_services([root])
    spent["(discovery)"] = time.perf_counter() - started
    for service in services:
        for module in checks_for([path.name for path in service.files]):
            name = module.__name__.rsplit(".", 1)[1]
            if wanted is not None and name not in wanted:
                continue
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            try:
                list(module.check(service))
            except UnparsableFile:
                pass  # the engine reports it as CBR001; the time still counts
            finally:
                if profiler:
                    profiler.disable()
            spent[name] += time.perf_counter() - started
    spent["(services)"] = len(services)
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", help="comma-separated check module names (default: every check)")
    parser.add_argument("--language", choices=corpus.LANGUAGES, help="only that language's services")
    parser.add_argument("--profile", action="store_true", help="print the 30 costliest functions (last run)")
    args = parser.parse_args()
    root = corpus_root(args.services, args.seed)
    if args.language:
        root = root / args.language
    wanted = set(args.checks.split(",")) if args.checks else None
    runs = []
    for index in range(args.runs):
        profiler = cProfile.Profile() if args.profile and index == args.runs - 1 else None
        runs.append(one_run(root, wanted, profiler))
        if profiler:
            last_profile = profiler
    measured = runs[1:] if len(runs) > 1 else runs
    services = int(runs[0].pop("(services)"))
    for run in runs:
        run.pop("(services)", None)
    print(f"{root.relative_to(HERE.parent)}: {services} services, {len(measured)} measured run(s) "
          f"(the first, with imports, left out when there are more)")
    names = sorted(runs[0], key=lambda name: -statistics.median(run[name] for run in measured))
    total = 0.0
    for name in names:
        times = [run[name] for run in measured]
        total += min(times)
        print(f"  {name:<20} min {min(times) * 1000:7.0f} ms  median {statistics.median(times) * 1000:7.0f} ms  "
              f"{min(times) * 1000 / max(services, 1):6.2f} ms/service")
    print(f"  {'sum of minimums':<20}     {total * 1000:7.0f} ms")
    if args.profile:
        pstats.Stats(last_profile).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
