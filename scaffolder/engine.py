"""Runs the checks over services and turns raw findings into the reported ones.

Order of work per service: start slow external checks (hadolint), run the in-process checks,
collect the external ones, then apply settings (select, ignore, per-file ignores, severities) and
inline suppressions. Services are independent, so they are spread over worker processes; the
result is sorted, so it is identical whatever the worker count.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from scaffolder.catalog import Catalog
from scaffolder.checks import load_checks
from scaffolder.findings import Finding, LintResult, Severity
from scaffolder.project import Service, UnparsableFile, discover_services
from scaffolder.settings import Settings
from scaffolder.suppressions import find_suppression, parse_suppressions

PARSE_ERROR, UNUSED_SUPPRESSION, UNKNOWN_SUPPRESSION = "CBR001", "CBR002", "CBR003"
ENGINE_CODES = frozenset({PARSE_ERROR, UNUSED_SUPPRESSION, UNKNOWN_SUPPRESSION})


class CheckError(Exception):
    """A check could not run at all (hadolint missing or broken): the run stops with exit 2."""


@dataclass(frozen=True)
class LintOptions:
    settings: Settings
    catalog: Catalog
    report_root: Path
    config_file: Path | None = None
    jobs: int = 1


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def lint(paths: list[Path], options: LintOptions) -> LintResult:
    services = discover_services(paths, options.config_file)
    result = LintResult(services=len(services), files=sum(len(service.files) for service in services))
    if options.jobs > 1 and len(services) > 1:
        workers = min(options.jobs, len(services))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunks = pool.map(_lint_service, services, [options] * len(services), chunksize=max(1, len(services) // (workers * 8)))
            findings = [finding for chunk in chunks for finding in chunk]
    else:
        findings = [finding for service in services for finding in _lint_service(service, options)]
    result.findings = sorted(set(findings), key=lambda finding: finding.sort_key)
    return result


def _lint_service(service: Service, options: LintOptions) -> list[Finding]:
    raw = run_checks(service, options)
    return finalize(service, raw, options)


def _wanted(module, options: LintOptions) -> bool:
    codes = module.CODES
    if codes is None:  # hadolint: open-ended codes
        return options.settings.hadolint
    return any(options.settings.enabled(code, options.catalog) for code in codes)


def run_checks(service: Service, options: LintOptions) -> list[Finding]:
    modules = [module for module in load_checks() if _wanted(module, options)]
    pending = [module.start(service) for module in modules if hasattr(module, "start")]
    findings: list[Finding] = []
    for module in modules:
        if not hasattr(module, "start"):
            findings.extend(_guarded(lambda: module.check(service)))
    for collect in pending:
        findings.extend(_guarded(collect))
    return findings


def _guarded(produce) -> list[Finding]:
    try:
        return list(produce())
    except UnparsableFile as error:
        return [unparsable(error)]


def unparsable(error: UnparsableFile) -> Finding:
    return Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)


def finalize(service: Service, raw: list[Finding], options: LintOptions) -> list[Finding]:
    """Apply settings and suppressions; add findings about the suppressions themselves."""
    settings, catalog = options.settings, options.catalog
    aliases = catalog.aliases()
    suppressions_by_path: dict[str, list] = {}

    def suppressions_for(path: str) -> list:
        if path not in suppressions_by_path:
            try:
                text = service.read_text(Path(path))
            except UnparsableFile:
                text = ""
            suppressions_by_path[path] = parse_suppressions(Path(path).name, text)
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
    for path in service.files:
        if not service.is_cached(path):
            continue
        for suppression in suppressions_for(str(path)):
            kept.extend(_suppression_findings(suppression, path, options))
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
    return replace(finding, code=code, path=relative, severity=severity)


def _relative(path: str, root: Path) -> str:
    absolute = Path(path)
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()
