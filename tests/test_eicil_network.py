"""The EI network: against a plain Brian2 script, on every target, and as GeNN code."""
import numpy as np
import pytest
from brian2 import Hz, Network, NeuronGroup, SpikeMonitor, Synapses, device, ms, prefs, second, set_device

from neurodyn.errors import ParameterError
from neurodyn.models import MODELS
from neurodyn import simulate
from neurodyn.models.eicil import EINetwork, sign_summary, spike_signs, spikes_of_sign
from neurodyn.targets import target_device

#: A deterministic network (no Poisson input): heterogeneous drive, opposing recurrent weights.
DETERMINISTIC = dict(N=40, K=8, w=-0.3, theta_e=1.0, theta_i=0.6, x_mean_hz=0.0, x_std_hz=150.0, n_in=0)


def plain_brian2_spikes(model: EINetwork, duration):
    """The same network written directly in Brian2, with the natural ``v_post += w*s_pre``.

    The reset is moved before spike delivery (thresholds slot), so that ``s_pre`` is the
    sign of the spike being delivered.
    """
    v = model.values
    with target_device("numpy", v["dt"]):
        neurons = NeuronGroup(v["N"], "dv/dt = x - v/tau : 1\nx : Hz\ns : 1",
                              threshold="v >= theta_e or v <= -theta_i",
                              reset="s = 2*int(v > 0) - 1\nv = v - theta_e*int(s > 0) + theta_i*int(s < 0)",
                              method="exact", namespace={"tau": v["tau"], "theta_e": v["theta_e"],
                                                         "theta_i": v["theta_i"]})
        neurons.resetter["spike"].when, neurons.resetter["spike"].order = "thresholds", 1
        neurons.x = model.drives() * Hz
        neurons.v = model.initial_potentials()
        i, j = model.connectivity()
        synapses = Synapses(neurons, neurons, "w : 1", on_pre="v_post += w*s_pre", namespace={})
        synapses.connect(i=i, j=j)
        synapses.w = v["w"]
        monitor = SpikeMonitor(neurons, variables=["s"], when="thresholds", order=2)
        Network(neurons, synapses, monitor).run(duration)
        return np.array(monitor.i[:]), np.array(monitor.t_[:]), np.array(monitor.s[:])


def test_network_equals_a_plain_brian2_script_with_presynaptic_signs():
    """The per-synapse sign copy (needed for GeNN) transmits exactly the sign s_pre of each spike."""
    model = EINetwork(**DETERMINISTIC)
    result = simulate(model, 300 * ms, target="numpy", progress=False)
    i, t, s = plain_brian2_spikes(model, 300 * ms)
    assert len(t) > 500 and np.sum(s > 0) > 100 and np.sum(s < 0) > 100
    assert np.array_equal(result.spike_i, i)
    assert np.allclose(result.spike_t, t, atol=1e-9)
    assert np.array_equal(spike_signs(result), s.astype(np.int8))


def test_cpp_standalone_gives_the_same_spikes_and_signs_as_the_runtime():
    model = EINetwork(**DETERMINISTIC, tau=None)
    runtime = simulate(model, 200 * ms, target="numpy", progress=False)
    standalone = simulate(model, 200 * ms, target="cpp_standalone", progress=False)
    assert len(runtime.spike_t) > 200
    assert np.array_equal(runtime.spike_i, standalone.spike_i)
    assert np.allclose(runtime.spike_t, standalone.spike_t, atol=1e-9)
    assert np.array_equal(spike_signs(runtime), spike_signs(standalone))


