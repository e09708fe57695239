"""The one intermediate form of trained spiking networks: layers of discrete-time neurons.

Every spiking reader (snnTorch modules, Norse modules, NIR graphs) produces a
:class:`SpikingGraph`; :mod:`neurodyn.convert.spiking_network` builds it in Brian2. NIR's node
classes cannot say what the frameworks compute per step (snnTorch's delayed reset and its
mechanism, Norse's current jump before the membrane update), so the graph stores the
per-step update itself. One framework step is one Brian2 step. For each layer, within step
``k`` and in layer order (a layer's sources are updated before it)::

    cur   = sum over projections W x + bias   x: this step's spikes of earlier layers and the
                                              input; the previous step's spikes of the layer
                                              itself and of later layers (recurrent projections)
    syn   = alpha * syn + input_gain * cur     synaptic layers; X = syn (else X = input_gain * cur)
    v     = decay * v + leak + gain * X        with the reset of the previous step's spike s:
              "subtract":   ... - threshold * s                (snnTorch, reset_delay=True)
              "zero":       v = decay * (1 - s) * v + leak + gain * X        (snnTorch Leaky)
              "zero_after": v = (1 - s) * (decay * v + leak + gain * X)      (snnTorch RLeaky,
                                                                            Synaptic, RSynaptic)
    s     = v > threshold                      spiking layers (non-spiking: s = 0)
              "to_value":   v = v_reset where s  (NIR, Norse: immediately)
              "none":       no reset

``v`` starts at ``v_init``, ``syn`` and ``s`` at 0. Weights are ``(n_target, n_source)``
matrices of flattened values (C order, as NIR and PyTorch flatten).

That is the ``"lif"`` neuron of the framework readers. Converted ANNs
(:meth:`neurodyn.convert.conversion.ConvertedNetwork.graph`) use the same graph with the neurons
of :mod:`neurodyn.convert.neurons` (``neuron`` ``"if"``, ``"quantized"``, ``"ei"``, and
``"poisson"`` for the encoder), driven by ``(bias + input current) * rate_unit`` Hz; their
spikes carry 1, the count ``amplitude * n`` or the sign ``s`` (:data:`CARRIES`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, have_same_dimensions, second

from neurodyn.convert.layers import ConversionError

RESETS = ("subtract", "zero", "zero_after", "to_value", "none")
#: Per-neuron parameters of a layer (arrays of the layer's size after :func:`neuron_array`).
PARAMETERS = ("alpha", "input_gain", "decay", "leak", "gain", "threshold", "v_reset", "v_init")
INPUT = -1  # ``Projection.source`` of the network input
#: Neuron of a layer and what one of its spikes carries to the next layer.
CARRIES = {"lif": "spike", "if": "spike", "poisson": "spike", "quantized": "count", "ei": "sign"}


@dataclass(frozen=True)
class Projection:
    """``W`` from layer ``source`` (:data:`INPUT`: the network input) into a layer."""

    source: int
    weight: np.ndarray


@dataclass(frozen=True)
class SpikingLayer:
    """One layer of neurons, its incoming projections and its per-step update (module docstring).

    ``alpha`` is ``None`` for layers without synaptic current, ``threshold`` ``None`` for
    non-spiking (readout) layers.
    """

    name: str
    size: int
    projections: tuple[Projection, ...]
    bias: np.ndarray
    decay: np.ndarray
    gain: np.ndarray
    leak: np.ndarray
    input_gain: np.ndarray
    alpha: np.ndarray | None
    threshold: np.ndarray | None
    reset: str
    v_reset: np.ndarray
    v_init: np.ndarray
    neuron: str = "lif"
    amplitude: float = 1.0   # quantized neurons: output per quantum times dt
    rate_unit: float = 1.0   # converted ANN neurons: Hz per unit of bias and input current

    @property
    def carries(self) -> str:
        return CARRIES[self.neuron]

    @property
    def spiking(self) -> bool:
        return self.threshold is not None

    @property
    def synaptic(self) -> bool:
        return self.alpha is not None


@dataclass(frozen=True)
class SpikingGraph:
    """Layers in update order; ``input_shape`` is the shape of one input step (one sample);
    ``dt`` the duration of one framework step (it labels time: the update is per step)."""

    input_shape: tuple[int, ...]
    layers: tuple[SpikingLayer, ...]
    dt: Quantity
    origin: str

    @property
    def n_in(self) -> int:
        return int(np.prod(self.input_shape))

    @property
    def output(self) -> SpikingLayer:
        return self.layers[-1]


def neuron_array(value, size: int, where: str, field: str, positive: bool = False,
                 allow_inf: bool = False) -> np.ndarray:
    """``value`` (a scalar, or one value per neuron in any shape that broadcasts to the
    layer's values) as a finite float array of ``size``, or a :class:`ConversionError`."""
    array = _float_array(value, where, field)
    if array.size == 1:
        array = np.full(size, array.item())
    array = array.ravel()
    if array.size != size:
        raise ConversionError(f"{where}: {field} has {array.size} values, expected 1 or {size}")
    bad = np.isnan(array) | (np.isinf(array) if not allow_inf else np.isneginf(array))
    if bad.any():
        raise ConversionError(f"{where}: {field} contains NaN or infinite values")
    if positive and not np.all(array > 0):
        raise ConversionError(f"{where}: {field} must be > 0")
    return array


def broadcast_parameter(value, shape: tuple[int, ...], where: str, field: str) -> np.ndarray:
    """A per-neuron parameter given for a layer of values of ``shape`` (a scalar, per channel
    ``(C, 1, 1)``, or per value), flattened to ``prod(shape)`` values."""
    array = _float_array(value, where, field)
    try:
        array = np.broadcast_to(array, shape)
    except ValueError:
        raise ConversionError(f"{where}: {field} of shape {array.shape} does not fit the layer's values of "
                              f"shape {shape}") from None
    return neuron_array(array, int(np.prod(shape)), where, field)


def _float_array(value, where: str, field: str) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ConversionError(f"{where}: {field} must be real numbers, got dtype {array.dtype}")
    return array.astype(float)


def check_matrix(weight, n_out: int, n_in: int, where: str) -> np.ndarray:
    """A finite real ``(n_out, n_in)`` float matrix, or a :class:`ConversionError`."""
    matrix = _float_array(weight, where, "weight")
    if matrix.shape != (n_out, n_in):
        raise ConversionError(f"{where}: weight of shape {matrix.shape}, expected ({n_out}, {n_in})")
    if not np.all(np.isfinite(matrix)):
        raise ConversionError(f"{where}: weight contains NaN or infinite values")
    return matrix


def check_dt(dt, what: str = "dt") -> Quantity:
    if not isinstance(dt, Quantity) or not have_same_dimensions(dt, second) or not float(dt) > 0 \
            or not np.isfinite(float(dt)):
        raise ConversionError(f"{what} needs a positive, finite unit of time, e.g. 1*ms; got {dt!r}")
    return dt


def make_layer(name: str, size: int, projections, bias, *, decay, gain=1.0, leak=0.0, input_gain=1.0,
               alpha=None, threshold=None, reset="none", v_reset=0.0, v_init=0.0, neuron="lif", amplitude=1.0,
               rate_unit=1.0) -> SpikingLayer:
    """A :class:`SpikingLayer` with every parameter checked and broadcast to ``size``."""
    if neuron not in CARRIES:
        raise ConversionError(f"{name}: unknown neuron {neuron!r}; choose one of {', '.join(CARRIES)}")
    if reset not in RESETS:
        raise ConversionError(f"{name}: unknown reset {reset!r}; choose one of {', '.join(RESETS)}")
    values = {field: neuron_array(value, size, name, field)
              for field, value in (("bias", bias), ("decay", decay), ("gain", gain), ("leak", leak),
                                   ("input_gain", input_gain), ("v_reset", v_reset), ("v_init", v_init))}
    optional = {field: None if value is None else neuron_array(value, size, name, field)
                for field, value in (("alpha", alpha), ("threshold", threshold))}
    return SpikingLayer(name, size, tuple(projections), reset=reset if threshold is not None else "none",
                        neuron=neuron, amplitude=float(amplitude), rate_unit=float(rate_unit), **values, **optional)


def make_graph(input_shape, layers, dt, origin: str) -> SpikingGraph:
    """A :class:`SpikingGraph` after checking that every projection fits its source."""
    layers = tuple(layers)
    if not layers:
        raise ConversionError(f"the {origin} network has no neuron layer")
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        raise ConversionError(f"layer names must be unique, got {names}")
    input_shape = tuple(int(n) for n in input_shape)
    n_in = int(np.prod(input_shape))
    for index, layer in enumerate(layers):
        for projection in layer.projections:
            if not INPUT <= projection.source < len(layers):
                raise ConversionError(f"{layer.name}: projection from unknown layer {projection.source}")
            n_source = n_in if projection.source == INPUT else layers[projection.source].size
            check_matrix(projection.weight, layer.size, n_source, layer.name)
    return SpikingGraph(input_shape, layers, check_dt(dt), origin)
