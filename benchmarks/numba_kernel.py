"""The reference workload hand-written in Numba: the practical lower bound of run time.

Same dynamics and schedule as Brian2's (per time step: exact update of ``v, x, y``,
threshold ``v >= 1``, delivery of the spikes emitted ``D = tau_d/dt`` steps earlier,
reset ``v = 0``), written the way a fast simulator does it:

* exact integration: the linear system ``d(v, x, y)/dt = A (v, x, y) + (I_i/tau_m, 0, 0)``
  is advanced by its propagator ``P = expm(A dt)`` (SciPy, computed once);
* connectivity in CSR by presynaptic neuron (``targets[indptr[j]:indptr[j+1]]``);
* the delay as a ring buffer of ``D + 1`` rows of summed kicks ``alpha/K`` per neuron:
  a spike at step ``n`` adds its kicks to row ``(n + D) mod (D + 1)``, which is added to
  ``y`` (and cleared) at step ``n + D``.

Spikes are recorded as (neuron, step). Only NumPy, SciPy and Numba are needed.
"""
from __future__ import annotations

import numba
import numpy as np
from scipy.linalg import expm


def propagator(g: float, alpha: float, tau_m_ms: float, dt_ms: float) -> np.ndarray:
    """4x4 exact one-step propagator of ``(v, x, y, I)`` (``I`` constant)."""
    generator = np.array([[-1.0, -g, 0.0, 1.0],
                          [0.0, -alpha, alpha, 0.0],
                          [0.0, 0.0, -alpha, 0.0],
                          [0.0, 0.0, 0.0, 0.0]]) / tau_m_ms
    return expm(generator * dt_ms)


def csr_by_source(pre: np.ndarray, post: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, targets)``: the targets of neuron ``j`` are ``targets[indptr[j]:indptr[j+1]]``."""
    order = np.argsort(pre, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=n), out=indptr[1:])
    return indptr, post[order].astype(np.int32)


@numba.njit(boundscheck=False)
def _simulate(P, I, v, indptr, targets, kick, steps, delay_steps):  # pragma: no cover - compiled
    n = v.size
    x = np.zeros(n)
    y = np.zeros(n)
    slots = delay_steps + 1
    ring = np.zeros(slots * n)   # row r (a time step modulo slots) at ring[r*n:(r+1)*n]
    pvv, pvx, pvy, pvi = P[0, 0], P[0, 1], P[0, 2], P[0, 3]
    pxx, pxy, pyy = P[1, 1], P[1, 2], P[2, 2]
    spiking = np.empty(n, dtype=np.int32)
    spike_i = np.empty(1024, dtype=np.int32)
    spike_step = np.empty(1024, dtype=np.int64)
    n_spikes = 0
    for step in range(steps):
        # exact update plus the kicks arriving this step (they act on y only, so adding them
        # before the threshold test is Brian2's order); a branch-free loop, then the test
        arriving = ring[(step % slots) * n:(step % slots + 1) * n]
        for k in range(n):
            vk, xk, yk = v[k], x[k], y[k]
            v[k] = pvv * vk + pvx * xk + pvy * yk + pvi * I[k]
            x[k] = pxx * xk + pxy * yk
            y[k] = pyy * yk + arriving[k]
            arriving[k] = 0.0
        n_spiking = 0
        for k in range(n):
            if v[k] >= 1.0:
                spiking[n_spiking] = k
                n_spiking += 1
        outgoing = ((step + delay_steps) % slots) * n
        if n_spikes + n_spiking > spike_i.size:
            grown = max(2 * spike_i.size, n_spikes + n_spiking)
            spike_i = np.concatenate((spike_i, np.empty(grown - spike_i.size, dtype=np.int32)))
            spike_step = np.concatenate((spike_step, np.empty(grown - spike_step.size, dtype=np.int64)))
        for s in range(n_spiking):
            j = spiking[s]
            for e in range(indptr[j], indptr[j + 1]):
                ring[outgoing + targets[e]] += kick
            v[j] = 0.0
            spike_i[n_spikes] = j
            spike_step[n_spikes] = step
            n_spikes += 1
    return spike_i[:n_spikes], spike_step[:n_spikes]


def simulate(I, v0, pre, post, *, g, alpha, K, tau_m_ms, dt_ms, tau_d_ms, steps) -> tuple[np.ndarray, np.ndarray]:
    """Run ``steps`` time steps; return spike neuron indices and spike times (ms).

    The time of a spike is the start of its step, ``step * dt``, as Brian2 records it.
    """
    delay_steps = int(round(tau_d_ms / dt_ms))
    if delay_steps < 1:
        raise ValueError(f"the ring buffer needs a delay of at least one step; got tau_d={tau_d_ms} ms")
    indptr, targets = csr_by_source(np.asarray(pre), np.asarray(post), len(I))
    spike_i, spike_step = _simulate(propagator(g, alpha, tau_m_ms, dt_ms), np.asarray(I, dtype=float),
                                    np.array(v0, dtype=float), indptr, targets, alpha / K, steps, delay_steps)
    return spike_i, spike_step * dt_ms
