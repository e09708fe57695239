"""Command line shared by every study script.

``python studies/NAME.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]``
(or ``neurodyn study studies/NAME.py ...``): run the full or quick study, store the points,
write ``OUT/NAME.parquet`` (all rows) and the script's figures, print the table; with
``--from-genn DIR``, collect the points from GeNN projects built elsewhere instead. Mistakes
end with a one-line message and exit status 2; Ctrl-C (SIGINT) or SIGTERM stores the finished
points, prints how to resume (run the same command again) and exits with 130 or 143.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

import matplotlib

from neurodyn.errors import NeurodynError
from neurodyn.studies.store import write_parquet_atomically
from neurodyn.studies.study import Study, StudyInterrupted
from neurodyn.targets import TARGETS

#: ``plot(frame, study, out) -> [paths]``: a study script's figure writer.
PlotFunction = Callable[["object", Study, Path], list]


def build_parser(study: Study, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=Path(sys.argv[0]).name, description=description)
    parser.add_argument("--quick", action="store_true", help="the small version of the study (minutes, for a check)")
    parser.add_argument("--out", default=None, help=f"output directory (default results/{study.name}[_quick])")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                       help="local worker processes (default: min(2, CPU cores))")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="run on a running Dask cluster, e.g. tcp://host:8786")
    parser.add_argument("--target", default=None, choices=TARGETS, help=f"where points run (default {study.target})")
    parser.add_argument("--seed", type=int, default=None, help=f"study seed (default {study.seed})")
    parser.add_argument("--from-genn", default=None, metavar="DIR",
                        help="do not simulate: collect the results of this study's GeNN projects built in DIR "
                             "(made by `neurodyn codegen SCRIPT --out DIR`)")
    parser.add_argument("--no-plot", action="store_true", help="skip the figures")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(study: Study, quick: Study, plot: PlotFunction | None = None, argv: list[str] | None = None,
         description: str | None = None) -> int:
    """Parse the command line, run ``study`` (or ``quick``), store the table, draw figures."""
    parser = build_parser(study, description or study.name)
    args = parser.parse_args(argv)
    chosen = quick if args.quick else study
    changes = {key: value for key, value in (("target", args.target), ("seed", args.seed)) if value is not None}
    chosen = chosen.replace(**changes)
    out = Path(args.out or Path("results") / (study.name + ("_quick" if args.quick else "")))
    matplotlib.use("Agg")
    try:
        if args.from_genn:
            from neurodyn.studies.genn_projects import collect_results

            frame = collect_results(chosen, args.from_genn, out, progress=not args.no_progress)
            print(chosen.table(frame))
        else:
            frame = chosen.run(out, workers=args.workers, scheduler=args.scheduler, progress=not args.no_progress)
    except StudyInterrupted as interrupted:
        print(f"{parser.prog}: {interrupted}", file=sys.stderr)
        return interrupted.exit_code
    except NeurodynError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    table_path = out / f"{study.name}.parquet"
    write_parquet_atomically(frame, table_path)
    written = [table_path]
    if plot is not None and not args.no_plot:
        written += plot(frame, chosen, out)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0
