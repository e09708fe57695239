"""The finite-size onset criterion (neurodyn.analysis.finite_size) on synthetic chi(N) series, its
bisection (neurodyn.studies.onset.locate_onset) on a synthetic model whose crossing is computed
independently, and the criterion on simulations on each side of the predicted onset (numpy)."""
import numpy as np
import pytest
from brian2 import ms, second
from scipy import optimize, signal

from neurodyn.analysis import chi_from_voltage
from neurodyn.analysis.finite_size import chi_scaling, chi_with_error
from neurodyn.errors import ParameterError
from neurodyn.studies.onset import StoredRuns, judge, locate_onset, synchrony_point
from neurodyn.theory.stability import Network, critical_coupling

SIZES = np.array([400, 1600, 6400, 25600])


def test_fit_matches_numpy_polyfit_and_its_covariance():
    """Exponent and error equal np.polyfit's weighted fit of ln chi on ln N (w = chi / sigma,
    unscaled covariance), an independent implementation."""
    rng = np.random.default_rng(1)
    chi = 0.8 * SIZES ** -0.5 * np.exp(rng.normal(0, 0.03, SIZES.size))
    error = 0.03 * chi * (1 + rng.random(SIZES.size))
    fit = chi_scaling(SIZES, chi, error)
    coefficients, covariance = np.polyfit(np.log(SIZES), np.log(chi), 1, w=chi / error, cov="unscaled")
    assert fit.exponent == pytest.approx(coefficients[0], rel=1e-10)
    assert fit.error == pytest.approx(np.sqrt(covariance[0, 0]), rel=1e-10)
    assert fit.amplitude == pytest.approx(np.exp(coefficients[1]), rel=1e-10)


def test_asynchronous_series_is_asynchronous_and_finite_limit_is_synchronous():
    """chi = c N^{-1/2} with 3 % noise: exponent within 3 errors of -1/2, asynchronous, over 200
    draws at most a few in a thousand called synchronous (-1/4 is ~10 errors away); chi tending to
    a finite value (0.1 + 0.5/sqrt(N)) is synchronous, and a series at the critical N^{-1/4}
    recovers exponent -1/4 exactly."""
    rng = np.random.default_rng(2)
    calls = []
    for _ in range(200):
        chi = 0.8 * SIZES ** -0.5 * np.exp(rng.normal(0, 0.03, SIZES.size))
        fit = chi_scaling(SIZES, chi, 0.03 * chi)
        calls.append(fit.is_synchronous())
    assert sum(calls) == 0
    assert abs(fit.exponent + 0.5) < 3 * fit.error
    assert fit.margin() < -2
    finite = 0.1 + 0.5 / np.sqrt(SIZES)
    assert chi_scaling(SIZES, finite, 0.03 * finite).is_synchronous()
    critical = 0.3 * SIZES ** -0.25
    assert chi_scaling(SIZES, critical, 0.03 * critical).exponent == pytest.approx(-0.25, abs=1e-12)


def test_bad_series_are_refused_by_name():
    with pytest.raises(ParameterError, match="two distinct sizes"):
        chi_scaling([400, 400], [0.1, 0.1], [0.01, 0.01])
    with pytest.raises(ParameterError, match="chi must be positive"):
        chi_scaling([400, 1600], [0.1, -0.1], [0.01, 0.01])
    with pytest.raises(ParameterError, match="one length"):
        chi_scaling([400, 1600, 6400], [0.1, 0.1], [0.01, 0.01])
    with pytest.raises(ParameterError, match="blocks"):
        chi_with_error(np.zeros((10, 3)), blocks=5)
    with pytest.raises(ParameterError, match="g_low < g_high"):
        locate_onset(lambda g, n: {}, 2.0, 1.0, [400, 1600])


