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


def independent_peak_to_median(i, t, n_neurons, duration):
    """max / median of scipy's Welch PSD of the 1 ms-binned population rate over (0, Nyquist],
    with 0.5 s segments (2 Hz resolution, the documented default)."""
    counts, _ = np.histogram(t, bins=np.arange(int(round(duration * 1e3)) + 1) * 1e-3)
    freq, psd = welch(counts / (n_neurons * 1e-3), fs=1e3, nperseg=500)
    band = psd[freq >= 1.0]
    return band.max() / np.median(band)


@pytest.mark.parametrize("depth, seed, oscillates", [
    (0.15, 0, False),   # weak 40 Hz modulation, peak 3.7 x median: under the 5 x criterion
    (0.15, 2, False),   # 4.85 x: just under
    (0.15, 1, True),    # 5.28 x: just over
    (0.20, 0, True),    # 6.2 x: over
])
def test_peak_to_median_criterion_is_five(depth, seed, oscillates):
    """The documented criterion: an oscillation when the band's highest PSD exceeds 5 times its
    median. Weakly modulated trains put the ratio on either side of 5 (the ratio is checked
    against scipy's Welch estimate first, so the cases really straddle the cutoff)."""
    i, t = modulated_poisson(200, 10.0, depth, 40.0, 3.0, np.random.default_rng(seed))
    expected_ratio = independent_peak_to_median(i, t, 200, 3.0)
    assert (expected_ratio > 5) == oscillates and 3 < expected_ratio < 6.5
    result = oscillation(i, t, n_neurons=200, t_stop=3.0)
    assert result["peak_to_median"] == pytest.approx(expected_ratio, rel=1e-9)
    assert result["has_oscillation"] is oscillates
    assert (result["peak_freq_hz"] == 40.0) if oscillates else np.isnan(result["peak_freq_hz"])


def test_explicit_cutoff_flips_the_answer_at_the_measured_ratio():
    i, t = modulated_poisson(200, 10.0, 0.15, 40.0, 3.0, np.random.default_rng(0))
    ratio = oscillation(i, t, n_neurons=200, t_stop=3.0)["peak_to_median"]
    assert oscillation(i, t, n_neurons=200, t_stop=3.0, min_peak_ratio=ratio * 0.99)["has_oscillation"] is True
    assert oscillation(i, t, n_neurons=200, t_stop=3.0, min_peak_ratio=ratio)["has_oscillation"] is False


def test_band_limits_and_peak_band_fraction():
    """The peak is searched only inside [f_min, f_max] (inclusive); the band fraction is the PSD
    within band_hz of the peak over the PSD of the searched band, from scipy's Welch estimate."""
    i, t = modulated_poisson(200, 10.0, 0.5, 40.0, 10.0, np.random.default_rng(0))
    spectrum = power_spectrum(i, t, n_neurons=200, t_stop=10.0)
    freq, psd = spectrum["freq_hz"].to_numpy(), spectrum["psd_hz2_per_hz"].to_numpy()
    inside = (freq >= 10.0) & (freq <= 40.0)
    result = oscillation(i, t, n_neurons=200, t_stop=10.0, f_min=10.0, f_max=40.0, band_hz=4.0)
    assert result["peak_freq_hz"] == 40.0
    near = inside & (np.abs(freq - 40.0) <= 4.0)
    assert result["peak_band_frac"] == pytest.approx(psd[near].sum() / psd[inside].sum(), rel=1e-12)
    # a Hann window leaks the 40 Hz line into the neighbouring 2 Hz bins only: a band ending at
    # 38 Hz (inclusive) still finds it there, one ending at 36 Hz or starting at 60 Hz does not
    assert oscillation(i, t, n_neurons=200, t_stop=10.0, f_max=38.0)["peak_freq_hz"] == 38.0
    assert oscillation(i, t, n_neurons=200, t_stop=10.0, f_min=42.0)["peak_freq_hz"] == 42.0
    assert oscillation(i, t, n_neurons=200, t_stop=10.0, f_max=36.0)["has_oscillation"] is False
    assert oscillation(i, t, n_neurons=200, t_stop=10.0, f_min=60.0)["has_oscillation"] is False


