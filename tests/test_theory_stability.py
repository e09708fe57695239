"""Linear stability of the asynchronous state (neurodyn.theory.stability) against exact results,
an independent simulation of free oscillators, and simulations of the network on each side of
the predicted onset (numpy target, N = 400)."""
import numpy as np
import pytest
from brian2 import ms, second
from scipy import integrate

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.analysis.oscillations import power_spectrum
from neurodyn.analysis.synchrony import chi_from_voltage
from neurodyn.errors import ParameterError
from neurodyn.theory import free_rate, global_mean_field
from neurodyn.theory.stability import (AsynchronousState, Network, count_unstable_roots, critical_coupling,
                                       leading_root, line_crossings, rate_response)

TAU_M = 10e-3


@pytest.mark.parametrize("mu", [1.001, 1.05, 1.3, 2.0, 5.0])
def test_rate_response_at_zero_is_the_slope_of_the_free_rate(mu):
    """H(0) = d nu / d mu, against a central difference of nu(mu) = 1/ln(mu/(mu-1)) (step
    h = 1e-6 (mu-1): truncation ~h^2 nu''' << 1e-6 relative, rounding ~1e-16/h ~ 1e-8)."""
    h = 1e-6 * (mu - 1)
    slope = (free_rate(mu + h) - free_rate(mu - h)) / (2 * h)
    assert complex(rate_response(0.0, mu)) == pytest.approx(slope, rel=1e-6)
    assert complex(rate_response(1e-9, mu)) == pytest.approx(slope, rel=1e-6)  # continuous at 0


@pytest.mark.parametrize("lam", [0.3 + 17j, 2.0 + 5j, 0.01 + 60j])
@pytest.mark.parametrize("mu", [1.02, 1.4, 3.0])
def test_rate_response_is_its_defining_integral(lam, mu):
    """H = nu lam J / (e^{lam T} - 1) with J = int_0^T Z(s) e^{lam s} ds, Z(s) = e^{s-T}/(mu-1),
    integrated by quadrature (the closed form inside rate_response is not used)."""
    period = np.log(mu / (mu - 1))
    integrand = lambda s, part: part(np.exp(s - period) / (mu - 1) * np.exp(lam * s))  # noqa: E731
    j = complex(integrate.quad(integrand, 0, period, args=(np.real,), limit=400)[0],
                integrate.quad(integrand, 0, period, args=(np.imag,), limit=400)[0])
    expected = lam * j / (period * (np.exp(lam * period) - 1))
    assert complex(rate_response(lam, mu)) == pytest.approx(expected, rel=1e-8)


def simulated_free_response(mu, lam, n=20000, dt=1e-3, t_end=6.0, fit_from=4.0, eps_end=0.01):
    """Rate response of n uncoupled LIF neurons (drive mu, phases evenly spaced) to a drive
    perturbation eps_0 e^{sigma t} cos(omega t), from a plain NumPy integration (exact per step,
    resets placed at the interpolated crossing time). The driven run minus the free run is
    fitted on t >= fit_from with Re[c eps_0 e^{lam t}]: by then the neutral free modes that the
    switch-on excites are e^{-sigma fit_from} smaller than the forced answer. Returns c."""
    period = np.log(mu / (mu - 1))
    steps = int(round(t_end / dt))
    t_mid = (np.arange(steps) + 0.5) * dt
    eps_0 = eps_end * np.exp(-lam.real * t_end)
    counts = []
    for amplitude in (0.0, eps_0):
        v = mu * (1 - np.exp(-(np.arange(n) + 0.5) / n * period))
        drive = mu + amplitude * np.exp(lam.real * t_mid) * np.cos(lam.imag * t_mid)
        count = np.empty(steps)
        for k in range(steps):
            before, v = v, drive[k] + (v - drive[k]) * np.exp(-dt)
            fired = v >= 1
            count[k] = fired.sum()
            late = (v[fired] - 1) / (v[fired] - before[fired]) * dt
            v[fired] = drive[k] * -np.expm1(-late)
        counts.append(count)
    delta_rate = (counts[1] - counts[0]) / (n * dt)
    keep = t_mid >= fit_from
    growth = np.exp(lam.real * t_mid[keep])
    basis = np.stack([growth * np.cos(lam.imag * t_mid[keep]), growth * np.sin(lam.imag * t_mid[keep])], axis=1)
    (a, b), *_ = np.linalg.lstsq(basis, delta_rate[keep], rcond=None)
    return complex(a, -b) / eps_0


