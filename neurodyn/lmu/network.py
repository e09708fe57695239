"""The LMU as a Brian2 network: linear memory, quantized / IF / ReLU hidden units, readout.

Every step of the Brian2 network computes one step of the recurrence of
:mod:`neurodyn.lmu.weights`. The encoder is folded into the couplings so that every coupling
reads the values of the previous step (``x_t`` is set first, in the ``start`` slot)::

    m_t = (A_bar + B_bar e_m^T) m_{t-1} + B_bar e_x^T x_t + B_bar e_h^T h_{t-1}
    z_t = W_m (A_bar + B_bar e_m^T) m_{t-1} + (W_x + W_m B_bar e_x^T) x_t
          + (W_h + W_m B_bar e_h^T) h_{t-1} + b

which is ``u_t = e_x.x_t + e_h.h_{t-1} + e_m.m_{t-1}``, ``m_t = A_bar m_{t-1} + B_bar u_t``,
``z_t = W_x x_t + W_h h_{t-1} + W_m m_t + b`` written out. All samples run as parallel copies
(sample ``s``, unit ``k`` at index ``s * n + k``; block-diagonal synapses, as
:mod:`neurodyn.convert.spiking_network`).

Objects (activations in Hz, as :mod:`neurodyn.convert.neurons`):

- ``lmu_input``: ``x`` (Hz), set each step from a TimedArray by ``run_regularly`` (slot ``start``,
  as Brian2GeNN requires);
- ``lmu_memory``: ``d`` linear state variables ``m`` (Hz) per sample,
  ``dm/dt = (m_memory + m_input + x - m)/dt`` (Euler: ``m <- m_memory + m_input + x``, exactly),
  ``m_memory`` and ``m_input`` summed variables over the memory and input synapses, ``x`` the
  hidden units' spikes of the previous step (``dx/dt = -x/dt`` clears it after use);
- ``lmu_hidden``: ``z = x + drive + z_input + z_memory``; hybrid: the quantized neuron
  ``v += dt relu(z)/amplitude``, ``n = floor(v)``, ``v -= n``; spiking: integrate-and-fire
  (``n = 1`` when ``v >= 1``, ``v -= 1``); ann: ``h = relu(z)``. Spikes carry ``c = amplitude * n``
  (the per-synapse count copy of :func:`neurodyn.convert.neurons.dense_synapses`) and add
  ``w c / dt = w h`` to the ``x`` of hidden and memory units;
- ``lmu_readout``: ``v`` integrates ``dt (W_o h_t + b_o)``; after ``T`` steps
  ``v / (T dt) = W_o mean_t(h_t) + b_o``, the scores of the PyTorch model.

Memory couplings are summed variables (one per Synapses object, as Brian2GeNN requires).
Brian2 runs summed variables just before their target group's update (order ``-1``): all of
them read the previous step, so the result does not depend on the order of the groups. In
``ann`` mode the readout's summed variable must read ``h_t``: its group runs at order 2.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray, second

from neurodyn.convert.neurons import IF_READOUT, dense_synapses, layer_monitor
from neurodyn.lmu.weights import LMUWeights, check_mode, check_sequences
from neurodyn.models.eicil import RESET_ORDER
from neurodyn.targets import target_device

#: Hidden units of the spiking modes: the quantized neuron of neurodyn.convert.neurons with two
#: more inputs (summed variables from the input and the memory).
HIDDEN_SPIKING = """
dv/dt = z * int(z > 0*Hz) / amplitude : 1
z = x + drive + z_input + z_memory : Hz
dx/dt = -x / dt : Hz
z_input : Hz
z_memory : Hz
drive : Hz (constant)
amplitude : 1 (constant)
n : 1
"""
#: Reset of each spiking mode (threshold ``v >= 1``): multi-bit count, or one spike.
HIDDEN_RESETS = {"hybrid": "n = floor(v)\nv = v - n", "spiking": "n = 1\nv = v - n"}
#: Hidden units of the ann mode: ``h <- relu(z)``, inputs all summed variables.
HIDDEN_ANN = """
dh/dt = (z * int(z > 0*Hz) - h) / dt : Hz
z = x + drive + z_input + z_memory : Hz
x : Hz
z_input : Hz
z_memory : Hz
drive : Hz (constant)
"""
MEMORY_SPIKE_INPUT = "dm/dt = (m_memory + m_input + x - m) / dt : Hz\ndx/dt = -x / dt : Hz\n"
MEMORY_SUMMED_INPUT = "dm/dt = (m_memory + m_input + x - m) / dt : Hz\nx : Hz\n"
MEMORY_COMMON = "m_memory : Hz\nm_input : Hz\n"
READOUT_ANN = "dv/dt = y + drive : 1\ny : Hz\ndrive : Hz (constant)"
#: What spikes in each mode, stated with every result.
DESCRIPTIONS = {"ann": "ann: memory linear, hidden ReLU (no spikes)",
                "hybrid": "hybrid: memory linear, hidden quantized multi-bit spiking",
                "spiking": "spiking: memory linear (analog state), hidden integrate-and-fire (1 bit per spike)"}


@dataclass(frozen=True)
class FoldedCouplings:
    """The couplings of the Brian2 network (module docstring); each ``(n_target, n_source)``."""

    memory_memory: np.ndarray   # A_bar + B_bar e_m^T
    input_memory: np.ndarray    # B_bar e_x^T
    hidden_memory: np.ndarray   # B_bar e_h^T
    memory_hidden: np.ndarray   # W_m (A_bar + B_bar e_m^T)
    input_hidden: np.ndarray    # W_x + W_m B_bar e_x^T
    hidden_hidden: np.ndarray   # W_h + W_m B_bar e_h^T

    @classmethod
    def of(cls, w: LMUWeights) -> FoldedCouplings:
        a_bar, b_bar = w.memory_matrices()
        memory_memory = a_bar + np.outer(b_bar, w.encoder_memory)
        input_memory = np.outer(b_bar, w.encoder_input)
        hidden_memory = np.outer(b_bar, w.encoder_hidden)
        return cls(memory_memory, input_memory, hidden_memory, w.kernel_memory @ memory_memory,
                   w.kernel_input + w.kernel_memory @ input_memory, w.kernel_hidden + w.kernel_memory @ hidden_memory)


@dataclass
class BuiltLMU:
    network: Network
    hidden_spikes: SpikeMonitor | None
    readout: StateMonitor
    memory: StateMonitor | None
    fan_out: np.ndarray          # synapses leaving each hidden unit (within its sample)


def summed_synapses(source: NeuronGroup, target: NeuronGroup, weight: np.ndarray, n_samples: int,
                    pre: str, post: str, name: str) -> Synapses:
    """Block-diagonal linear coupling ``post = weight @ pre`` (Hz) as one summed variable."""
    n_out, n_in = weight.shape
    post_unit, pre_unit = np.nonzero(weight)
    offsets = np.arange(n_samples)[:, None]
    synapses = Synapses(source, target, model=f"w : 1 (constant)\n{post}_post = w * {pre}_pre : Hz (summed)",
                        name=name, namespace={})
    synapses.connect(i=(offsets * n_in + pre_unit).ravel().astype(np.int32),
                     j=(offsets * n_out + post_unit).ravel().astype(np.int32))
    synapses.w = np.tile(weight[post_unit, pre_unit], n_samples)
    return synapses


def build_lmu(weights: LMUWeights, x: np.ndarray, mode: str = "hybrid", record_memory: bool = False) -> BuiltLMU:
    """Brian2 objects for sequences ``x`` ``(n_samples, T, n_in)`` under the current device."""
    check_mode(mode)
    x = check_sequences(x, weights.n_in)
    n_samples, steps, n_in = x.shape
    d, n_h, n_out = weights.order, weights.n_hidden, weights.n_out
    folded = FoldedCouplings.of(weights)
    # a fixed name: the compiled code (cython cache) is reused by later runs with the same shapes
    stimulus = TimedArray(x.transpose(1, 0, 2).reshape(steps, n_samples * n_in) * Hz, dt=weights.dt * second,
                          name="lmu_stimulus")
    inputs = NeuronGroup(n_samples * n_in, "x : Hz", name="lmu_input", namespace={})
    inputs.run_regularly("x = lmu_stimulus(t, i)", when="start")  # default name: genn_compat's rules apply
    inputs.namespace["lmu_stimulus"] = stimulus
    spiking = mode != "ann"
    memory = NeuronGroup(n_samples * d, (MEMORY_SPIKE_INPUT if spiking else MEMORY_SUMMED_INPUT) + MEMORY_COMMON,
                         method="euler", name="lmu_memory", namespace={})
    if spiking:
        hidden = NeuronGroup(n_samples * n_h, HIDDEN_SPIKING, threshold="v >= 1", reset=HIDDEN_RESETS[mode],
                             method="euler", name="lmu_hidden", namespace={})
        hidden.amplitude = weights.amplitude
        resetter = hidden.resetter["spike"]
        resetter.when, resetter.order = "thresholds", RESET_ORDER
        readout = IF_READOUT.build(n_samples * n_out, "lmu_readout")
    else:
        hidden = NeuronGroup(n_samples * n_h, HIDDEN_ANN, method="euler", name="lmu_hidden", namespace={})
        readout = NeuronGroup(n_samples * n_out, READOUT_ANN, method="euler", name="lmu_readout", order=2,
                              namespace={})
    hidden.drive = np.tile(weights.bias, n_samples) * Hz
    readout.drive = np.tile(weights.readout_bias, n_samples) * Hz
    objects = [inputs, memory, hidden, readout]
    linear = ((memory, memory, folded.memory_memory, "m", "m_memory", "lmu_memory_memory"),
              (inputs, memory, folded.input_memory, "x", "m_input", "lmu_input_memory"),
              (memory, hidden, folded.memory_hidden, "m", "z_memory", "lmu_memory_hidden"),
              (inputs, hidden, folded.input_hidden, "x", "z_input", "lmu_input_hidden"))
    # a coupling without non-zero weights gets no Synapses (its summed variable stays 0)
    objects += [summed_synapses(source, target, weight, n_samples, pre, post, name)
                for source, target, weight, pre, post, name in linear if np.any(weight)]
    from_hidden = ((memory, folded.hidden_memory, "x", "lmu_hidden_memory"),
                   (hidden, folded.hidden_hidden, "x", "lmu_hidden_hidden"),
                   (readout, weights.readout_weight, "v" if spiking else "y", "lmu_hidden_readout"))
    for target, weight, variable, name in from_hidden:
        if np.any(weight):
            objects.append(dense_synapses(hidden, target, weight, n_samples, "count", variable, name) if spiking
                           else summed_synapses(hidden, target, weight, n_samples, "h", variable, name))
    fan_out = sum(np.count_nonzero(weight, axis=0) for _, weight, _, _ in from_hidden)
    spikes = layer_monitor(hidden, "count", "lmu_hidden_spikes") if spiking else None
    readout_monitor = StateMonitor(readout, "v", record=True, when="end", name="lmu_readout_monitor")
    memory_monitor = StateMonitor(memory, "m", record=True, when="end", name="lmu_memory_monitor") if record_memory \
        else None
    monitors = [m for m in (spikes, readout_monitor, memory_monitor) if m is not None]
    return BuiltLMU(Network(*objects, *monitors), spikes, readout_monitor, memory_monitor, fan_out)


@dataclass
class LMURun:
    """What the Brian2 LMU did on a batch.

    ``scores[s]``: readout after ``T`` steps divided by ``T dt`` (``W_o mean_t h_t + b_o``);
    ``counts[s, t, k]``: quanta of hidden unit ``k`` in step ``t`` (``None`` in ``ann`` mode);
    ``memory[t, s, :]``: the memory after step ``t`` (if recorded).
    """

    mode: str
    weights: LMUWeights
    scores: np.ndarray
    counts: np.ndarray | None
    memory: np.ndarray | None
    fan_out: np.ndarray
    target: str
    run_seconds: float
    wall_seconds: float

    def accuracy(self, labels: np.ndarray) -> float:
        return float(np.mean(np.argmax(self.scores, axis=1) == np.asarray(labels)))

    def describe(self) -> str:
        """Which parts spike: stated with every result."""
        return DESCRIPTIONS[self.mode]


def run_lmu(weights: LMUWeights, x: np.ndarray, mode: str = "hybrid", target: str = "cython",
            record_memory: bool = False, **device_options) -> LMURun:
    """Run every sequence of ``x`` ``(n_samples, T, n_in)`` through the Brian2 LMU in one run on ``target``."""
    check_mode(mode)
    x = check_sequences(x, weights.n_in)
    n_samples, steps, _ = x.shape
    started = time.perf_counter()
    with target_device(target, weights.dt * second, **device_options) as session:
        built = build_lmu(weights, x, mode, record_memory)
        built.network.run(steps * weights.dt * second, namespace={})
        run_seconds = session.last_run_seconds()
        scores = np.asarray(built.readout.v)[:, -1].reshape(n_samples, weights.n_out) / (steps * weights.dt)
        counts = None
        if built.hidden_spikes is not None:
            counts = np.zeros((n_samples, steps, weights.n_hidden), dtype=np.int64)
            index = np.asarray(built.hidden_spikes.i)
            step = np.rint(np.asarray(built.hidden_spikes.t) / weights.dt).astype(np.int64)
            np.add.at(counts, (index // weights.n_hidden, step, index % weights.n_hidden),
                      np.rint(np.asarray(built.hidden_spikes.n)).astype(np.int64))
        memory = None
        if built.memory is not None:
            memory = np.asarray(built.memory.m).T.reshape(steps, n_samples, weights.order)
    wall = time.perf_counter() - started
    return LMURun(mode, weights, scores, counts, memory, built.fan_out, target,
                  float("nan") if run_seconds is None else run_seconds, wall)
