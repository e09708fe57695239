"""Run a NIR chain (:mod:`neurodyn.convert.nir_graph`) as a Brian2 network.

Each stage is one NeuronGroup (``n_samples`` parallel copies) with NIR's own equations; each
weight node one block-diagonal Synapses object. Time: NIR parameters (``tau``...) are numbers
in ``time_unit`` (seconds unless told: snnTorch writes seconds, jaxsnn milliseconds); the
network is integrated with forward Euler at the explicit step ``dt``, the input of a step
held constant over it (as snnTorch, Norse and Lava step NIR models)::

    LIF       tau dv/dt = v_leak - v + r (u + b)           v > v_threshold -> spike, v = v_reset
    LI        tau dv/dt = v_leak - v + r (u + b)
    IF        dv/dt     = r (u + b) / time_unit           v > v_threshold -> spike, v = v_reset
    I         dv/dt     = r (u + b) / time_unit
    CubaLIF   tau_syn dsyn/dt = w_in (u + b) - syn;  tau_mem dv/dt = v_leak - v + r syn   (+ threshold, reset)
    CubaLI    the same without threshold

``b`` is the bias of the Affine node in front, ``u`` the weighted input spikes of one step.
How an input spike is applied (``input_spikes``):

- ``"step"`` (default): a spike is the value 1 during one step, so ``u = W s`` for that step
  and a LIF membrane jumps by ``r w dt / tau``. This reproduces snnTorch's exported models
  (``tau = dt / (1 - beta)``, ``r = tau / dt``: ``v <- beta v + w s``).
- ``"dirac"``: a spike is a Dirac delta in NIR's time, ``u = W s time_unit / dt``, so the jump
  is ``r w / tau`` whatever ``dt``.

A spike in step ``k`` reaches the next stage's ``u`` at the end of step ``k`` and is
integrated in step ``k + 1`` (one step of latency per weight node). ``u`` is cleared after
use by the Euler step of ``du/dt = -u/dt``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Network, Quantity, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, have_same_dimensions, second

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.neurons import dense_synapses
from neurodyn.convert.nir_graph import NIRChain
from neurodyn.model import NeuronModel
from neurodyn.targets import target_device

_HELD_INPUT = "\ndu/dt = -u / dt : 1\nb : 1 (constant)\nr : 1 (constant)\n"
_LEAK = "\nv_leak : 1 (constant)\n"
_FIRE = "\nv_threshold : 1 (constant)\nv_reset : 1 (constant)\n"
_LEAKY = "dv/dt = (v_leak - v + r * (u + b)) / tau : 1\ntau : second (constant)" + _LEAK
_INTEGRATING = "dv/dt = r * (u + b) / time_unit : 1\ntime_unit : second (shared, constant)"
_CUBA = ("dsyn/dt = (w_in * (u + b) - syn) / tau_syn : 1\ndv/dt = (v_leak - v + r * syn) / tau_mem : 1\n"
         "tau_syn : second (constant)\ntau_mem : second (constant)\nw_in : 1 (constant)" + _LEAK)
_THRESHOLD, _RESET = "v > v_threshold", "v = v_reset"

#: NIR node type -> Brian2 model (forward Euler, equations in the module docstring).
NIR_MODELS = {
    "LIF": NeuronModel(_LEAKY + _HELD_INPUT + _FIRE, threshold=_THRESHOLD, reset=_RESET, method="euler"),
    "LI": NeuronModel(_LEAKY + _HELD_INPUT, method="euler"),
    "IF": NeuronModel(_INTEGRATING + _HELD_INPUT + _FIRE, threshold=_THRESHOLD, reset=_RESET, method="euler"),
    "I": NeuronModel(_INTEGRATING + _HELD_INPUT, method="euler"),
    "CubaLIF": NeuronModel(_CUBA + _HELD_INPUT + _FIRE, threshold=_THRESHOLD, reset=_RESET, method="euler"),
    "CubaLI": NeuronModel(_CUBA + _HELD_INPUT, method="euler"),
}
INPUT_SPIKES = ("step", "dirac")
_TIMES = ("tau", "tau_syn", "tau_mem")


@dataclass
class NIRRun:
    """Spikes of every spiking stage, ``spikes[name][k, s, j]`` (step, sample, neuron), and the
    last stage's membrane after each step, ``v_last[k, s, j]``."""

    spikes: dict
    v_last: np.ndarray


