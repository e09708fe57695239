"""ANN -> SNN conversion: neuron choice, data-based normalisation, encoding, readout.

Neurons (``neuron``): ``"if"`` and ``"quantized"`` convert ReLU hidden layers (the last layer
may be linear); ``"ei"`` gives every linear layer the EI neuron of
:mod:`neurodyn.convert.neurons` (signed spikes, rate ``clip(W a + b, -1, 1)`` per step) and
every ReLU layer the IF neuron (the EI neuron with its inhibitory threshold off), so linear
hidden layers and negative output logits are represented. Linear layers are never given EI
neurons unless asked for: the other two choices refuse a linear hidden layer.

Data-based normalisation (Rueckauer et al. 2017): with ``lambda_l`` the ``percentile`` of the
positive ANN activations of layer ``l`` on calibration data (``lambda_0`` of the inputs; for
the signed layers of an ``"ei"`` network the percentile of ``|a|``, zeros left out),

    W_l' = W_l * lambda_{l-1} / lambda_l,      b_l' = b_l / lambda_l,      inputs x / lambda_0,

so that activations rarely exceed 1 in magnitude. An IF network (threshold 1) then fires at
``a_l / lambda_l`` spikes per step (signed for EI layers), and a quantized network sees
activations of at most about 1 Hz times its activation scale. Without normalisation (``percentile=None``) the
weights are used as they are.

Encodings of the (normalised) input ``x`` (``x_rate = x / lambda_0``, per step for IF
networks, in Hz for quantized ones):

- ``"current"``: the first layer receives ``W_0' x_rate + b_0'`` as a constant current (the
  input layer is analog, as in Rueckauer et al.);
- ``"poisson"``: one Poisson neuron per input, a spike per step with probability
  ``x_rate * dt`` (clipped to [0, 1]);
- ``"quantized"``: one quantized neuron per input, driven by ``x_rate``.

Readouts: ``"potential"``: the last layer does not spike, its membrane integrates
``W a + b`` and the class is the argmax; ``"spikes"``: the last layer spikes and the class
is the most active neuron, ties broken by the residual membrane potential.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, have_same_dimensions, ms, second

from neurodyn.convert.layers import ConversionError, DenseNetwork, check_inputs
from neurodyn.convert.spiking_graph import INPUT, Projection, SpikingGraph, make_graph, make_layer

NEURONS = ("if", "quantized", "ei")
ENCODINGS = ("current", "poisson", "quantized")
READOUTS = ("potential", "spikes")


@dataclass(frozen=True)
class ConvertedNetwork:
    """A spiking version of an ANN: normalised weights plus the choices of :func:`convert`.

    ``weights[l]`` is ``(n_out, n_in)``; ``input_scale`` is ``lambda_0``; ``layer_scales``
    the ``lambda_l`` (1 without normalisation). Build and run it with
    :func:`neurodyn.convert.simulate.run_converted` (through :meth:`graph`).
    """

    ann: DenseNetwork
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    input_scale: float
    layer_scales: tuple[float, ...]
    neuron: str
    encoding: str
    readout: str
    dt: Quantity
    amplitude: float
    percentile: float | None

    @property
    def n_in(self) -> int:
        return self.ann.n_in

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        return tuple(w.shape[0] for w in self.weights)

    @property
    def layer_neurons(self) -> tuple[str, ...]:
        """The neuron of each layer: ``neuron``, except in ``"ei"`` networks, where ReLU layers
        are ``"if"`` and linear layers ``"ei"``."""
        return tuple(_layer_neuron(self.neuron, layer.activation) for layer in self.ann.layers)

    @property
    def rate_unit(self) -> Quantity:
        """What one unit of a (normalised) activation is in Hz: 1/dt for IF and EI networks
        (spikes per step), 1 Hz for quantized networks."""
        return 1.0 / second if self.neuron == "quantized" else 1 / self.dt

    def encoded_inputs(self, x: np.ndarray) -> np.ndarray:
        """Inputs ``x`` divided by ``lambda_0``; clipped to [0, 1] (Poisson) or >= 0 (quantized)."""
        x = check_inputs(x, self.n_in) / self.input_scale
        if self.encoding == "poisson":
            return np.clip(x, 0.0, 1.0 / float(self.rate_unit * self.dt))
        if self.encoding == "quantized":
            return np.maximum(x, 0.0)
        return x

    def graph(self) -> SpikingGraph:
        """The network as the intermediate graph that :mod:`neurodyn.convert.spiking_network`
        builds: an encoder layer ``"input"`` (Poisson or quantized, fed the encoded input through
        the identity) unless the encoding is ``"current"``, then one layer ``"layer<k>"`` per
        dense layer, fed ``W_k'`` and driven by ``b_k'`` (times :attr:`rate_unit`); the last
        layer spikes only with the ``"spikes"`` readout. Its input is :meth:`encoded_inputs`,
        the same in every step."""
        rate_unit = float(self.rate_unit / Hz)
        layers = []
        if self.encoding != "current":
            layers.append(make_layer("input", self.n_in, [Projection(INPUT, np.eye(self.n_in))], 0.0, decay=1.0,
                                     threshold=1.0, neuron="poisson" if self.encoding == "poisson" else "quantized",
                                     amplitude=self.amplitude, rate_unit=rate_unit))
        last = len(self.weights) - 1
        for k, (weight, bias, neuron) in enumerate(zip(self.weights, self.biases, self.layer_neurons)):
            spiking = k < last or self.readout == "spikes"
            layers.append(make_layer(f"layer{k}", weight.shape[0], [Projection(len(layers) - 1 if layers else INPUT,
                                                                               weight)],
                                     bias, decay=1.0, threshold=1.0 if spiking else None, neuron=neuron,
                                     amplitude=self.amplitude, rate_unit=rate_unit))
        return make_graph((self.n_in,), layers, self.dt, "converted ANN")

    def describe(self) -> dict:
        """The conversion choices as a flat record (for result frames)."""
        percentile = np.nan if self.percentile is None else self.percentile  # NaN: not normalised
        return {"neuron": self.neuron, "encoding": self.encoding, "readout": self.readout,
                "percentile": percentile, "dt_s": float(self.dt), "amplitude": self.amplitude}


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConversionError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def convert(ann: DenseNetwork, x_calibration: np.ndarray | None = None, *, neuron: str = "if",
            encoding: str = "current", readout: str = "potential", percentile: float | None = 99.9,
            dt: Quantity = 1 * ms, amplitude: float = 1.0) -> ConvertedNetwork:
    """Convert ``ann`` (hidden layers ReLU, last layer linear) into a spiking network.

    Parameters
    ----------
    x_calibration
        Inputs whose ANN activations set the normalisation (needed unless ``percentile`` is None).
    neuron
        ``"if"`` (integrate-and-fire, reset by subtraction, threshold 1), ``"quantized"``, or
        ``"ei"`` (EI neurons with thresholds +1 and -1 for linear layers, IF for ReLU layers).
    encoding, readout
        See the module docstring.
    percentile
        Percentile of the positive activations (of ``|a|`` for the EI layers) used as each
        layer's scale; ``None``: no normalisation.
    dt
        Brian2 time step. For IF networks only a label (results count steps); for quantized
        networks activations are rates in Hz and ``dt * amplitude`` sets the quantum.
    amplitude
        Quantized neuron: output per quantum times dt (module :mod:`neurodyn.convert.neurons`).
    """
    _choice("neuron", neuron, NEURONS)
    _choice("encoding", encoding, ENCODINGS)
    _choice("readout", readout, READOUTS)
    if not isinstance(dt, Quantity) or not have_same_dimensions(dt, second) or not float(dt) > 0:
        raise ConversionError(f"dt needs a positive unit of time, e.g. 1*ms; got {dt!r}")
    if not (np.isfinite(amplitude) and amplitude > 0):
        raise ConversionError(f"amplitude must be > 0, got {amplitude}")
    if neuron != "ei":
        for layer in ann.layers[:-1]:
            if layer.activation != "relu":
                raise ConversionError(f"{layer.name}: hidden layers must be ReLU to be converted with neuron="
                                      f"{neuron!r}, got {layer.activation}; neuron='ei' represents signed "
                                      f"(linear) layers")
    if percentile is None:
        scales = [1.0] * (len(ann.layers) + 1)
    else:
        if x_calibration is None:
            raise ConversionError("normalisation needs calibration inputs (x_calibration), or percentile=None")
        if not 0 < percentile <= 100:
            raise ConversionError(f"percentile must be in (0, 100], got {percentile}")
        x_calibration = check_inputs(x_calibration, ann.n_in)
        scales = [_scale(x_calibration, percentile, "inputs")]
        scales += [_scale(a, percentile, layer.name, _layer_neuron(neuron, layer.activation) == "ei")
                   for a, layer in zip(ann.activations(x_calibration), ann.layers)]
    weights = tuple(layer.weight * scales[k] / scales[k + 1] for k, layer in enumerate(ann.layers))
    biases = tuple(layer.bias / scales[k + 1] for k, layer in enumerate(ann.layers))
    return ConvertedNetwork(ann, weights, biases, scales[0], tuple(scales[1:]), neuron, encoding, readout,
                            dt, float(amplitude), percentile)


def _layer_neuron(neuron: str, activation: str) -> str:
    return ("ei" if activation == "linear" else "if") if neuron == "ei" else neuron


def _scale(activations: np.ndarray, percentile: float, where: str, signed: bool = False) -> float:
    """``percentile`` of the positive activations, or of the non-zero ``|activations|`` if ``signed``."""
    values = np.abs(activations) if signed else activations
    values = values[values > 0]
    if values.size == 0:
        raise ConversionError(f"{where}: no {'non-zero' if signed else 'positive'} activation on the calibration "
                              f"data; cannot normalise")
    return float(np.percentile(values, percentile))
