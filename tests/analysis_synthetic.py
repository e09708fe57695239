"""Spike trains with known properties for the analysis tests, as flat (i, t) arrays in time order."""
from __future__ import annotations

import numpy as np


def time_ordered(i, t):
    """Spikes sorted by time, as Brian2's SpikeMonitor records them."""
    order = np.argsort(t, kind="stable")
    return np.asarray(i)[order].astype(np.int32), np.asarray(t, dtype=np.float64)[order]


def poisson(n_neurons: int, rate: float, duration: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Independent homogeneous Poisson trains of ``rate`` (Hz) on [0, duration)."""
    counts = rng.poisson(rate * duration, n_neurons)
    return time_ordered(np.repeat(np.arange(n_neurons), counts), rng.uniform(0, duration, counts.sum()))


def gamma(n_neurons: int, shape: float, rate: float, duration: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Renewal trains with gamma-distributed intervals (CV = 1/sqrt(shape)), mean rate ``rate``."""
    n_draw = int(rate * duration * 2 + 50)
    t = np.cumsum(rng.gamma(shape, 1 / (shape * rate), (n_neurons, n_draw)), axis=1)
    neuron = np.broadcast_to(np.arange(n_neurons)[:, None], t.shape)
    keep = t < duration
    return time_ordered(neuron[keep], t[keep])


def modulated_poisson(n_neurons: int, rate: float, depth: float, freq: float, duration: float,
                      rng) -> tuple[np.ndarray, np.ndarray]:
    """Inhomogeneous Poisson trains, rate(t) = rate (1 + depth sin(2 pi freq t)), by thinning."""
    i, t = poisson(n_neurons, rate * (1 + depth), duration, rng)
    keep = rng.uniform(0, 1 + depth, len(t)) < 1 + depth * np.sin(2 * np.pi * freq * t)
    return i[keep], t[keep]


def lif(n_neurons: int, duration: float, dt: float = 1e-4, tau: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic LIF neurons, tau dv/dt = I_k + 0.6 sin(2 pi 7 Hz t) - v, threshold 1, reset 0.

    Forward Euler on a grid of ``dt``; excitabilities I_k from 1.1 to 2, so rates and interval
    patterns differ between neurons and the intervals vary with the slow drive.
    """
    drive = np.linspace(1.1, 2.0, n_neurons)
    v = np.linspace(0, 0.9, n_neurons)
    spikes_i, spikes_t = [], []
    for step in range(int(round(duration / dt))):
        now = step * dt
        v += dt / tau * (drive + 0.6 * np.sin(2 * np.pi * 7 * now) - v)
        fired = np.flatnonzero(v >= 1)
        v[fired] = 0
        spikes_i.append(fired)
        spikes_t.append(np.full(len(fired), now + dt))
    return np.concatenate(spikes_i).astype(np.int32), np.concatenate(spikes_t)


def planted_bursts(n_neurons: int, rng, duration: float = 40.0):
    """Bursts of known size, far apart, plus isolated spikes between them.

    Neuron k fires ``n_bursts[k]`` bursts (20 to 40) of ``size[k]`` spikes (3 to 7) with
    intra-burst intervals of 2 to 6 ms; bursts start at least 300 ms apart and each gap
    holds one isolated spike at least 100 ms from both bursts.

    Returns
    -------
    i, t : ndarray
    n_bursts, size : ndarray, shape (n_neurons,)
    """
    n_bursts = rng.integers(20, 41, n_neurons)
    size = rng.integers(3, 8, n_neurons)
    neuron_i, neuron_t = [], []
    for k in range(n_neurons):
        onsets = np.cumsum(rng.uniform(0.3, 0.9, n_bursts[k]))
        intra = np.cumsum(rng.uniform(2e-3, 6e-3, (n_bursts[k], size[k] - 1)), axis=1)
        burst_t = np.concatenate([onsets[:, None], onsets[:, None] + intra], axis=1).ravel()
        burst_end = onsets + intra[:, -1]
        isolated = (burst_end[:-1] + onsets[1:]) / 2
        times = np.concatenate([burst_t, isolated])
        neuron_t.append(times)
        neuron_i.append(np.full(len(times), k))
    i, t = time_ordered(np.concatenate(neuron_i), np.concatenate(neuron_t))
    assert t.max() < duration
    return i, t, n_bursts, size