def _check_spikes(spikes: np.ndarray, n_in: int) -> np.ndarray:
    spikes = np.asarray(spikes)
    if spikes.ndim == 2:
        spikes = spikes[None]
    if spikes.ndim != 3 or spikes.shape[2] != n_in:
        raise ConversionError(f"input spikes must have shape (n_samples, n_steps, {n_in}), got {spikes.shape}")
    if not np.all((spikes == 0) | (spikes == 1)):
        raise ConversionError("input spikes must be 0 or 1 per step and input")
    return spikes.astype(bool)


def build_nir(chain: NIRChain, spikes: np.ndarray, dt: Quantity, time_unit: Quantity = 1 * second,
              input_spikes: str = "step"):
    """Brian2 objects for ``spikes`` ``(n_samples, n_steps, n_in)`` under the current device:
    ``(network, {stage name: SpikeMonitor}, StateMonitor of the last stage's v)``."""
    for name, value in (("dt", dt), ("time_unit", time_unit)):
        if not isinstance(value, Quantity) or not have_same_dimensions(value, second) or not float(value) > 0:
            raise ConversionError(f"{name} needs a positive unit of time, e.g. 1*ms; got {value!r}")
    if input_spikes not in INPUT_SPIKES:
        raise ConversionError(f"unknown input_spikes {input_spikes!r}; choose one of {', '.join(INPUT_SPIKES)}")
    spikes = _check_spikes(spikes, chain.n_in)
    n_samples = spikes.shape[0]
    spike_scale = 1.0 if input_spikes == "step" else float(time_unit / dt)
    sample, step, unit = np.nonzero(spikes)
    source = SpikeGeneratorGroup(n_samples * chain.n_in, sample * chain.n_in + unit, step * dt,
                                 name="nir_input")
    objects, monitors = [source], {}
    for k, stage in enumerate(chain.stages):
        values = {"b": np.tile(stage.bias, n_samples)}
        for field, value in stage.parameters.items():
            values[field] = np.tile(value, n_samples) * (float(time_unit) * second if field in _TIMES else 1)
        if stage.kind in ("IF", "I"):
            values["time_unit"] = time_unit
        group = NIR_MODELS[stage.kind].build(n_samples * stage.size, f"nir_stage{k}", values)
        objects += [group, dense_synapses(source, group, stage.weight * spike_scale, n_samples, "spike", "u",
                                          f"nir_synapses{k}")]
        if stage.spiking:
            monitors[stage.name] = SpikeMonitor(group, name=f"nir_stage{k}_spikes")
        source = group
    state = StateMonitor(source, "v", record=True, when="end", name="nir_readout")
    return Network(*objects, *monitors.values(), state), monitors, state


def run_nir(chain: NIRChain, spikes: np.ndarray, dt: Quantity, time_unit: Quantity = 1 * second,
            input_spikes: str = "step", target: str = "numpy", **device_options) -> NIRRun:
    """Simulate ``chain`` for every sample of ``spikes`` ``(n_samples, n_steps, n_in)`` in one run."""
    spikes = _check_spikes(spikes, chain.n_in)
    n_samples, n_steps, _ = spikes.shape
    with target_device(target, dt, **device_options):
        network, monitors, state = build_nir(chain, spikes, dt, time_unit, input_spikes)
        network.run(n_steps * dt, namespace={})
        recorded = {}
        for stage in chain.stages:
            if stage.name in monitors:
                array = np.zeros((n_steps, n_samples * stage.size), dtype=bool)
                monitor = monitors[stage.name]
                array[np.rint(np.asarray(monitor.t) / float(dt)).astype(int), np.asarray(monitor.i)] = True
                recorded[stage.name] = array.reshape(n_steps, n_samples, stage.size)
        v_last = np.asarray(state.v).T.reshape(n_steps, n_samples, chain.stages[-1].size)
    return NIRRun(recorded, v_last)