@pytest.mark.parametrize("inh_in_frac, sign, theta", [(0.0, 1, 1.0), (1.0, -1, 0.5)])
def test_one_signed_poisson_drive_gives_the_integrator_rate(inh_in_frac, sign, theta):
    """Uncoupled non-leaky neurons with n_in Poisson inputs of one sign: the mean drive is
    w_in n_in rate_in, so each neuron emits spikes of that sign at w_in n_in rate_in / theta;
    the population mean count has standard deviation w_in sqrt(n_in rate_in T / N) / theta."""
    n, n_in, rate_in, w_in, duration = 50, 100, 10.0, 0.2, 1.0
    model = EINetwork(N=n, K=0, tau=None, theta_e=1.0, theta_i=0.5, n_in=n_in, rate_in_hz=rate_in, w_in=w_in,
                      inh_in_frac=inh_in_frac, seed=3)
    result = simulate(model, duration * second, target="numpy", progress=False)
    assert np.all(spike_signs(result) == sign)
    expected = w_in * n_in * rate_in * duration / theta
    sigma = w_in * np.sqrt(n_in * rate_in * duration / n) / theta
    assert abs(len(result.spike_t) / n - expected) < 5 * sigma + 1
    again = simulate(model, duration * second, target="numpy", progress=False)
    assert np.array_equal(again.spike_t, result.spike_t)


def test_signed_result_frames_and_summaries():
    model = EINetwork(**DETERMINISTIC)
    result = simulate(model, 100 * ms, target="numpy", progress=False)
    frame = result.spikes_frame()
    assert list(frame.columns) == ["neuron", "t_ms", "s"]
    assert np.all(np.diff(frame["t_ms"]) >= 0)
    plus, minus = spikes_of_sign(result, 1), spikes_of_sign(result, -1)
    assert len(plus.spike_t) == int((frame["s"] == 1).sum())
    assert len(plus.spike_t) + len(minus.spike_t) == len(frame)
    summary = sign_summary(result, t_start=0.05)
    late = frame[frame["t_ms"] >= 50]
    norm = model.n_neurons * 0.05
    assert summary["rate_plus_hz"] == pytest.approx((late["s"] == 1).sum() / norm)
    assert summary["minus_plus_ratio"] == pytest.approx((late["s"] == -1).sum() / (late["s"] == 1).sum())


def test_model_is_registered_and_parameters_are_checked():
    assert MODELS["eicil"] is EINetwork
    assert EINetwork(tau="none").record["tau_ms"] is None
    with pytest.raises(ParameterError, match="K must be <= N - 1"):
        EINetwork(N=10, K=10)
    with pytest.raises(ParameterError, match="inh_in_frac"):
        EINetwork(inh_in_frac=1.5)
    with pytest.raises(ParameterError, match="whole number of time steps"):
        EINetwork(cycle_period="1.05ms", inh_duration="0.5ms")


@pytest.fixture
def genn_directory(tmp_path):
    """A GeNN device generating code only; Brian2's device and the preferences that Brian2GeNN
    changes are restored afterwards."""
    pytest.importorskip("brian2genn")
    saved = {name: prefs[name] for name in ("codegen.loop_invariant_optimisations", "core.network.default_schedule")}
    directory = tmp_path / "genn"
    set_device("genn", directory=str(directory), compile=False, run=False, use_GPU=False)
    try:
        yield directory
    finally:
        device.reinit()
        set_device("runtime")
        for name, value in saved.items():
            prefs[name] = value


def test_network_generates_a_genn_project(genn_directory):
    """Code generation only (no GeNN needed): the project holds the EI threshold and reset, the
    per-step sign copy, the signed delivery and the Poisson drive."""
    model = EINetwork(N=20, K=4, cycle_period="10ms", inh_duration="4ms")
    built = model.build()
    built.network.run(10 * ms)
    code = (genn_directory / "magicnetwork_model.cpp").read_text()
    assert "($(v) >= $(theta_e)) || (($(v) <= (- $(theta_i))) && (inh_on == 1))" in code
    assert "_timestep(t, DT)" in code and "$(cycle_steps)" in code
    assert "$(v) += ((- $(theta_e)) * int_($(s) > 0)) + ($(theta_i) * int_($(s) < 0))" in code
    assert "$(s_pre)" in code and "$(sgn) = _sgn" in code
    assert "$(addToInSyn,($(w) * $(sgn)))" in code
    assert code.count("binomial") >= 2  # the two Poisson inputs
