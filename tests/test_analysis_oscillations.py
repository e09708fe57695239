"""A planted 40 Hz rhythm is found at 40 Hz; flat Poisson activity reports no oscillation."""
import numpy as np
import pytest
from scipy.signal import welch

from analysis_synthetic import modulated_poisson, poisson
from neurodyn.analysis import oscillation, power_spectrum


def test_planted_40_hz_rhythm():
    i, t = modulated_poisson(200, 10.0, 0.5, 40.0, 10.0, np.random.default_rng(0))
    spectrum = power_spectrum(i, t, n_neurons=200, t_stop=10.0)
    resolution = spectrum["freq_hz"][1]
    result = oscillation(i, t, n_neurons=200, t_stop=10.0)
    assert result["has_oscillation"]
    assert abs(result["peak_freq_hz"] - 40.0) <= resolution
    assert result["peak_power"] == pytest.approx(spectrum["psd_hz2_per_hz"].max())
    assert 0 < result["peak_band_frac"] < 1 and result["peak_to_median"] > 5


@pytest.mark.parametrize("seed, n_neurons, duration", [(1, 200, 10.0), (2, 50, 3.0), (3, 1000, 20.0)])
def test_flat_poisson_has_no_oscillation(seed, n_neurons, duration):
    i, t = poisson(n_neurons, 10.0, duration, np.random.default_rng(seed))
    result = oscillation(i, t, n_neurons=n_neurons, t_stop=duration)
    assert result["has_oscillation"] is False
    assert np.isnan(result["peak_freq_hz"]) and np.isnan(result["peak_power"])
    assert 1 < result["peak_to_median"] < 5


def test_spectrum_is_welch_of_the_binned_population_rate():
    i, t = poisson(30, 10.0, 4.0, np.random.default_rng(4))
    counts, _ = np.histogram(t, bins=np.linspace(0, 4.0, 2001))
    freq, psd = welch(counts / (30 * 2e-3), fs=500.0, nperseg=250)
    spectrum = power_spectrum(i, t, n_neurons=30, t_stop=4.0, bin_width=2e-3, resolution_hz=2.0)
    np.testing.assert_allclose(spectrum["freq_hz"], freq)
    np.testing.assert_allclose(spectrum["psd_hz2_per_hz"], psd, rtol=1e-10)


def test_silence_and_bad_bands():
    silent = oscillation(np.array([], int), np.array([]), n_neurons=10, t_stop=2.0)
    assert silent["has_oscillation"] is False and np.isnan(silent["peak_to_median"])
    with pytest.raises(ValueError, match="no frequency"):
        oscillation([0], [0.1], n_neurons=1, t_stop=2.0, f_min=600.0)
