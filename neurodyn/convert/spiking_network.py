"""Build and run a :class:`~neurodyn.convert.spiking_graph.SpikingGraph` in Brian2: the one
builder of neurodyn.convert (framework readers and converted ANNs alike).

Every layer is one NeuronGroup of ``n_samples * size`` neurons (sample ``s``, unit ``u`` at
index ``s * size + u``); every projection between layers is one block-diagonal Synapses
object (:func:`neurodyn.convert.neurons.dense_synapses`). A ``"lif"`` layer's per-step update
(the graph's equations) is its state update, written ``dv/dt = (v_new - v)/dt`` for Euler, which
SymPy reduces to ``v = v_new``; ``inp`` collects the step's synaptic input and ``fired`` the
previous step's spike (set by the reset, cleared by the update). Converted ANN layers use the
neurons of :mod:`neurodyn.convert.neurons`. Projections from the input are applied in NumPy
before the run (the input is known): a current constant over time is a per-neuron constant
(in an ANN layer, part of its drive), a time-varying one a ``TimedArray``; no encoder layer,
no padding.

Same-step propagation (numpy, cython, cpp_standalone): every operation runs in Brian2's
``groups`` slot, ordered layer by layer (layer l: state update 10l, threshold 10l + 1, reset
10l + 2, per-synapse count or sign copy 10l + 3, spike monitor 10l + 4, delivery 10l + 5), so
a spike of layer l in step k reaches layer l + 1 in step k, as in snnTorch, Norse and most NIR
platforms; a recurrent projection's spikes arrive after its target's update and act in step
k + 1.

GeNN has no custom schedule: a spike delivered in step k acts in the target's update of step
k + 1. The builder compensates: layer l runs at depth ``d_l`` (one more than its deepest source;
0 for layers fed only by a constant input current), its constant drives and bias are gated
(``timestep >= d_l``: until then it keeps its initial state), 0/1 input spikes come from a
SpikeGeneratorGroup (GeNN has no TimedArray) at depth 0, the run lasts ``T + max d`` steps, and
layer l's record is read from step ``d_l`` on, so every layer's spikes equal the same-step
result. What it cannot compensate is refused with a ``TargetError`` before the build: a
projection that skips layers or runs from a deeper to a shallower layer, and real-valued
currents that vary over time.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from brian2 import Hz, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, TimedArray
from brian2 import seed as brian_seed

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.neurons import EI_LAYER_VALUES, ann_neuron_model, dense_synapses
from neurodyn.convert.spiking_graph import INPUT, SpikingGraph, SpikingLayer
from neurodyn.errors import TargetError
from neurodyn.model import NeuronModel
from neurodyn.targets import check_target, target_device

LAYOUTS = ("time_major", "batch_major")


@dataclass
class SpikingGraphRun:
    """What a spiking graph did: ``spikes[name][k, s, u]`` (step, sample, unit) of every spiking
    layer (True where it fired; for quantized layers the count n, for EI layers the sign) and,
    where recorded, the membrane after each step ``v[name][k, s, u]``."""

    graph: SpikingGraph
    spikes: dict
    v: dict
    run_seconds: float
    wall_seconds: float = float("nan")  # run_spiking_batches: this batch's whole call (build included for the first)

    @property
    def output_counts(self) -> np.ndarray:
        """Spikes of the output layer per sample and unit, ``(n_samples, size)``."""
        return self.spikes[self.graph.output.name].sum(axis=0)

    def predictions(self) -> np.ndarray:
        """Most active output unit per sample (first on ties, as ``torch.argmax``); for a
        non-spiking output layer the largest final membrane."""
        if self.graph.output.spiking:
            return np.argmax(self.output_counts, axis=1)
        return np.argmax(self.v[self.graph.output.name][-1], axis=1)

    def accuracy(self, labels) -> float:
        labels = check_labels(labels, self.predictions().shape[0], self.graph.output.size)
        return float(np.mean(self.predictions() == labels))


def check_labels(labels, n_samples: int, n_classes: int) -> np.ndarray:
    """Integer class labels in ``[0, n_classes)``, one per sample, or a :class:`ConversionError`."""
    array = np.asarray(labels)
    if array.shape != (n_samples,):
        raise ConversionError(f"labels must have one entry per sample ({n_samples}), got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise ConversionError(f"labels must be class numbers, got dtype {array.dtype}")
    if array.dtype.kind == "f" and (not np.all(np.isfinite(array)) or np.any(array != np.round(array))):
        raise ConversionError("labels contain NaN, infinite or non-integer values")
    if array.size and (array.min() < 0 or array.max() >= n_classes):
        raise ConversionError(f"labels must be in [0, {n_classes - 1}] (the output layer has {n_classes} units), "
                              f"got values from {array.min():g} to {array.max():g}")
    return array.astype(np.int64)


def check_inputs(graph: SpikingGraph, inputs, layout: str | None) -> np.ndarray:
    """``inputs`` as a finite float array ``(n_steps, n_samples, n_in)`` (time-major).

    ``layout`` must be named: ``"time_major"`` (``(T, N, ...)``, snnTorch's and Norse's
    convention) or ``"batch_major"`` (``(N, T, ...)``); the array alone cannot say which.
    """
    if layout not in LAYOUTS:
        raise ConversionError(f"layout must be named: 'time_major' (steps, samples, ...) as snnTorch and Norse "
                              f"stack inputs, or 'batch_major' (samples, steps, ...); got {layout!r}")
    array = np.asarray(inputs)
    if array.dtype.kind not in "biuf":
        raise ConversionError(f"inputs must be real numbers (spikes 0/1 or currents), got dtype {array.dtype}")
    expected = f"({'steps, samples' if layout == 'time_major' else 'samples, steps'}, " \
               f"{', '.join(map(str, graph.input_shape))})"
    if array.ndim < 3 or int(np.prod(array.shape[2:])) != graph.n_in:
        raise ConversionError(f"inputs must have shape {expected} ({layout}), got {array.shape}")
    if array.shape[2:] != graph.input_shape and array.ndim - 2 != 1:
        raise ConversionError(f"inputs must have shape {expected} ({layout}), got {array.shape}")
    if 0 in array.shape[:2]:
        raise ConversionError(f"inputs hold no {'steps' if array.shape[layout != 'time_major'] == 0 else 'samples'}:"
                              f" shape {array.shape}")
    array = array.reshape(*array.shape[:2], graph.n_in).astype(float)
    if not np.all(np.isfinite(array)):
        raise ConversionError("inputs contain NaN or infinite values")
    return array if layout == "time_major" else array.transpose(1, 0, 2)


_LIF_PARAMETERS = """bias : 1 (constant)
decay : 1 (constant)
gain : 1 (constant)
leak : 1 (constant)
input_gain : 1 (constant)
alpha : 1 (constant)
theta : 1 (constant)
v_reset : 1 (constant)
"""
_ONSET = "timestep(t, dt) >= onset"


def _lif_model(layer: SpikingLayer, stimulus: str | None, gated: bool) -> NeuronModel:
    """The ``"lif"`` layer's per-step update (module docstring of spiking_graph) as Euler
    equations ``dX/dt = (X_new - X)/dt``; ``stimulus``: ``"stim"`` (a per-neuron constant input
    current) or the name of a TimedArray; ``gated``: nothing moves before step ``onset``."""
    gate = f"int({_ONSET}) * " if gated else ""
    current = "inp + bias" + ({None: "", "stim": " + stim"}.get(stimulus, f" + {stimulus}(t, i)"))
    synaptic_new = f"alpha * syn + input_gain * ({current})"
    drive = f"({synaptic_new})" if layer.synaptic else f"input_gain * ({current})"
    step = f"leak + gain * {drive}"
    v_new = {"subtract": f"decay * v + {step} - theta * fired",
             "zero": f"decay * (1 - fired) * v + {step}",
             "zero_after": f"(1 - fired) * (decay * v + {step})"}.get(layer.reset, f"decay * v + {step}")
    lines = [f"dv/dt = {gate}({v_new} - v) / dt : 1", "dinp/dt = -inp / dt : 1", "dfired/dt = -fired / dt : 1"]
    lines.append(f"dsyn/dt = {gate}({synaptic_new} - syn) / dt : 1" if layer.synaptic else "syn : 1")
    if stimulus == "stim":
        lines.append("stim : 1 (constant)")
    if gated:
        lines.append("onset : integer (constant)")
    threshold = reset = None
    if layer.spiking:
        threshold = f"v > theta and {_ONSET}" if gated else "v > theta"
        reset = "fired = 1" + ("\nv = v_reset" if layer.reset == "to_value" else "")
    return NeuronModel("\n".join(lines) + "\n" + _LIF_PARAMETERS, threshold=threshold, reset=reset, method="euler")


@dataclass
class BuiltGraph:
    """The Brian2 objects of a graph for one batch: every object, and per layer name its spike
    monitor and (where recorded) membrane monitor; ``depths`` are the steps each layer's record
    lags behind the same-step result (all 0 except on GeNN)."""

    objects: list
    spike_monitors: dict
    state_monitors: dict
    depths: tuple[int, ...]

    @property
    def extra_steps(self) -> int:
        return max(self.depths)


def _input_kind(inputs: np.ndarray) -> str:
    """``"constant"`` (every step the same), ``"spikes"`` (0/1 values) or ``"currents"``."""
    if np.all(inputs == inputs[:1]):
        return "constant"
    return "spikes" if np.all((inputs == 0) | (inputs == 1)) else "currents"


def genn_depths(graph: SpikingGraph, input_kind: str) -> tuple[int, ...]:
    """Each layer's depth on GeNN (module docstring), or a :class:`TargetError` where the lag of
    one step per layer cannot be compensated (a projection would need a delay)."""
    if input_kind == "currents":
        raise TargetError("target 'genn' has no TimedArray: a time-varying real-valued input current cannot be "
                          "given there (0/1 spikes and currents constant over time can); run it on numpy, cython "
                          "or cpp_standalone")
    input_depth = 0 if input_kind == "spikes" else -1
    depths = []
    for index, layer in enumerate(graph.layers):
        sources = [input_depth if p.source == INPUT else depths[p.source]
                   for p in layer.projections if p.source < index]
        depths.append(max([0, *(d + 1 for d in sources)]))
    for index, layer in enumerate(graph.layers):
        for projection in layer.projections:
            if projection.source == INPUT:
                lag = depths[index] - input_depth - 1 if input_kind == "spikes" else 0
            elif projection.source < index:
                lag = depths[index] - depths[projection.source] - 1
            else:
                lag = depths[index] - depths[projection.source]
            if lag:
                source = "the input" if projection.source == INPUT else graph.layers[projection.source].name
                raise TargetError(f"target 'genn': the projection from {source} to {layer.name} would need a delay of "
                                  f"{lag} step(s) to make up for GeNN's one step of lag per layer (a projection that "
                                  f"skips layers or runs backwards); run this graph on numpy, cython or cpp_standalone")
    return tuple(depths)


def _target_variable(layer: SpikingLayer) -> str:
    return {"lif": "inp", "quantized": "x"}.get(layer.neuron, "v")


def build_graph(graph: SpikingGraph, inputs: np.ndarray, prefix: str, record_v, dt, genn: bool = False,
                timed: bool = False) -> BuiltGraph:
    """Brian2 objects of ``graph`` for time-major ``inputs`` ``(T, N, n_in)`` on a clock of step
    ``dt``; ``record_v``: True, False or the names of the layers whose membrane is recorded;
    ``genn``: build for GeNN's fixed schedule (module docstring) instead of Brian2's; ``timed``:
    every input current from a TimedArray, even a constant one (so that a standalone program can
    be rerun with other inputs, :func:`run_spiking_batches`)."""
    n_steps, n_samples, _ = inputs.shape
    kind = "currents" if timed else _input_kind(inputs)
    depths = genn_depths(graph, kind) if genn else (0,) * len(graph.layers)
    objects, spike_monitors, state_monitors, groups = [], {}, {}, []
    generator = None
    if genn and kind == "spikes":
        step, sample, unit = np.nonzero(inputs)
        generator = SpikeGeneratorGroup(inputs.shape[1] * graph.n_in, sample * graph.n_in + unit, step * dt,
                                        name=f"{prefix}input")
        objects.append(generator)
    for index, layer in enumerate(graph.layers):
        from_input = [p.weight for p in layer.projections if p.source == INPUT]
        name = f"{prefix}layer{index}"
        constant = timed = None
        if from_input and generator is None:
            if kind == "constant":
                constant = sum(inputs[0] @ weight.T for weight in from_input).ravel()  # (N * size,)
            else:
                current = sum(inputs @ weight.T for weight in from_input)  # (T, N, size)
                timed = TimedArray(current.reshape(n_steps, n_samples * layer.size), dt=dt,
                                   name=f"{prefix}stimulus{index}")  # a fixed name: compiled code is reused
        group = _layer_group(layer, n_samples, name, constant, timed, genn)
        if "onset" in group.variables:
            group.onset = depths[index]
        if layer.spiking:
            variables = {"count": ["n"], "sign": ["s"]}.get(layer.carries, [])
            spike_monitors[layer.name] = SpikeMonitor(group, variables=variables, name=f"{prefix}spikes{index}")
        if record_v is True or (record_v and layer.name in record_v):
            state_monitors[layer.name] = StateMonitor(group, "v", record=True, when="end", name=f"{prefix}v{index}")
        groups.append(group)
        objects.append(group)
    synapses = []
    for index, layer in enumerate(graph.layers):
        for number, projection in enumerate(layer.projections):
            if projection.source == INPUT:
                if generator is not None:
                    synapses.append((-1, dense_synapses(generator, groups[index], projection.weight, n_samples, "spike",
                                                        _target_variable(layer), f"{prefix}synapses{index}_{number}")))
                continue
            source = graph.layers[projection.source]
            if not source.spiking:
                raise ConversionError(f"{layer.name}: receives from the non-spiking layer {source.name}, which "
                                      f"sends nothing")
            if not np.any(projection.weight):
                continue
            synapses.append((projection.source, dense_synapses(groups[projection.source], groups[index],
                                                               projection.weight, n_samples, source.carries,
                                                               _target_variable(layer),
                                                               f"{prefix}synapses{index}_{number}")))
    objects += [s for _, s in synapses]
    if not genn:
        _same_step_schedule(graph, groups, spike_monitors, synapses)
    return BuiltGraph(objects, spike_monitors, state_monitors, depths)


def _layer_group(layer: SpikingLayer, n_samples: int, name: str, constant, timed, gated: bool) -> NeuronGroup:
    """The NeuronGroup of one layer for ``n_samples`` samples, its input current ``constant``
    (per neuron) or ``timed`` (a TimedArray), or neither."""
    tile = lambda values: np.tile(values, n_samples)  # noqa: E731
    if layer.neuron == "lif":
        model = _lif_model(layer, "stim" if constant is not None else (timed.name if timed is not None else None),
                           gated)
        group = NeuronGroup(n_samples * layer.size, model.equations, threshold=model.threshold, reset=model.reset,
                            method=model.method, name=name, namespace={timed.name: timed} if timed else {})
        for field in ("bias", "decay", "gain", "leak", "input_gain", "v_reset"):
            setattr(group, field, tile(getattr(layer, field)))
        group.v = tile(layer.v_init)
        if constant is not None:
            group.stim = constant
        if layer.synaptic:
            group.alpha = tile(layer.alpha)
        if layer.spiking:
            group.theta = tile(layer.threshold)
        return group
    if timed is not None:
        raise ConversionError(f"{layer.name}: a converted ANN neuron ({layer.neuron}) takes an input constant over "
                              f"time")
    drive = (tile(layer.bias) + (0.0 if constant is None else constant)) * layer.rate_unit * Hz
    values = {"drive": drive}  # readouts, Poisson encoders
    if layer.spiking:
        values = {"ei": {"x": drive, **EI_LAYER_VALUES}, "quantized": {"drive": drive, "amplitude": layer.amplitude},
                  "if": {"drive": drive, "theta": tile(layer.threshold)}}.get(layer.neuron, values)
    return ann_neuron_model(layer.neuron, layer.spiking, gated and layer.neuron != "poisson").build(
        n_samples * layer.size, name, values)


def _same_step_schedule(graph: SpikingGraph, groups, spike_monitors, synapses):
    """Brian2 ``when``/``order`` for same-step propagation (module docstring)."""
    def place(obj, index, offset):
        obj.when, obj.order = "groups", 10 * index + offset
    for index, (layer, group) in enumerate(zip(graph.layers, groups)):
        place(group.state_updater, index, 0)
        if layer.spiking:
            place(group.thresholder["spike"], index, 1)
            if "spike" in group.resetter:  # a Poisson encoder has no reset
                place(group.resetter["spike"], index, 2)
            place(spike_monitors[layer.name], index, 4)
    for source, synapse in synapses:
        if getattr(synapse, "state_updater", None) is not None:
            place(synapse.state_updater, source, 3)
        place(synapse.pre, source, 5)


def run_spiking(graph: SpikingGraph, inputs, *, layout: str | None = None, target: str = "numpy",
                record_v=False, **device_options) -> SpikingGraphRun:
    """Run ``graph`` on every sample of ``inputs`` (0/1 spikes or real-valued currents, one value
    per input and step; ``layout`` as in :func:`check_inputs`) in one Brian2 run."""
    return run_spiking_many([(graph, inputs)], layout=layout, target=target, record_v=record_v,
                            **device_options)[0]


def run_spiking_many(items, *, layout: str | None = None, target: str = "numpy", record_v=False,
                     seed: int | None = None, progress: bool = False, **device_options) -> list[SpikingGraphRun]:
    """Several ``(graph, inputs)`` pairs with the same number of steps side by side in one
    Brian2 network: one run, and on cpp_standalone one compilation, for all of them.

    ``record_v``: True, False or layer names; ``seed`` seeds Brian2's random numbers (Poisson
    encoders; Brian2GeNN refuses ``seed()``: leave it None there)."""
    check_target(target)
    genn = target == "genn"
    checked = [(graph, check_inputs(graph, inputs, layout)) for graph, inputs in items]
    if not checked:
        raise ConversionError("no (graph, inputs) pair to run")
    n_steps = {inputs.shape[0] for _, inputs in checked}
    if len(n_steps) != 1:
        raise ConversionError(f"graphs run side by side need the same number of steps, got {sorted(n_steps)}")
    n_steps = n_steps.pop()
    if genn:
        for graph, inputs in checked:
            genn_depths(graph, _input_kind(inputs))  # refused before the device is set up
    dt = checked[0][0].dt  # the update is per step: graphs with other dt labels run on this clock
    with target_device(target, dt, **device_options) as session:
        if seed is not None:
            brian_seed(seed)
        built = [build_graph(graph, inputs, f"g{k}_", record_v, dt, genn) for k, (graph, inputs) in enumerate(checked)]
        network = Network(*(obj for b in built for obj in (*b.objects, *b.spike_monitors.values(),
                                                             *b.state_monitors.values())))
        network.run((n_steps + max(b.extra_steps for b in built)) * dt, namespace={},
                    report="text" if progress else None)
        run_seconds = session.last_run_seconds()
        runs = [_collect(graph, inputs.shape[1], n_steps, b, float(dt), run_seconds)
                for (graph, inputs), b in zip(checked, built)]
    return runs


def input_currents(graph: SpikingGraph, inputs: np.ndarray) -> dict[int, np.ndarray]:
    """Per layer fed by the input: its input current ``(T, N * size)`` for time-major ``inputs``."""
    currents = {}
    for index, layer in enumerate(graph.layers):
        from_input = [p.weight for p in layer.projections if p.source == INPUT]
        if from_input:
            currents[index] = sum(inputs @ weight.T for weight in from_input).reshape(inputs.shape[0], -1)
    return currents


def run_spiking_batches(graph: SpikingGraph, batches, *, layout: str | None = None, target: str = "cpp_standalone",
                        record_v=False, **device_options) -> list[SpikingGraphRun]:
    """``graph`` on several batches of inputs of one shape, one :class:`SpikingGraphRun` each.

    On cpp_standalone the program is built and compiled once, for the first batch; every further
    batch overwrites the input currents' TimedArray file of the built program
    (``static_arrays/<name>_values``, read at start) and runs the same binary again (its monitors
    read the new results). Other targets run the batches one after the other (the runtime targets
    reuse their compiled code)."""
    checked = [check_inputs(graph, inputs, layout) for inputs in batches]
    if not checked:
        raise ConversionError("no batch of inputs to run")
    if len({inputs.shape for inputs in checked}) != 1:
        raise ConversionError(f"batches run through one build need one shape, got {sorted({i.shape for i in checked})}")
    if target != "cpp_standalone":
        return [run_spiking(graph, inputs, layout="time_major", target=target, record_v=record_v, **device_options)
                for inputs in checked]
    from brian2 import device

    dt = graph.dt
    started = time.perf_counter()
    with target_device(target, dt, **device_options) as session:
        built = build_graph(graph, checked[0], "", record_v, dt, timed=True)
        network = Network(*built.objects, *built.spike_monitors.values(), *built.state_monitors.values())
        network.run(checked[0].shape[0] * dt, namespace={})
        n_steps, n_samples = checked[0].shape[:2]
        runs = [_collect(graph, n_samples, n_steps, built, float(dt), session.last_run_seconds())]
        runs[0].wall_seconds = time.perf_counter() - started
        files = {index: Path(device.project_dir) / "static_arrays" / f"stimulus{index}_values"
                 for index in input_currents(graph, checked[0])}
        for index, path in files.items():
            if not path.is_file():
                raise ConversionError(f"the built program has no input file {path.name}; cannot rerun it")
        for inputs in checked[1:]:
            started = time.perf_counter()
            for index, current in input_currents(graph, inputs).items():
                np.ascontiguousarray(current, dtype=np.float64).tofile(files[index])
            device.run(device.project_dir, False, [])
            runs.append(_collect(graph, n_samples, n_steps, built, float(dt), session.last_run_seconds()))
            runs[-1].wall_seconds = time.perf_counter() - started
    return runs


def _collect(graph: SpikingGraph, n_samples: int, n_steps: int, built: BuiltGraph, dt: float,
             run_seconds) -> SpikingGraphRun:
    """Per layer: what each spike carried per step (``(T, N, size)``, read from the layer's depth
    on) and the recorded membranes."""
    spikes, v = {}, {}
    for layer, depth in zip(graph.layers, built.depths):
        if layer.name in built.spike_monitors:
            monitor = built.spike_monitors[layer.name]
            step = np.rint(np.asarray(monitor.t) / dt).astype(int) - depth
            keep = (step >= 0) & (step < n_steps)
            carried = {"count": lambda: np.rint(np.asarray(monitor.n)).astype(np.int64),
                       "sign": lambda: np.rint(np.asarray(monitor.s)).astype(np.int64)}.get(layer.carries)
            values = np.zeros((n_steps, n_samples * layer.size), dtype=bool if carried is None else np.int64)
            values[step[keep], np.asarray(monitor.i)[keep]] = True if carried is None else carried()[keep]
            spikes[layer.name] = values.reshape(n_steps, n_samples, layer.size)
        if layer.name in built.state_monitors:
            recorded = np.asarray(built.state_monitors[layer.name].v)[:, depth:depth + n_steps]
            v[layer.name] = recorded.T.reshape(n_steps, n_samples, layer.size)
    return SpikingGraphRun(graph, spikes, v, float("nan") if run_seconds is None else run_seconds)
