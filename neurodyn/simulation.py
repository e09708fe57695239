"""Running a network model on a target and collecting a :class:`SimulationResult`.

A network model (:class:`NetworkModel`) knows its parameters and builds Brian2 objects;
:func:`simulate` chooses the device, runs, and reads the monitors back into NumPy, the
same way for every model and target.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from brian2 import Network, NeuronGroup, Quantity, SpikeMonitor, StateMonitor, second

from neurodyn.errors import ParameterError
from neurodyn.parameters import ParameterSpec, check_duration
from neurodyn.resources import check_resources
from neurodyn.results import SimulationResult, VoltageTraces
from neurodyn.targets import target_device


@dataclass
class BuiltNetwork:
    """The Brian2 objects of one model instance, with the monitors :func:`simulate` reads."""

    network: Network
    neurons: NeuronGroup
    spikes: SpikeMonitor
    voltage: StateMonitor | None = None


class NetworkModel:
    """Base class of network models: resolved parameters plus a Brian2 builder.

    Subclasses set ``name`` and ``parameters`` and implement :meth:`build`; they may
    override :meth:`validate` for checks that involve several parameters.
    """

    name: str = ""
    parameters: ParameterSpec

    def __init__(self, **overrides):
        self.values = self.parameters.resolve(overrides)
        self.validate()

    def validate(self) -> None:
        """Cross-parameter checks; raise :class:`ParameterError`."""

    @property
    def record(self) -> dict:
        """Parameters as a flat record with unit-carrying names."""
        return self.parameters.to_record(self.values)

    @property
    def n_neurons(self) -> int:
        return int(self.values["N"])

    @property
    def dt(self) -> Quantity:
        return self.values["dt"]

    def build(self, record_v: Sequence[int] = ()) -> BuiltNetwork:
        raise NotImplementedError

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.record.items())
        return f"{type(self).__name__}({shown})"


def check_recorded_neurons(record_v: Sequence[int], n_neurons: int) -> np.ndarray:
    """``record_v`` as an int64 array in the order given (the order of the voltage traces);
    non-integer, out-of-range and repeated indices raise :class:`ParameterError`."""
    given = np.asarray(record_v).ravel()
    if given.size and not (np.issubdtype(given.dtype, np.integer) or
                           (np.issubdtype(given.dtype, np.floating) and np.all(np.mod(given, 1) == 0))):
        raise ParameterError(f"record_v must list whole neuron indices, got {np.asarray(record_v).tolist()}")
    indices = given.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= n_neurons):
        raise ParameterError(f"record_v indices must lie in [0, {n_neurons - 1}], got {indices.tolist()}")
    values, counts = np.unique(indices, return_counts=True)
    if np.any(counts > 1):
        raise ParameterError(f"record_v lists neuron(s) {values[counts > 1].tolist()} more than once")
    return indices


def simulate(model: NetworkModel, duration, target: str = "cython", *, record_v: Sequence[int] = (),
             build_dir=None, threads: int = 1, keep_build: bool = False, use_gpu: bool | None = None,
             progress: bool = True) -> SimulationResult:
    """Build ``model``, run it for ``duration`` on ``target`` and return the result.

    Parameters
    ----------
    model
        A :class:`NetworkModel` instance (e.g. :class:`neurodyn.InhibitoryNetwork`).
    duration
        Biological time, a Brian2 quantity (``2*second``).
    target
        ``"cython"`` (default), ``"numpy"``, ``"cpp_standalone"`` or ``"genn"`` (needs GeNN,
        see :mod:`neurodyn.genn`; the network is first checked by
        :func:`neurodyn.genn_compat.check_model`).
    record_v
        Indices of neurons whose membrane potential is recorded every time step.
    build_dir, threads, keep_build, use_gpu
        Standalone and GeNN options, see :func:`neurodyn.targets.target_device`.
    progress
        Print Brian2's progress report (every 10 s of wall time).
    """
    duration = check_duration(duration, model.dt)
    record_v = check_recorded_neurons(record_v, model.n_neurons)
    check_resources(model, duration, record_v)
    if target == "genn":
        from neurodyn.genn_compat import check_model
        from neurodyn.targets import cuda_path

        gpu = cuda_path() is not None if use_gpu is None else use_gpu
        notes = check_model(model, record_v, use_gpu=gpu)
        for note in notes if gpu else ():  # CPU-only GeNN runs are checked against the runtime; GPU runs are not
            warnings.warn(f"GeNN on GPU: {note}", stacklevel=2)
    with target_device(target, model.dt, build_dir=build_dir, threads=threads, keep_build=keep_build,
                       use_gpu=use_gpu) as session:
        started = time.perf_counter()
        built = model.build(record_v=record_v)
        built_at = time.perf_counter()
        built.network.run(duration, report="text" if progress else None, report_period=10 * second)
        finished = time.perf_counter()
        spike_i = np.asarray(built.spikes.i[:], dtype=np.int64)
        spike_t = np.asarray(built.spikes.t_[:], dtype=float)
        spike_values = {name: np.asarray(getattr(built.spikes, name)[:])
                        for name in built.spikes.record_variables if name not in ("i", "t")}
        voltage = None
        if built.voltage is not None:
            voltage = VoltageTraces(t=np.asarray(built.voltage.t_[:]), neurons=record_v,
                                    v=np.asarray(built.voltage.v[:]))
        # Standalone: run() also generated and compiled; the C++ loop time is reported apart.
        run_s = session.last_run_seconds() or (finished - built_at)
        timings = {"build_s": built_at - started, "run_call_s": finished - built_at, "run_s": run_s}
    return SimulationResult(model=model.name, params=model.record, n_neurons=model.n_neurons,
                            t_stop=float(duration), dt=float(model.dt), spike_i=spike_i, spike_t=spike_t,
                            voltage=voltage, target=target, timings=timings, spike_values=spike_values)
