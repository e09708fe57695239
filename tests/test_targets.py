"""Runtime and C++ standalone give the same spike trains for the same deterministic network.

These tests compile (Cython and C++), which is what they test; they take about a minute.
"""
import numpy as np
import pytest
from brian2 import ms

from neurodyn import InhibitoryNetwork, simulate


def spike_set(result):
    order = np.lexsort((result.spike_t, result.spike_i))
    return result.spike_i[order], np.round(result.spike_t[order] / result.dt).astype(np.int64)


@pytest.fixture(scope="module")
def sparse_model():
    return InhibitoryNetwork(N=120, K=12, g=8.0, tau_d=1 * ms, I_sampling="even", seed=3)


@pytest.fixture(scope="module")
def standalone_result(sparse_model):
    return simulate(sparse_model, 400 * ms, target="cpp_standalone", progress=False)


@pytest.mark.parametrize("target", ["numpy", "cython"])
def test_runtime_equals_standalone(sparse_model, standalone_result, target):
    runtime = simulate(sparse_model, 400 * ms, target=target, progress=False)
    assert len(standalone_result.spike_t) > 500
    i_rt, step_rt = spike_set(runtime)
    i_sa, step_sa = spike_set(standalone_result)
    np.testing.assert_array_equal(i_rt, i_sa)
    np.testing.assert_array_equal(step_rt, step_sa)


def test_several_standalone_runs_in_one_process_and_openmp(sparse_model, standalone_result):
    """A second and third standalone run in the same process, one with 2 OpenMP threads,
    each in its own build directory, reproduce the first run exactly."""
    again = simulate(sparse_model, 400 * ms, target="cpp_standalone", progress=False)
    threaded = simulate(sparse_model, 400 * ms, target="cpp_standalone", threads=2, progress=False)
    for result in (again, threaded):
        np.testing.assert_array_equal(spike_set(result)[0], spike_set(standalone_result)[0])
        np.testing.assert_array_equal(spike_set(result)[1], spike_set(standalone_result)[1])
    other = simulate(InhibitoryNetwork(N=120, K=12, g=2.0, I_sampling="even", seed=3), 400 * ms,
                     target="cpp_standalone", progress=False)
    assert len(other.spike_t) > len(standalone_result.spike_t), "weaker inhibition, more spikes"
