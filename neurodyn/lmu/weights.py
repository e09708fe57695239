"""A trained LMU as NumPy arrays, with the shape checks every reader and builder relies on.

One memory channel of order ``d`` over a window of ``theta`` steps, ``n_h`` hidden units,
inputs ``x_t`` of ``n_in`` features, ``n_out`` classes. Per step ``t = 1..T`` (Voelker, Kajic &
Eliasmith 2019, the layout of keras-lmu's ``LMUCell`` with ``memory_d = 1``)::

    u_t = e_x . x_t + e_h . h_{t-1} + e_m . m_{t-1}              encoder (scalar)
    m_t = A_bar m_{t-1} + B_bar u_t                              Legendre memory (d)
    z_t = W_x x_t + W_h h_{t-1} + W_m m_t + b                    hidden input (n_h)
    h_t = f(z_t)                                                 ReLU, or its quantized / IF version
    y   = W_o mean_t(h_t) + b_o                                  readout: class scores (n_out)

``h_0 = 0``, ``m_0 = 0``. Activations are rates: a hidden unit's value is in Hz in the Brian2
network (:mod:`neurodyn.lmu.network`), the same number in PyTorch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodyn.lmu.errors import LMUError
from neurodyn.lmu.legendre import DISCRETIZERS, check_memory, discrete_memory

#: What spikes: ``ann`` nothing; ``hybrid`` the hidden units (quantized, multi-bit); ``spiking`` the
#: hidden units as integrate-and-fire neurons (one bit). The memory is linear in every mode.
MODES = ("ann", "hybrid", "spiking")

#: ``(field, shape as names)``: every array of an LMU and the dimensions it must have.
ARRAY_SHAPES = (
    ("encoder_input", ("n_in",)), ("encoder_hidden", ("n_h",)), ("encoder_memory", ("d",)),
    ("kernel_input", ("n_h", "n_in")), ("kernel_hidden", ("n_h", "n_h")), ("kernel_memory", ("n_h", "d")),
    ("bias", ("n_h",)), ("readout_weight", ("n_out", "n_h")), ("readout_bias", ("n_out",)),
)


@dataclass(frozen=True)
class LMUWeights:
    """The arrays of one LMU (module docstring); checked on construction.

    ``dt`` and ``amplitude`` are the quantization the network was trained for (the quantized
    neuron of :mod:`neurodyn.convert.neurons`: ``dt * relu(z) / amplitude`` quanta per step).
    """

    order: int
    theta: float
    discretizer: str
    encoder_input: np.ndarray
    encoder_hidden: np.ndarray
    encoder_memory: np.ndarray
    kernel_input: np.ndarray
    kernel_hidden: np.ndarray
    kernel_memory: np.ndarray
    bias: np.ndarray
    readout_weight: np.ndarray
    readout_bias: np.ndarray
    dt: float = 1.0
    amplitude: float = 1.0

    def __post_init__(self):
        order, theta = check_memory(self.order, self.theta)
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "theta", theta)
        if self.discretizer not in DISCRETIZERS:
            raise LMUError(f"unknown discretizer {self.discretizer!r}; choose one of {', '.join(DISCRETIZERS)}")
        for name in ("dt", "amplitude"):
            value = float(getattr(self, name))
            if not (np.isfinite(value) and value > 0):
                raise LMUError(f"{name} must be > 0, got {value}")
            object.__setattr__(self, name, value)
        arrays = {name: np.asarray(getattr(self, name), dtype=float) for name, _ in ARRAY_SHAPES}
        sizes = {"d": order, "n_in": arrays["kernel_input"].shape[-1] if arrays["kernel_input"].ndim == 2 else -1,
                 "n_h": len(arrays["bias"]) if arrays["bias"].ndim == 1 else -1,
                 "n_out": len(arrays["readout_bias"]) if arrays["readout_bias"].ndim == 1 else -1}
        for name, dims in ARRAY_SHAPES:
            expected = tuple(sizes[dim] for dim in dims)
            if arrays[name].shape != expected:
                where = " x ".join(f"{dim}={sizes[dim]}" for dim in dims)
                hint = (f" (the memory order is {order}: a file written for another order?)" if "d" in dims else "")
                raise LMUError(f"{name} has shape {arrays[name].shape}, expected {expected} ({where}){hint}")
            if not np.all(np.isfinite(arrays[name])):
                raise LMUError(f"{name} contains NaN or infinite values")
            object.__setattr__(self, name, arrays[name])

    @property
    def n_in(self) -> int:
        return self.kernel_input.shape[1]

    @property
    def n_hidden(self) -> int:
        return len(self.bias)

    @property
    def n_out(self) -> int:
        return len(self.readout_bias)

    def memory_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """``(A_bar (d, d), B_bar (d,))`` of this LMU's memory."""
        a_bar, b_bar = discrete_memory(self.order, self.theta, self.discretizer)
        return a_bar, b_bar[:, 0]

    def with_quantization(self, dt: float, amplitude: float | None = None) -> LMUWeights:
        """The same weights with another quantization ``dt`` (and ``amplitude``)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields.update(dt=dt, amplitude=self.amplitude if amplitude is None else amplitude)
        return LMUWeights(**fields)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise LMUError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode


def check_sequences(x: np.ndarray, n_in: int) -> np.ndarray:
    """``x`` as a finite float array ``(n_samples, T, n_in)``, or an :class:`LMUError`."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 2 and n_in == 1:
        x = x[:, :, None]
    if x.ndim != 3 or x.shape[2] != n_in or x.shape[1] < 1 or x.shape[0] < 1:
        raise LMUError(f"input sequences must have shape (n_samples, T, {n_in}), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise LMUError("input sequences contain NaN or infinite values")
    return x
