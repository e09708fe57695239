"""Results as tidy DataFrames and Parquet, and the command line (numpy target, small runs)."""
import numpy as np
import pandas as pd
import pytest
from brian2 import ms

from neurodyn import InhibitoryNetwork, SimulationResult, simulate
from neurodyn.cli import main

# these tests record two or three potentials to check storage and frames: summary() reports their
# chi_voltage as NaN with a SynchronyWarning (tested in test_analysis_summary.py), expected here
pytestmark = pytest.mark.filterwarnings("ignore::neurodyn.errors.SynchronyWarning")


@pytest.fixture(scope="module")
def result():
    return simulate(InhibitoryNetwork(N=40, g=2.0, seed=4), 300 * ms, target="numpy", record_v=[0, 3], progress=False)


def test_frames_are_tidy_and_consistent(result):
    spikes = result.spikes_frame()
    assert list(spikes.columns) == ["neuron", "t_ms"]
    assert len(spikes) == len(result.spike_t) > 0
    assert spikes["t_ms"].is_monotonic_increasing
    voltage = result.voltage_frame()
    assert list(voltage.columns) == ["neuron", "t_ms", "v"]
    assert len(voltage) == 2 * 3000 and set(voltage["neuron"]) == {0, 3}
    assert voltage["v"].max() < 1.0, "the reset happens within the step: recorded v never reaches threshold"
    rate = result.population_rate_frame(bin_ms=1.0)
    # Total spike count is conserved by the population rate: sum(rate * N * bin) = spikes.
    assert rate["pop_rate_hz"].sum() * 40 * 1e-3 == pytest.approx(len(spikes))
    summary = result.summary(t_start=0.1)
    assert len(summary) == 1 and summary.loc[0, "g"] == 2.0 and summary.loc[0, "tau_d_ms"] == 1.0
    counts = np.bincount(result.spike_i[result.spike_t >= 0.1], minlength=40)
    assert summary.loc[0, "mean_rate_hz"] == pytest.approx(counts.mean() / 0.2)
    assert summary.loc[0, "n_active_frac"] == pytest.approx(np.mean(counts > 0))


def test_parquet_round_trip(result, tmp_path):
    result.save(tmp_path / "run")
    loaded = SimulationResult.load(tmp_path / "run")
    assert loaded.params == result.params and loaded.n_neurons == 40 and loaded.target == "numpy"
    pd.testing.assert_frame_equal(loaded.spikes_frame(), result.spikes_frame())
    np.testing.assert_allclose(loaded.voltage.v, result.voltage.v)
    stored = pd.read_parquet(tmp_path / "run" / "summary.parquet")
    assert stored.loc[0, "n_active_frac"] == pytest.approx(result.summary().loc[0, "n_active_frac"])


def test_cli_run_writes_frames_figure_and_summary(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["run", "inhibitory", "--set", "N=30", "--set", "g=0", "--set", "I_sampling=even",
                 "--duration", "200ms", "--target", "numpy", "--out", str(out), "--quiet"])
    assert code == 0
    for name in ("spikes.parquet", "population_rate.parquet", "summary.parquet", "figure.png"):
        assert (out / name).exists(), name
    line = capsys.readouterr().out
    assert "n_active_frac=1.000" in line, "g = 0: every neuron with I > 1 fires"
    assert "mean-field theory" in line


@pytest.mark.parametrize("argv, message", [
    (["--set", "g=-1"], "g must be >= 0"),
    (["--set", "tau_d=2"], "tau_d needs a unit of"),
    (["--set", "bogus=1"], "unknown parameter 'bogus'"),
    (["--set", "N=10", "--set", "K=20"], "K must be <= N"),
    (["--duration", "5"], "--duration needs a unit of time"),
])
def test_cli_user_errors_are_one_line(argv, message, tmp_path, capsys):
    code = main(["run", "inhibitory", "--target", "numpy", "--out", str(tmp_path), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
