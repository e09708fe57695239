"""Run a converted network on Brian2: all samples as parallel copies in one run.

Every layer is one NeuronGroup of ``n_samples * n_units`` neurons (sample ``s``, unit ``u`` at
index ``s * n_units + u``) and every dense layer one block-diagonal Synapses object, so one
``run()`` infers the whole batch on any target (numpy, cython, cpp_standalone, and the
code generates for Brian2GeNN).

Latency: an IF spike of step ``k`` moves the next membrane at the end of step ``k`` (its
threshold responds in step ``k + 1``); a quantized neuron's count enters the next layer's
input ``x``, integrated in step ``k + 1``. With ``L`` layers the membrane readout first sees
the input after ``L - 1`` steps (IF, EI) or ``L`` steps (quantized); one more with a spiking
encoder. An EI spike moves the next membrane like an IF spike, by ``w`` times its sign.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, seed as brian_seed
from scipy.special import expit

from neurodyn.convert.conversion import ConvertedNetwork
from neurodyn.convert.layers import ConversionError
from neurodyn.convert.neurons import (EI_LAYER_NEURON, IF_NEURON, IF_READOUT, POISSON_ENCODER, QUANTIZED_READOUT,
                                      dense_synapses, layer_monitor, quantized_group)
from neurodyn.targets import target_device


@dataclass
class MonitoredLayer:
    """A spiking group's monitor and what the activity measures need to know about it."""

    name: str               # "input" (encoder) or "layer<k>"
    monitor: SpikeMonitor
    carries: str            # "spike"; "count": the monitor records n of each spike; "sign": its sign s
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
    quantized = net.neuron == "quantized"
    objects, monitors = [], []
    source, source_carries = None, "spike"
    if net.encoding != "current":
        encoder = _encoder(net, x_rate)
        source, source_carries = encoder.monitor.source, encoder.carries
        objects.append(source)
        monitors.append(encoder)
    n_layers = len(net.weights)
    for k, (weight, bias, neuron) in enumerate(zip(net.weights, net.biases, net.layer_neurons)):
        last = k == n_layers - 1
        spiking = not (last and net.readout == "potential")
        drive = np.tile(bias, (n_samples, 1))
        if source is None:
            drive = drive + x_rate @ weight.T
        name, drive = f"convert_layer{k}", drive.ravel() * net.rate_unit
        group, carries = _layer_group(net, neuron, spiking, name, drive)
        objects.append(group)
        if source is not None:
            objects.append(dense_synapses(source, group, weight, n_samples, source_carries,
                                          "x" if quantized else "v", f"convert_synapses{k}"))
        if spiking:
            fan_out = np.zeros(weight.shape[0], dtype=int) if last else _fan_out(net.weights[k + 1])
            monitors.append(MonitoredLayer(f"layer{k}", layer_monitor(group, carries, f"{name}_spikes"),
                                           carries, fan_out, weight.shape[0]))
        source, source_carries = group, carries
    readout = StateMonitor(source, "v", record=True, when="end", name="convert_readout")
    network = Network(*objects, *(m.monitor for m in monitors), readout)
    return BuiltConversion(network, monitors, readout)


def _layer_group(net: ConvertedNetwork, neuron: str, spiking: bool, name: str, drive) -> tuple[NeuronGroup, str]:
    """The group of one converted layer (``drive`` in Hz per neuron) and what its spikes carry."""
    n = len(drive)
    if not spiking:
        return (QUANTIZED_READOUT if neuron == "quantized" else IF_READOUT).build(n, name, {"drive": drive}), "spike"
    if neuron == "quantized":
        return quantized_group(n, name, drive, net.amplitude), "count"
    if neuron == "ei":
        return EI_LAYER_NEURON.build(n, name, net.dt, {"x": drive}), "sign"
    return IF_NEURON.build(n, name, {"drive": drive, "theta": 1.0}), "spike"


def _encoder(net: ConvertedNetwork, x_rate: np.ndarray) -> MonitoredLayer:
    """One Poisson or quantized neuron per input and sample, driven by ``x_rate``, monitored."""
    carries = "count" if net.encoding == "quantized" else "spike"
    drive = x_rate.ravel() * net.rate_unit
    group = (quantized_group(x_rate.size, "convert_input", drive, net.amplitude) if carries == "count"
             else POISSON_ENCODER.build(x_rate.size, "convert_input", {"drive": drive}))
    return MonitoredLayer("input", layer_monitor(group, carries, "convert_input_spikes"), carries,
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
        n = (np.rint(np.asarray(monitor.n)).astype(np.int64) if layer.carries == "count"
             else np.ones(len(step), dtype=np.int64))
        bits = np.floor(np.log2(np.maximum(n, 1))) + 1 + (layer.carries == "sign")
        signed = np.rint(np.asarray(monitor.s)).astype(np.int64) if layer.carries == "sign" else n
        fan_out = layer.fan_out[np.asarray(monitor.i) % layer.n_units]
        activities.append(LayerActivity(layer.name, layer.n_units,
                                        *(np.bincount(step, weights=weights, minlength=steps)[:steps]
                                          for weights in (None, n, bits, fan_out))))
        if layer.name == f"layer{len(net.weights) - 1}":
            per_step = np.zeros((steps, n_samples * n_out))
            np.add.at(per_step, (step, np.asarray(monitor.i)), signed)
            output_counts = np.cumsum(per_step, axis=0).reshape(steps, n_samples, n_out)
    return SpikingRun(net, potential, output_counts, activities, float("nan") if run_seconds is None else run_seconds)
