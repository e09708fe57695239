"""Training: the annealing schedule of the quantization, the straight-through gradient, a short run."""
import numpy as np
import pytest

from neurodyn.lmu.torch_lmu import LMUModule, torch
from neurodyn.lmu.training import TrainingSetup, annealed, train_lmu
from lmu_helpers import random_lmu, random_sequences


def test_annealing_is_geometric_between_the_window_edges():
    setup = TrainingSetup(epochs=10, anneal=(0.2, 0.7), dt_start=1000.0)
    values = [annealed(epoch, setup, 1000.0, 4.0) for epoch in range(10)]
    assert values[:2] == [1000.0, 1000.0] and values[6:] == [4.0] * 4
    ratios = np.diff(np.log(values[1:7]))
    np.testing.assert_allclose(ratios, np.log(4.0 / 1000.0) / 5)


def test_straight_through_gradient_is_the_relu_gradient():
    """The quantized forward differs from ReLU, its gradient does not: d loss / d parameters equal
    the ReLU network's when the loss reads only the first step's hidden input (h_0 = 0)."""
    weights = random_lmu(feedback=False)
    x = torch.as_tensor(random_sequences(n_samples=3, steps=1), dtype=torch.float64)
    gradients = {}
    for mode in ("ann", "hybrid"):
        module = LMUModule.from_weights(weights, torch.float64)
        scores = module(x, mode, dt=2.0)
        scores.sum().backward()
        gradients[mode] = module.kernel_input.grad.clone()
    np.testing.assert_allclose(gradients["hybrid"].numpy(), gradients["ann"].numpy())
    hybrid = LMUModule.from_weights(weights, torch.float64)(x, "hybrid", dt=2.0)
    ann = LMUModule.from_weights(weights, torch.float64)(x, "ann", dt=2.0)
    assert not torch.allclose(hybrid, ann)


@pytest.mark.parametrize("mode", ["hybrid", "spiking"])
def test_short_training_lowers_the_loss(mode):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(64, 6, 2))
    y = (x[:, :, 0].mean(axis=1) > 0.5).astype(int)
    losses = []
    setup = TrainingSetup(n_hidden=8, order=4, theta=6.0, epochs=8, batch_size=16, learning_rate=0.02)
    weights = train_lmu(x, y, mode, dt=2.0, setup=setup, log=lambda epoch, dt, cap, loss: losses.append(loss))
    assert weights.dt == 2.0 and weights.order == 4
    assert losses[-1] < losses[0]
