"""``neurodyn run MODEL``: simulate one network, store its frames and figure, print a summary."""
from __future__ import annotations

import argparse
from pathlib import Path

from neurodyn.cli.options import add_gpu_options, parse_assignments, parse_duration, parse_indices, parse_time
from neurodyn.models import MODELS
from neurodyn.parameters import check_transient
from neurodyn.simulation import simulate
from neurodyn.storage import check_replaceable
from neurodyn.targets import TARGETS


def register(subparsers) -> None:
    epilog = "\n\n".join(f"parameters of {name}:\n{cls.parameters.describe()}" for name, cls in MODELS.items())
    parser = subparsers.add_parser(
        "run", help="simulate one network", epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Simulate one network and write spikes.parquet, population_rate.parquet, "
                    "summary.parquet (and voltage.parquet) plus figure.png into --out, as a whole: a previous "
                    "result there is replaced entirely; a non-empty directory holding no result is refused.")
    parser.add_argument("model", choices=sorted(MODELS), help="model name")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter, e.g. --set g=5 --set tau_d=2ms (repeatable)")
    parser.add_argument("--duration", default="2s", help="biological time, e.g. 5s (default 2s)")
    parser.add_argument("--transient", default=None,
                        help="initial time left out of the summary (default: a fifth of the duration)")
    parser.add_argument("--target", default="cython", choices=TARGETS, help="where to run (default cython)")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads for cpp_standalone")
    add_gpu_options(parser)  # --target genn: GPU or CPU-only (default: GPU if CUDA_PATH is set)
    parser.add_argument("--record-v", default="", metavar="I,J,...", help="neurons whose voltage is recorded")
    parser.add_argument("--out", default=None, help="output directory (default results/MODEL)")
    parser.add_argument("--no-plot", action="store_true", help="skip figure.png")
    parser.add_argument("--quiet", action="store_true", help="no progress report")
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    model = MODELS[args.model](**parse_assignments(args.assignments))
    duration = parse_duration(args.duration, "--duration")
    transient = check_transient(parse_time(args.transient, "--transient") if args.transient else duration / 5, duration)
    out = check_replaceable(args.out or Path("results") / args.model, overwrite=True)
    result = simulate(model, duration, target=args.target, threads=args.threads, use_gpu=args.use_gpu,
                      record_v=parse_indices(args.record_v), progress=not args.quiet)
    figure = None
    if not args.no_plot:
        from neurodyn.plotting import plot_raster_and_rate

        figure = plot_raster_and_rate(result)
    result.save(out, t_start=float(transient), overwrite=True, figure=figure)
    row = result.summary(t_start=float(transient)).iloc[0]
    print(f"{args.model} on {args.target}: n_active_frac={row.n_active_frac:.3f} "
          f"mean_rate_hz={row.mean_rate_hz:.2f} chi_spikes={row.chi_spikes:.3f} "
          f"peak_freq_hz={row.peak_freq_hz:.1f} spikes={len(result.spike_t)} "
          f"run_s={result.timings['run_s']:.2f} -> {out}")
    if hasattr(model, "theory"):
        theory = model.theory()
        print(f"mean-field theory (valid in the asynchronous state): n_active_frac={theory.n_active_frac:.3f} "
              f"mean_rate_hz={theory.rate_hz(model.values['tau_m']):.2f}")
    return 0
