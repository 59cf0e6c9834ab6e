"""Runs the checks over services and turns raw findings into the reported ones.

Order of work:
1. discover the services; take those whose files, settings and tool are unchanged from the cache;
2. run the in-process checks on the remaining services, spread over this process and `jobs - 1`
   forked workers taking chunks from one queue (forked.py; each also parses the inline
   suppressions of the files its checks read);
3. as soon as the workers run, start hadolint on the same services' Dockerfiles (subprocesses,
   `jobs` at a time); with --jobs 1 the checks run in this process first and hadolint after them,
   one process at a time;
4. collect hadolint, then apply settings (select, ignore, per-file ignores, severities) and inline
   suppressions per service, and store each service's findings in the cache.
The result is sorted, so it is identical whatever the worker count and whatever came from the cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from scaffolder.catalog import Catalog
from scaffolder.checks import checks_for
from scaffolder.findings import Finding, LintResult, Severity
from scaffolder.project import Service, UnparsableFile, discover_services
from scaffolder.settings import Settings
from scaffolder.suppressions import Suppression, find_suppression, parse_suppressions

PARSE_ERROR, UNUSED_SUPPRESSION, UNKNOWN_SUPPRESSION = "CBR001", "CBR002", "CBR003"
ENGINE_CODES = frozenset({PARSE_ERROR, UNUSED_SUPPRESSION, UNKNOWN_SUPPRESSION})

Progress = Callable[[int, int], None]  # (services done, services in all)


class CheckError(Exception):
    """A check could not run at all (hadolint missing or broken): the run stops with exit 2."""


class LintOptions(NamedTuple):
    settings: Settings
    catalog: Catalog
    report_root: Path
    config_file: Path | None = None
    jobs: int = 1
    cache: object | None = None  # a cache.ResultCache, or None for no cache


class ServiceOutcome(NamedTuple):
    """What a worker sends back for one service: raw findings and the suppressions in the files
    its checks read (keyed by path)."""

    raw: list[Finding]
    suppressions: dict[str, list[Suppression]]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def lint(paths: list[Path], options: LintOptions, progress: Progress | None = None) -> LintResult:
    services = discover_services(paths, options.config_file)
    result = LintResult(services=len(services), files=sum(service.file_count for service in services))
    findings: list[Finding] = []
    todo: list[tuple[Service, str | None]] = []
    hadolint_configs = _hadolint_config_finder(options)
    for service in services:
        key = (options.cache.service_key(service.root, _key_files(service, options, hadolint_configs))
               if options.cache else None)
        cached = options.cache.get(service.root, key) if key else None
        if cached is None:
            todo.append((service, key))
        else:
            findings.extend(cached)
    result.cached = len(services) - len(todo)
    # Progress counts each service once for its checks and once more for hadolint.
    steps = Steps(progress, len(services) + (len(todo) if options.settings.hadolint else 0))
    steps.checked = result.cached
    steps.show()

    # hadolint runs alongside the in-process checks, `jobs` processes of each; with --jobs 1 the run
    # keeps to one process at a time, so hadolint waits for the checks.
    alongside = options.jobs > 1
    checking = [service for service, _ in todo]

    def start_hadolint() -> None:
        steps.external = _start_external(options, checking)

    try:
        outcomes = _run_in_process(checking, options, steps, start_hadolint if alongside else None)
        if not alongside:
            start_hadolint()
        by_root = steps.external.collect(on_chunk=steps.show) if steps.external else {}
    finally:
        if steps.external:
            steps.external.close()
    linted = steps.external.dockerfiles if steps.external else {}
    for (service, key), outcome in zip(todo, outcomes):
        suppressions = _with_linted_dockerfile(service, outcome.suppressions, linted.get(service.root))
        final = finalize(service, outcome.raw + by_root.get(service.root, []), options, suppressions)
        if key:
            options.cache.put(service.root, key, final)
        findings.extend(final)
    result.findings = sorted(set(findings), key=lambda finding: finding.sort_key)
    return result


def _with_linted_dockerfile(service: Service, suppressions: dict[str, list[Suppression]],
                            dockerfile: Path | None) -> dict[str, list[Suppression]]:
    """hadolint reads the Dockerfile too, so its suppressions are looked at (CBR002, CBR003) even
    when no in-process check read it: the same answer whichever process read it, for any --jobs."""
    if dockerfile is None or str(dockerfile) in suppressions or not service.owns(dockerfile):
        return suppressions
    return {**suppressions, str(dockerfile): _suppressions_in(service, dockerfile)}


def _hadolint_config_finder(options: LintOptions):
    if not (options.cache and options.settings.hadolint):
        return None
    from scaffolder.checks.hadolint import ConfigFinder

    return ConfigFinder()


def _key_files(service: Service, options: LintOptions, hadolint_configs) -> list[Path]:
    """Files whose content decides the service's findings: its own, a --config file, the Dockerfile
    and .dockerignore serverConfig may name outside it (BuildDir ".."), the .hadolint.yaml that
    applies, and, for Node.js services, the git index that says whether node_modules is committed."""
    from scaffolder.dockerfile_model import dockerfile_candidates

    files = [*service.files, *([service.config_file] if service.config_file else [])]
    own = set(service.files)
    outside = []
    for candidate in dockerfile_candidates(service):
        outside += [candidate, candidate.parent / ".dockerignore"]
    if hadolint_configs is not None:
        outside.append(hadolint_configs.find(service.root / "Dockerfile"))
    if service.package_json is not None:
        from scaffolder.nodeproject.git_index import find_repository

        repository = find_repository(service.root)
        if repository is not None:
            outside.append(repository[1] / "index")
    files += sorted({path for path in outside if path is not None and path not in own}, key=str)
    return files


def _start_external(options: LintOptions, services: list[Service]):
    if not services or not options.settings.hadolint:
        return None
    from scaffolder.checks import hadolint

    return hadolint.start_batch(services, options.jobs)


def _run_in_process(services: list[Service], options: LintOptions, steps: "Steps",
                    start_hadolint: Callable[[], None] | None) -> list[ServiceOutcome]:
    """The in-process checks of every service, in order. With --jobs N this process and N-1 workers
    check them: one process fewer to start and to hold in memory than N workers. `start_hadolint`,
    when given, is called as soon as the workers run: preparing hadolint's chunks (reading every
    Dockerfile and its serverConfig) then overlaps with their checks."""
    if options.jobs == 1 or len(services) < 2:
        if start_hadolint:
            start_hadolint()
        return [_checked(service, options, steps) for service in services]
    share = min(options.jobs, len(services))
    if _fork_is_safe():
        # Forked workers start with a copy of this process: the check modules imported once here,
        # and the services and options found in memory (unpickling 250 services' Paths and parsed
        # configs cost a worker ~0.1 s).
        from scaffolder import forked

        checks_for(sorted({name for service in services for name in service.file_names}))
        chunk_size = max(1, min(8, len(services) // (share * 16)))  # small: the last chunks end together
        return forked.run(lambda index: check_service(services[index], options), len(services), share,
                          chunk_size, lambda done: _tick(steps, done), after_fork=start_hadolint)
    if start_hadolint:
        start_hadolint()
    return _run_in_pool(services, options, share, steps)


def _run_in_pool(services: list[Service], options: LintOptions, share: int, steps: "Steps") -> list[ServiceOutcome]:
    """Where fork() is not safe: workers started from a clean server process (or spawned) get each
    service pickled, and this process checks every N-th service itself."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    mine = range(0, len(services), share)  # interleaved, so that both sides get every language
    theirs = [index for index in range(len(services)) if index % share]
    outcomes: list[ServiceOutcome | None] = [None] * len(services)
    pool = ProcessPoolExecutor(max_workers=share - 1, mp_context=context)
    try:
        chunksize = max(1, min(16, len(theirs) // (share * 8)))
        results = pool.map(check_service, [services[index] for index in theirs], [options] * len(theirs),
                           chunksize=chunksize)
        for index in mine:
            outcomes[index] = _checked(services[index], options, steps)
        for index, outcome in zip(theirs, results):
            outcomes[index] = outcome
            _tick(steps)
    except BaseException:  # Ctrl-C, SIGTERM, a failed hadolint: do not wait for the queued work
        pool.shutdown(wait=False, cancel_futures=True)  # workers finish at most their current chunk
        raise
    pool.shutdown()
    return outcomes


def _checked(service: Service, options: LintOptions, steps: "Steps") -> ServiceOutcome:
    outcome = check_service(service, options)
    _tick(steps)
    return outcome


def _fork_is_safe() -> bool:
    """fork() copies only the calling thread, with every lock as it was. The Go runtime of
    buildkit's Dockerfile parser runs threads of its own once the `dockerfile` package is loaded (a
    forked copy can hang in its first parse), and the progress bar, once shown, refreshes from a
    thread that may hold the lock of stderr. (macOS and Windows do not fork by default either.)"""
    import sys
    import threading

    return (sys.platform.startswith("linux") and "dockerfile" not in sys.modules
            and threading.active_count() == 1)


def _tick(steps: "Steps", done: int = 1) -> None:
    """`done` more services checked in process."""
    if steps.external:
        steps.external.pump()  # start the next hadolint chunk as soon as one finishes
    steps.checked += done
    steps.show()


class Steps:
    """What the progress bar shows: services checked plus Dockerfiles hadolint has done."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total = progress, total
        self.checked = 0
        self.external = None  # the hadolint run, once started

    def show(self) -> None:
        if self.progress:
            self.progress(self.checked + (self.external.finished if self.external else 0), self.total)


def check_service(service: Service, options: LintOptions) -> ServiceOutcome:
    """The in-process checks for one service, plus the suppressions of every file they read."""
    raw = run_checks(service, options)
    suppressions = {}
    for path in {*service.read_files(), *(Path(f.path) for f in raw)}:
        suppressions[str(path)] = _suppressions_in(service, path)
    return ServiceOutcome(raw, suppressions)


def _suppressions_in(service: Service, path: Path) -> list[Suppression]:
    try:
        text = service.read_text(path)
    except UnparsableFile:
        return []
    return parse_suppressions(path.name, text)


def _wanted(module, options: LintOptions) -> bool:
    return any(options.settings.enabled(code, options.catalog) for code in module.CODES)


def run_checks(service: Service, options: LintOptions) -> list[Finding]:
    findings: list[Finding] = []
    for module in checks_for(service.file_names):
        if _wanted(module, options):
            findings.extend(_guarded(lambda: module.check(service)))
    return findings


def _guarded(produce) -> list[Finding]:
    try:
        return list(produce())
    except UnparsableFile as error:
        return [unparsable(error)]


def unparsable(error: UnparsableFile) -> Finding:
    return Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)


def finalize(service: Service, raw: list[Finding], options: LintOptions,
             suppressions: dict[str, list[Suppression]]) -> list[Finding]:
    """Apply settings and suppressions; add findings about the suppressions themselves.
    `suppressions` holds those of the files the checks read; others are parsed here when needed."""
    settings, catalog = options.settings, options.catalog
    aliases = catalog.aliases()
    suppressions_by_path = dict(suppressions)

    def suppressions_for(path: str) -> list[Suppression]:
        if path not in suppressions_by_path:
            suppressions_by_path[path] = _suppressions_in(service, Path(path))
        return suppressions_by_path[path]

    kept: list[Finding] = []
    for finding in raw:
        code = aliases.get(finding.code, finding.code)
        relative = _relative(finding.path, options.report_root)
        if not settings.enabled(code, catalog) or settings.ignored_in_file(code, relative, catalog):
            continue
        if find_suppression(suppressions_for(finding.path), code, finding.line, aliases):
            continue
        kept.append(_resolved(finding, code, relative, options))

    # Every file a check read may hold suppressions; look at those that mention us.
    for path in sorted(suppressions):
        for suppression in suppressions_by_path[path]:
            kept.extend(_suppression_findings(suppression, Path(path), options))
    return kept


def _suppression_findings(suppression, path: Path, options: LintOptions):
    settings, catalog = options.settings, options.catalog
    relative = _relative(str(path), options.report_root)
    for code in suppression.codes:
        if not catalog.known(code):
            finding = Finding(UNKNOWN_SUPPRESSION, f"unknown rule code {code!r} in suppression", str(path),
                              suppression.line, suppression.column)
        elif code not in suppression.used and settings.enabled(catalog.aliases().get(code, code), catalog):
            finding = Finding(UNUSED_SUPPRESSION, f"suppression of {code} matches no finding; remove it",
                              str(path), suppression.line, suppression.column)
        else:
            continue
        if settings.enabled(finding.code, catalog) and not settings.ignored_in_file(finding.code, relative, catalog):
            yield _resolved(finding, finding.code, relative, options)


def _resolved(finding: Finding, code: str, relative: str, options: LintOptions) -> Finding:
    rule = options.catalog.get(code)
    default = rule.severity if rule else (finding.severity or Severity.WARNING)
    severity = options.settings.severity_for(code, default)
    return finding._replace(code=code, path=relative, severity=severity)


def _relative(path: str, root: Path) -> str:
    absolute = Path(path)
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()
