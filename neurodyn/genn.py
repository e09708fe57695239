"""GeNN projects: generate here, build and run where GeNN (and a GPU) is, load the results back.

:func:`generate` writes a Brian2GeNN project for one model and duration into a directory,
without needing GeNN: the generated C++ sources (``magicnetwork_model.cpp`` is the GeNN model
definition, ``main.cpp`` / ``engine.cpp`` the runner), ``params.json`` (the model, its
parameters, the duration and where the compiled program writes the recorded spikes) and
``BUILD.md`` (how to compile and run it with GeNN 4.x, CPU-only or on a GPU). After the
program has run, :func:`load_result` reads its output files into the same
:class:`~neurodyn.results.SimulationResult` that :func:`neurodyn.simulate` returns.

>>> from brian2 import second
>>> from neurodyn import InhibitoryNetwork
>>> project = generate(InhibitoryNetwork(N=1000, g=5), 2 * second, "genn_project")  # doctest: +SKIP
>>> # ... on the GPU machine, follow genn_project/BUILD.md, then:
>>> result = load_result("genn_project")                                            # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import io
import json
import shlex
import tarfile
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from brian2 import device, second

from neurodyn.errors import TargetError
from neurodyn.genn_compat import check_model
from neurodyn.model import Model
from neurodyn.parameters import check_duration
from neurodyn.paths import check_output_directory
from neurodyn.results import SimulationResult, StateTraces
from neurodyn.simulation import add_state_monitors, simulate
from neurodyn.targets import target_device

PARAMS_FILE = "params.json"
BUILD_FILE = "BUILD.md"
RUN_INFO_FILE = "results/last_run_info.txt"  # written by the compiled program when its run ends
GENN_INSTALL_URL = "https://genn-team.github.io/genn/documentation/4/html/d8/d99/Installation.html"


def generate(model: Model, duration, out_dir, *, use_gpu: bool = True,
             record_v: Sequence[int] = ()) -> Path:
    """Write the GeNN project of ``model`` run for ``duration`` into ``out_dir``; return it.

    The model is first checked (:func:`neurodyn.genn_compat.check_model`). ``use_gpu``
    chooses the GeNN backend the project is prepared for (CUDA, or GeNN's single-threaded
    CPU backend); :func:`build_commands` and ``BUILD.md`` use the same choice.
    Takes about a second for a few hundred neurons; GeNN is not needed.
    """
    duration = check_duration(duration)
    record_v = np.asarray(record_v, dtype=np.int64).ravel()
    out_dir = check_output_directory(out_dir, "GeNN project directory")
    caveats = check_model(model, record_v, use_gpu=use_gpu)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with target_device("genn", model.dt, build_dir=out_dir, use_gpu=use_gpu, generate_only=True):
        built = model.build()
        add_state_monitors(built, {"v": record_v} if len(record_v) else {})
        with contextlib.redirect_stdout(io.StringIO()):  # Brian2GeNN prints "building genn executable ..." but
            built.run(duration)                          # builds nothing here (compile=False, run=False)
        files = {"spikes": {population: {name: _file_entry(monitor.variables[name]) for name in monitor.record_variables}
                            for population, monitor in built.spikes.items()},
                 "states": {key: {name: _file_entry(monitor.variables[name]) for name in ("t", variable)}
                            for key, (_, variable, monitor) in built.states.items()}}
        populations = [[name, len(group)] for name, group in built.populations.items()]
    params = {"model": model.name, "params": model.record, "n_neurons": sum(size for _, size in populations),
              "populations": populations, "t_stop": float(duration), "dt": float(model.dt),
              "record_v": record_v.tolist(), "use_gpu": bool(use_gpu), "caveats": caveats, "result_files": files,
              "generation_s": time.perf_counter() - started,
              "versions": {name: version(name) for name in ("neurodyn", "brian2", "brian2genn")}}
    (out_dir / PARAMS_FILE).write_text(json.dumps(params, indent=2))
    (out_dir / BUILD_FILE).write_text(build_instructions(out_dir, params))
    return out_dir


def _file_entry(variable) -> dict:
    return {"file": device.get_array_filename(variable), "dtype": np.dtype(variable.dtype).str}


def build_commands(use_gpu: bool, duration_s: float) -> list[list[str]]:
    """The commands that compile and run a generated project, run inside its directory with
    ``GENN_PATH`` set (GPU builds also need ``CUDA_PATH``). Same steps as Brian2GeNN's own build:
    GeNN's ``genn-buildmodel.sh`` (``-c``: CPU-only backend) generates and compiles the model,
    ``make`` builds the runner, ``./main test DURATION`` runs it and writes ``results/``."""
    buildmodel = ["$GENN_PATH/bin/genn-buildmodel.sh"] + ([] if use_gpu else ["-c"])
    return [buildmodel + ["-i", "$PWD:$PWD/brianlib/randomkit", "magicnetwork_model.cpp"],
            ["make"],
            ["./main", "test", repr(float(duration_s))]]


def build_shell(use_gpu: bool, duration_s: float) -> str:
    """:func:`build_commands` as shell lines (``$GENN_PATH`` and ``$PWD`` left to the shell)."""
    return "\n".join(" ".join(_quote(part) for part in command) for command in build_commands(use_gpu, duration_s))


def build_instructions(project: Path, params: dict) -> str:
    """The text of ``BUILD.md`` for a generated project."""
    use_gpu = params["use_gpu"]
    shell = build_shell(use_gpu, params["t_stop"])
    record = ", ".join(f"{k}={v}" for k, v in params["params"].items())
    backend = ("CUDA (GPU); needs CUDA_PATH" if use_gpu else
               "GeNN's single-threaded CPU backend (no GPU needed)")
    caveats = "".join(f"\n- {note}" for note in params["caveats"]) or "\n- none"
    return f"""# GeNN project: {params['model']} for {params['t_stop']} s

