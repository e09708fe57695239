"""``neurodyn run MODEL``: simulate one network, store its frames and figure, print a summary.

``MODEL`` is a built-in name, a model registered by an installed package, ``FILE.py:FUNCTION``
or ``package.module:FUNCTION`` (:func:`neurodyn.registry.load_model`);
``neurodyn run MODEL --help`` lists that model's parameters.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from neurodyn.analysis.summary import check_summary_window
from neurodyn.cli.options import add_gpu_options, parse_assignments, parse_duration, parse_indices, parse_time
from neurodyn.errors import NeurodynError
from neurodyn.models import MODELS
from neurodyn.parameters import check_transient
from neurodyn.registry import load_model
from neurodyn.simulation import simulate
from neurodyn.storage import check_replaceable
from neurodyn.targets import TARGETS


def register(subparsers) -> None:
    epilog = "\n\n".join(f"parameters of {name}:\n{cls.parameters.describe()}" for name, cls in MODELS.items())
    parser = subparsers.add_parser(
        "run", help="simulate one network", epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
        description="Simulate one network and write spikes.parquet, population_rate.parquet, "
                    "summary.parquet (and voltage.parquet, state_*.parquet) plus figure.png into --out, as a "
                    "whole: a previous result there is replaced entirely; a non-empty directory holding no "
                    "result is refused. MODEL is a built-in name, FILE.py:FUNCTION or package.module:FUNCTION; "
                    "`neurodyn run MODEL --help` lists its parameters.")
    parser.add_argument("-h", "--help", action="store_true", help="show this help (and MODEL's parameters)")
    parser.add_argument("model", nargs="?", help="model: a name, FILE.py:FUNCTION or package.module:FUNCTION")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter, e.g. --set g=5 --set tau_d=2ms (repeatable)")
    parser.add_argument("--duration", default="2s", help="biological time, e.g. 5s (default 2s)")
    parser.add_argument("--transient", default=None,
                        help="initial time left out of the summary (default: a fifth of the duration)")
    parser.add_argument("--target", default="cython", choices=TARGETS, help="where to run (default cython)")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads for cpp_standalone")
    add_gpu_options(parser)  # --target genn: GPU or CPU-only (default: GPU if CUDA_PATH is set)
    parser.add_argument("--record-v", default="", metavar="I,J,...", help="neurons whose voltage v is recorded")
    parser.add_argument("--record", dest="records", action="append", default=[], metavar="VAR=I,J,...",
                        help="record a state variable, e.g. --record V=0,1 or --record exc.ge=0 (repeatable)")
    parser.add_argument("--out", default=None, help="output directory (default results/MODEL)")
    parser.add_argument("--no-plot", action="store_true", help="skip figure.png")
    parser.add_argument("--quiet", action="store_true", help="no progress report")
    parser.set_defaults(handler=handle, parser=parser)


def handle(args) -> int:
    if args.model is None and not args.help:
        raise NeurodynError("give a model: a name, FILE.py:FUNCTION or package.module:FUNCTION (see --help)")
    if args.help:
        print(args.parser.format_help())
        if args.model is not None:
            model_class = load_model(args.model)
            print(f"parameters of {model_class.name}:\n{model_class.parameters.describe()}")
        return 0
    model_class = load_model(args.model)
    model = model_class(**parse_assignments(args.assignments))
    duration = parse_duration(args.duration, "--duration")
    transient = check_transient(parse_time(args.transient, "--transient") if args.transient else duration / 5, duration)
    check_summary_window(duration, transient)
    out = check_replaceable(args.out or Path("results") / model_class.name, overwrite=True)
    record = {}
    for text in args.records:
        variable, sep, indices = text.partition("=")
        if not sep or not variable.strip():
            raise NeurodynError(f"--record expects VAR=I,J,..., got {text!r}")
        record[variable.strip()] = parse_indices(indices)
    result = simulate(model, duration, target=args.target, threads=args.threads, use_gpu=args.use_gpu,
                      record_v=parse_indices(args.record_v), record=record, progress=not args.quiet)
    figure = None
    if not args.no_plot:
        from neurodyn.plotting import plot_raster_and_rate

        figure = plot_raster_and_rate(result)
    result.save(out, t_start=float(transient), overwrite=True, figure=figure)
    summary = result.summary(t_start=float(transient))
    for _, row in summary.iterrows():
        where = f" [{row.population}]" if "population" in summary.columns else ""
        print(f"{model_class.name}{where} on {args.target}: n_active_frac={row.n_active_frac:.3f} "
              f"mean_rate_hz={row.mean_rate_hz:.2f} chi_spikes={row.chi_spikes:.3f} "
              f"peak_freq_hz={row.peak_freq_hz:.1f}")
    print(f"spikes={len(result.spike_t)} run_s={result.timings['run_s']:.2f} -> {out}")
    if hasattr(model, "theory_observables"):
        shown = " ".join(f"{name}={value:.3f}" for name, value in model.theory_observables().items())
        print(f"{getattr(model, 'theory_label', 'theory')}: {shown}")
    return 0
