"""Saved results are whole, never mixed: overwrite rule, interrupted saves, recorded-neuron order,
named load errors, and output paths checked before a simulation runs (synthetic results: no Brian2)."""
import json
import os

import numpy as np
import pandas as pd
import pytest
from brian2 import ms
from kill_loop import kill_rounds

from neurodyn import InhibitoryNetwork, SimulationResult, TargetError, simulate
from neurodyn.cli import main
from neurodyn.errors import ResultError
from neurodyn.results import StateTraces

# these tests record two or three potentials to check storage and frames: summary() reports their
# chi_voltage as NaN with a SynchronyWarning (tested in test_analysis_summary.py), expected here
pytestmark = pytest.mark.filterwarnings("ignore::neurodyn.errors.SynchronyWarning")


def synthetic(g: float, n_spikes: int, record=(5, 2)) -> SimulationResult:
    """A result without Brian2: ``n_spikes`` spikes of 10 neurons in 0.2 s, voltages of ``record``."""
    rng = np.random.default_rng(int(g))
    t = np.sort(rng.uniform(0, 0.2, n_spikes))
    steps = np.arange(2000) * 1e-4
    voltage = None
    if record:
        voltage = StateTraces(t=steps, neurons=np.asarray(record),
                              values=np.vstack([np.full(steps.size, float(k)) for k in record]))
    return SimulationResult(model="inhibitory", params={"g": g, "N": 10}, n_neurons=10, t_stop=0.2, dt=1e-4,
                            spike_i=rng.integers(0, 10, n_spikes), spike_t=t, voltage=voltage, target="numpy")


def test_recorded_neuron_order_survives_save_and_load(tmp_path):
    result = synthetic(1.0, 50, record=(5, 2, 7))
    loaded = SimulationResult.load(result.save(tmp_path / "r"))
    assert loaded.voltage.neurons.tolist() == [5, 2, 7]
    assert loaded.voltage.v[:, 0].tolist() == [5.0, 2.0, 7.0]  # the trace of neuron 5 is still neuron 5's


def test_simulated_record_v_order_matches_brian2(tmp_path):
    result = simulate(InhibitoryNetwork(N=8, seed=1), 50 * ms, target="numpy", record_v=[5, 2], progress=False)
    initial = InhibitoryNetwork(N=8, seed=1).initial_potentials()
    assert result.voltage.v[:, 0] == pytest.approx(initial[[5, 2]])  # first sample: the initial state
    loaded = SimulationResult.load(result.save(tmp_path / "r"))
    np.testing.assert_array_equal(loaded.voltage.v, result.voltage.v)
    assert loaded.voltage.neurons.tolist() == [5, 2]


def test_saving_into_an_existing_result_needs_overwrite_and_replaces_it_whole(tmp_path):
    out = tmp_path / "r"
    first = synthetic(1.0, 40)
    first.save(out)
    (out / "figure.png").write_bytes(b"old figure")  # what an earlier `neurodyn run` left
    with pytest.raises(ResultError, match="already holds a result; pass overwrite=True"):
        synthetic(8.0, 90, record=()).save(out)
    assert SimulationResult.load(out).params["g"] == 1.0
    synthetic(8.0, 90, record=()).save(out, overwrite=True)
    assert sorted(path.name for path in out.iterdir()) == ["manifest.json", "population_rate.parquet",
                                                          "spikes.parquet", "summary.parquet"]
    loaded = SimulationResult.load(out)
    assert loaded.params["g"] == 8.0 and loaded.voltage is None and len(loaded.spike_t) == 90
    assert pd.read_parquet(out / "summary.parquet").loc[0, "g"] == 8.0
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no staging left


def test_a_foreign_directory_is_never_written_into(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ResultError, match="holds files but no neurodyn result"):
        synthetic(1.0, 10).save(tmp_path, overwrite=True)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failed_write_leaves_the_previous_result(tmp_path, monkeypatch):
    out = tmp_path / "r"
    synthetic(1.0, 40).save(out)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    with pytest.raises(ResultError, match="No space left on device"):
        synthetic(8.0, 90).save(out, overwrite=True)
    monkeypatch.undo()
    assert SimulationResult.load(out).params["g"] == 1.0
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_load_errors_are_named(tmp_path):
    with pytest.raises(ResultError, match="no result directory"):
        SimulationResult.load(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultError, match="no manifest.json"):
        SimulationResult.load(tmp_path / "empty")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    pd.DataFrame({"x": [1]}).to_parquet(foreign / "spikes.parquet")
    with pytest.raises(ResultError, match="not a complete neurodyn result"):
        SimulationResult.load(foreign)
    out = synthetic(1.0, 40).save(tmp_path / "r")
    spikes = out / "spikes.parquet"
    spikes.write_bytes(spikes.read_bytes()[:100])
    with pytest.raises(ResultError, match="spikes.parquet has 100 bytes"):
        SimulationResult.load(out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["spikes.parquet"] = 100
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultError, match="cannot read .*spikes.parquet"):
        SimulationResult.load(out)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(ResultError, match="not a neurodyn result manifest"):
        SimulationResult.load(out)


