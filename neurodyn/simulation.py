"""Running a model on a target and collecting a :class:`SimulationResult`.

A model (:class:`neurodyn.Model`, e.g. a function decorated with :func:`neurodyn.model`)
knows its parameters and builds Brian2 objects; :func:`simulate` chooses the device, builds,
checks what is to be recorded, runs, and reads the monitors back into NumPy, the same way for
every model and target.
"""
from __future__ import annotations

import time
import warnings
from typing import Mapping, Sequence

import numpy as np
from brian2 import (DimensionMismatchError, PoissonGroup, PoissonInput, Quantity, StateMonitor, defaultclock,
                    get_device, second)
from brian2.core.base import BrianObjectException
from brian2.utils.stringtools import get_identifiers

from neurodyn.errors import ModelDefinitionError, ParameterError, TargetError
from neurodyn.model import BuiltNetwork, Model, state_key
from neurodyn.parameters import check_duration, check_recorded_neurons
from neurodyn.resources import check_resources
from neurodyn.results import SimulationResult, StateTraces
from neurodyn.targets import plan_for, target_device


def simulate(model: Model, duration, target: str = "cython", *, record_v: Sequence[int] = (),
             record: Mapping[str, Sequence[int]] | None = None, build_dir=None, threads: int = 1,
             keep_build: bool = False, use_gpu: bool | None = None, progress: bool = False,
             programs=None) -> SimulationResult:
    """Build ``model``, run it for ``duration`` on ``target`` and return the result.

    Parameters
    ----------
    model
        A configured model (``InhibitoryNetwork(g=5)``, ``brunel_hakim(N=1000)``).
    duration
        Biological time, a Brian2 quantity (``2*second``).
    target
        ``"cython"`` (default), ``"numpy"``, ``"cpp_standalone"`` or ``"genn"`` (needs GeNN,
        see :mod:`neurodyn.genn`; the network is first checked by
        :func:`neurodyn.genn_compat.check_model`; Brian2GeNN cannot be seeded, so a network
        with Brian2 random numbers gets a warning).
    record_v
        Indices of neurons whose ``v`` is recorded every time step (same as ``record={"v": ...}``).
    record
        ``{variable: indices}`` of state variables to record every time step: ``"V"`` in every
        population that has it, ``"exc.ge"`` in one population. Unknown variables and indices
        raise :class:`ParameterError` before the run.
    build_dir, threads, keep_build, use_gpu
        Standalone and GeNN options, see :func:`neurodyn.targets.target_device`.
    progress
        Print Brian2's progress report (every 10 s of wall time); off by default (the command
        line's ``neurodyn run`` shows it unless ``--quiet``).
    programs
        ``cpp_standalone`` only: a :class:`neurodyn.programs.ProgramCache`; the program is then
        compiled once per network structure and rerun with this configuration's value files
        (``programs.last`` says whether this call compiled). ``build_dir``/``keep_build`` are unused.
    """
    duration = check_duration(duration, model.dt)
    wanted = {**({"v": record_v} if len(record_v) else {}), **dict(record or {})}
    model.check_record(wanted)
    with plan_for(target):  # the network's size can depend on the target (shared field, not on GeNN)
        check_resources(model, duration, sum(len(indices) for indices in wanted.values()))
    if target == "genn":
        from neurodyn.genn_compat import check_model
        from neurodyn.targets import cuda_path

        gpu = cuda_path() is not None if use_gpu is None else use_gpu
        notes = check_model(model, record=wanted, use_gpu=gpu)
        for note in notes if gpu else ():  # CPU-only GeNN runs are checked against the runtime; GPU runs are not
            warnings.warn(f"GeNN on GPU: {note}", stacklevel=2)
    if programs is not None and target != "cpp_standalone":
        raise TargetError(f"programs (compile once, rerun with value files) needs target 'cpp_standalone', "
                          f"got {target!r}")
    with target_device(target, model.dt, build_dir=build_dir, threads=threads, keep_build=keep_build,
                       use_gpu=use_gpu, value_files=programs is not None) as session:
        started = time.perf_counter()
        built = model.build()
        add_state_monitors(built, wanted)
        if not built.seeded and uses_brian2_random_numbers(built):
            warnings.warn(f"{model.name} on {target}: Brian2GeNN cannot seed Brian2's random numbers (noise, "
                          f"PoissonInput, rand(), connect(p=...)); they differ from run to run", stacklevel=2)
        built_at = time.perf_counter()
        try:
            built.run(duration, report="text" if progress else None, report_period=10 * second)
            if programs is not None:
                programs.run(get_device())
        except BrianObjectException as error:
            raise unit_error(model, error) or error
        finished = time.perf_counter()
        result = read_result(model, built, duration, target)
        # Standalone: run() also generated and compiled; the C++ loop time is reported apart.
        run_s = session.last_run_seconds() or (finished - built_at)
        result.timings = {"build_s": built_at - started, "run_call_s": finished - built_at, "run_s": run_s}
    return result


