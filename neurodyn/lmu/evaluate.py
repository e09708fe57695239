"""One LMU, one mode, one batch: the Brian2 run beside the PyTorch forward pass, as a record."""
from __future__ import annotations

import numpy as np

from neurodyn.lmu.measures import activity_measures, ann_measures
from neurodyn.lmu.network import FoldedCouplings, run_lmu
from neurodyn.lmu.weights import LMUWeights


def memory_nonzero(weights: LMUWeights) -> int:
    """Non-zero couplings from memory and input (computed every step, in every mode)."""
    folded = FoldedCouplings.of(weights)
    return int(sum(np.count_nonzero(m) for m in (folded.memory_memory, folded.input_memory, folded.memory_hidden,
                                                 folded.input_hidden)))


def evaluate_lmu(weights: LMUWeights, x: np.ndarray, labels: np.ndarray, mode: str, target: str = "cython",
                 **device_options) -> dict:
    """Accuracy of the Brian2 network and of PyTorch (float64) on ``x``, whether their spike counts
    agree for every unit and step, and the measures of :mod:`neurodyn.lmu.measures` (from Brian2)."""
    from neurodyn.lmu.torch_lmu import torch_forward

    run = run_lmu(weights, x, mode, target=target, **device_options)
    scores, counts = torch_forward(weights, x, mode)
    labels = np.asarray(labels)
    nonzero = memory_nonzero(weights)
    measures = (ann_measures(x.shape[1], run.fan_out, nonzero) if run.counts is None
                else activity_measures(run.counts, weights, run.fan_out, nonzero))
    return {"mode": mode, "what_spikes": run.describe(), "dt": weights.dt, "amplitude": weights.amplitude,
            "brian2_accuracy": run.accuracy(labels), "torch_accuracy": float(np.mean(scores.argmax(1) == labels)),
            "counts_equal": bool(counts is None or np.array_equal(run.counts, counts)),
            "max_score_difference": float(np.max(np.abs(run.scores - scores))), **measures,
            "target": target, "wall_s": run.wall_seconds, "n_samples": len(x)}