def test_a_save_killed_at_any_moment_never_mixes_two_results(tmp_path):
    """Fault injection: a process replaces one result by another in a loop and is SIGKILLed at
    random moments; every time, the directory holds one complete result, never parts of two."""
    out = tmp_path / "r"
    setup = f"""
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        import neurodyn.analysis.summary
        from test_result_storage import synthetic
        results = [synthetic(1.0, 40), synthetic(8.0, 3000, record=(1, 4, 9))]
        """
    outcomes = []
    # a save takes ~0.1 s: kills within 0.4 s land at any stage of one
    for _ in kill_rounds(setup, f"results[k % 2].save({str(out)!r}, overwrite=True)", rounds=10, max_sleep_s=0.4,
                         seed=0):
        loaded = SimulationResult.load(out)
        summary = pd.read_parquet(out / "summary.parquet")
        g = loaded.params["g"]
        assert summary.loc[0, "g"] == g and summary.loc[0, "n_spikes"] == len(loaded.spike_t)
        assert len(loaded.spike_t) == (40 if g == 1.0 else 3000)
        assert loaded.voltage.neurons.tolist() == ([5, 2] if g == 1.0 else [1, 4, 9])
        outcomes.append(g)
    assert set(outcomes) == {1.0, 8.0}, f"the kills should find each result in place at some point: {outcomes}"
    # the next save clears what killed saves left behind
    synthetic(1.0, 40).save(out, overwrite=True)
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_cli_replaces_its_previous_result_entirely(tmp_path, capsys):
    out = tmp_path / "cli"
    base = ["run", "inhibitory", "--set", "N=20", "--duration", "50ms", "--target", "numpy", "--out", str(out),
            "--quiet"]
    assert main([*base, "--record-v", "1,0"]) == 0
    assert {"voltage.parquet", "figure.png"} <= {path.name for path in out.iterdir()}
    assert main([*base, "--set", "g=3", "--no-plot"]) == 0
    assert not (out / "voltage.parquet").exists() and not (out / "figure.png").exists()
    assert SimulationResult.load(out).params["g"] == 3.0


@pytest.fixture
def not_simulated(monkeypatch):
    from neurodyn.cli import run as run_command

    monkeypatch.setattr(run_command, "simulate", lambda *a, **k: pytest.fail("simulated before checking --out"))


def unwritable_directory(tmp_path):
    """A directory this process cannot write: a read-only file system (/sys) as root, else mode 0500."""
    if os.geteuid() == 0:
        return "/sys/neurodyn-out"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    return str(locked / "out")


def a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    return str(tmp_path / "file")


def under_a_file(tmp_path):
    return os.path.join(a_file(tmp_path), "out")