def unit_error(model: Model, error: Exception, code: str = "") -> ModelDefinitionError | None:
    """A :class:`ModelDefinitionError` naming the unitless parameters of ``model`` that appear in a
    Brian2 unit error or in the ``code`` that raised it (``tau=10`` where the equations need
    ``tau=10*ms``), or ``None``."""
    cause = error if isinstance(error, DimensionMismatchError) else error.__cause__
    if not isinstance(cause, DimensionMismatchError):
        return None
    text = str(cause)
    unitless = [p.name for p in model.parameters if p.unit is None and p.kind is not str and p.name != "seed"
                and p.name in get_identifiers(text + "\n" + code)]
    hint = (f"parameter(s) {', '.join(unitless)} have no unit; give their defaults one (e.g. {unitless[0]}=10*ms)"
            if unitless else "check the units of the parameters and constants used")
    return ModelDefinitionError(f"model {model.name}: {hint}: {text}")


def add_state_monitors(built: BuiltNetwork, wanted: Mapping[str, Sequence[int]]) -> None:
    """Add one StateMonitor per population for the variables in ``wanted`` (see :func:`simulate`);
    raise :class:`ParameterError` for a variable no population has, or indices out of range."""
    requests = {}
    for key, indices in wanted.items():
        population, _, variable = key.rpartition(".")
        if population and population not in built.populations:
            raise ParameterError(f"record {key!r}: no population {population!r}; populations: "
                                 f"{', '.join(built.populations)}")
        groups = [population] if population else list(built.populations)
        having = [name for name in groups if variable in built.populations[name].variables
                  and not variable.startswith("_") and variable not in ("t", "dt", "N", "i")]
        if not having:
            known = sorted({name for group in built.populations.values() for name in group.equations.names})
            raise ParameterError(f"cannot record {key!r}: no such state variable in "
                                 f"{population or 'any population'} (variables: {', '.join(known)})")
        for name in having:
            group = built.populations[name]
            where = f"record {key!r}" + (f" in {name}" if len(built.populations) > 1 else "")
            try:
                neurons = check_recorded_neurons(indices, len(group))
            except ParameterError as error:
                raise ParameterError(f"{where}: {error}") from None
            requests.setdefault(name, {})[variable] = neurons
    for name, variables in requests.items():
        for variable, neurons in variables.items():
            monitor = StateMonitor(built.populations[name], variable, record=neurons)
            built.network.add(monitor)
            built.states[state_key(name, variable, built.populations)] = (name, variable, monitor)


def uses_brian2_random_numbers(built: BuiltNetwork) -> bool:
    """Whether the network draws Brian2 random numbers that neurodyn can see: Poisson inputs or
    groups, noise (``xi``) or ``rand()``/``randn()`` in equations and statements."""
    from neurodyn.genn_compat import all_objects

    for obj in all_objects(built.network):
        if isinstance(obj, (PoissonInput, PoissonGroup)):
            return True
        texts = [str(getattr(obj, "abstract_code", "") or "")]
        texts += [str(eq) for eq in getattr(getattr(obj, "equations", None), "values", lambda: [])()]
        if any(word in text for text in texts for word in ("rand(", "randn(", "xi")):
            return True
    return False


def read_result(model: Model, built: BuiltNetwork, duration, target: str) -> SimulationResult:
    """The monitors of a run ``built`` network as a :class:`SimulationResult` (spike indices over
    the whole network, population after population)."""
    sizes = [(name, len(group)) for name, group in built.populations.items()]
    offsets = np.cumsum([0] + [size for _, size in sizes])
    spike_i, spike_t, values = [np.zeros(0, np.int64)], [np.zeros(0)], {}
    monitors = list(built.spikes.values())
    shared = set.intersection(*(set(m.record_variables) - {"i", "t"} for m in monitors)) if monitors else set()
    for offset, population in zip(offsets, built.populations):
        monitor = built.spikes.get(population)
        if monitor is None:
            continue
        spike_i.append(np.asarray(monitor.i[:], dtype=np.int64) + offset)
        spike_t.append(np.asarray(monitor.t_[:], dtype=float))
        for name in shared:
            values.setdefault(name, []).append(np.asarray(getattr(monitor, name)[:]))
    states = {}
    for key, (population, variable, monitor) in built.states.items():
        indices = monitor.record if not isinstance(monitor.record, bool) else np.arange(len(monitor.source))
        states[key] = StateTraces(t=np.asarray(monitor.t_[:]), neurons=np.asarray(indices, dtype=np.int64),
                                  values=np.asarray(getattr(monitor, variable + "_")), variable=variable)
    return SimulationResult(model=model.name, params=model.record, n_neurons=int(offsets[-1]), t_stop=float(duration),
                            dt=float(defaultclock.dt), spike_i=np.concatenate(spike_i), spike_t=np.concatenate(spike_t),
                            target=target, spike_values={name: np.concatenate(parts) for name, parts in values.items()},
                            states=states, populations=tuple(sizes) if len(sizes) > 1 else ())
