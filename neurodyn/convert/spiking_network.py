"""Build and run a :class:`~neurodyn.convert.spiking_graph.SpikingGraph` in Brian2.

Every layer is one NeuronGroup of ``n_samples * size`` neurons (sample ``s``, unit ``u`` at
index ``s * size + u``) whose per-step update (the graph's equations) is one
``run_regularly`` operation; every projection between layers is one block-diagonal Synapses
object (``inp_post += w`` per spike). Projections from the input are applied in NumPy before
the run (the input is known), so the first layers read their input current from a
``TimedArray``: real-valued currents and 0/1 spikes alike, with no encoder layer and no padding.

Same-step propagation: all operations run in Brian2's ``groups`` slot, ordered layer by
layer (``order`` 3l: update, 3l + 1: threshold, 3l + 2: delivery of the spikes of layer l),
so a spike of layer l in step k reaches layer l + 1 in step k, as in snnTorch, Norse and most
NIR platforms; a recurrent projection's spikes are delivered after its target's update and
used in step k + 1. This needs Brian2's schedule, so the runtime targets (numpy, cython) and
cpp_standalone run it; GeNN ignores ``when``/``order`` and is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, TimedArray

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.neurons import dense_synapses
from neurodyn.convert.spiking_graph import INPUT, SpikingGraph, SpikingLayer
from neurodyn.errors import TargetError
from neurodyn.targets import check_target, target_device

LAYOUTS = ("time_major", "batch_major")


@dataclass
class SpikingGraphRun:
    """What a spiking graph did: ``spikes[name][k, s, u]`` (step, sample, unit) of every spiking
    layer and, where recorded, the membrane after each step ``v[name][k, s, u]``."""

    graph: SpikingGraph
    spikes: dict
    v: dict
    run_seconds: float

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


def _update_code(layer: SpikingLayer, stimulus: str | None) -> str:
    """The layer's per-step update (module docstring of spiking_graph) as Brian2 statements."""
    current = "inp + bias" + (f" + {stimulus}(t, i)" if stimulus else "")
    lines = []
    if layer.synaptic:
        lines.append(f"syn = alpha * syn + input_gain * ({current})")
        drive = "syn"
    else:
        drive = f"input_gain * ({current})"
    step = f"leak + gain * {drive}"
    lines.append({"subtract": f"v = decay * v + {step} - theta * fired",
                  "zero": f"v = decay * (1 - fired) * v + {step}",
                  "zero_after": f"v = (1 - fired) * (decay * v + {step})"}.get(layer.reset, f"v = decay * v + {step}"))
    if layer.spiking:
        lines.append("fired = int(v > theta)")
        if layer.reset == "to_value":
            lines.append("v = fired * v_reset + (1 - fired) * v")
    lines.append("inp = 0")
    return "\n".join(lines)


_MODEL = """v : 1
syn : 1
fired : 1
inp : 1
bias : 1 (constant)
decay : 1 (constant)
gain : 1 (constant)
leak : 1 (constant)
input_gain : 1 (constant)
alpha : 1 (constant)
theta : 1 (constant)
v_reset : 1 (constant)
"""


