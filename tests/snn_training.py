"""Tiny spiking networks trained on the digits in seconds (snnTorch, Norse), and their own
forward passes: the references the converted networks are compared with."""
import numpy as np
import torch

from neurodyn.convert.datasets import digits_split

STEPS = 25


def digits_spikes(seed: int = 0):
    """Rate-coded digits: pixel/16 is the spike probability per step; time-major
    ``(T, N, 64)`` float32 tensors for the train and test splits, and their labels."""
    x_train, x_test, y_train, y_test = digits_split()
    generator = torch.Generator().manual_seed(seed)

    def encode(x):
        p = torch.tensor(x, dtype=torch.float32)
        return (torch.rand((STEPS, *p.shape), generator=generator) < p).float()

    return encode(x_train), encode(x_test), torch.tensor(y_train), np.asarray(y_test)


def snntorch_forward(net, x):
    """Output spikes ``(T, N, n_out)`` and every step's output membrane of an snnTorch
    ``nn.Sequential`` with ``init_hidden=True`` neurons."""
    from snntorch import utils

    utils.reset(net)
    spikes, membranes = [], []
    for k in range(x.shape[0]):
        spike, membrane = net(x[k])
        spikes.append(spike)
        membranes.append(membrane)
    return torch.stack(spikes), torch.stack(membranes)


def norse_forward(net, x):
    """Outputs ``(T, N, n_out)`` of a Norse ``SequentialState`` stepped through time."""
    state, outputs = None, []
    for k in range(x.shape[0]):
        out, state = net(x[k], state)
        outputs.append(out)
    return torch.stack(outputs)


def train(net, forward, x, y, iterations: int = 10, lr: float = 1e-2, batch: int = 512,
          train_steps: int = 10):
    """Adam on the cross-entropy of the summed outputs (spike counts or membranes), a few
    random batches of the first ``train_steps`` steps (seconds: the test needs a trained
    network, not a good one)."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(iterations):
        index = torch.randperm(x.shape[1])[:batch]
        out = forward(net, x[:train_steps, index])
        loss = torch.nn.functional.cross_entropy(out.sum(0), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    return net
