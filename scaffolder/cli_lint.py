"""`scaffolder lint`, `scaffolder rules` and `scaffolder rule CODE`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scaffolder.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from scaffolder.reporters import FORMATS



def register(commands) -> None:
    lint = commands.add_parser(
        "lint",
        help="check CloudBase Run services before deploy",
        description="Find the CloudBase Run services under PATHS (folders with a Dockerfile, a cloudbaserc.json "
        "or a function-mode package.json), run every rule that applies and report the findings. "
        "Exit code: 0 nothing at or above --fail-on, 1 findings, 2 usage or internal error.",
    )
    lint.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH",
                      help="folders or files to check (default: the current folder)")
    lint.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    lint.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    lint.add_argument("--config", type=Path, metavar="FILE",
                      help="a JSON file with the serverConfig to check instead of cloudbaserc.json's")
    lint.add_argument("--settings", type=Path, metavar="FILE",
                      help="settings file (default: the nearest .scaffolder.toml or pyproject.toml with [tool.scaffolder])")
    lint.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to check (replaces the settings')")
    lint.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to skip (added to the settings')")
    lint.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default: warning)")
    lint.add_argument("--no-hadolint", action="store_true", help="do not run hadolint on Dockerfiles")
    lint.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: the number of cores)")
    lint.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text report")
    lint.set_defaults(handler=run_lint)

    rules = commands.add_parser("rules", help="list every rule", description="List every rule: code, name, severity, fix, summary.")
    rules.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rules.set_defaults(handler=run_rules)

    rule = commands.add_parser("rule", help="explain one rule", description="Print a rule's full explanation with its examples.")
    rule.add_argument("code", help="a rule code such as CBR401, or a hadolint code such as DL3008")
    rule.set_defaults(handler=run_rule)


def _split_codes(text: str | None) -> list[str]:
    return [code.strip().upper() for code in (text or "").split(",") if code.strip()]


def _load_settings(args, catalog):
    from scaffolder.settings import SettingsError, find_settings_file, load_settings

    if args.settings is not None and not args.settings.is_file():
        raise UsageError(f"settings file {args.settings} does not exist")
    path = args.settings or find_settings_file(Path.cwd())
    try:
        settings = load_settings(path, catalog)
        if args.select is not None:
            settings.select = _split_codes(args.select)
        settings.ignore = [*settings.ignore, *_split_codes(args.ignore)]
        settings.validate_codes(catalog, "command line")
    except SettingsError as error:
        raise UsageError(str(error)) from None
    if args.fail_on:
        from scaffolder.findings import Severity

        settings.fail_on = Severity(args.fail_on)
    if args.no_hadolint:
        settings.hadolint = False
    return settings


def run_lint(args) -> int:
    from scaffolder.catalog import CatalogError, default_catalog
    from scaffolder.engine import CheckError, LintOptions, default_jobs, lint
    from scaffolder.reporters import ReportContext, render

    for path in args.paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"--config {args.config}: no such file")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    try:
        catalog = default_catalog()
    except CatalogError as error:
        raise UsageError(f"the rule catalog is broken: {error}") from None
    settings = _load_settings(args, catalog)
    root = Path.cwd()
    options = LintOptions(settings=settings, catalog=catalog, report_root=root,
                          config_file=args.config.resolve() if args.config else None,
                          jobs=args.jobs or default_jobs())
    try:
        result = lint(args.paths, options)
    except CheckError as error:
        raise UsageError(str(error)) from None
    if result.services == 0:
        print("scaffolder: no CloudBase Run service found", file=sys.stderr)
    context = ReportContext(catalog=catalog, root=root, fail_on=settings.fail_on.value)
    color = args.color == "always" or (args.color == "auto" and args.output is None and sys.stdout.isatty()
                                       and "NO_COLOR" not in os.environ)
    report = render(args.format, result, context, color=color)
    if args.output is not None:
        _write_atomically(args.output, report)
    else:
        sys.stdout.write(report)
    failing = [f for f in result.findings if f.severity is not None and f.severity.rank >= settings.fail_on.rank]
    return EXIT_FINDINGS if failing else EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a report is never half-written."""
    import tempfile

    path = path.resolve()
    if path.exists() and not path.is_file():  # /dev/null, a pipe: nothing to replace, write straight
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
        return
    if not path.parent.is_dir():
        raise UsageError(f"--output {path}: folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def run_rules(args) -> int:
    import json

    from scaffolder.catalog import default_catalog

    rules = list(default_catalog().rules.values())
    if args.json:
        rows = [{"code": r.code, "name": r.name, "severity": r.severity.value, "fix": r.fix, "summary": r.summary,
                 "modes": list(r.modes), "languages": list(r.languages)} for r in rules]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rules)} scaffolder rules (plus hadolint's DL/SC codes)", title_justify="left")
    for column in ("code", "name", "severity", "fix", "summary"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        table.add_row(rule.code, rule.name, rule.severity.value, rule.fix, rule.summary)
    Console(highlight=False).print(table)
    return EXIT_OK


def run_rule(args) -> int:
    from scaffolder.catalog import HADOLINT_CODE_PATTERN, default_catalog
    from scaffolder.reporters import hadolint_help_uri

    catalog = default_catalog()
    code = args.code.strip().upper()
    rule = catalog.get(code)
    if rule is None and HADOLINT_CODE_PATTERN.match(code):
        print(f"{code} is a hadolint rule; scaffolder passes it through unchanged.\nSee {hadolint_help_uri(code)}")
        return EXIT_OK
    if rule is None:
        import difflib

        close = difflib.get_close_matches(code, sorted(catalog.rules), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else "; `scaffolder rules` lists them"
        raise UsageError(f"unknown rule code {args.code!r}{hint}")
    header = (f"{rule.code} {rule.name}\nseverity: {rule.severity.value}   fix: {rule.fix}   "
              f"modes: {', '.join(rule.modes)}   languages: {', '.join(rule.languages)}\n"
              + (f"aliases: {', '.join(rule.aliases)}\n" if rule.aliases else ""))
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        console = Console()
        console.print(header)
        console.print(Markdown(rule.body))
    else:
        print(header)
        print(rule.body, end="")
    return EXIT_OK