def build_graph(graph: SpikingGraph, inputs: np.ndarray, prefix: str, record_v: bool, dt):
    """Brian2 objects of ``graph`` for time-major ``inputs`` ``(T, N, n_in)`` on a clock of step
    ``dt``: ``(objects, {layer: SpikeMonitor}, {layer: StateMonitor})``."""
    n_steps, n_samples, _ = inputs.shape
    objects, spike_monitors, state_monitors, groups = [], {}, {}, []
    for index, layer in enumerate(graph.layers):
        from_input = [p.weight for p in layer.projections if p.source == INPUT]
        namespace, stimulus = {}, None
        if from_input:
            current = sum(inputs @ weight.T for weight in from_input)  # (T, N, size)
            stimulus = f"{prefix}stimulus{index}"
            namespace[stimulus] = TimedArray(current.reshape(n_steps, n_samples * layer.size), dt=dt,
                                           name=stimulus)  # a fixed name: compiled code is reused
        group = NeuronGroup(n_samples * layer.size, _MODEL, threshold="fired > 0.5" if layer.spiking else None,
                            reset="" if layer.spiking else None,
                            name=f"{prefix}layer{index}", namespace=namespace)
        tile = lambda values: np.tile(values, n_samples)  # noqa: E731
        group.bias, group.decay, group.gain, group.leak = (tile(layer.bias), tile(layer.decay), tile(layer.gain),
                                                           tile(layer.leak))
        group.input_gain, group.v_reset, group.v = tile(layer.input_gain), tile(layer.v_reset), tile(layer.v_init)
        if layer.synaptic:
            group.alpha = tile(layer.alpha)
        if layer.spiking:
            group.theta = tile(layer.threshold)
            group.thresholder["spike"].when, group.thresholder["spike"].order = "groups", 3 * index + 1
            spike_monitors[layer.name] = SpikeMonitor(group, name=f"{prefix}spikes{index}")
        group.run_regularly(_update_code(layer, stimulus), when="groups", order=3 * index,
                            name=f"{prefix}update{index}")
        if record_v:
            state_monitors[layer.name] = StateMonitor(group, "v", record=True, when="end", name=f"{prefix}v{index}")
        groups.append(group)
        objects.append(group)
    for index, layer in enumerate(graph.layers):
        for number, projection in enumerate(p for p in layer.projections if p.source != INPUT):
            source = graph.layers[projection.source]
            if not source.spiking:
                raise ConversionError(f"{layer.name}: receives from the non-spiking layer {source.name}, which "
                                      f"sends nothing")
            if not np.any(projection.weight):
                continue
            synapses = dense_synapses(groups[projection.source], groups[index], projection.weight, n_samples, "spike",
                                      "inp", f"{prefix}synapses{index}_{number}")
            synapses.pre.when, synapses.pre.order = "groups", 3 * projection.source + 2
            objects.append(synapses)
    return objects, spike_monitors, state_monitors


def run_spiking(graph: SpikingGraph, inputs, *, layout: str | None = None, target: str = "numpy",
                record_v: bool = False, **device_options) -> SpikingGraphRun:
    """Run ``graph`` on every sample of ``inputs`` (0/1 spikes or real-valued currents, one value
    per input and step; ``layout`` as in :func:`check_inputs`) in one Brian2 run."""
    return run_spiking_many([(graph, inputs)], layout=layout, target=target, record_v=record_v,
                            **device_options)[0]


def run_spiking_many(items, *, layout: str | None = None, target: str = "numpy", record_v: bool = False,
                     **device_options) -> list[SpikingGraphRun]:
    """Several ``(graph, inputs)`` pairs with the same number of steps side by side in one
    Brian2 network: one run, and on cpp_standalone one compilation, for all of them."""
    check_target(target)
    if target == "genn":
        raise TargetError("target 'genn' ignores Brian2's when/order schedule, which same-step propagation "
                          "between layers needs; run spiking graphs on numpy, cython or cpp_standalone")
    checked = [(graph, check_inputs(graph, inputs, layout)) for graph, inputs in items]
    if not checked:
        raise ConversionError("no (graph, inputs) pair to run")
    n_steps = {inputs.shape[0] for _, inputs in checked}
    if len(n_steps) != 1:
        raise ConversionError(f"graphs run side by side need the same number of steps, got {sorted(n_steps)}")
    n_steps = n_steps.pop()
    dt = checked[0][0].dt  # the update is per step: graphs with other dt labels run on this clock
    with target_device(target, dt, **device_options) as session:
        objects, monitors = [], []
        for k, (graph, inputs) in enumerate(checked):
            built = build_graph(graph, inputs, f"g{k}_", record_v, dt)  # dt only labels steps
            objects += built[0]
            monitors.append(built[1:])
        network = Network(*objects, *(m for spikes, states in monitors for m in (*spikes.values(), *states.values())))
        network.run(n_steps * dt, namespace={})
        run_seconds = session.last_run_seconds()
        runs = []
        for (graph, inputs), (spike_monitors, state_monitors) in zip(checked, monitors):
            n_samples = inputs.shape[1]
            spikes = {}
            for layer in graph.layers:
                if layer.name in spike_monitors:
                    monitor = spike_monitors[layer.name]
                    fired = np.zeros((n_steps, n_samples * layer.size), dtype=bool)
                    fired[np.rint(np.asarray(monitor.t) / float(dt)).astype(int), np.asarray(monitor.i)] = True
                    spikes[layer.name] = fired.reshape(n_steps, n_samples, layer.size)
            v = {name: np.asarray(monitor.v).T.reshape(n_steps, n_samples, -1)
                 for name, monitor in state_monitors.items()}
            runs.append(SpikingGraphRun(graph, spikes, v, float("nan") if run_seconds is None else run_seconds))
    return runs
