"""The model layer: a Brian2 script in a function is a neurodyn model (numpy target, tiny networks).

Parameters come from the signature, bad declarations and bad input get named errors before
anything runs, neurodyn seeds Brian2 and hands out a NumPy generator, and a network of several
NeuronGroups gives per-population spikes, states, rates and summary rows.
"""
import numpy as np
import pandas as pd
import pytest
from brian2 import (Network, NeuronGroup, PoissonInput, SpikeMonitor, StateMonitor, Synapses, TimedArray, defaultclock,
                    Hz, mV, ms)

import neurodyn
from neurodyn import ModelDefinitionError, ParameterError, SimulationResult, simulate

# these tests record two or three potentials to check storage and frames: summary() reports their
# chi_voltage as NaN with a SynchronyWarning (tested in test_analysis_summary.py), expected here
pytestmark = pytest.mark.filterwarnings("ignore::neurodyn.errors.SynchronyWarning")


@neurodyn.model(bounds={"tau": (1, None)}, choices={"reset_mode": ("zero", "half")})
def lif(N=20,                 # number of neurons
        tau=10 * ms,          # membrane time constant
        drive=1.5,            # constant input (threshold 1)
        reset_mode="zero",    # where v goes after a spike
        K: int | None = None,  # optional in-degree
        rng=None):
    """A leaky integrate-and-fire population with heterogeneous initial potentials.

    drive: documented twice; the comment on its line wins
    """
    reset = "v = 0" if reset_mode == "zero" else "v = 0.5"
    group = NeuronGroup(N, "dv/dt = (drive - v) / tau : 1", threshold="v > 1", reset=reset, method="exact")
    group.v = rng.random(N)


def test_parameters_come_from_the_signature():
    spec = lif.parameters
    assert spec.names == ["N", "tau", "drive", "reset_mode", "K", "seed"]
    assert spec["N"].kind is int and spec["drive"].kind is float and spec["reset_mode"].kind is str
    assert spec["tau"].column == "tau_ms" and spec["tau"].doc == "membrane time constant"
    assert spec["drive"].doc == "constant input (threshold 1)"
    assert spec["K"].optional and spec["K"].kind is int
    model = lif(tau="20ms", N="7")
    assert model.values["N"] == 7 and abs(float(model.values["tau"]) - 0.02) < 1e-15
    assert model.record == {"N": 7, "tau_ms": 20.0, "drive": 1.5, "reset_mode": "zero", "K": None, "seed": 0}
    assert lif.name == "lif" and issubclass(lif, neurodyn.Model)


@pytest.mark.parametrize("overrides, message", [
    ({"taux": 2 * ms}, "unknown parameter 'taux' (did you mean 'tau'?)"),
    ({"tau": 2 * mV}, "tau needs a unit of"),
    ({"tau": 0.5 * ms}, "tau must be >= 1"),
    ({"reset_mode": "one"}, "reset_mode must be one of zero, half"),
    ({"N": 2.5}, "N must be an integer"),
])
def test_bad_values_are_named(overrides, message):
    with pytest.raises(ParameterError) as error:
        lif(**overrides)
    assert message in str(error.value)


def test_a_parameter_without_default_is_refused():
    with pytest.raises(ModelDefinitionError, match="parameter 'tau' has no default"):
        @neurodyn.model
        def no_default(tau, N=3):
            NeuronGroup(N, "dv/dt = -v/tau : 1")


def test_a_default_without_the_unit_its_annotation_asks_for_is_refused():
    with pytest.raises(ModelDefinitionError, match=r"parameter 'tau' needs a unit of .*write e.g. tau=10\*msecond"):
        @neurodyn.model
        def unitless(tau: ms = 10):
            NeuronGroup(1, "dv/dt = -v/tau : 1")


def test_a_default_of_an_unsupported_type_is_refused():
    with pytest.raises(ModelDefinitionError, match="defaults must be numbers, strings or Brian2 quantities"):
        @neurodyn.model
        def array_default(weights=np.ones(3)):
            NeuronGroup(3, "v : 1")


