"""Trained Norse (1.1) models as a :class:`~neurodyn.convert.spiking_graph.SpikingGraph`.

Reads ``LIFCell``/``LIF``, ``LIFRecurrentCell``/``LIFRecurrent`` and ``LICell``/``LI`` between
runs of linear modules (:mod:`neurodyn.convert.torch_chain`). Norse's forward-Euler step
(``lif_feed_forward_step``, ``lif_step``, ``li_feed_forward_step``), with ``dt`` the module's
step and ``cur`` the input of the step (the linear module's output; for the recurrent cells
``W_in x + W_rec z``, ``z`` the layer's spikes of the previous step)::

    i  = i + cur                                    current jump first
    v  = v + dt tau_mem_inv ((v_leak - v) + i)
    i  = i - dt tau_syn_inv i
    z  = v > v_th;  v = v_reset where z              (LI: no threshold)

which is the graph's synaptic layer with ``alpha = 1 - dt tau_syn_inv``, ``decay = 1 - dt
tau_mem_inv``, ``gain = dt tau_mem_inv``, ``leak = dt tau_mem_inv v_leak``, reset
``"to_value"`` and ``v`` starting at ``v_leak`` (Norse's initial state). Other Norse neurons
are refused by name.
"""
from __future__ import annotations

import numpy as np
from brian2 import second

from neurodyn.convert.layers import ConversionError
from neurodyn.convert.readers import optional_import
from neurodyn.convert.spiking_graph import SpikingGraph, broadcast_parameter
from neurodyn.convert.torch_chain import NeuronSpec, children_of, read_chain

NEURONS = ("LIFCell", "LIF", "LIFRecurrentCell", "LIFRecurrent", "LICell", "LI")


def read_norse(module, input_shape: tuple[int, ...] | None = None) -> SpikingGraph:
    """The graph of a Norse model (``norse.torch.SequentialState``, ``nn.Sequential``, or a
    module whose children are registered in the order its forward applies them);
    ``input_shape`` as in :func:`neurodyn.convert.snntorch_reader.read_snntorch`."""
    norse = optional_import("norse.torch", "norse==1.1.0")
    from neurodyn.convert.readers import import_torch

    classes = tuple(getattr(norse, name) for name in NEURONS)
    children = children_of(module, import_torch())
    cells = [child for child in children if isinstance(child, classes)]
    if input_shape is None and isinstance(children[0], (norse.LIFRecurrentCell, norse.LIFRecurrent)):
        input_shape = (int(children[0].input_weights.shape[1]),)
    steps = sorted({float(cell.dt) for cell in cells})
    if len(steps) > 1:
        raise ConversionError(f"Norse cells with different dt ({', '.join(f'{s:g}' for s in steps)} s) in one model")

    def read_neuron(child, where, shape):
        if not isinstance(child, classes):
            if type(child).__module__.startswith("norse."):
                raise ConversionError(f"{where}: the Norse module {type(child).__name__} is not supported; supported: "
                                      f"{', '.join(NEURONS)}")
            return None
        p, dt = child.p, float(child.dt)
        recurrent = isinstance(child, (norse.LIFRecurrentCell, norse.LIFRecurrent))
        if recurrent:
            input_weight = _matrix(child.input_weights)
            if input_weight.shape[1] != int(np.prod(shape)):
                raise ConversionError(f"{where}: input_weights of shape {input_weight.shape} expect "
                                      f"{input_weight.shape[1]} inputs but receive {int(np.prod(shape))}")
            shape = (input_weight.shape[0],)
        value = lambda field: broadcast_parameter(getattr(p, field), shape, where, field)  # noqa: E731
        tau_mem_inv, tau_syn_inv, v_leak = value("tau_mem_inv"), value("tau_syn_inv"), value("v_leak")
        parameters = {"alpha": 1 - dt * tau_syn_inv, "decay": 1 - dt * tau_mem_inv, "gain": dt * tau_mem_inv,
                      "leak": dt * tau_mem_inv * v_leak, "v_init": v_leak}
        if not isinstance(child, (norse.LICell, norse.LI)):
            parameters.update(threshold=value("v_th"), reset="to_value", v_reset=value("v_reset"))
        if recurrent:
            return NeuronSpec(parameters, recurrent_weight=_matrix(child.recurrent_weights),
                              input_weight=input_weight)
        return NeuronSpec(parameters)

    return read_chain(module, read_neuron, ", ".join(NEURONS), input_shape,
                      (steps[0] if steps else 1e-3) * second, "Norse")


def _matrix(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy().astype(float)
