"""The Numba lower bound of the benchmark suite computes what neurodyn/Brian2 computes.

The hand-written kernel (benchmarks/numba_kernel.py) is only a meaningful lower bound if
it simulates the same network: with the same excitabilities, initial potentials and
connectivity it must give the very same spikes (neuron, time step) as Brian2's exact
integration, which is deterministic here.
"""
import sys
from pathlib import Path

import numpy as np
import pytest
from brian2 import second

from neurodyn import InhibitoryNetwork, simulate

pytest.importorskip("numba", reason="numba is in the test extra; install with pip install -e '.[test]'")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import numba_kernel  # noqa: E402


@pytest.mark.parametrize("tau_d, g", [("1.5ms", 1.0), ("0.3ms", 4.0)])
def test_numba_kernel_gives_brian2_spikes(tau_d, g):
    model = InhibitoryNetwork(N=100, K=10, g=g, I_l=1.2, I_u=1.6, tau_d=tau_d, seed=3)
    brian2 = simulate(model, 0.5 * second, target="numpy", progress=False)
    pre, post = model.connectivity()
    spike_i, spike_t_ms = numba_kernel.simulate(
        model.excitabilities(), model.initial_potentials(), pre, post, g=g, alpha=20.0, K=10,
        tau_m_ms=10.0, dt_ms=0.1, tau_d_ms=float(model.values["tau_d"] / second) * 1e3, steps=5000)
    assert len(brian2.spike_t) > 500                       # the network is active
    np.testing.assert_array_equal(spike_i, brian2.spike_i)
    np.testing.assert_array_equal(np.round(spike_t_ms * 10), np.round(brian2.spike_t * 1e4))
