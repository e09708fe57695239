"""The GeNN compatibility check names each thing Brian2GeNN 1.7 refuses, on tiny networks built
on the runtime device (nothing is compiled), and passes neurodyn's own models."""
import pytest
from brian2 import (Hz, Network, NetworkOperation, NeuronGroup, PoissonInput, SpikeMonitor, StateMonitor,
                    Synapses, TimedArray, linked_var, ms, prefs, seed)

import neurodyn
from neurodyn import InhibitoryNetwork
from neurodyn.errors import GeNNUnsupportedError
from neurodyn.genn import generate
from neurodyn.genn_compat import check_model, check_network, find_problems, schedule_notes
from neurodyn.models.eicil import EINetwork
from neurodyn.simulation import add_state_monitors
from neurodyn.targets import plan_for, target_device


@pytest.fixture(autouse=True)
def _numpy_runtime():
    with target_device("numpy", 0.1 * ms):
        yield


def lif(n=3, equations="", **kwargs):
    return NeuronGroup(n, "dv/dt = -v/(10*ms) : 1\nu : 1\n" + equations, threshold="v > 1", reset="v = 0",
                       **kwargs)


def synapses(on_pre, model="w : 1", connect=None, **kwargs):
    group = lif()
    syn = Synapses(group, group, model, on_pre=on_pre, **kwargs)
    syn.connect(**(connect or {}))
    return [group, syn]


def heterogeneous_delay():
    objects = synapses("v_post += w")
    objects[1].delay = "i * ms"
    return objects


def linked():
    source, group = lif(), NeuronGroup(3, "x : 1 (linked)")
    group.x = linked_var(source, "v")
    return [source, group]


def custom_event():
    group = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0", events={"low": "v < -1"})
    return [group]


def two_summed():
    group = lif(equations="y : 1")
    syn = Synapses(group, group, "w : 1\ny_post = w : 1 (summed)\nu_post = w : 1 (summed)")
    syn.connect()
    return [group, syn]


def poisson_input_moved():
    group = lif()
    poisson = PoissonInput(group, "v", 10, 10 * Hz, 0.1)
    poisson.when = "groups"
    return [group, poisson]


def timed_array():
    drive = TimedArray([1, 2] * Hz, dt=1 * ms)
    return [NeuronGroup(3, "dv/dt = drive(t) : 1", threshold="v > 1", reset="v = 0", namespace={"drive": drive})]


def time_expression_recorded():
    group = lif(equations="z = v*t/second : 1")
    return [group, StateMonitor(group, "z", record=[0])]


def synapses_with_shared_post():
    group = lif(equations="k : 1 (shared, constant)")
    syn = Synapses(group, group, on_pre="v_post += k_post")
    syn.connect()
    return [group, syn]


def run_regularly(**kwargs):
    group = lif()
    return [group, group.run_regularly("v = 0", **kwargs)]