def test_a_function_that_builds_no_neuron_group_is_refused():
    @neurodyn.model
    def nothing(rate=5 * Hz):
        drive = TimedArray([1, 2] * Hz, dt=1 * ms)

    with pytest.raises(ModelDefinitionError, match="built no NeuronGroup"):
        simulate(nothing(), 1 * ms, target="numpy", progress=False)


def test_a_recorded_variable_that_does_not_exist_is_refused_before_the_run(monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the network ran")

    monkeypatch.setattr(Network, "run", no_run)
    with pytest.raises(ParameterError, match=r"cannot record 'w'.*variables: v"):
        simulate(lif(), 10 * ms, target="numpy", record={"w": [0]}, progress=False)
    with pytest.raises(ParameterError, match=r"record_v indices must lie in \[0, 19\]"):
        simulate(lif(), 10 * ms, target="numpy", record={"v": [20]}, progress=False)


def test_isolated_lif_fires_at_the_free_period():
    """v from below threshold with drive I > 1: the interval between spikes is tau ln(I/(I-1))."""
    result = simulate(lif(N=5, drive=2.0), 100 * ms, target="numpy", record={"v": [0]}, progress=False)
    for neuron in range(5):
        intervals = np.diff(np.sort(result.spike_t[result.spike_i == neuron]))
        assert len(intervals) >= 5 and np.all(np.abs(intervals - 0.01 * np.log(2)) <= 1e-4 + 1e-12)
    assert list(result.voltage_frame().columns) == ["neuron", "t_ms", "v"]


def test_the_seed_fixes_brian2_and_numpy_random_numbers():
    """One seed drives rng (initial v) and Brian2's generator (noise, rand(), connect(p=...))."""
    @neurodyn.model
    def noisy(N=30, sigma=0.5, rng=None):
        group = NeuronGroup(N, "dv/dt = (1.2 - v)/(10*ms) + sigma*xi/sqrt(10*ms) : 1", threshold="v > 1",
                            reset="v = rand()*0.5", method="euler")
        group.v = rng.random(N)
        conn = Synapses(group, group, on_pre="v_post += -0.05")
        conn.connect(p=0.2)

    def run(seed):
        return simulate(noisy(seed=seed), 50 * ms, target="numpy", record={"v": [0, 1]}, progress=False)

    first, again, other = run(3), run(3), run(4)
    assert len(first.spike_t) > 20
    np.testing.assert_array_equal(first.spike_i, again.spike_i)
    np.testing.assert_array_equal(first.states["v"].values, again.states["v"].values)
    assert not np.array_equal(first.states["v"].values, other.states["v"].values)


def test_a_body_may_set_its_own_time_step():
    @neurodyn.model
    def fine_steps(N=2):
        defaultclock.dt = 0.05 * ms
        group = NeuronGroup(N, "dv/dt = 1/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="euler")

    result = simulate(fine_steps(), 20 * ms, target="numpy", record={"v": [0]}, progress=False)
    assert result.dt == pytest.approx(0.05e-3) and result.states["v"].values.shape == (1, 400)
    defaultclock.dt = 0.1 * ms


@neurodyn.model
def two_populations(N_e=40, N_i=10, w_e=0.3, w_i=-0.02, drive=1.3):
    """Excitatory and inhibitory LIF groups, all-to-all between the groups, none within."""
    exc = NeuronGroup(N_e, "dv/dt = (drive - v)/(10*ms) : 1\nu : 1", threshold="v > 1", reset="v = 0",
                      method="exact", name="exc")
    inh = NeuronGroup(N_i, "dv/dt = (drive - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    exc.v = "i / N_e"
    inh.v = "i / N_i"
    e_to_i = Synapses(exc, inh, on_pre="v_post += w_e")
    i_to_e = Synapses(inh, exc, on_pre="v_post += w_i")
    e_to_i.connect()
    i_to_e.connect()


@pytest.fixture(scope="module")
def populations_result():
    return simulate(two_populations(), 200 * ms, target="numpy", record={"v": [0, 1], "exc.u": [3]}, progress=False)


def plain_two_populations(duration):
    """The same network as a plain Brian2 script: the reference for every population."""
    from neurodyn.targets import target_device

    with target_device("numpy", 0.1 * ms):
        namespace = {"drive": 1.3, "w_e": 0.3, "w_i": -0.02}
        exc = NeuronGroup(40, "dv/dt = (drive - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact",
                          namespace=namespace)
        inh = NeuronGroup(10, "dv/dt = (drive - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact",
                          namespace=namespace)
        exc.v, inh.v = "i / 40.0", "i / 10.0"
        e_to_i = Synapses(exc, inh, on_pre="v_post += w_e", namespace=namespace)
        i_to_e = Synapses(inh, exc, on_pre="v_post += w_i", namespace=namespace)
        e_to_i.connect()
        i_to_e.connect()
        monitors = SpikeMonitor(exc), SpikeMonitor(inh)
        Network(exc, inh, e_to_i, i_to_e, *monitors).run(duration)
        return [(np.asarray(m.i[:]), np.asarray(m.t_[:])) for m in monitors]


def test_two_populations_give_per_population_spikes_states_rates_and_summary(populations_result):
    result = populations_result
    assert result.populations == (("exc", 40), ("inh", 10)) and result.n_neurons == 50
    spikes = result.spikes_frame()
    assert list(spikes.columns) == ["population", "neuron", "t_ms"]
    for name, (i, t) in zip(("exc", "inh"), plain_two_populations(200 * ms)):
        part = spikes[spikes["population"] == name].sort_values(["t_ms", "neuron"], kind="stable")
        reference = pd.DataFrame({"neuron": i, "t_ms": t * 1e3}).sort_values(["t_ms", "neuron"], kind="stable")
        assert len(part) > 10
        np.testing.assert_array_equal(part["neuron"].to_numpy(), reference["neuron"].to_numpy())
        np.testing.assert_allclose(part["t_ms"].to_numpy(), reference["t_ms"].to_numpy(), atol=1e-9)
    assert set(result.states) == {"exc.v", "inh.v", "exc.u"}
    rates = result.population_rate_frame(bin_ms=1.0)
    assert set(rates["population"]) == {"exc", "inh", "all"}
    for name, size in (("exc", 40), ("inh", 10), ("all", 50)):
        count = len(spikes) if name == "all" else int((spikes["population"] == name).sum())
        assert rates.loc[rates["population"] == name, "pop_rate_hz"].sum() * size * 1e-3 == pytest.approx(count)
    summary = result.summary(t_start=0.05).set_index("population")
    for name, size in (("exc", 40), ("inh", 10)):
        late = spikes[(spikes["population"] == name) & (spikes["t_ms"] >= 50)]
        assert summary.loc[name, "mean_rate_hz"] == pytest.approx(len(late) / size / 0.15)
    late = spikes[spikes["t_ms"] >= 50]
    assert summary.loc["all", "mean_rate_hz"] == pytest.approx(len(late) / 50 / 0.15)
    inh = result.population("inh")
    assert inh.n_neurons == 10 and set(inh.states) == {"v"} and len(inh.spike_t) == int((spikes["population"] == "inh").sum())
    assert list(result.state_frame("exc.u").columns) == ["neuron", "t_ms", "u"]
    with pytest.raises(ParameterError, match="no population 'ext'"):
        result.population("ext")
    with pytest.raises(ParameterError, match="no recorded variable 'exc.w'"):
        result.state_frame("exc.w")


def test_two_population_results_round_trip(populations_result, tmp_path):
    populations_result.save(tmp_path / "run")
    loaded = SimulationResult.load(tmp_path / "run")
    assert loaded.populations == populations_result.populations
    pd.testing.assert_frame_equal(loaded.spikes_frame(), populations_result.spikes_frame())
    for key, trace in populations_result.states.items():
        np.testing.assert_allclose(loaded.states[key].values, trace.values)
    pd.testing.assert_frame_equal(loaded.summary(t_start=0.05), populations_result.summary(t_start=0.05))


def test_objects_in_containers_and_monitors_of_the_body_are_used():
    """Groups in a list, a PoissonInput and the body's own StateMonitor are collected; the body's
    SpikeMonitor on the whole group is reused (no second monitor)."""
    @neurodyn.model
    def listed(n_groups=2, rate=200 * Hz):
        groups = [NeuronGroup(5, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact",
                              name=f"g{k}") for k in range(n_groups)]
        inputs = [PoissonInput(group, "v", 10, rate, weight=0.3) for group in groups]
        trace = StateMonitor(groups[0], "v", record=[0])
        mine = SpikeMonitor(groups[1])

    built = None
    from neurodyn.targets import target_device

    with target_device("numpy", 0.1 * ms):
        built = listed().build()
        monitors = [obj for obj in built.network.objects if isinstance(obj, SpikeMonitor)]
        assert list(built.populations) == ["g0", "g1"] and len(monitors) == 2
        assert set(built.states) == {"g0.v"}
    result = simulate(listed(), 50 * ms, target="numpy", progress=False)
    assert len(result.population("g0").spike_t) > 0 and len(result.population("g1").spike_t) > 0
    assert result.states["g0.v"].values.shape == (1, 500)


def test_genn_check_and_randomness_detection_work_on_any_model():
    """check_model builds any model on the runtime and names what Brian2GeNN refuses; the networks
    that draw Brian2 random numbers (which GeNN cannot seed) are recognised."""
    from neurodyn.errors import GeNNUnsupportedError
    from neurodyn.genn_compat import check_model
    from neurodyn.models.examples.brunel_hakim import brunel_hakim
    from neurodyn.models.examples.cuba_ei import cuba_ei
    from neurodyn.simulation import uses_brian2_random_numbers
    from neurodyn.targets import target_device

    assert check_model(cuba_ei(N_exc=20, N_inh=5), record={"exc.v": [0]}) == []

    @neurodyn.model
    def timed(N=3):
        drive = TimedArray([1, 2] * Hz, dt=1 * ms)
        group = NeuronGroup(N, "dv/dt = drive(t) : 1", threshold="v > 1", reset="v = 0")

    with pytest.raises(GeNNUnsupportedError, match="the function drive"):
        check_model(timed())
    with target_device("numpy", 0.1 * ms):
        assert uses_brian2_random_numbers(brunel_hakim(N=20, C=5).build())
        assert uses_brian2_random_numbers(cuba_ei(N_exc=8, N_inh=2).build())
        assert not uses_brian2_random_numbers(lif().build())


def test_a_number_where_the_equations_need_a_unit_is_named():
    @neurodyn.model
    def unitless_tau(tau=10, v0=0.5):
        group = NeuronGroup(1, "dv/dt = -v/tau : 1", method="exact")
        group.v = v0

    with pytest.raises(ModelDefinitionError, match=r"parameter\(s\) tau have no unit"):
        simulate(unitless_tau(), 1 * ms, target="numpy", progress=False)

    @neurodyn.model
    def unitless_reset(Vr=10):
        group = NeuronGroup(1, "dV/dt = -V/(10*ms) : volt", method="exact")
        group.V = Vr

    with pytest.raises(ModelDefinitionError, match=r"parameter\(s\) Vr have no unit"):
        simulate(unitless_reset(), 1 * ms, target="numpy", progress=False)


def test_a_parameter_declared_with_a_unit_but_no_display_unit_gets_a_unit_column():
    from neurodyn.parameters import Parameter

    assert Parameter("J", 0.1 * mV, "jump", unit=mV).column == "J_mvolt"
    assert Parameter("J", 0.1 * mV, "jump", unit=mV).to_record(0.2 * mV) == pytest.approx(0.2)


def test_on_genn_the_model_is_built_unseeded(tmp_path):
    """Brian2GeNN refuses seed(): under the GeNN device neurodyn builds without it (and simulate
    warns for networks with Brian2 random numbers), where runtime builds are seeded."""
    pytest.importorskip("brian2genn")
    from neurodyn.models.examples.brunel_hakim import brunel_hakim
    from neurodyn.targets import target_device

    with target_device("genn", 0.1 * ms, build_dir=tmp_path, generate_only=True, use_gpu=False):
        assert brunel_hakim(N=20, C=5).build().seeded is False
    with target_device("numpy", 0.1 * ms):
        assert brunel_hakim(N=20, C=5).build().seeded is True
