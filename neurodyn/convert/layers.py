"""A trained feed-forward ANN as a list of dense layers, with its NumPy forward pass.

Each layer computes ``a_out = f(W a_in + b)`` with ``W`` of shape ``(n_out, n_in)`` (the
PyTorch ``nn.Linear`` convention), ``b`` of shape ``(n_out,)`` and ``f`` one of
:data:`ACTIVATIONS`. The forward pass is the reference the spiking network is compared with
(ANN accuracy, activation percentiles for normalisation).
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence

import numpy as np

from neurodyn.errors import ParameterError


class ConversionError(ParameterError):
    """A network file or layer that cannot be converted: malformed, NaN, wrong shape, unsupported."""


#: Activations a converted layer may have: ReLU, or none (linear: the output, or a signed hidden
#: layer for EI neurons).
ACTIVATIONS = ("relu", "linear")
#: Other names accepted for an activation (scikit-learn's MLPs call the linear one "identity").
ACTIVATION_ALIASES = {"identity": "linear"}


@dataclass(frozen=True)
class DenseLayer:
    """One dense layer ``f(W a + b)``; ``weight`` is ``(n_out, n_in)``, ``bias`` ``(n_out,)``."""

    weight: np.ndarray
    bias: np.ndarray
    activation: str = "relu"
    name: str = "layer"

    def __post_init__(self):
        weight = _real_array(self.weight, self.name, "weight")
        bias = np.zeros(weight.shape[0] if weight.ndim else 0) if self.bias is None else \
            _real_array(self.bias, self.name, "bias")
        if weight.ndim != 2:
            raise ConversionError(f"{self.name}: weight must be 2-D (n_out, n_in), got shape {weight.shape}")
        if bias.shape != (weight.shape[0],):
            raise ConversionError(f"{self.name}: bias shape {bias.shape} does not match weight shape "
                                  f"{weight.shape} (expected ({weight.shape[0]},))")
        for what, array in (("weight", weight), ("bias", bias)):
            if not np.all(np.isfinite(array)):
                raise ConversionError(f"{self.name}: {what} contains {int(np.sum(~np.isfinite(array)))} "
                                      f"NaN or infinite value(s)")
        activation = ACTIVATION_ALIASES.get(self.activation, self.activation)
        if activation not in ACTIVATIONS:
            raise ConversionError(f"{self.name}: unsupported activation {self.activation!r}; supported: "
                                  f"{', '.join(ACTIVATIONS)} ({', '.join(ACTIVATION_ALIASES)})")
        object.__setattr__(self, "activation", activation)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "bias", bias)

    @property
    def n_in(self) -> int:
        return self.weight.shape[1]

    @property
    def n_out(self) -> int:
        return self.weight.shape[0]

    def forward(self, a: np.ndarray) -> np.ndarray:
        """``f(a W^T + b)`` for a batch ``a`` of shape ``(n_samples, n_in)``."""
        z = a @ self.weight.T + self.bias
        return np.maximum(z, 0.0) if self.activation == "relu" else z


@dataclass(frozen=True)
class DenseNetwork:
    """A chain of :class:`DenseLayer`; consecutive shapes must agree."""

    layers: tuple[DenseLayer, ...]

    def __post_init__(self):
        layers = tuple(self.layers)
        if not layers:
            raise ConversionError("the network has no layers")
        for previous, layer in zip(layers, layers[1:]):
            if layer.n_in != previous.n_out:
                raise ConversionError(f"{layer.name}: expects {layer.n_in} inputs but {previous.name} has "
                                      f"{previous.n_out} outputs (weight shapes {previous.weight.shape} -> "
                                      f"{layer.weight.shape})")
        object.__setattr__(self, "layers", layers)

    @property
    def n_in(self) -> int:
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        return self.layers[-1].n_out

    def activations(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for inputs ``x`` ``(n_samples, n_in)``, first layer first."""
        a = check_inputs(x, self.n_in)
        outputs = []
        for layer in self.layers:
            a = layer.forward(a)
            outputs.append(a)
        return outputs

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class index (argmax of the last layer) for each row of ``x``."""
        return np.argmax(self.activations(x)[-1], axis=1)

    @classmethod
    def from_arrays(cls, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                    activations: Sequence[str] | None = None) -> DenseNetwork:
        """Layers from parallel lists; activations default to ReLU everywhere but the last (linear)."""
        if activations is None:
            activations = ["relu"] * (len(weights) - 1) + ["linear"]
        return cls(tuple(DenseLayer(w, b, f, name=f"layer{k}")
                         for k, (w, b, f) in enumerate(zip(weights, biases, activations))))


def _real_array(value, name: str, what: str) -> np.ndarray:
    """``value`` as a float array if it holds real numbers (integers or floats; not bool,
    complex, strings or objects), else a :class:`ConversionError`."""
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise ConversionError(f"{name}: {what} must hold real numbers, got dtype {array.dtype}")
    return array.astype(float)


def check_inputs(x: np.ndarray, n_in: int) -> np.ndarray:
    """``x`` as a finite float array of shape ``(n_samples, n_in)``, ``n_samples >= 1``, or a
    :class:`ConversionError`."""
    x = _real_array(x, "inputs", "the input array")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ConversionError(f"inputs must have shape (n_samples, {n_in}), got {x.shape}")
    if x.shape[0] == 0:
        raise ConversionError("the data set is empty (0 samples)")
    if not np.all(np.isfinite(x)):
        raise ConversionError("inputs contain NaN or infinite values")
    return x
