"""The LMU in PyTorch: the reference forward pass of every mode, and the module that is trained.

The recurrence is the one of :mod:`neurodyn.lmu.weights`. The hidden nonlinearity ``f`` by mode:

- ``"ann"``: ``h = relu(z)``;
- ``"hybrid"``: the quantized neuron with temporally diffused error (Voelker, Rasmussen &
  Eliasmith 2020; :mod:`neurodyn.convert.neurons`), state ``v`` per unit, ``v_0 = 0``::

      v += dt * relu(z) / amplitude;   n = floor(v);   v -= n;   h = amplitude * n / dt

  ``n`` is the spike count (quanta) of the step; ``amplitude / dt`` is one quantum of output;
- ``"spiking"``: the same with at most one quantum per step (integrate-and-fire, threshold 1,
  reset by subtraction): ``n = [v >= 1]``. During training the cap of one quantum may be
  relaxed to ``max_count`` quanta per step (``n = min(floor(v), max_count)``, the surplus stays
  in ``v``), which interpolates from the hybrid to the IF network.

The memory stays linear in every mode (it is the LMU's analog state). Training uses the
straight-through gradient ``dh/dz = relu'(z)`` for the quantized modes (zero above
the saturation ``max_count * amplitude / dt`` of the spiking mode).
"""
from __future__ import annotations

import numpy as np

from neurodyn.lmu.legendre import discrete_memory
from neurodyn.convert.readers import import_torch
from neurodyn.lmu.weights import ARRAY_SHAPES, LMUWeights, check_mode

torch = import_torch()


class LMUModule(torch.nn.Module):
    """Trainable LMU (one memory channel); parameter names are the fields of :class:`LMUWeights`."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, order: int, theta: float, discretizer: str = "zoh"):
        super().__init__()
        a_bar, b_bar = discrete_memory(order, theta, discretizer)
        self.order, self.theta, self.discretizer = int(order), float(theta), discretizer
        # float64 buffers, cast per forward: the memory matrices keep their precision whatever
        # the parameters' dtype
        self.register_buffer("a_bar", torch.tensor(a_bar, dtype=torch.float64))
        self.register_buffer("b_bar", torch.tensor(b_bar[:, 0], dtype=torch.float64))
        sizes = {"n_in": n_in, "n_h": n_hidden, "n_out": n_out, "d": order}
        for name, dims in ARRAY_SHAPES:
            self.register_parameter(name, torch.nn.Parameter(torch.zeros(*(sizes[d] for d in dims))))
        with torch.no_grad():
            for name in ("kernel_input", "kernel_memory", "readout_weight"):
                torch.nn.init.xavier_uniform_(getattr(self, name))
            torch.nn.init.orthogonal_(self.kernel_hidden, gain=0.5)
            torch.nn.init.uniform_(self.encoder_input, -1.0, 1.0)

    def forward(self, x, mode: str = "ann", dt: float = 1.0, amplitude: float = 1.0, return_counts: bool = False,
                max_count: float = 1.0):
        """Class scores ``(batch, n_out)`` for sequences ``x`` ``(batch, T, n_in)``; with
        ``return_counts`` also the quanta ``n`` ``(batch, T, n_h)`` (``None`` for ``"ann"``).
        ``max_count``: quanta per step of the ``"spiking"`` mode (1: integrate-and-fire)."""
        check_mode(mode)
        batch, steps, _ = x.shape
        n_h = self.bias.shape[0]
        h = x.new_zeros(batch, n_h)
        m = x.new_zeros(batch, self.order)
        v = x.new_zeros(batch, n_h)
        total = x.new_zeros(batch, n_h)
        counts = []
        a_bar, b_bar = self.a_bar.to(x.dtype), self.b_bar.to(x.dtype)
        for t in range(steps):
            x_t = x[:, t]
            u = x_t @ self.encoder_input + h @ self.encoder_hidden + m @ self.encoder_memory
            m = m @ a_bar.T + u[:, None] * b_bar
            z = x_t @ self.kernel_input.T + h @ self.kernel_hidden.T + m @ self.kernel_memory.T + self.bias
            rate = torch.relu(z)
            if mode == "ann":
                h = rate
            else:
                with torch.no_grad():
                    v = v + dt * rate / amplitude
                    n = torch.floor(v)
                    if mode == "spiking":
                        n = torch.clamp(n, max=max_count)
                    v = v - n
                counts.append(n)
                if mode == "spiking":
                    rate = torch.clamp(rate, max=max_count * amplitude / dt)
                h = rate + (amplitude * n / dt - rate).detach()   # straight-through gradient
            total = total + h
        scores = (total / steps) @ self.readout_weight.T + self.readout_bias
        if return_counts:
            return scores, (torch.stack(counts, dim=1) if counts else None)
        return scores

    def to_weights(self, dt: float = 1.0, amplitude: float = 1.0) -> LMUWeights:
        arrays = {name: getattr(self, name).detach().cpu().double().numpy() for name, _ in ARRAY_SHAPES}
        return LMUWeights(self.order, self.theta, self.discretizer, **arrays, dt=dt, amplitude=amplitude)

    @classmethod
    def from_weights(cls, weights: LMUWeights, dtype=torch.float32) -> LMUModule:
        module = cls(weights.n_in, weights.n_hidden, weights.n_out, weights.order, weights.theta, weights.discretizer)
        for name, _ in ARRAY_SHAPES:
            getattr(module, name).data = getattr(module, name).data.to(dtype)
        module.load_weights(weights)
        return module

    def load_weights(self, weights: LMUWeights) -> None:
        with torch.no_grad():
            for name, _ in ARRAY_SHAPES:
                getattr(self, name).copy_(torch.as_tensor(getattr(weights, name)))


def torch_forward(weights: LMUWeights, x: np.ndarray, mode: str = "hybrid", dt: float | None = None,
                  amplitude: float | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Float64 forward pass of ``weights`` on ``x`` ``(n, T, n_in)``: ``(scores, counts)``; ``dt`` and
    ``amplitude`` default to the trained quantization."""
    module = LMUModule.from_weights(weights, torch.float64)
    dt = weights.dt if dt is None else dt
    amplitude = weights.amplitude if amplitude is None else amplitude
    with torch.no_grad():
        scores, counts = module(torch.as_tensor(np.asarray(x, dtype=float)), mode, dt, amplitude, return_counts=True)
    return scores.numpy(), None if counts is None else counts.numpy().astype(np.int64)
