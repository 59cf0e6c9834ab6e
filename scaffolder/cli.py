"""The `scaffolder` command: parse arguments, call the library, print, choose the exit code."""

from __future__ import annotations

import argparse
import os
import sys

from scaffolder import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong flag, a bad settings file, an unknown rule code: exit 2 with the message."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaffolder",
        description="Generate and check Tencent CloudBase Run services.",
    )
    parser.add_argument("--version", action="version", version=f"scaffolder {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from scaffolder import cli_generate, cli_lint

    cli_lint.register(commands)
    cli_generate.register(commands)
    return parser


class _Terminated(BaseException):
    """SIGTERM (a CI timeout, `kill`): unwound like Ctrl-C, so that cleanup code runs and no
    temporary file or hadolint process is left behind."""


def _stop_cleanly_on_sigterm() -> None:
    import signal

    def stop(_signal, _frame):
        raise _Terminated

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)


def _signal_behind(error: BaseException) -> BaseException | None:
    """Ctrl-C or SIGTERM arriving while a C extension runs comes back as another exception caused
    by it: a SystemError ("returned a result with an exception set") from buildkit's Dockerfile
    parser, a QueryError from tree-sitter. Found by following the chain of causes."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (KeyboardInterrupt, _Terminated)):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _stopped(stop: BaseException) -> int:
    """Exit 130 after Ctrl-C, 143 after SIGTERM, as a shell reports a process a signal stopped."""
    if isinstance(stop, KeyboardInterrupt):
        print("scaffolder: interrupted", file=sys.stderr)
        return 130
    print("scaffolder: terminated", file=sys.stderr)
    return 143


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    _stop_cleanly_on_sigterm()
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"scaffolder: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, _Terminated) as stop:
        return _stopped(stop)
    except Exception as error:  # a bug of ours: say so plainly, keep the traceback for who asks
        stop = _signal_behind(error)
        if stop is not None:
            return _stopped(stop)
        if os.environ.get("SCAFFOLDER_DEBUG"):
            raise
        print(f"scaffolder: internal error: {type(error).__name__}: {error}\n"
              "Run again with SCAFFOLDER_DEBUG=1 for the traceback, and report it.", file=sys.stderr)
        return EXIT_USAGE
