"""Run a converted network on Brian2 and measure what it did: all samples as parallel copies
in one run of its intermediate graph (:meth:`ConvertedNetwork.graph`), built by the one
builder of :mod:`neurodyn.convert.spiking_network` on any target (numpy, cython,
cpp_standalone, and GeNN with its lag compensated).

Latency: spikes propagate within the step (same-step schedule), so with constant-current
input the membrane readout sees the input in the first step; a spiking encoder adds no step.
An EI spike moves the next membrane like an IF spike, by ``w`` times its sign. (Before
neurodyn.convert had one builder, converted ANNs ran on Brian2's default schedule, one step of
latency per layer.)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from neurodyn.convert.conversion import ConvertedNetwork
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.spiking_network import SpikingGraphRun, run_spiking_many


@dataclass
class LayerActivity:
    """Per-step totals of one spiking group over all samples."""

    name: str
    n_units: int            # per sample
    events: np.ndarray      # (n_steps,) spike events
    quanta: np.ndarray      # (n_steps,) spikes counted with multiplicity n
    bits: np.ndarray        # (n_steps,) sum over events of the bits of n (floor(log2 n) + 1, +1 for a sign)
    synops: np.ndarray      # (n_steps,) synaptic events: each spike event times its fan-out


@dataclass
class SpikingRun:
    """What a converted network did on a batch: readout per step and activity per layer.

    ``potential[k, s, c]`` is the readout membrane of class ``c`` for sample ``s`` after
    ``k + 1`` steps; ``output_counts`` (spike readout only) the spikes (quanta) so far, each EI
    spike counted with its sign.
    """

    net: ConvertedNetwork
    potential: np.ndarray
    output_counts: np.ndarray | None
    layers: list[LayerActivity] = field(default_factory=list)
    run_seconds: float = float("nan")

    @property
    def n_steps(self) -> int:
        return self.potential.shape[0]

    @property
    def n_samples(self) -> int:
        return self.potential.shape[1]

    def _check_steps(self, steps: int) -> int:
        if not 1 <= steps <= self.n_steps:
            raise ConversionError(f"T must be between 1 and the simulated {self.n_steps} steps, got {steps}")
        return int(steps)

    def scores(self, steps: int) -> np.ndarray:
        """Class scores after ``steps`` steps: the membrane (potential readout) or the spike count
        plus a tie-breaker in [0, 1) increasing with the residual membrane (spike readout)."""
        k = self._check_steps(steps) - 1
        if self.output_counts is None:
            return self.potential[k]
        return self.output_counts[k] + 0.99 * expit(self.potential[k])

    def predictions(self, steps: int) -> np.ndarray:
        return np.argmax(self.scores(steps), axis=1)

    def accuracy(self, labels: np.ndarray, steps: int) -> float:
        return float(np.mean(self.predictions(steps) == np.asarray(labels)))

    def activity(self, steps: int) -> dict[str, float]:
        """Over the first ``steps`` steps, per inference (sample):

        - ``spikes_per_neuron_per_step``: quanta of the converted layers (encoder excluded) per
          neuron and step;
        - ``bits_per_activity``: mean over spike events of the bits needed for the count n
          (1 for IF neurons), plus one for the sign of an EI spike (2 for EI neurons);
        - ``synops_per_inference``: spike events times their fan-out, encoder included (the
          constant-current input's analog first layer is not counted).
        """
        steps = self._check_steps(steps)
        converted = [layer for layer in self.layers if layer.name != "input"]
        quanta = sum(float(layer.quanta[:steps].sum()) for layer in converted)
        neurons = sum(layer.n_units for layer in converted) * self.n_samples
        events = sum(float(layer.events[:steps].sum()) for layer in converted)
        bits = sum(float(layer.bits[:steps].sum()) for layer in converted)
        synops = sum(float(layer.synops[:steps].sum()) for layer in self.layers)
        return {"spikes_per_neuron_per_step": quanta / (neurons * steps) if neurons else float("nan"),
                "bits_per_activity": bits / events if events else float("nan"),
                "synops_per_inference": synops / self.n_samples}


def run_converted(net: ConvertedNetwork, x: np.ndarray, steps: int, target: str = "cython",
                  seed: int | None = 0, progress: bool = False, **device_options) -> SpikingRun:
    """Simulate ``steps`` steps of ``net`` for every row of ``x`` in one Brian2 run on ``target``.

    ``seed`` seeds Brian2's random numbers, which only Poisson input uses; it is not set for
    deterministic networks (Brian2GeNN refuses ``seed()``: give ``seed=None`` there).
    """
    if int(steps) < 1:
        raise ConversionError(f"the number of steps T must be >= 1, got {steps}")
    if seed is not None and (int(seed) != seed or not 0 <= int(seed) < 2**32):
        raise ConversionError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    x_rate = net.encoded_inputs(x)
    graph = net.graph()
    inputs = np.broadcast_to(x_rate, (int(steps), *x_rate.shape))
    run = run_spiking_many([(graph, inputs)], layout="time_major", target=target, record_v=[graph.output.name],
                           seed=seed if net.encoding == "poisson" else None, progress=progress,
                           **device_options)[0]
    return _measure(net, run)


def _measure(net: ConvertedNetwork, run: SpikingGraphRun) -> SpikingRun:
    """The readout and the per-step activity of every spiking layer of a converted graph's run."""
    graph = run.graph
    fan_out = {index: np.zeros(layer.size, dtype=np.int64) for index, layer in enumerate(graph.layers)}
    for layer in graph.layers:
        for projection in layer.projections:
            if projection.source >= 0:
                fan_out[projection.source] += np.count_nonzero(projection.weight, axis=0)
    activities = []
    for index, layer in enumerate(graph.layers):
        if layer.name not in run.spikes:
            continue
        carried = run.spikes[layer.name].astype(np.int64)         # (T, N, size): 1, n or the sign
        fired = carried != 0
        n = np.abs(carried) if layer.carries == "count" else fired.astype(np.int64)
        bits = np.where(fired, np.floor(np.log2(np.maximum(n, 1))) + 1 + (layer.carries == "sign"), 0)
        activities.append(LayerActivity(layer.name, layer.size, fired.sum(axis=(1, 2)).astype(float),
                                        n.sum(axis=(1, 2)).astype(float), bits.sum(axis=(1, 2)),
                                        (fired * fan_out[index]).sum(axis=(1, 2)).astype(float)))
    output = graph.output
    output_counts = np.cumsum(run.spikes[output.name].astype(np.int64), axis=0) if output.spiking else None
    return SpikingRun(net, run.v[output.name], output_counts, activities, run.run_seconds)
