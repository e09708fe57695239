"""The Legendre memory: its matrices, what it remembers, and the Brian2 memory equal to the
discretised linear system computed with NumPy."""
import numpy as np
import pytest
from scipy.linalg import expm, solve

from neurodyn.lmu.legendre import discrete_memory, legendre_decoders, legendre_matrices
from neurodyn.lmu.network import run_lmu
from lmu_helpers import random_lmu, random_sequences


def test_legendre_matrices_follow_the_element_formula():
    """A_ij = (2i+1)/theta * (-1 if i < j else (-1)^(i-j+1)), B_i = (2i+1)(-1)^i/theta, entry by entry."""
    order, theta = 6, 7.5
    a, b = legendre_matrices(order, theta)
    for i in range(order):
        assert b[i, 0] == pytest.approx((2 * i + 1) * (-1) ** i / theta)
        for j in range(order):
            sign = -1 if i < j else (-1) ** (i - j + 1)
            assert a[i, j] == pytest.approx((2 * i + 1) / theta * sign)


@pytest.mark.parametrize("order, theta", [(4, 6.0), (12, 50.0)])
def test_zero_order_hold_equals_the_matrix_exponential(order, theta):
    """ZOH: A_bar = expm(A), B_bar = A^-1 (A_bar - I) B (computed here with scipy.linalg, not cont2discrete)."""
    a, b = legendre_matrices(order, theta)
    a_bar, b_bar = discrete_memory(order, theta, "zoh")
    np.testing.assert_allclose(a_bar, expm(a), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b_bar, solve(a, (expm(a) - np.eye(order)) @ b), rtol=1e-10, atol=1e-12)
    a_euler, b_euler = discrete_memory(order, theta, "euler")
    np.testing.assert_array_equal(a_euler, np.eye(order) + a)
    np.testing.assert_array_equal(b_euler, b)


def test_memory_holds_the_input_of_the_last_theta_steps():
    """Theory (Voelker et al. 2019): u(t - r theta) ~ sum_i P_i(2r - 1) m_i(t); a sine of period
    80 steps is recalled within 0.05 at delays 0, theta/2 and theta (theta = 50, d = 12)."""
    order, theta, steps = 12, 50.0, 400
    a_bar, b_bar = discrete_memory(order, theta)
    u = np.sin(2 * np.pi * np.arange(steps) / 80)
    m, history = np.zeros(order), []
    for value in u:
        m = a_bar @ m + b_bar[:, 0] * value
        history.append(m)
    history = np.array(history)
    for r in (0.0, 0.5, 1.0):
        lag = int(round(r * theta))
        recalled = history @ legendre_decoders(order, [r])[0]
        assert np.max(np.abs(recalled[200:] - u[200 - lag:steps - lag])) < 0.05


@pytest.mark.parametrize("discretizer", ["zoh", "euler"])
def test_brian2_memory_equals_the_discrete_linear_system(discretizer):
    """Driven by a known input (memory feedback e_m on, no hidden feedback), the Brian2 memory after
    every step equals m_t = A_bar m_{t-1} + B_bar (e_x.x_t + e_m.m_{t-1}) computed with NumPy."""
    weights = random_lmu(discretizer=discretizer, feedback=True)
    weights = weights.__class__(**{**{k: getattr(weights, k) for k in weights.__dataclass_fields__},
                                   "encoder_hidden": np.zeros(weights.n_hidden)})
    x = random_sequences(n_samples=3, steps=15)
    run = run_lmu(weights, x, "hybrid", target="numpy", record_memory=True)
    a_bar, b_bar = weights.memory_matrices()
    m = np.zeros((3, weights.order))
    for t in range(x.shape[1]):
        u = x[:, t] @ weights.encoder_input + m @ weights.encoder_memory
        m = m @ a_bar.T + u[:, None] * b_bar
        np.testing.assert_allclose(run.memory[t], m, rtol=1e-12, atol=1e-13)
    assert np.max(np.abs(m)) > 0.01  # the memory moved


def test_brian2_memory_with_hidden_feedback_equals_numpy_given_the_spikes():
    """With e_h on, the memory integrates the hidden spikes of the previous step, h = amplitude n / dt."""
    weights = random_lmu()
    x = random_sequences(n_samples=2, steps=10)
    run = run_lmu(weights, x, "hybrid", target="numpy", record_memory=True)
    assert run.counts.max() > 1
    a_bar, b_bar = weights.memory_matrices()
    h = weights.amplitude * run.counts / weights.dt
    m = np.zeros((2, weights.order))
    for t in range(x.shape[1]):
        h_previous = h[:, t - 1] if t else np.zeros((2, weights.n_hidden))
        u = x[:, t] @ weights.encoder_input + h_previous @ weights.encoder_hidden + m @ weights.encoder_memory
        m = m @ a_bar.T + u[:, None] * b_bar
        np.testing.assert_allclose(run.memory[t], m, rtol=1e-12, atol=1e-13)
