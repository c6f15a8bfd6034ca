"""Command-line interface: ``nmda-toolkit <command> ...``.

The CLI only wires library functions together. Each sub-command lives in
its own module of this package and exposes ``register(subparsers)``, which
adds a parser whose ``func`` default takes the parsed arguments and returns
an exit code. Modules are discovered automatically.

Exit codes (the same for every command)
---------------------------------------
====  ===========================================================================
0     success
1     a named error (bad input, missing entry, unwritable output, ...): one line on stderr
2     usage error (unknown option, bad value; argparse)
3     ``compare``: the run finished and the output was written, but **no** row is ``ok``
70    an unexpected internal error: one line on stderr (``NMDA_TOOLKIT_DEBUG=1`` shows the traceback)
130   interrupted (Ctrl-C / SIGINT); no partial output is left, workers are stopped
141   the reader of stdout went away (``... | head -1``); nothing more is printed
143   terminated (SIGTERM); no partial output is left, workers are stopped
====  ===========================================================================

``-`` stands for stdin (an input) or stdout (``compare -o -``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import warnings

from .._version import __version__

__all__ = [
    "main",
    "build_parser",
    "EXIT_OK",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "EXIT_NO_OK_ROWS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_BROKEN_PIPE",
    "EXIT_TERMINATED",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_OK_ROWS = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler, so clean-up (``finally``) runs."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nmda-toolkit",
        description="Ketamine and NMDA receptor structures, binding sites and ligands.",
        epilog="exit codes: 0 ok, 1 error, 2 usage, 3 compare: no row ok, 70 internal error, "
        "130 interrupted, 141 broken pipe, 143 terminated",
    )
    parser.add_argument("--version", action="version", version=f"nmda-toolkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already closed
        pass


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line: ``nmda-toolkit: warning: <text> [Category]`` (no source line)."""
    _say(f"warning: {message} [{category.__name__}]")


def _say(message: str) -> None:
    try:
        print(f"nmda-toolkit: {message}", file=sys.stderr)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (see the module docstring)."""
    from ..errors import ToolkitError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    old_term = None
    try:
        old_term = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave SIGTERM alone
        pass
    old_show = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except ToolkitError as exc:
        _say(f"error: {exc}")
        return EXIT_ERROR
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _say("interrupted (no partial output was kept)")
        return EXIT_INTERRUPTED
    except Terminated:
        _say("terminated (no partial output was kept)")
        return EXIT_TERMINATED
    except MemoryError:
        _say("error: out of memory")
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line, the traceback on request
        if os.environ.get("NMDA_TOOLKIT_DEBUG"):
            raise
        _say(
            f"internal error: {type(exc).__name__}: {str(exc)[:300]} "
            "(set NMDA_TOOLKIT_DEBUG=1 for the traceback, and please report it)"
        )
        return EXIT_INTERNAL
    finally:
        warnings.showwarning = old_show
        if old_term is not None:
            try:
                signal.signal(signal.SIGTERM, old_term)
            except ValueError:
                pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