Generated by neurodyn {params['versions']['neurodyn']} with Brian2 {params['versions']['brian2']} and
Brian2GeNN {params['versions']['brian2genn']}. Parameters: {record}.
All of them, and the files the program writes, are in `{PARAMS_FILE}`.
Backend prepared for: {backend}.
Notes from neurodyn's compatibility check (neurodyn.genn_compat):{caveats}

## 1. Install GeNN 4.x (once, on the machine that will run it)

Follow GeNN's installation instructions: {GENN_INSTALL_URL}
(GeNN 4.9.0 is what this was checked with: the release tag `4.9.0` of
https://github.com/genn-team/genn, unpacked anywhere, needs no further build step).
You need a C++ compiler and `make`; for the GPU, the CUDA toolkit.

```bash
export GENN_PATH=/path/to/genn-4.9.0
{"export CUDA_PATH=/usr/local/cuda        # GPU builds only" if use_gpu else "# CPU-only build: CUDA_PATH is not needed"}
```

## 2. Compile and run (inside this directory)

```bash
cd {_quote(str(project))}
{shell}
```

`genn-buildmodel.sh` generates and compiles GeNN's code for the model definition
`magicnetwork_model.cpp` ({"CUDA backend" if use_gpu else "`-c`: CPU-only backend"}; to switch, regenerate with
`neurodyn codegen ... {"--cpu-only" if use_gpu else "--gpu"}`), `make` builds the runner
(`main.cpp`, `engine.cpp`), and `./main test DURATION` simulates and writes the recorded
spikes to `results/` (`results/last_run_info.txt`: run time in seconds).

## 3. Load the results into neurodyn

Copy this directory back (or install neurodyn there) and:

```python
from neurodyn.genn import load_result
result = load_result({str(project)!r})
result.spikes_frame(); result.summary()
result.save("results/genn_run")   # Parquet, like `neurodyn run`
```
"""


def _quote(part: str) -> str:
    """Shell-quote ``part``; parts naming ``$VARIABLES`` are double-quoted so the shell expands them."""
    return f'"{part}"' if part.startswith("$") else shlex.quote(part)


def has_run(project) -> bool:
    """Whether the compiled program of the generated ``project`` has finished a run (wrote its run info)."""
    return (Path(project) / RUN_INFO_FILE).is_file()


def load_result(project) -> SimulationResult:
    """The :class:`SimulationResult` of a generated project after its program has run.

    Reads ``params.json`` and the monitor files it names under ``results/``.
    Raises :class:`~neurodyn.errors.TargetError` when the project or its results are missing.
    """
    project = Path(project)
    params_path = project / PARAMS_FILE
    if not params_path.is_file():
        raise TargetError(f"{project} is not a neurodyn GeNN project (no {PARAMS_FILE}); create one with "
                          f"`neurodyn codegen`")
    params = json.loads(params_path.read_text())
    run_info = project / RUN_INFO_FILE
    if not has_run(project):
        raise TargetError(f"{project} has no results yet: compile and run it first ({project / BUILD_FILE})")
    starts = dict(zip([name for name, _ in params["populations"]],
                      np.cumsum([0] + [size for _, size in params["populations"]])))
    spikes = [{name: _read(project, entry) for name, entry in entries.items()}
              for entries in params["result_files"]["spikes"].values()]
    offsets = [starts[population] for population in params["result_files"]["spikes"]]
    states = {}
    for key, entries in params["result_files"]["states"].items():
        arrays = {name: _read(project, entry) for name, entry in entries.items()}
        variable = next(name for name in arrays if name != "t")
        neurons = np.asarray(params["record_v"], dtype=np.int64)
        states[key] = StateTraces(t=arrays["t"], neurons=neurons, values=arrays[variable].reshape(-1, len(neurons)).T,
                                  variable=variable)
    run_s = float(run_info.read_text().split()[0])
    extra = set.intersection(*(set(monitor) - {"i", "t"} for monitor in spikes)) if spikes else set()
    return SimulationResult(model=params["model"], params=params["params"], n_neurons=params["n_neurons"],
                            t_stop=params["t_stop"], dt=params["dt"],
                            spike_i=np.concatenate([np.zeros(0, np.int64)] + [m["i"].astype(np.int64) + o
                                                                              for m, o in zip(spikes, offsets)]),
                            spike_t=np.concatenate([np.zeros(0)] + [m["t"].astype(float) for m in spikes]), states=states,
                            target="genn", timings={"run_s": run_s},
                            populations=[tuple(p) for p in params["populations"]] if len(starts) > 1 else (),
                            spike_values={k: np.concatenate([m[k] for m in spikes]) for k in extra})


def _read(project: Path, entry: dict) -> np.ndarray:
    path = project / entry["file"]
    if not path.is_file():
        raise TargetError(f"missing result file {path}: did the GeNN program finish?")
    return np.fromfile(path, dtype=np.dtype(entry["dtype"]))


def model_from_params(params: dict) -> Model:
    """The model a project was generated from, rebuilt from its ``params.json`` record."""
    from neurodyn.registry import load_model

    cls = load_model(params["model"])
    if params["params"].get("I_sampling") == "given":
        raise TargetError(f"{params['model']} with given excitabilities cannot be rebuilt from params.json")
    return cls(**cls.parameters.from_record(params["params"]))


def spike_comparison(genn: SimulationResult, reference: SimulationResult) -> dict:
    """Spike-for-spike comparison of two runs of one network: ``identical`` when both have the same
    (neuron, time step) pairs; ``first_difference_s`` the earliest step where they part (NaN when
    identical); spike counts and mean rates of each (the figures to report where they part)."""
    keys = [np.sort(r.spike_i.astype(np.int64) * 2**32 + np.round(r.spike_t / r.dt).astype(np.int64))
            for r in (genn, reference)]
    differing = np.setxor1d(*keys)
    first = (differing % 2**32).min() * genn.dt if len(differing) else float("nan")
    return {"identical": len(differing) == 0 and len(keys[0]) == len(keys[1]),
            "first_difference_s": float(first), "spikes_genn": len(keys[0]), "spikes_reference": len(keys[1]),
            "rate_genn_hz": len(keys[0]) / (genn.n_neurons * genn.t_stop),
            "rate_reference_hz": len(keys[1]) / (reference.n_neurons * reference.t_stop)}


def compare_bundle_results(output, target: str = "cpp_standalone") -> pd.DataFrame:
    """Load the GeNN runs of a GPU bundle and compare each with the same network run here.

    ``output`` is the folder that ``run.sh`` of ``benchmarks/gpu/make_bundle.py`` wrote (or its
    ``genn_results.tar.gz``). Each project is rebuilt from its ``params.json``, run on ``target``
    for the same duration and compared with :func:`spike_comparison`. One row per project, with
    GeNN's timings (``build_s``: genn-buildmodel + make; ``run_s``: ``./main`` wall time;
    ``loop_s``: the runner's own timer, ``std::clock``) and the reference's loop time
    ``reference_loop_s``; ``speedup`` = reference_loop_s / loop_s.
    """
    output = Path(output)
    archive = output / "genn_results.tar.gz" if output.is_dir() else output
    if not archive.is_file():
        raise TargetError(f"no GeNN results at {archive}: run the bundle's run.sh OUTDIR first")
    rows = []
    with tempfile.TemporaryDirectory(prefix="neurodyn-genn-results-") as scratch:
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        timings = pd.read_csv(Path(scratch) / "timings.tsv", sep="\t")
        for project in sorted(path.parent for path in Path(scratch).glob("*/params.json")):
            params = json.loads((project / PARAMS_FILE).read_text())
            genn = load_result(project)
            reference = simulate(model_from_params(params), params["t_stop"] * second, target=target, progress=False)
            seconds = timings[timings.project == project.name].set_index("phase").seconds
            row = {"project": project.name, "N": params["n_neurons"], "gpu": params["use_gpu"],
                   **spike_comparison(genn, reference), "build_s": seconds.get("build"), "run_s": seconds.get("run"),
                   "loop_s": seconds.get("loop"), "reference_loop_s": reference.timings["run_s"]}
            row["speedup"] = row["reference_loop_s"] / row["loop_s"]
            rows.append(row)
    if not rows:
        raise TargetError(f"{archive} holds no project results (did every build fail? see run.log)")
    return pd.DataFrame(rows)
