"""The Legendre delay system of the LMU (Voelker, Kajic & Eliasmith 2019) and its discretisation.

Continuous time, ``theta`` the window length in time steps, ``d`` the memory order::

    theta dm/dt = A' m + B' u,       A = A'/theta,  B = B'/theta
    A_ij = (2i+1)/theta * (-1            if i < j
                           (-1)^(i-j+1)  if i >= j)
    B_i  = (2i+1) (-1)^i / theta

(keras-lmu ``layers.py``, ``LMUCell._gen_AB``). The memory holds the Legendre coefficients of
the input over the last ``theta`` steps: ``u(t - theta r) ~ sum_i P_i(2r - 1) m_i(t)`` for
``0 <= r <= 1`` (shifted Legendre polynomials, :func:`legendre_decoders`).

One time step (dt = 1 step), as keras-lmu:

- ``"zoh"``: zero-order hold, ``A_bar = expm(A)``, ``B_bar = A^-1 (A_bar - I) B``
  (``scipy.signal.cont2discrete``);
- ``"euler"``: forward Euler, ``A_bar = I + A``, ``B_bar = B``.

The discrete memory is ``m_t = A_bar m_{t-1} + B_bar u_t``.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import cont2discrete
from scipy.special import eval_legendre

from neurodyn.lmu.errors import LMUError

DISCRETIZERS = ("zoh", "euler")


def check_memory(order, theta) -> tuple[int, float]:
    """``(order, theta)`` as ``(int >= 1, finite float > 0)``, or an :class:`LMUError`."""
    if isinstance(order, bool) or not float(order).is_integer() or int(order) < 1:
        raise LMUError(f"memory order must be an integer >= 1, got {order!r}")
    theta = float(theta)
    if not (np.isfinite(theta) and theta > 0):
        raise LMUError(f"theta (the memory window, in time steps) must be > 0, got {theta}")
    return int(order), theta


def legendre_matrices(order: int, theta: float) -> tuple[np.ndarray, np.ndarray]:
    """Continuous-time ``(A, B)``, shapes ``(d, d)`` and ``(d, 1)``, scaled by ``1/theta`` (per step)."""
    order, theta = check_memory(order, theta)
    q = np.arange(order, dtype=np.float64)
    r = (2 * q + 1)[:, None] / theta
    j, i = np.meshgrid(q, q)
    a = np.where(i < j, -1.0, (-1.0) ** (i - j + 1)) * r
    b = (-1.0) ** q[:, None] * r
    return a, b


def discretise(a: np.ndarray, b: np.ndarray, method: str = "zoh") -> tuple[np.ndarray, np.ndarray]:
    """``(A_bar, B_bar)`` for one step of ``dm/dt = A m + B u`` (module docstring)."""
    if method == "zoh":
        a_bar, b_bar, *_ = cont2discrete((a, b, np.ones((1, len(a))), np.zeros((1, 1))), dt=1.0, method="zoh")
        return a_bar, b_bar
    if method == "euler":
        return np.eye(len(a)) + a, b.copy()
    raise LMUError(f"unknown discretizer {method!r}; choose one of {', '.join(DISCRETIZERS)}")


def discrete_memory(order: int, theta: float, method: str = "zoh") -> tuple[np.ndarray, np.ndarray]:
    """``(A_bar, B_bar)`` of the order-``order`` Legendre memory with window ``theta`` steps."""
    return discretise(*legendre_matrices(order, theta), method)


def legendre_decoders(order: int, delays: np.ndarray) -> np.ndarray:
    """``(len(delays), d)`` matrix ``P_i(2r - 1)`` decoding ``u(t - theta r)`` from ``m(t)``, ``r`` in [0, 1]."""
    r = np.atleast_1d(np.asarray(delays, dtype=float))
    return np.stack([eval_legendre(i, 2 * r - 1) for i in range(int(order))], axis=1)