def test_block_error_matches_the_spread_over_independent_records():
    """N independent AR(1) traces: chi ~ 1/sqrt(N), and the block error (mean over 40 records)
    matches the standard deviation of chi across the records within a factor 1.6 (the block
    estimate from 5 blocks has ~35 % scatter itself; seen ratio 0.9-1.1)."""
    rng = np.random.default_rng(3)
    n, steps = 100, 2000
    values, errors = [], []
    for _ in range(40):
        traces = signal.lfilter([1.0], [1.0, -0.9], rng.normal(size=(n, steps)), axis=1)
        chi, error = chi_with_error(traces, blocks=5)
        values.append(chi)
        errors.append(error)
    assert np.mean(values) == pytest.approx(1 / np.sqrt(n), rel=0.15)
    assert 1 / 1.6 < np.mean(errors) / np.std(values, ddof=1) < 1.6


def synthetic_chi(g, n, g0=1.0, a=0.05):
    """chi^2 = 1/N + a (g - g0)_+ : asynchronous below g0, finite above; 2 % errors."""
    chi = float(np.sqrt(1.0 / n + a * max(g - g0, 0.0)))
    return {"g": g, "N": n, "chi": chi, "chi_err": 0.02 * chi, "freq_hz": 100.0 + g}


def test_bisection_brackets_the_independently_computed_crossing():
    """With equal relative errors the weighted fit is the plain least-squares slope; the g where
    np.polyfit's slope over the sizes crosses -1/4 (Brent's method) lies inside the final bracket,
    whose ratio is (g_high/g_low)^(1/2^steps); a start bracket wholly above the onset is widened."""
    sizes = [400, 1600, 6400]
    slope = lambda g: np.polyfit(np.log(sizes), np.log([synthetic_chi(g, n)["chi"] for n in sizes]), 1)[0]  # noqa: E731
    crossing = optimize.brentq(lambda g: slope(g) + 0.25, 1.0 + 1e-9, 3.0)
    onset = locate_onset(synthetic_chi, 0.7 * crossing, 1.4 * crossing, sizes, steps=5)
    assert onset.g_async < crossing < onset.g_sync
    assert onset.g_sync / onset.g_async == pytest.approx(2 ** (1 / 32), rel=1e-9)
    assert onset.frequency_hz() == pytest.approx(100.0 + onset.g_sync)
    assert set(onset.rows["N"]) == set(sizes)
    widened = locate_onset(synthetic_chi, 1.5 * crossing, 3.0 * crossing, sizes, steps=3)
    assert widened.g_async < crossing < widened.g_sync
    with pytest.raises(ParameterError, match="no synchronous end"):
        locate_onset(synthetic_chi, 0.1, 0.2, sizes, steps=1, widen=1)


@pytest.fixture(scope="module")
def predicted():
    """Linear stability's onset for I in [1.4, 1.6], alpha = 20, tau_d = 0.1 tau_m (g_c = 0.536)."""
    return critical_coupling(Network(tau_d=0.1, alpha=20.0, I_l=1.4, I_u=1.6, n_neurons=800))


@pytest.mark.parametrize("factor, synchronous", [(0.5, False), (1.5, True)])
def test_simulations_each_side_of_the_predicted_onset(predicted, factor, synchronous):
    """N = 200 and 800, 1.5 s (numpy): at half the predicted g_c the exponent stays near -1/2
    (seen -0.47 +- 0.035 at g = 0.27), at 1.5 g_c chi stays finite (seen -0.13 +- 0.035 at
    g = 0.8); the verdict also holds by two errors. Above onset the population mean potential
    oscillates within 20 % of the predicted onset frequency (seen 222 Hz against 270 Hz: the
    frequency falls as the amplitude grows)."""
    g = factor * predicted.g
    runs = [synchrony_point(g, n, tau_d=1 * ms, I_l=1.4, I_u=1.6, duration=1.5 * second, t_start=0.5 * second,
                            target="numpy") for n in (200, 800)]
    verdict = judge(runs)
    assert verdict["synchronous"] is synchronous
    assert abs(verdict["exponent"] + 0.25) > 2 * verdict["exponent_err"]
    if synchronous:
        assert runs[1]["freq_hz"] == pytest.approx(predicted.frequency_hz(10e-3), rel=0.2)
    else:
        assert abs(verdict["exponent"] + 0.5) < 0.1


