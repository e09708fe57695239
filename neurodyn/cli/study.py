"""``neurodyn study studies/NAME.py [options]``: run a study script (its own options follow)."""
from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from neurodyn.errors import NeurodynError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "study", help="run a parameter-study script", add_help=False,
        description="Run a study script as `python SCRIPT ...` would; see `neurodyn study SCRIPT --help`.")
    parser.add_argument("-h", "--help", action="store_true", help="show this help (a script's own: SCRIPT --help)")
    parser.add_argument("script", nargs="?", help="study script, e.g. studies/wta_global.py")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="the script's options (--quick, --out, ...)")
    parser.set_defaults(handler=handle, parser=parser)


def handle(args) -> int:
    if args.script is None:
        if not args.help:
            raise NeurodynError("give a study script, e.g. neurodyn study studies/wta_global.py --quick (see --help)")
        print(args.parser.format_help())
        return 0
    script = Path(args.script)
    if not script.is_file():
        raise NeurodynError(f"no study script at {script}")
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [str(script), *args.options]
    sys.path.insert(0, str(script.parent.resolve()))  # as `python SCRIPT` does
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0
