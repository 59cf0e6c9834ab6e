"""`scaffolder lint --fix / --unsafe-fixes / --diff`.

As in ruff: `--fix` applies the safe fixes; `--unsafe-fixes` makes the unsafe ones eligible too
(for `--fix` and `--diff`; alone it changes nothing); `--diff` prints what `--fix` would change as
unified diffs on stdout, writes nothing, and exits 1 when there is something to change. The summary
goes to stderr; the report that follows shows what is left.
"""

from __future__ import annotations

import sys

from scaffolder.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from scaffolder.findings import LintResult


def add_fix_arguments(lint_parser) -> None:
    group = lint_parser.add_argument_group("fixes")
    group.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what is left")
    group.add_argument("--unsafe-fixes", action="store_true",
                       help="make the unsafe fixes (which may change behaviour) eligible for --fix and --diff")
    group.add_argument("--diff", action="store_true",
                       help="print the changes --fix would make as unified diffs and write nothing "
                            "(exit 1 when there is something to change)")


def apply_requested_fixes(args, options, result: LintResult) -> tuple[LintResult, int | None]:
    """Run the fixes the flags ask for after the first lint. Returns the findings to report and,
    for --diff, the exit code to stop with (None: go on and report)."""
    if not (getattr(args, "fix", False) or getattr(args, "diff", False)):
        return result, None
    from scaffolder.engine import CheckError
    from scaffolder.fixes.session import describe, fix_rounds, preview

    unsafe = bool(getattr(args, "unsafe_fixes", False))
    try:
        if args.diff:
            outcome = preview(args.paths, options, result, unsafe)
            sys.stdout.write("".join(outcome.diffs))
            _report(outcome.run.refused, describe)
            print(_summary("Would fix", outcome.run.fixed, outcome.remaining, outcome.run.unsafe_left(unsafe)),
                  file=sys.stderr)
            return outcome.run.result, EXIT_FINDINGS if outcome.diffs else EXIT_OK
        run = fix_rounds(args.paths, options, result, unsafe)
    except CheckError as error:
        raise UsageError(str(error)) from None
    _report(run.refused, describe)
    print(_summary("Fixed", run.fixed, len(run.result.findings), run.unsafe_left(unsafe)), file=sys.stderr)
    return run.result, None


def _report(refused, describe) -> None:
    for refusal in refused:
        for line in describe(refusal):
            print(f"scaffolder: {line}", file=sys.stderr)


def _summary(verb: str, fixed: int, remaining: int, unsafe_left: int) -> str:
    text = f"{verb} {fixed} finding{'s' if fixed != 1 else ''} ({remaining} remaining"
    if unsafe_left:
        text += f"; {unsafe_left} more with --unsafe-fixes"
    return text + ")"