@pytest.mark.parametrize("make_out, message", [
    (a_file, "is a file, not a directory"), (under_a_file, "which is a file"), (unwritable_directory, "cannot write in"),
])
def test_cli_out_paths_are_checked_before_the_run(tmp_path, capsys, not_simulated, make_out, message):
    out = make_out(tmp_path)
    assert main(["run", "inhibitory", "--set", "N=5", "--target", "numpy", "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_codegen_out_that_is_a_file_is_a_named_error(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["codegen", "inhibitory", "--out", str(tmp_path / "file")]) == 2
    assert "is a file, not a directory" in capsys.readouterr().err


def test_build_dir_that_is_a_file_is_a_named_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("NEURODYN_BUILD_DIR", str(tmp_path / "file"))
    with pytest.raises(TargetError, match="NEURODYN_BUILD_DIR .* is a file"):
        simulate(InhibitoryNetwork(N=5), 5 * ms, target="cpp_standalone", progress=False)


def test_genn_generate_into_a_file_is_a_named_error(tmp_path):
    from neurodyn.genn import generate

    with pytest.raises(ResultError, match="GeNN project directory .* is a file"):
        generate(InhibitoryNetwork(N=5), 10 * ms, a_file(tmp_path))


def two_population_result() -> SimulationResult:
    """Populations a (3 neurons) and b (2), spikes carrying a value ``n`` each, ``a.u`` recorded: no Brian2."""
    spike_i = np.array([0, 3, 4, 2, 3, 1, 4, 0])
    spike_t = np.array([0.01, 0.02, 0.02, 0.04, 0.07, 0.09, 0.11, 0.13])
    u = StateTraces(t=np.arange(3) * 1e-4, neurons=np.array([1]), values=np.array([[0.5, 0.25, 0.125]]), variable="u")
    return SimulationResult(model="toy", params={"g": 1.0}, n_neurons=5, t_stop=0.2, dt=1e-4, spike_i=spike_i,
                            spike_t=spike_t, target="numpy", states={"a.u": u}, populations=(("a", 3), ("b", 2)),
                            spike_values={"n": np.arange(8) + 10.0})


def test_a_population_is_a_one_population_result_with_its_own_spike_values():
    result = two_population_result()
    b = result.population("b")
    assert b.populations == () and not b.is_multi_population and b.n_neurons == 2
    np.testing.assert_array_equal(b.spike_i, [0, 1, 0, 1])           # global 3, 4, 3, 4 minus offset 3
    np.testing.assert_array_equal(b.spike_values["n"], [11.0, 12.0, 14.0, 16.0])  # the values of b's spikes
    assert list(b.spikes_frame().columns) == ["neuron", "t_ms", "n"]
    frame = result.spikes_frame()
    assert frame["neuron"].dtype == np.int64 and frame["population"].tolist() == list("abbababa")
    single = synthetic(1.0, 40)
    names, local = single.population_of_spikes()
    assert set(names) == {"inhibitory"} and np.array_equal(local, single.spike_i)


def test_multi_population_rates_and_summary_pass_bin_smoothing_model_and_target_on():
    """Per-population rates with a 2 ms bin and 1 ms smoothing equal population_rate of each population
    (itself tested against brute-force NumPy); frames have a fresh 0..n-1 index and every summary row
    names model and target."""
    from neurodyn.analysis.rates import population_rate

    result = two_population_result()
    rates = result.population_rate_frame(bin_ms=2.0, smooth_ms=1.0)
    assert rates.index.equals(pd.RangeIndex(len(rates)))
    for name, part in (("a", result.population("a")), ("b", result.population("b")), ("all", result)):
        expected = population_rate(part, bin_width=2e-3, smooth_width=1e-3)
        got = rates[rates["population"] == name]
        np.testing.assert_allclose(got["t_ms"].to_numpy(), expected["t_ms"].to_numpy())
        np.testing.assert_allclose(got["pop_rate_hz"].to_numpy(), expected["pop_rate_hz"].to_numpy())
    summary = result.summary()
    assert summary.index.equals(pd.RangeIndex(3)) and summary["population"].tolist() == ["a", "b", "all"]
    assert summary["model"].tolist() == ["toy"] * 3 and summary["target"].tolist() == ["numpy"] * 3


def test_round_trip_keeps_populations_spike_values_and_state_names(tmp_path):
    result = two_population_result()
    loaded = SimulationResult.load(result.save(tmp_path / "r"))
    assert loaded.populations == result.populations and set(loaded.spike_values) == {"n"}
    np.testing.assert_array_equal(loaded.spike_values["n"], result.spike_values["n"])
    assert loaded.states["a.u"].variable == "u"
    np.testing.assert_array_equal(loaded.states["a.u"].values, result.states["a.u"].values)


def test_a_corrupt_file_is_named_in_the_load_error(tmp_path):
    """The error names the file that could not be read (its path, right after 'cannot read')."""
    for name in ("spikes.parquet", "voltage.parquet"):
        out = synthetic(1.0, 40).save(tmp_path / name)
        (out / name).write_bytes(b"PAR1" + b"\0" * 100)
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["files"][name] = 104
        (out / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ResultError, match=rf"cannot read \S*/{name.replace('.', '[.]')}: "):
            SimulationResult.load(out)


def test_a_result_saved_without_populations_metadata_loads_as_one_population(tmp_path):
    """Results written before populations were stored have no 'populations' entry in their metadata."""
    import pyarrow.parquet as pq

    from neurodyn.results import _METADATA_KEY

    out = synthetic(1.0, 40).save(tmp_path / "r")
    table = pq.read_table(out / "spikes.parquet")
    meta = json.loads(table.schema.metadata[_METADATA_KEY])
    del meta["populations"]
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, _METADATA_KEY: json.dumps(meta).encode()}),
                   out / "spikes.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["spikes.parquet"] = (out / "spikes.parquet").stat().st_size
    (out / "manifest.json").write_text(json.dumps(manifest))
    loaded = SimulationResult.load(out)
    assert loaded.populations == () and not loaded.is_multi_population
    np.testing.assert_array_equal(loaded.spike_i, synthetic(1.0, 40).spike_i[np.argsort(synthetic(1.0, 40).spike_t)])


def test_replacing_a_result_never_leaves_the_directory_absent(tmp_path, monkeypatch):
    """A process killed right after the first rename of a replacement (simulated: that rename
    happens, then the process exits) must leave a complete result, old or new, in place: the
    replacement is one exchange of the two directories, not a rename aside and a rename back."""
    out = tmp_path / "r"
    synthetic(1.0, 40).save(out)
    real_rename = os.rename

    def rename_then_die(source, target):
        real_rename(source, target)
        raise SystemExit("killed")

    monkeypatch.setattr(os, "rename", rename_then_die)
    try:
        synthetic(8.0, 3000).save(out, overwrite=True)
    except SystemExit:
        pass
    monkeypatch.setattr(os, "rename", real_rename)
    assert SimulationResult.load(out).params["g"] in (1.0, 8.0)
