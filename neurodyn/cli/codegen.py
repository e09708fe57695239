"""``neurodyn codegen MODEL --target genn --out DIR``: write a GeNN project to build elsewhere."""
from __future__ import annotations

from neurodyn.cli.options import add_gpu_options, parse_assignments, parse_indices, parse_time
from neurodyn.models import MODELS

CODEGEN_TARGETS = ("genn",)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "codegen", help="generate a GeNN project (build and run it where GeNN is installed)",
        description="Check MODEL against what Brian2GeNN supports and write its GeNN project into --out: "
                    "generated sources, params.json and BUILD.md (how to compile and run it with GeNN 4.x, "
                    "then load the results with neurodyn.genn.load_result). GeNN is not needed here; "
                    "the project is prepared for the GPU unless --cpu-only is given.")
    parser.add_argument("model", choices=sorted(MODELS), help="model name (see `neurodyn run --help`)")
    parser.add_argument("--target", default="genn", choices=CODEGEN_TARGETS, help="code-generation target")
    parser.add_argument("--out", required=True, help="directory for the project (created)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter, e.g. --set g=5 --set tau_d=2ms (repeatable)")
    parser.add_argument("--duration", default="2s", help="biological time, e.g. 5s (default 2s)")
    parser.add_argument("--record-v", default="", metavar="I,J,...", help="neurons whose voltage is recorded")
    add_gpu_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    from neurodyn.genn import BUILD_FILE, generate

    model = MODELS[args.model](**parse_assignments(args.assignments))
    duration = parse_time(args.duration, "--duration")
    use_gpu = True if args.use_gpu is None else args.use_gpu
    out = generate(model, duration, args.out, use_gpu=use_gpu, record_v=parse_indices(args.record_v))
    print(f"{args.model}: GeNN project for {'GPU' if use_gpu else 'CPU-only'} in {out}; see {out / BUILD_FILE}")
    return 0
