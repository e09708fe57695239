"""Training an LMU on sequences with the quantization knob (PyTorch, own code).

The paper's interpolation from non-spiking to spiking (Voelker, Rasmussen & Eliasmith 2020,
section "Training"): the quantized neuron gives ``dt * relu(z) / amplitude`` quanta per step,
so a large ``dt`` is nearly the ReLU network and a small one a spiking network. Training
starts at ``dt_start`` (ANN-like), lowers ``dt`` geometrically to the target ``dt`` during
the middle of training, and ends at the target; the forward pass is always quantized (mode
``"hybrid"`` or ``"spiking"``) and the gradient straight-through
(:mod:`neurodyn.lmu.torch_lmu`). Mode ``"ann"`` trains the non-spiking LMU. Mode
``"spiking"`` (integrate-and-fire hidden units, at most one quantum per step) keeps ``dt`` and
lowers the cap on the quanta per step in the same way, from ``max_count_start`` to 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodyn.lmu.torch_lmu import LMUModule, torch
from neurodyn.lmu.weights import LMUWeights, check_mode


@dataclass(frozen=True)
class TrainingSetup:
    """Network size and optimisation of :func:`train_lmu`."""

    n_hidden: int = 48
    order: int = 16
    theta: float = 64.0
    discretizer: str = "zoh"
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 5e-3
    dt_start: float = 1000.0
    max_count_start: float = 64.0
    anneal: tuple[float, float] = (0.2, 0.7)   # fractions of training where dt falls from dt_start to dt
    seed: int = 0


def annealed(epoch: int, setup: TrainingSetup, first: float, last: float) -> float:
    """The knob of ``epoch``: ``first`` before the annealing window, ``last`` after, geometric in between."""
    start, end = (int(round(f * setup.epochs)) for f in setup.anneal)
    if epoch < start:
        return first
    if epoch >= end:
        return last
    fraction = (epoch - start + 1) / (end - start)
    return float(first * (last / first) ** fraction)


def train_lmu(x_train: np.ndarray, y_train: np.ndarray, mode: str = "hybrid", dt: float = 1.0,
              amplitude: float = 1.0, setup: TrainingSetup = TrainingSetup(), log=None) -> LMUWeights:
    """Train on ``x_train`` ``(n, T, n_in)``, labels ``y_train``; return the weights (with ``dt``,
    ``amplitude``). ``log(epoch, dt, max_count, loss)`` is called after every epoch."""
    check_mode(mode)
    torch.manual_seed(setup.seed)
    n_out = int(np.max(y_train)) + 1
    model = LMUModule(x_train.shape[2], setup.n_hidden, n_out, setup.order, setup.theta, setup.discretizer)
    optimiser = torch.optim.Adam(model.parameters(), lr=setup.learning_rate)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, setup.epochs)
    inputs = torch.tensor(x_train, dtype=torch.float32)
    labels = torch.tensor(np.asarray(y_train), dtype=torch.long)
    generator = torch.Generator().manual_seed(setup.seed)
    for epoch in range(setup.epochs):
        step_dt = annealed(epoch, setup, setup.dt_start, dt) if mode == "hybrid" else dt
        cap = float(np.floor(annealed(epoch, setup, setup.max_count_start, 1.0))) if mode == "spiking" else 1.0
        order = torch.randperm(len(inputs), generator=generator)
        total = 0.0
        for start in range(0, len(inputs), setup.batch_size):
            batch = order[start:start + setup.batch_size]
            optimiser.zero_grad()
            scores = model(inputs[batch], mode, step_dt, amplitude, max_count=cap)
            loss = torch.nn.functional.cross_entropy(scores, labels[batch])
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        scheduler.step()
        if log is not None:
            log(epoch, step_dt, cap, total / len(inputs))
    return model.to_weights(dt, amplitude)