def test_population_mean_given_equals_the_record_mean_and_a_sample_estimates_chi():
    """chi_with_error with the record's own mean as population_mean is the plain chi (against
    chi_from_voltage); with the mean of 400 correlated traces but only 100 of them in the
    record, chi stays within 5 % (the sample's variances stand in for all)."""
    rng = np.random.default_rng(4)
    common = signal.lfilter([1.0], [1.0, -0.95], rng.normal(size=3000))
    traces = 0.3 * common + signal.lfilter([1.0], [1.0, -0.9], rng.normal(size=(400, 3000)), axis=1)
    full = chi_with_error(traces)
    assert full[0] == pytest.approx(chi_from_voltage(traces), rel=1e-12)
    assert chi_with_error(traces, population_mean=traces.mean(axis=0)) == pytest.approx(full, rel=1e-12)
    sampled = chi_with_error(traces[::4], population_mean=traces.mean(axis=0))
    assert sampled[0] == pytest.approx(full[0], rel=0.05)
    with pytest.raises(ParameterError, match="one value per time"):
        chi_with_error(traces, population_mean=traces.mean(axis=0)[:-1])


def test_sampled_record_with_summed_mean_matches_the_full_record():
    """record_neurons: the same spikes, and chi from 50 of 200 potentials plus the summed mean of
    all within 2 % of chi from all 200 (numpy, 0.5 s above onset; seen 0.03 %)."""
    run = dict(tau_d=1 * ms, I_l=1.4, I_u=1.6, duration=0.5 * second, t_start=0.1 * second, target="numpy")
    full = synchrony_point(0.8, 200, **run)
    sampled = synchrony_point(0.8, 200, record_neurons=50, **run)
    assert sampled["rate_hz"] == full["rate_hz"] and np.isnan(sampled["chi_spikes"])
    assert sampled["chi"] == pytest.approx(full["chi"], rel=0.02)
    assert sampled["freq_hz"] == pytest.approx(full["freq_hz"], abs=5)


def test_stored_runs_rerun_nothing_and_key_every_parameter(tmp_path, monkeypatch):
    """A second StoredRuns on the same file answers from it; a changed duration, in-degree or time
    step is a new run, and the time step reaches the simulation."""
    import neurodyn.studies.onset as onset_module

    calls = []

    def fake_point(g, n, **options):
        calls.append((g, n, options["duration"], options["K"], options.get("dt")))
        return synthetic_chi(g, n)

    monkeypatch.setattr(onset_module, "synchrony_point", fake_point)
    path = tmp_path / "runs.parquet"
    first = StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy").measure(0.5, 400, 1.0, 1.4, 1.6)
    again = StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy").measure(0.5, 400, 1.0, 1.4, 1.6)
    assert len(calls) == 1 and again["chi"] == first["chi"]
    StoredRuns(path, duration_s=2.0, t_start_s=0.3, target="numpy").measure(0.5, 400, 1.0, 1.4, 1.6)
    StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy").measure(0.5, 400, 1.0, 1.4, 1.6, K=20)
    assert len(calls) == 3
    assert StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy").measure(
        0.5, 400, 1.0, 1.4, 1.6, K=20)["K"] == 20 and len(calls) == 3
    fine = StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy", dt_ms=0.05)
    fine.measure(0.5, 400, 1.0, 1.4, 1.6)
    assert len(calls) == 4 and calls[-1][-1] == 0.05 * ms and calls[0][-1] is None
    assert StoredRuns(path, duration_s=1.0, t_start_s=0.3, target="numpy", dt_ms=0.05).measure(
        0.5, 400, 1.0, 1.4, 1.6)["dt_ms"] == 0.05 and len(calls) == 4
