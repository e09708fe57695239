"""A study as GeNN projects: generate one per grid point here, build them where GeNN is, load back.

``neurodyn codegen studies/NAME.py --out DIR [--quick] [--gpu | --cpu-only]`` calls
:func:`generate_projects`, which writes, for every point of the study (validated first, like
:meth:`~neurodyn.studies.Study.run`)::

    DIR/<key>/        the point's GeNN project (neurodyn.genn.generate: sources, params.json, BUILD.md)
    DIR/points.csv    project key, point key and parameters (with seed) of every point
    DIR/build_all.sh  compiles and runs every project that has no results yet (needs GENN_PATH)
    DIR/BUILD.md      these steps

``<key>`` is the point's simulation key for target ``genn``
(:meth:`~neurodyn.studies.Study.simulation_key`: adding an analysis reuses the projects). After the projects ran,
``python studies/NAME.py [--quick] --from-genn DIR`` calls :func:`collect_results`: every
point's result is read back (:func:`neurodyn.genn.load_result`), summarised exactly as a point
run by the engine (:func:`neurodyn.studies.execute.analyse_point`) and stored in the study's
output directory, so the table and figures are made as for any other target. Points whose
project has not run yet are reported and left out; rerunning collects them later.
"""
from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from neurodyn.errors import TargetError
from neurodyn.genn import BUILD_FILE, build_shell, generate, has_run, load_result
from neurodyn.studies.execute import analyse_point
from neurodyn.studies.store import PointStore
from neurodyn.studies.study import Study

MANIFEST_FILE = "points.csv"
BUILD_ALL_FILE = "build_all.sh"


def generate_projects(study: Study, out_dir, *, use_gpu: bool = True, progress: bool = True) -> Path:
    """Write one GeNN project per point of ``study`` (run with target ``genn``) under ``out_dir``.

    Points whose project directory already holds a ``params.json`` are skipped, so an
    interrupted generation resumes. Returns ``out_dir``.
    """
    study = study.replace(target="genn")
    tasks = study.tasks()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for task in tqdm(tasks, desc=f"{study.name}: GeNN projects", unit="point", disable=not progress,
                     file=sys.stderr):
        project = out_dir / task.simulation_key
        if not (project / "params.json").is_file():
            generate(task.model_class(**task.overrides), study.duration, project, use_gpu=use_gpu)
    manifest = pd.DataFrame([{"project": task.simulation_key, "point_key": task.key, **task.record} for task in tasks])
    manifest.to_csv(out_dir / MANIFEST_FILE, index=False)
    (out_dir / BUILD_ALL_FILE).write_text(_build_all_script(use_gpu, float(study.duration)))
    (out_dir / BUILD_FILE).write_text(_build_instructions(study, out_dir, use_gpu, len(tasks)))
    return out_dir


def collect_results(study: Study, projects_dir, out, *, progress: bool = True) -> pd.DataFrame:
    """Store the results of the built projects under ``projects_dir`` as the study's points in ``out``.

    Returns the rows of the points collected (now or earlier); raises
    :class:`~neurodyn.errors.TargetError` when ``projects_dir`` holds no project of this study, or
    when none of its projects has run yet and no point was collected before (nothing to tabulate).
    """
    study = study.replace(target="genn")
    tasks = study.tasks()
    projects_dir = Path(projects_dir)
    present = [task for task in tasks if (projects_dir / task.simulation_key / "params.json").is_file()]
    if not present:
        raise TargetError(f"{projects_dir} holds no GeNN project of study {study.name!r} with these settings; "
                          f"generate them with `neurodyn codegen <study script> --out {projects_dir}` "
                          f"(and the same --quick choice)")
    store = PointStore(out)
    done = store.finished(task.key for task in tasks)
    if not done and not any(has_run(projects_dir / task.simulation_key) for task in present):
        raise TargetError(f"none of the {len(present)} GeNN project(s) in {projects_dir} has run yet: "
                          f"run `bash {projects_dir / BUILD_ALL_FILE}` (needs GENN_PATH) and collect again")
    missing = []
    for task in tqdm(present, desc=f"{study.name}: collect", unit="point", disable=not progress, file=sys.stderr):
        if task.key in done:
            continue
        started = time.perf_counter()
        try:
            result = load_result(projects_dir / task.simulation_key)
        except TargetError:
            missing.append(task.key)
            continue
        outcome = analyse_point(task, result, started)
        store.write(outcome.key, outcome.row, outcome.spikes)
    if missing or len(present) < len(tasks):
        print(f"{study.name}: {len(missing)} project(s) not run yet, {len(tasks) - len(present)} not generated; "
              f"run {projects_dir / BUILD_ALL_FILE} and collect again", file=sys.stderr)
    return store.read(task.key for task in tasks)


def _build_all_script(use_gpu: bool, duration_s: float) -> str:
    steps = build_shell(use_gpu, duration_s)
    return f"""#!/usr/bin/env bash
# Compile and run every GeNN project of this study that has no results yet (GENN_PATH must be set).
set -euo pipefail
: "${{GENN_PATH:?set GENN_PATH to a GeNN 4.x installation}}"
cd "$(dirname "$0")"
for project in */; do
    [ -f "$project/params.json" ] || continue
    [ -f "$project/results/last_run_info.txt" ] && continue
    echo "== $project"
    (cd "$project" && bash -euc {shlex.quote(steps)})
done
"""


def _build_instructions(study: Study, out_dir: Path, use_gpu: bool, n_points: int) -> str:
    backend = "CUDA (GPU)" if use_gpu else "GeNN's CPU-only backend"
    return f"""# GeNN projects of study `{study.name}`

{n_points} points, one Brian2GeNN project each (`<project key>/`, parameters in `{MANIFEST_FILE}`),
prepared for {backend}; every project's own `BUILD.md` gives its single-point commands.

1. On the machine with GeNN 4.x (see the neurodyn README, section GeNN): copy this directory,
   `export GENN_PATH=/path/to/genn`{" and `CUDA_PATH`" if use_gpu else ""}, then

   ```bash
   bash {BUILD_ALL_FILE}     # compiles and runs each project not yet run; rerun after an interruption
   ```

2. Back where neurodyn and the study script are, with this directory at `{out_dir}`:

   ```bash
   python studies/<script>.py [--quick] --from-genn {out_dir} --out results/{study.name}_genn
   ```

   stores every point like a locally run study (Parquet rows, table, figures).
"""
