"""``neurodyn codegen MODEL_OR_STUDY --target genn --out DIR``: write GeNN projects to build elsewhere.

``MODEL_OR_STUDY`` is a model (one project): a built-in name, ``FILE.py:FUNCTION`` or
``package.module:FUNCTION`` (:func:`neurodyn.registry.load_model`); or a study script such as
``studies/wta_global.py`` (one project per grid point, :mod:`neurodyn.studies.genn_projects`),
run with its folder on the import path, as ``python SCRIPT`` would.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

from neurodyn.cli.options import add_gpu_options, parse_assignments, parse_indices, parse_time
from neurodyn.errors import NeurodynError
from neurodyn.models import MODELS
from neurodyn.paths import check_output_directory
from neurodyn.registry import load_model

CODEGEN_TARGETS = ("genn",)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "codegen", help="generate GeNN projects (build and run them where GeNN is installed)",
        description="Check a model (or every point of a study script) against what Brian2GeNN supports and write "
                    "its GeNN project(s) into --out: generated sources, params.json and BUILD.md (how to compile "
                    "and run with GeNN 4.x, then load the results back). GeNN is not needed here; projects are "
                    "prepared for the GPU unless --cpu-only is given.")
    parser.add_argument("model", metavar="MODEL_OR_STUDY",
                        help=f"a model ({', '.join(sorted(MODELS))}, FILE.py:FUNCTION, package.module:FUNCTION) "
                             f"or a study script, e.g. studies/wta_global.py")
    parser.add_argument("--target", default="genn", choices=CODEGEN_TARGETS, help="code-generation target")
    parser.add_argument("--out", required=True, help="directory for the project(s) (created)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                        help="model only: override a parameter, e.g. --set g=5 --set tau_d=2ms (repeatable)")
    parser.add_argument("--duration", default="2s", help="model only: biological time, e.g. 5s (default 2s)")
    parser.add_argument("--record-v", default="", metavar="I,J,...", help="model only: neurons whose voltage is recorded")
    parser.add_argument("--quick", action="store_true", help="study only: the study's quick grid")
    add_gpu_options(parser)
    parser.set_defaults(handler=handle)


def handle(args) -> int:
    check_output_directory(args.out)
    use_gpu = True if args.use_gpu is None else args.use_gpu
    if args.model.endswith(".py"):
        return _generate_study(args, use_gpu)
    from neurodyn.genn import BUILD_FILE, generate

    model = load_model(args.model)(**parse_assignments(args.assignments))
    duration = parse_time(args.duration, "--duration")
    out = generate(model, duration, args.out, use_gpu=use_gpu, record_v=parse_indices(args.record_v))
    print(f"{model.name}: GeNN project for {'GPU' if use_gpu else 'CPU-only'} in {out}; see {out / BUILD_FILE}")
    return 0


def _generate_study(args, use_gpu: bool) -> int:
    from neurodyn.genn import BUILD_FILE
    from neurodyn.studies.genn_projects import generate_projects

    script = Path(args.model)
    if not script.is_file():
        raise NeurodynError(f"no study script at {script}")
    if args.assignments or args.record_v:
        raise NeurodynError("--set and --record-v apply to a model; a study's parameters come from its grid")
    saved_path = list(sys.path)
    sys.path.insert(0, str(script.parent.resolve()))  # as `python SCRIPT` does: a model beside it imports
    try:
        namespace = runpy.run_path(str(script), run_name="neurodyn_codegen")
    except ImportError as error:
        raise NeurodynError(f"{script}: {error}") from error
    finally:
        sys.path[:] = saved_path
    name = "QUICK" if args.quick else "STUDY"
    if name not in namespace:
        raise NeurodynError(f"{script} defines no {name} study (a study script declares STUDY and QUICK)")
    study = namespace[name]
    out = generate_projects(study, args.out, use_gpu=use_gpu)
    print(f"{study.name}: {len(study.points())} GeNN projects for {'GPU' if use_gpu else 'CPU-only'} in {out}; "
          f"see {out / BUILD_FILE}")
    return 0
