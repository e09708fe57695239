"""The Brian2 LMU computes the PyTorch LMU's recurrence: scores (ann), spike counts per unit and
step (hybrid, spiking), on random LMUs and on the shipped digits LMU."""
from pathlib import Path

import numpy as np
import pytest

from neurodyn.lmu.datasets import sequential_digits
from neurodyn.lmu.measures import activity_measures
from neurodyn.lmu.network import run_lmu
from neurodyn.lmu.readers import read_lmu_npz
from neurodyn.lmu.torch_lmu import torch_forward
from lmu_helpers import random_lmu, random_sequences

DATA = Path(__file__).resolve().parent.parent / "data"


def test_ann_mode_scores_equal_the_torch_forward():
    weights = random_lmu()
    x = random_sequences()
    run = run_lmu(weights, x, "ann", target="numpy")
    scores, counts = torch_forward(weights, x, "ann")
    assert counts is None and run.counts is None
    np.testing.assert_allclose(run.scores, scores, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("discretizer", ["zoh", "euler"])
def test_hybrid_counts_equal_the_torch_quantizer(discretizer):
    """Every hidden unit's quanta in every step equal PyTorch's, multi-bit counts included; the
    readout equals W_o mean_t(h_t) + b_o."""
    weights = random_lmu(discretizer=discretizer)
    x = random_sequences()
    run = run_lmu(weights, x, "hybrid", target="numpy")
    scores, counts = torch_forward(weights, x, "hybrid")
    assert counts.max() > 2 and (counts == 0).any()
    np.testing.assert_array_equal(run.counts, counts)
    np.testing.assert_allclose(run.scores, scores, rtol=1e-10, atol=1e-12)


def test_spiking_mode_is_integrate_and_fire():
    """At most one spike per unit and step, equal to PyTorch's IF; rate limited to amplitude/dt."""
    weights = random_lmu(dt=0.5)
    x = random_sequences()
    run = run_lmu(weights, x, "spiking", target="numpy")
    _, counts = torch_forward(weights, x, "spiking")
    assert set(np.unique(run.counts)) == {0, 1}
    np.testing.assert_array_equal(run.counts, counts)


def test_quantization_level_sets_the_quanta():
    """The same LMU at dt and 4 dt: about 4 times the quanta per step (temporally diffused rounding
    keeps the count within one quantum of dt * sum relu(z) / amplitude per unit)."""
    weights = random_lmu(feedback=False)
    x = random_sequences()
    low = run_lmu(weights, x, "hybrid", target="numpy").counts.sum()
    high = run_lmu(weights.with_quantization(4 * weights.dt), x, "hybrid", target="numpy").counts.sum()
    assert high / low == pytest.approx(4.0, rel=0.1)


def test_cpp_standalone_counts_equal_torch():
    weights = random_lmu(seed=3)
    x = random_sequences(n_samples=2, steps=8)
    run = run_lmu(weights, x, "hybrid", target="cpp_standalone")
    _, counts = torch_forward(weights, x, "hybrid")
    np.testing.assert_array_equal(run.counts, counts)


def test_shipped_digits_hybrid_matches_torch_and_stays_under_4_bits():
    """data/digits_lmu.npz on the 360 held-out digits: spike counts per unit and step equal the
    PyTorch quantizer's, accuracy within 1 point, at most 4 bits per activity on average."""
    weights = read_lmu_npz(DATA / "digits_lmu.npz")
    _, x_test, _, y_test = sequential_digits()
    run = run_lmu(weights, x_test, "hybrid", target="numpy")
    scores, counts = torch_forward(weights, x_test, "hybrid")
    np.testing.assert_array_equal(run.counts, counts)
    torch_accuracy = float(np.mean(scores.argmax(1) == y_test))
    assert abs(run.accuracy(y_test) - torch_accuracy) <= 0.01
    assert torch_accuracy > 0.85
    measures = activity_measures(run.counts, weights, run.fan_out, 0)
    assert 1.0 < measures["bits_per_activity"] <= 4.0
