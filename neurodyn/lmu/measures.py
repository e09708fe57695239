"""What an LMU inference costs, as Voelker, Rasmussen & Eliasmith 2020 report it.

Per inference (one sequence of ``T`` steps), from the hidden units' quanta ``n`` per step:

- ``bits_per_activity``: mean over spike events (``n >= 1``) of ``floor(log2 n) + 1``, the bits
  needed to send the count (1 for IF neurons; the paper: 3.74 on psMNIST);
- ``significant_bits_per_multiplication``: mean over synaptic events (each event times the
  fan-out of its unit) of the significant bits of ``n``, ``bit_length(n >> trailing_zeros(n))``:
  multiplying a weight by ``n = 2^k`` is a shift, by 3 an add (the paper: 1.26);
- ``quanta_per_unit_step``: quanta per hidden unit and step;
- ``synops_per_inference``: synaptic events leaving hidden units (events times fan-out); in
  ``ann`` mode every activation is sent every step (``T`` times the total fan-out);
- ``memory_macs_per_inference``: multiply-accumulates of the linear couplings from the memory
  and the input (every step, all modes).
"""
from __future__ import annotations

import numpy as np

from neurodyn.lmu.weights import LMUWeights


def significant_bits(n: np.ndarray) -> np.ndarray:
    """Bits between the highest and the lowest set bit of each positive integer ``n``, inclusive."""
    n = np.asarray(n, dtype=np.int64)
    odd = n // (n & -n)                       # n without its trailing zeros
    return np.floor(np.log2(odd)).astype(np.int64) + 1


def activity_measures(counts: np.ndarray, weights: LMUWeights, fan_out: np.ndarray,
                      memory_nonzero: int) -> dict[str, float]:
    """The measures of the module docstring for ``counts`` ``(n_samples, T, n_h)``;
    ``fan_out`` per hidden unit, ``memory_nonzero`` the non-zero couplings from memory and input."""
    n_samples, steps, _ = counts.shape
    unit = np.broadcast_to(np.arange(weights.n_hidden), counts.shape)[counts > 0]
    events = counts[counts > 0]
    fan = fan_out[unit].astype(float)
    bits = np.floor(np.log2(events)) + 1 if events.size else np.array([np.nan])
    significant = significant_bits(events) if events.size else np.array([np.nan])
    return {"bits_per_activity": float(np.mean(bits)),
            "significant_bits_per_multiplication": float(np.average(significant, weights=fan))
            if events.size and fan.sum() > 0 else np.nan,
            "quanta_per_unit_step": float(counts.sum() / counts.size),
            "synops_per_inference": float(fan.sum() / n_samples),
            "memory_macs_per_inference": float(steps * memory_nonzero)}


def ann_measures(steps: int, fan_out: np.ndarray, memory_nonzero: int) -> dict[str, float]:
    """The ann mode's costs: every hidden activation sent every step, no spikes to count."""
    return {"bits_per_activity": np.nan, "significant_bits_per_multiplication": np.nan,
            "quanta_per_unit_step": np.nan, "synops_per_inference": float(steps * fan_out.sum()),
            "memory_macs_per_inference": float(steps * memory_nonzero)}
