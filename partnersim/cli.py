"""``partnersim``: the command line.

Each sub-command lives in ``partnersim/commands/<name>.py`` with ``register(subparsers)``, which
adds its parser and sets ``func`` (a callable taking the parsed namespace and returning an exit code).
Exit codes: 0 success, 1 the checked thing failed (violations, failed scenarios), 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from contracts.errors import HarnessError

COMMANDS = ("up", "verify", "bif", "run", "fault", "record", "replay", "scenario", "contracts")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; keep that, say it plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"partnersim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="partnersim", description="Sandbox and contract-test harness for bill-pay partners.")
    parser.add_argument("--version", action="version", version=f"partnersim {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"partnersim.commands.{name}").register(sub)
    return parser


def _version() -> str:
    from partnersim import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except HarnessError as exc:
        print(f"partnersim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``partnersim verify | head``): not an error of ours
        sys.stderr.close()
        return EXIT_OK
