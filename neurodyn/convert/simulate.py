"""Run a converted network on Brian2: all samples as parallel copies in one run.

Every layer is one NeuronGroup of ``n_samples * n_units`` neurons (sample ``s``, unit ``u`` at
index ``s * n_units + u``) and every dense layer one block-diagonal Synapses object, so one
``run()`` infers the whole batch on any target (numpy, cython, cpp_standalone, and the
code generates for Brian2GeNN).

Latency: an IF spike of step ``k`` moves the next membrane at the end of step ``k`` (its
threshold responds in step ``k + 1``); a quantized neuron's count enters the next layer's
input ``x``, integrated in step ``k + 1``. With ``L`` layers the membrane readout first sees
the input after ``L - 1`` steps (IF) or ``L`` steps (quantized); one more with a spiking
encoder.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import Network, SpikeMonitor, StateMonitor, seed as brian_seed
from scipy.special import expit

from neurodyn.convert.conversion import ConvertedNetwork
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.neurons import (IF_NEURON, IF_READOUT, POISSON_ENCODER, QUANTIZED_NEURON, QUANTIZED_READOUT,
                                      dense_synapses, layer_monitor, order_quantized_reset)
from neurodyn.targets import target_device


@dataclass
class MonitoredLayer:
    """A spiking group's monitor and what the activity measures need to know about it."""

    name: str               # "input" (encoder) or "layer<k>"
    monitor: SpikeMonitor
    counts: bool            # quantized: the monitor records the count n of each spike
    fan_out: np.ndarray     # outgoing synapses of each unit (within its sample; zeros for the last layer)
    n_units: int            # neurons per sample


@dataclass
class BuiltConversion:
    """The Brian2 objects of a converted network for one batch, with its monitors."""

    network: Network
    layers: list[MonitoredLayer]
    readout: StateMonitor


def build_converted(net: ConvertedNetwork, x: np.ndarray) -> BuiltConversion:
    """Brian2 objects for inputs ``x`` ``(n_samples, n_in)`` under the current device."""
    x_rate = net.encoded_inputs(x)
    n_samples = len(x_rate)
    unit = net.rate_unit
    quantized = net.neuron == "quantized"
    objects, monitors = [], []
    source, source_counts = None, False
    if net.encoding != "current":
        encoder = _encoder(net, x_rate)
        source, source_counts = encoder.monitor.source, encoder.counts
        objects.append(source)
        monitors.append(encoder)
    n_layers = len(net.weights)
    for k, (weight, bias) in enumerate(zip(net.weights, net.biases)):
        last = k == n_layers - 1
        spiking = not (last and net.readout == "potential")
        drive = np.tile(bias, (n_samples, 1))
        if source is None:
            drive = drive + x_rate @ weight.T
        if quantized:
            model = QUANTIZED_NEURON if spiking else QUANTIZED_READOUT
            values = {"drive": drive.ravel() * unit, **({"amplitude": net.amplitude} if spiking else {})}
        else:
            model = IF_NEURON if spiking else IF_READOUT
            values = {"drive": drive.ravel() * unit, **({"theta": 1.0} if spiking else {})}
        group = model.build(n_samples * weight.shape[0], f"convert_layer{k}", values)
        objects.append(group)
        if quantized and spiking:
            order_quantized_reset(group)
        if source is not None:
            objects.append(dense_synapses(source, group, weight, n_samples, source_counts,
                                          "x" if quantized else "v", f"convert_synapses{k}"))
        if spiking:
            fan_out = np.zeros(weight.shape[0], dtype=int) if last else _fan_out(net.weights[k + 1])
            monitors.append(MonitoredLayer(f"layer{k}", layer_monitor(group, quantized, f"convert_layer{k}_spikes"),
                                           quantized, fan_out, weight.shape[0]))
        source, source_counts = group, quantized
    readout = StateMonitor(source, "v", record=True, when="end", name="convert_readout")
    network = Network(*objects, *(m.monitor for m in monitors), readout)
    return BuiltConversion(network, monitors, readout)


def _encoder(net: ConvertedNetwork, x_rate: np.ndarray) -> MonitoredLayer:
    """One Poisson or quantized neuron per input and sample, driven by ``x_rate``, monitored."""
    counts = net.encoding == "quantized"
    values = {"drive": x_rate.ravel() * net.rate_unit, **({"amplitude": net.amplitude} if counts else {})}
    group = (QUANTIZED_NEURON if counts else POISSON_ENCODER).build(x_rate.size, "convert_input", values)
    if counts:
        order_quantized_reset(group)
    return MonitoredLayer("input", layer_monitor(group, counts, "convert_input_spikes"), counts,
                          _fan_out(net.weights[0]), net.n_in)


def _fan_out(next_weight: np.ndarray) -> np.ndarray:
    """Outgoing synapses of each source unit: the non-zero entries of its column."""
    return np.count_nonzero(next_weight, axis=0)


@dataclass
class LayerActivity:
    """Per-step totals of one spiking group over all samples."""

    name: str
    n_units: int            # per sample
    events: np.ndarray      # (n_steps,) spike events
    quanta: np.ndarray      # (n_steps,) spikes counted with multiplicity n
    bits: np.ndarray        # (n_steps,) sum over events of the bits of n (floor(log2 n) + 1)
    synops: np.ndarray      # (n_steps,) synaptic events: each spike event times its fan-out


@dataclass
class SpikingRun:
    """What a converted network did on a batch: readout per step and activity per layer.

    ``potential[k, s, c]`` is the readout membrane of class ``c`` for sample ``s`` after
    ``k + 1`` steps; ``output_counts`` (spike readout only) the spikes (quanta) so far.
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
          (1 for IF neurons);
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
    steps = int(steps)
    with target_device(target, net.dt, **device_options) as session:
        if seed is not None and net.encoding == "poisson":
            brian_seed(seed)
        built = build_converted(net, x)
        built.network.run(steps * net.dt, report="text" if progress else None, namespace={})
        run_seconds = session.last_run_seconds()
        return _collect(net, built, steps, len(x), run_seconds)


def _collect(net: ConvertedNetwork, built: BuiltConversion, steps: int, n_samples: int,
             run_seconds) -> SpikingRun:
    n_out = net.layer_sizes[-1]
    potential = np.asarray(built.readout.v).T.reshape(steps, n_samples, n_out)
    activities, output_counts = [], None
    dt = float(net.dt)
    for layer in built.layers:
        monitor = layer.monitor
        step = np.rint(np.asarray(monitor.t) / dt).astype(np.int64)
        n = np.rint(np.asarray(monitor.n)).astype(np.int64) if layer.counts else np.ones(len(step), dtype=np.int64)
        bits = np.floor(np.log2(np.maximum(n, 1))) + 1
        fan_out = layer.fan_out[np.asarray(monitor.i) % layer.n_units]
        activities.append(LayerActivity(layer.name, layer.n_units,
                                        *(np.bincount(step, weights=weights, minlength=steps)[:steps]
                                          for weights in (None, n, bits, fan_out))))
        if layer.name == f"layer{len(net.weights) - 1}":
            per_step = np.zeros((steps, n_samples * n_out))
            np.add.at(per_step, (step, np.asarray(monitor.i)), n)
            output_counts = np.cumsum(per_step, axis=0).reshape(steps, n_samples, n_out)
    return SpikingRun(net, potential, output_counts, activities, float("nan") if run_seconds is None else run_seconds)