@pytest.mark.parametrize("mu, lam", [(1.3, 1.5 + 17j), (2.0, 1.5 + 3j)])
def test_free_oscillators_answer_a_growing_modulation_with_H(mu, lam):
    """The derivation of H (phase reduction + continuity equation) against a direct simulation.

    Tolerance 3 %: seen 0.1-1 %; the nonlinearity is O(eps / (mu - 1)) <= 3 % at the end of the
    window (eps <= 0.01) and weighs less on the fit, the step error is O(dt) = 0.1 %.
    """
    assert simulated_free_response(mu, lam) == pytest.approx(complex(rate_response(lam, mu)), rel=0.03)


def test_population_response_matches_the_direct_average():
    """<H> from the integrated-by-parts form over T equals the plain average of H over 200,000
    evenly spaced excitabilities (no cutoff; all neurons above threshold), also at lam = 0 where
    it must be d<nu>/d mu (central difference of the mean rate over the same excitabilities)."""
    g, I_l, I_u = 0.3, 1.4, 1.6
    rate = global_mean_field(g, I_l, I_u).rate_per_tau_m
    state = AsynchronousState(g=g, rate=rate, I_l=I_l, I_u=I_u, cutoff=0.0)
    drives = I_l + (I_u - I_l) * (np.arange(200_000) + 0.5) / 200_000 - g * rate
    for lam in (0.5 + 17j, 0.05 + 40j, 3.0 + 1j):
        assert complex(state.population_response(lam)) == pytest.approx(np.mean(rate_response(lam, drives)),
                                                                         rel=1e-4)
    h = 1e-6
    slope = (np.mean(free_rate(drives + h)) - np.mean(free_rate(drives - h))) / (2 * h)
    assert complex(state.population_response(0.0)) == pytest.approx(slope, rel=1e-5)


def test_zero_coupling_is_stable():
    """g = 0: F = 1, no root in the right half plane (argument principle) and none found."""
    network = Network(tau_d=0.1, alpha=20.0, I_l=1.0, I_u=1.5, n_neurons=400)
    lam = np.array([0.01 + 17j, 1 + 1j, 5 + 80j])
    assert np.allclose(network.characteristic(lam, 0.0), 1.0)
    assert count_unstable_roots(network, 0.0) == 0
    assert leading_root(network, 0.0) is None


CLEAN = Network(tau_d=0.1, alpha=20.0, I_l=1.4, I_u=1.6, n_neurons=400)  # all neurons far above threshold


@pytest.fixture(scope="module")
def clean_onset():
    return critical_coupling(CLEAN)


def test_roots_appear_at_the_onset(clean_onset):
    """The onset from the scan of the imaginary axis agrees with the count of roots in the right
    half plane (an independent computation): none at 0.8 g_c, a complex pair at 1.25 g_c whose
    frequency is near the onset frequency."""
    assert 0.2 < clean_onset.g < 2.0
    assert count_unstable_roots(CLEAN, 0.8 * clean_onset.g) == 0
    assert count_unstable_roots(CLEAN, 1.25 * clean_onset.g) >= 1
    root = leading_root(CLEAN, 1.25 * clean_onset.g)
    assert root is not None and root.real > 0
    assert abs(CLEAN.characteristic(root, 1.25 * clean_onset.g)) < 1e-8
    assert root.imag == pytest.approx(clean_onset.omega, rel=0.15)


