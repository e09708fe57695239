"""The ``neurodyn`` command line: one module per sub-command.

User mistakes (unknown parameter, wrong unit, ...) end the program with a one-line
message and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from neurodyn.cli import codegen, convert, run, study
from neurodyn.errors import NeurodynError

SUBCOMMANDS = (run, study, codegen, convert)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurodyn", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except NeurodynError as error:
        print(f"neurodyn: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
