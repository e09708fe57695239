"""ei_free_rate against its closed forms, fast (no simulation; tests/test_eicil_neuron.py checks
the same rates against simulated EI neurons).

Closed forms (derivation in neurodyn.theory.eicil): without leak dv/dt = x, so the rate is
x / theta_e for x >= 0 and x / theta_i (negative: -1 spikes) for x < 0. With leak
tau dv/dt = x tau - v the period is tau ln(mu / (mu - theta)) with mu = |x| tau, for
mu > theta, and the neuron is silent for mu <= theta. These are evaluated here directly with
numpy's log, independently of neurodyn.theory.meanfield.free_rate; agreement to 1e-12 relative
is rounding.
"""
import numpy as np
import pytest

from neurodyn.errors import ParameterError
from neurodyn.theory.eicil import ei_free_rate

THETA_E, THETA_I = 1.0, 0.4


def leaky_rate(x: float, tau: float) -> float:
    theta = THETA_E if x >= 0 else THETA_I
    mu = abs(x) * tau
    return float(np.sign(x) / (tau * np.log(mu / (mu - theta)))) if mu > theta else 0.0


def test_non_leaky_rate_is_drive_over_the_threshold_of_its_sign():
    x = np.array([-50.0, -0.5, 0.0, 0.5, 50.0])
    rate = ei_free_rate(x, THETA_E, THETA_I)
    assert np.array_equal(rate, [-125.0, -1.25, 0.0, 0.5, 50.0])          # x / 0.4 below 0, x / 1 above
    assert rate.dtype == np.float64 and ei_free_rate([3, -2], 2.0, 4.0).tolist() == [1.5, -0.5]  # integers too


@pytest.mark.parametrize("tau", [5e-3, 20e-3])
def test_leaky_rate_is_the_lif_period_of_either_sign(tau):
    x = np.array([-400.0, -60.0, -21.0, -10.0, 0.0, 10.0, 49.0, 60.0, 400.0])
    expected = [leaky_rate(value, tau) for value in x]
    assert np.allclose(ei_free_rate(x, THETA_E, THETA_I, tau), expected, rtol=1e-12, atol=0)
    # on both thresholds exactly (mu = theta) the period is infinite: silent
    on = np.array([THETA_E / tau, -THETA_I / tau])
    assert np.array_equal(ei_free_rate(on, THETA_E, THETA_I, tau), [0.0, 0.0])


@pytest.mark.parametrize("kwargs", [dict(theta_e=0.0, theta_i=1.0), dict(theta_e=1.0, theta_i=0.0),
                                    dict(theta_e=-1.0, theta_i=1.0), dict(theta_e=1.0, theta_i=1.0, tau=0.0),
                                    dict(theta_e=1.0, theta_i=1.0, tau=-1e-3)])
def test_non_positive_thresholds_and_tau_are_refused_by_name(kwargs):
    with pytest.raises(ParameterError, match="must be > 0"):
        ei_free_rate(1.0, **kwargs)