def run_network(g, n=400, I_l=1.4, I_u=1.6):
    model = InhibitoryNetwork(N=n, g=g, alpha=20.0, tau_d=0.1 * TAU_M * 1e3 * ms, I_l=I_l, I_u=I_u,
                              I_sampling="even")
    result = simulate(model, 2.5 * second, target="numpy", record_v=np.arange(n), progress=False)
    chi = chi_from_voltage(result.voltage.v[:, 5000:])
    spectrum = power_spectrum(result, t_start=0.5, bin_width=2.5e-4, resolution_hz=5.0)
    band = (spectrum["freq_hz"] > 50) & (spectrum["freq_hz"] < 1000)
    peak = spectrum["freq_hz"][band].to_numpy()[np.argmax(spectrum["psd_hz2_per_hz"][band].to_numpy())]
    return chi, peak


def test_simulation_is_asynchronous_below_and_oscillates_above_the_predicted_onset(clean_onset):
    """N = 400, I in [1.4, 1.6], alpha = 20, tau_d = 0.1 tau_m. Below the onset (0.5 g_c) chi stays
    at the finite-size level of an asynchronous state (seen 0.039; 1/sqrt(N) = 0.05 bounds it);
    at 2 g_c the population oscillates (chi seen 0.195, 4-5 times the asynchronous level),
    and at 1.25 g_c the population rate peaks within 15 % of the predicted onset frequency (the
    frequency falls as the amplitude grows above onset; seen 245 Hz against 270 Hz, 9 %)."""
    chi_below, _ = run_network(0.5 * clean_onset.g)
    chi_above, _ = run_network(2.0 * clean_onset.g)
    _, peak_near = run_network(1.25 * clean_onset.g)
    assert chi_below < 0.05
    assert chi_above > 0.15
    assert peak_near == pytest.approx(clean_onset.frequency_hz(TAU_M), rel=0.15)


def test_bad_input_is_refused_by_name():
    with pytest.raises(ParameterError):
        Network(tau_d=0.1, I_l=1.5, I_u=1.0, n_neurons=100).state(1.0)
    with pytest.raises(ParameterError):
        Network(tau_d=-0.1, n_neurons=100).state(1.0)
    with pytest.raises(ParameterError):
        Network(tau_d=0.1, n_neurons=100).state(-1.0)
    with pytest.raises(ParameterError, match="cutoff"):
        Network(tau_d=0.1).state(1.0)  # the default cutoff needs n_neurons


def test_line_crossings_are_roots_of_the_directly_averaged_characteristic():
    """Each crossing (g, omega) that line_crossings returns for the frozen state at g0 must be a
    root of F(sigma + i omega) = 1 + g P e^{-lam tau_d} <H>, with <H> here the plain average of H
    over 200,000 evenly spaced excitabilities (the test above: it agrees with population_response
    to 1e-4 relative, so |F| <= 1e-4 * g |gain| ~ 1e-4 at a root; 1e-3 allowed); sorted by g, all g > 0,
    and each omega within the scanned band."""
    network = Network(tau_d=0.1, alpha=20.0, I_l=1.4, I_u=1.6, n_neurons=400)
    g0 = 0.5
    state = network.state(g0)
    drives = 1.4 + 0.2 * (np.arange(200_000) + 0.5) / 200_000 - g0 * state.rate
    crossings = line_crossings(network, state)
    assert crossings and [c.g for c in crossings] == sorted(c.g for c in crossings)
    for crossing in crossings:
        lam = crossing.sigma + 1j * crossing.omega
        gain = (20.0 / (lam + 20.0)) ** 2 * np.exp(-lam * 0.1) * np.mean(rate_response(lam, drives))
        assert crossing.sigma == 0.02 and 0 < crossing.omega <= 100.0 and crossing.g > 0
        assert abs(1 + crossing.g * gain) < 1e-3
        assert crossing.frequency_hz(TAU_M) == pytest.approx(crossing.omega / (2 * np.pi * TAU_M))
    # a wider scan finds the same crossings below 100 and maybe more above
    wider = line_crossings(network, state, omega_max=150.0)
    assert [round(c.omega, 6) for c in wider if c.omega <= 100.0] == [round(c.omega, 6) for c in crossings]
