"""Trained snnTorch (1.0) models as a :class:`~neurodyn.convert.spiking_graph.SpikingGraph`.

Reads ``Leaky``, ``Synaptic``, ``RLeaky`` and ``RSynaptic`` with every reset mechanism and
learned (per-neuron) ``beta``, ``alpha`` and ``threshold``, between runs of linear modules
(:mod:`neurodyn.convert.torch_chain`). snnTorch's step, per layer (``s``: the layer's spike of
the previous step, ``cur`` the linear module's output plus, for the recurrent neurons,
``recurrent(s)``, whose bias acts every step)::

    Leaky       v = beta v + cur - threshold s  (subtract) | beta (1 - s) v + cur  (zero) | beta v + cur (none)
    Synaptic    syn = alpha syn + cur;  v = beta v + syn - threshold s  | (1 - s)(beta v + syn) | beta v + syn
    RLeaky, RSynaptic: the same, zero reset (1 - s)(beta v + ...) as Synaptic
    spike       v > threshold

``beta`` and ``alpha`` are clamped to [0, 1], as snnTorch's forward does. Refused by name:
other neuron types (Alpha, Lapicque, SLSTM, ...), ``inhibition``, ``state_quant``,
``graded_spikes_factor != 1`` and ``reset_delay=False``.
"""
from __future__ import annotations

from brian2 import Quantity, ms

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.readers import optional_import
from neurodyn.convert.spiking_graph import SpikingGraph, broadcast_parameter
from neurodyn.convert.torch_chain import NeuronSpec, read_chain

NEURONS = ("Leaky", "Synaptic", "RLeaky", "RSynaptic")
_RESETS = {0: "subtract", 1: "zero", 2: "none"}


def read_snntorch(module, input_shape: tuple[int, ...] | None = None, dt: Quantity = 1 * ms) -> SpikingGraph:
    """The graph of an snnTorch model (``nn.Sequential`` or a module whose children are
    registered in the order its forward applies them). ``input_shape``: one input step of one
    sample (e.g. ``(1, 8, 8)``), needed unless the model starts with ``nn.Linear``; ``dt``
    labels one step (snnTorch has no time unit)."""
    snntorch = optional_import("snntorch", "snntorch==1.0.0")

    def read_neuron(child, where, shape):
        kind = next((name for name in ("RSynaptic", "RLeaky", "Synaptic", "Leaky")
                     if isinstance(child, getattr(snntorch, name))), None)
        if kind is None:
            if isinstance(child, snntorch.SpikingNeuron):
                raise ConversionError(f"{where}: the snnTorch neuron {type(child).__name__} is not supported; "
                                      f"supported: {', '.join(NEURONS)}")
            return None
        _check_options(child, where)
        reset = _RESETS[int(child.reset_mechanism_val)]
        if reset == "zero" and kind != "Leaky":
            reset = "zero_after"  # RLeaky, Synaptic, RSynaptic zero the whole new membrane
        clamp = lambda value: value.detach().clamp(0, 1)  # noqa: E731
        parameters = {"decay": broadcast_parameter(clamp(child.beta), shape, where, "beta"),
                      "threshold": broadcast_parameter(child.threshold, shape, where, "threshold"),
                      "reset": reset}
        if kind in ("Synaptic", "RSynaptic"):
            parameters["alpha"] = broadcast_parameter(clamp(child.alpha), shape, where, "alpha")
        return NeuronSpec(parameters, recurrent=child.recurrent if kind.startswith("R") else None)

    return read_chain(module, read_neuron, ", ".join(NEURONS), input_shape, dt, "snnTorch")


def _check_options(child, where: str) -> None:
    if getattr(child, "inhibition", False):
        raise ConversionError(f"{where}: inhibition=True (winner-take-all) is not supported")
    if getattr(child, "state_quant", False):
        raise ConversionError(f"{where}: state_quant (quantized membrane) is not supported")
    if float(child.graded_spikes_factor) != 1.0:
        raise ConversionError(f"{where}: graded_spikes_factor={float(child.graded_spikes_factor):g} is not "
                              f"supported (spikes must be 0/1)")
    if not getattr(child, "reset_delay", True):
        raise ConversionError(f"{where}: reset_delay=False (reset in the spike's own step) is not supported")
