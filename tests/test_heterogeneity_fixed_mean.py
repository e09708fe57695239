"""Heterogeneity at fixed mean: the range helper, the mean field's trend, and the simulation
against the mean field where the network is asynchronous (numpy target, N = 400)."""
import numpy as np
import pytest
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.analysis.synchrony import chi_from_voltage
from neurodyn.errors import ParameterError
from neurodyn.studies import zipped
from neurodyn.theory import fixed_mean_axes, fixed_mean_range, global_mean_field
from neurodyn.theory.stability import Network, critical_coupling

SPREADS = (0.2, 0.5, 1.0)
MEAN = 1.25


def test_fixed_mean_range_and_axes():
    assert fixed_mean_range(1.25, 0.2) == pytest.approx((1.15, 1.35))
    assert fixed_mean_range(1.25, 0.0) == (1.25, 1.25)
    axes = fixed_mean_axes(MEAN, SPREADS)
    assert axes["I_l"] == pytest.approx([1.15, 1.0, 0.75]) and axes["I_u"] == pytest.approx([1.35, 1.5, 1.75])
    grid = zipped(**axes)
    assert [entry["I_u"] - entry["I_l"] for entry in grid.entries] == pytest.approx(list(SPREADS))


@pytest.mark.parametrize("mean, spread", [(1.25, -0.1), (float("nan"), 0.2), (1.25, float("inf"))])
def test_bad_range_is_refused_by_name(mean, spread):
    with pytest.raises(ParameterError):
        fixed_mean_range(mean, spread)


def test_empty_spreads_are_refused():
    with pytest.raises(ParameterError):
        fixed_mean_axes(MEAN, ())


def test_mean_field_active_fraction_falls_with_the_spread_at_fixed_mean():
    """The issue's numbers at g = 1: n_A = 0.643 / 0.526 / 0.472, i.e. (I_u - 1 - g R) / Delta
    with R from R = <nu(I - g R)> (to the 3 decimals quoted)."""
    fractions = [global_mean_field(1.0, *fixed_mean_range(MEAN, spread)).n_active_frac for spread in SPREADS]
    assert fractions == pytest.approx([0.643, 0.526, 0.472], abs=5e-4)


def test_the_settings_are_asynchronous_by_linear_stability():
    """alpha = 2, tau_d = 0.01 tau_m: the stability theory finds no onset up to g = 30 for any
    spread, so the simulation below may be held to the asynchronous mean field."""
    for spread in SPREADS:
        low, high = fixed_mean_range(MEAN, spread)
        assert critical_coupling(Network(tau_d=0.01, alpha=2.0, I_l=low, I_u=high, n_neurons=400), g_max=30) is None


@pytest.mark.parametrize("spread", SPREADS)
def test_simulation_matches_the_mean_field_at_fixed_mean(spread):
    """N = 400 evenly spaced excitabilities, g = 1, 3 s (first second dropped): n_A within 0.03 of
    the mean field on the network's own excitabilities (seen 0.005-0.018: a neuron just above
    1 + gR fires only a few spikes, and the finite-size field noise moves the threshold by
    ~g sqrt(R alpha / 4N) ~ 0.01); chi at the asynchronous level (seen 0.04-0.05 < 0.1)."""
    low, high = fixed_mean_range(MEAN, spread)
    model = InhibitoryNetwork(N=400, g=1.0, alpha=2.0, tau_d=0.1 * ms, I_l=low, I_u=high, I_sampling="even")
    result = simulate(model, 3 * second, target="numpy", record_v=np.arange(400), progress=False)
    counts = np.bincount(result.spike_i[result.spike_t >= 1.0], minlength=400)
    theory = global_mean_field(1.0, excitabilities=model.excitabilities())
    assert abs(np.mean(counts > 0) - theory.n_active_frac) < 0.03
    assert chi_from_voltage(result.voltage.v[:, 10000:]) < 0.1