def test_window_start_is_respected():
    """Spikes before t_start are left out: a 40 Hz rhythm only in [0, 2) s and flat activity
    after it give an oscillation for the whole window and none from t_start = 2 s on."""
    rhythm_i, rhythm_t = modulated_poisson(200, 10.0, 0.8, 40.0, 2.0, np.random.default_rng(5))
    flat_i, flat_t = poisson(200, 10.0, 4.0, np.random.default_rng(6))
    i, t = np.concatenate([rhythm_i, flat_i]), np.concatenate([rhythm_t, flat_t + 2.0])
    assert oscillation(i, t, n_neurons=200, t_stop=6.0)["has_oscillation"] is True
    late = oscillation(i, t, n_neurons=200, t_start=2.0, t_stop=6.0)
    assert late["has_oscillation"] is False
    counts, _ = np.histogram(t[t >= 2.0], bins=np.linspace(2.0, 6.0, 4001))
    _, psd = welch(counts / (200 * 1e-3), fs=1e3, nperseg=500)
    np.testing.assert_allclose(power_spectrum(i, t, n_neurons=200, t_start=2.0, t_stop=6.0)["psd_hz2_per_hz"], psd,
                               rtol=1e-10)


@pytest.mark.parametrize("duration", [1.0, 0.006])
def test_short_windows_average_at_least_a_few_segments(duration):
    """Windows under 3/resolution use segments of a third of the window (1 s: 333 bins instead of
    500; 6 ms: the minimum of 2 bins), as scipy's Welch estimate with that nperseg."""
    i, t = poisson(100, 20.0, duration, np.random.default_rng(7))
    n_bins = int(round(duration * 1e3))
    counts, _ = np.histogram(t, bins=np.arange(n_bins + 1) * 1e-3)
    freq, psd = welch(counts / (100 * 1e-3), fs=1e3, nperseg=max(2, n_bins // 3))
    spectrum = power_spectrum(i, t, n_neurons=100, t_stop=duration)
    np.testing.assert_allclose(spectrum["freq_hz"], freq)
    np.testing.assert_allclose(spectrum["psd_hz2_per_hz"], psd, rtol=1e-10)


def test_default_band_starts_at_1_hz_and_excludes_dc():
    """A 1 Hz rhythm at 0.5 Hz resolution lies in the default band (f >= 1 Hz); DC is left out
    even when f_min = 0 (the ratio equals the one computed without the DC bin)."""
    i, t = modulated_poisson(100, 10.0, 0.8, 1.0, 20.0, np.random.default_rng(8))
    slow = oscillation(i, t, n_neurons=100, t_stop=20.0, resolution_hz=0.5)
    assert slow["has_oscillation"] is True and slow["peak_freq_hz"] == 1.0
    spectrum = power_spectrum(i, t, n_neurons=100, t_stop=20.0)
    psd = spectrum["psd_hz2_per_hz"].to_numpy()[1:]
    with_zero = oscillation(i, t, n_neurons=100, t_stop=20.0, f_min=0.0)
    assert with_zero["peak_to_median"] == pytest.approx(psd.max() / np.median(psd), rel=1e-12)


def test_result_keys_bin_width_and_default_peak_band():
    """The no-oscillation answer has the same keys with NaN; ``bin_width`` reaches the spectrum
    (2 ms bins: Nyquist 250 Hz); the default peak band is +-5 Hz."""
    i, t = poisson(100, 10.0, 3.0, np.random.default_rng(1))
    flat = oscillation(i, t, n_neurons=100, t_stop=3.0)
    assert set(flat) == {"has_oscillation", "peak_freq_hz", "peak_power", "peak_band_frac", "peak_to_median"}
    assert np.isnan(flat["peak_band_frac"])
    i, t = modulated_poisson(200, 10.0, 0.5, 40.0, 10.0, np.random.default_rng(0))
    coarse = oscillation(i, t, n_neurons=200, t_stop=10.0, bin_width=2e-3)
    counts, _ = np.histogram(t, bins=np.linspace(0, 10.0, 5001))
    freq, psd = welch(counts / (200 * 2e-3), fs=500.0, nperseg=250)
    band = freq >= 1.0
    assert coarse["peak_to_median"] == pytest.approx(psd[band].max() / np.median(psd[band]), rel=1e-9)
    default = oscillation(i, t, n_neurons=200, t_stop=10.0)
    spectrum = power_spectrum(i, t, n_neurons=200, t_stop=10.0)
    f, p = spectrum["freq_hz"].to_numpy(), spectrum["psd_hz2_per_hz"].to_numpy()
    inside = f >= 1.0
    near = inside & (np.abs(f - 40.0) <= 5.0)
    assert default["peak_band_frac"] == pytest.approx(p[near].sum() / p[inside].sum(), rel=1e-12)
    with pytest.raises(ValueError, match="resolution_hz must be > 0"):
        power_spectrum(i, t, n_neurons=200, t_stop=10.0, resolution_hz=0.0)