REFUSALS = {
    "minus_on_post": (lambda: synapses("v_post -= w"), "only supports '+=' on postsynaptic variables"),
    "assignment_on_post": (lambda: synapses("v_post = w"), "with '='"),
    "two_post_variables": (lambda: synapses("v_post += w\nu_post += w"), "several postsynaptic variables (u_post, v_post)"),
    "same_post_twice": (lambda: synapses("v_post += w\nv_post += w"), "writes v_post more than once"),
    "presynaptic_read": (lambda: synapses("v_post += w*v_pre"), "uses presynaptic variables (v_pre)"),
    "shared_post_read": (synapses_with_shared_post, "shared variables of a neuron group (k_post)"),
    "heterogeneous_delay": (heterogeneous_delay, "heterogeneous (per-synapse) delays"),
    "multapse": (lambda: synapses("v_post += w", connect={"i": [0, 0], "j": [1, 1]}), "same pair of neurons"),
    "extra_pathway": (lambda: synapses({"pre": "v_post += w", "other": "u_post += w"}), "not other"),
    "synaptic_subexpression": (lambda: synapses("v_post += q", model="w : 1\nq = 2*w : 1"),
                               "subexpressions (q) in synaptic statements"),
    "two_summed_variables": (two_summed, "2 summed variables"),
    "custom_event": (custom_event, "custom events (low)"),
    "own_clock": (lambda: [lif(), lif(dt=1 * ms)], "uses its own clock"),
    "linked_variable": (linked, "linked variables (x)"),
    "network_operation": (lambda: [lif(), NetworkOperation(lambda: None)], "type NetworkOperation"),
    "timed_array": (timed_array, "the function drive (TimedArray) has no GeNN implementation"),
    "run_regularly_slot": (lambda: run_regularly(when="end"), "must stay in slot 'start'"),
    "run_regularly_dt": (lambda: run_regularly(dt=0.25 * ms), "multiple of its group's dt"),
    "spike_monitor_slot": (lambda: [g := lif(), SpikeMonitor(g, when="before_groups")], "'thresholds' or 'end'"),
    "state_monitor_dt": (lambda: [g := lif(), StateMonitor(g, "v", record=True, dt=0.15 * ms)],
                         "StateMonitor needs a dt that is a multiple"),
    "time_expression_recorded": (time_expression_recorded, "an expression of the time t"),
    "poisson_input_slot": (poisson_input_moved, "PoissonInput must stay in slot 'synapses'"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusal_is_named(case):
    build, reason = REFUSALS[case]
    network = Network(*build())
    problems = find_problems(network)
    assert len(problems) == 1 and reason in problems[0], problems
    with pytest.raises(GeNNUnsupportedError, match="Brian2GeNN 1.7 cannot generate"):
        check_network(network)


def test_supported_network_passes_and_second_run_is_named():
    group, syn = synapses("v_post += -w", delay=1 * ms)
    network = Network(group, syn, SpikeMonitor(group), StateMonitor(group, "v", record=[0]))
    assert find_problems(network) == []
    network.run(0.2 * ms)
    assert find_problems(network) == ["the network has already been run (t = 200. us): GeNN supports a single run call"]


@pytest.mark.parametrize("model", [InhibitoryNetwork(N=30), InhibitoryNetwork(N=30, K=3, pulse="delta"),
                                   EINetwork(N=20, K=3, cycle_period=10 * ms, inh_duration=2 * ms)],
                         ids=["inhibitory_global_alpha", "inhibitory_sparse_delta", "eicil"])
def test_neurodyn_models_are_supported(model):
    """No refusal (find_problems is empty, check_model does not raise); the only caveats are the
    EI network's schedule moves, which GeNN's own fixed order makes harmless."""
    with plan_for("genn"), target_device("numpy", model.dt):
        built = model.build()
        add_state_monitors(built, {"v": [0, 1]})
        assert find_problems(built.network) == []
    notes = check_model(model, record_v=[0, 1])
    moved = {"neurons_spike_resetter", "recurrent_stateupdater"} if model.name == "eicil" else set()
    assert {note.split()[0] for note in notes} == moved
    assert all(note.endswith("GeNN keeps its fixed order") for note in notes)


def test_eicil_schedule_moves_are_listed():
    """EICIL moves its reset and sign copy into the thresholds slot; GeNN ignores such moves (its
    own fixed order gives the same result, see neurodyn.models.eicil), and the notes say so."""
    notes = schedule_notes(EINetwork(N=20, K=3).build().network)
    assert any("neurons_spike_resetter runs in slot 'thresholds'" in note for note in notes)
    assert schedule_notes(InhibitoryNetwork(N=20).build().network) == []


@neurodyn.model
def minus_synapse_network(N=5):
    """A network whose synapses use ``-=`` on the target: what GeNN refuses."""
    group = lif(N)
    syn = Synapses(group, group, on_pre="v_post -= 0.1", delay=1 * ms, name="minus")
    syn.connect()


def test_generate_refuses_before_writing(tmp_path):
    with pytest.raises(GeNNUnsupportedError, match=r"minus: on_pre changes v_post with '-='"):
        generate(minus_synapse_network(N=5), 10 * ms, tmp_path / "project")
    assert not (tmp_path / "project").exists()


def test_brian2genn_refusal_inside_the_target_becomes_named_error(tmp_path):
    """What the object check cannot see (a seed() call) is still reported as GeNNUnsupportedError."""
    with pytest.raises(GeNNUnsupportedError, match="Setting a seed is currently not supported"):
        with target_device("genn", 0.1 * ms, build_dir=tmp_path, generate_only=True, use_gpu=False):
            group = lif()
            seed(1)
            Network(group).run(1 * ms)
    assert prefs.core.network.default_schedule[1] == "groups"
