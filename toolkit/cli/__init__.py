"""Command-line interface: ``nmda-toolkit <command> ...``.

The CLI only wires library functions together. Each sub-command lives in
its own module of this package and exposes ``register(subparsers)``, which
adds a parser whose ``func`` default takes the parsed arguments and returns
an exit code. Modules are discovered automatically.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .._version import __version__

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nmda-toolkit",
        description="Ketamine and NMDA receptor structures, binding sites and ligands.",
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


def main(argv: list[str] | None = None) -> int:
    from ..errors import ToolkitError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ToolkitError as exc:
        print(f"nmda-toolkit: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
