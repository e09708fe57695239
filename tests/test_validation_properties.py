"""Property-based checks (hypothesis) of the validation layer.

Drawn parameter values, units, durations, recorded neurons and study grids, valid or not
(non-finite, negative, huge, mistyped, wrong unit). For every draw, either a named neurodyn
error is raised before any Brian2 object exists, or the run's spikes are finite and inside
the network and the run, and its metadata is complete. Tiny networks on the NumPy target;
the numbers of examples are bounded so that the file runs in well under a minute.
"""
import contextlib
import math

import numpy as np
from brian2 import Hz, mV, ms, second
from brian2.core.base import BrianObject
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.errors import NeurodynError
from neurodyn.studies import Study, points

SETTINGS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

non_finite = st.sampled_from([math.inf, -math.inf, math.nan, "1e999", "-1e999", "nan"])
mistyped = st.one_of(st.lists(st.floats(0, 2), min_size=0, max_size=2), st.complex_numbers(max_magnitude=3),
                     st.sampled_from(["abc", "", "2 apples", True, None, {"g": 1}, np.array([1.0, 2.0])]))
huge = st.sampled_from([1e300, -1e300, 10**30, 2**64, 1e20])
wrong_unit = st.sampled_from([1 * mV, 5 * Hz, 2.0, 3, 1 * second / second])


def mostly(valid, *invalid):
    """``valid`` nine draws in ten (so that whole runs happen), else one of ``invalid``."""
    bad = st.one_of(*invalid)
    return st.integers(0, 9).flatmap(lambda k: valid if k else bad)


def times(valid):
    """A time: one of ``valid`` (in ms), or something that is not a valid positive time."""
    return mostly(st.sampled_from(valid).map(lambda value: value * ms),
                  st.floats(-50, 0).map(lambda value: value * ms), non_finite.map(_times_ms), wrong_unit, mistyped)


def _times_ms(value):
    return value + "ms" if isinstance(value, str) else value * ms


def number(low, high):
    return mostly(st.floats(low, high), st.floats(-1e6, -1e-9), non_finite, huge, mistyped)


REQUIRED = {"N": mostly(st.integers(1, 12), st.integers(-3, 0), st.floats(1.5, 3.5), non_finite, huge, mistyped)}
OPTIONAL = {
    "K": mostly(st.integers(1, 12), st.integers(-2, 0), mistyped),
    "g": number(0, 20),
    "I_l": number(0.5, 1.2),
    "I_u": number(1.2, 2.0),
    "alpha": mostly(st.sampled_from([2.0, 20.0]), st.floats(-5, 0), non_finite, mistyped),
    "tau_m": times([5.0, 10.0, 20.0]),
    "tau_d": times([0.0, 0.5, 1.0]),
    "dt": times([0.05, 0.1]),
    "pulse": mostly(st.sampled_from(["alpha", "delta"]), st.sampled_from(["square", 3])),
    "seed": mostly(st.integers(0, 2**70), st.integers(-5, -1), st.floats(0.5, 2.5)),
}

overrides = st.fixed_dictionaries(REQUIRED, optional=OPTIONAL)
durations = mostly(st.sampled_from([5.0, 12.0]).map(lambda value: value * ms), times([0.0]))
recorded = mostly(st.lists(st.integers(0, 4), max_size=3, unique=True), st.lists(st.integers(-2, 14), max_size=3))


@contextlib.contextmanager
def counting_brian2_objects():
    """A list that fills with the type of every Brian2 object created inside the block."""
    created = []
    original = BrianObject.__init__

    def counting(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    BrianObject.__init__ = counting
    try:
        yield created
    finally:
        BrianObject.__init__ = original


@settings(max_examples=80, **SETTINGS)
@given(values=overrides, duration=durations, record_v=recorded)
def test_a_drawn_run_is_refused_by_name_before_brian2_or_runs_cleanly(values, duration, record_v):
    with counting_brian2_objects() as created:
        try:
            model = InhibitoryNetwork(**values)
            result = simulate(model, duration, target="numpy", record_v=record_v, progress=False)
        except NeurodynError as error:
            assert created == [], f"refused after building {created}"
            event(f"refused: {str(error).split(' ')[0]}")
            return
    event("ran")
    n = model.n_neurons
    assert np.all(np.isfinite(result.spike_t)) and np.all((result.spike_i >= 0) & (result.spike_i < n))
    assert np.all((result.spike_t >= 0) & (result.spike_t < float(duration) + float(model.dt)))
    assert result.params == model.record and set(result.params) == {p.column for p in model.parameters}
    assert all(math.isfinite(value) for value in result.params.values() if isinstance(value, (int, float)))
    assert (result.model, result.target, result.n_neurons) == ("inhibitory", "numpy", n)
    assert result.t_stop == float(duration) and result.dt == float(model.dt)
    if record_v:
        assert result.voltage.neurons.tolist() == record_v and np.all(np.isfinite(result.voltage.v))
        assert result.voltage.v.shape[0] == len(record_v)


axis_values = st.lists(st.one_of(st.floats(0, 10), st.floats(-5, -0.1), non_finite, mistyped), min_size=1, max_size=3)


@settings(max_examples=80, **SETTINGS)
@given(g=axis_values, tau_d=st.lists(times([0.0, 0.5, 1.0]), min_size=1, max_size=2),
       n=st.one_of(st.integers(1, 30), non_finite, mistyped), duration=durations)
def test_a_drawn_study_grid_is_refused_by_name_or_fully_validated(g, tau_d, n, duration):
    entries = [{"g": value, "tau_d": delay} for value in g for delay in tau_d]
    try:
        study = Study("drawn", InhibitoryNetwork, points(entries), duration=duration, fixed={"N": n}, target="numpy")
        expanded = study.tasks()
    except NeurodynError:
        return
    except TypeError:  # a study of unhashable grid values cannot even be declared: fine, not run either
        return
    assert len(expanded) == len(entries)
    for task in expanded:
        model = InhibitoryNetwork(**task.overrides)  # every stored point is a valid model
        assert model.record == task.record
        assert math.isfinite(task.record["g"]) and task.record["g"] >= 0 and task.record["tau_d_ms"] >= 0


EI_REQUIRED = {"N": mostly(st.integers(2, 8), st.integers(-3, 1), non_finite, huge, mistyped),
               "K": mostly(st.integers(0, 1), st.integers(-2, -1), mistyped)}
EI_OPTIONAL = {
    "w": number(-1, 1),
    "theta_e": mostly(st.floats(0.2, 2), st.floats(-1, 0), non_finite, mistyped),
    "theta_i": mostly(st.floats(0.2, 2), st.floats(-1, 0), non_finite, mistyped),
    "tau": st.one_of(st.none(), times([5.0, 20.0])),
    "x_mean_hz": number(-50, 50),
    "n_in": mostly(st.integers(0, 20), st.integers(-3, -1), huge, mistyped),
    "rate_in_hz": number(0, 50),
    "dt": times([0.1]),
    "seed": mostly(st.integers(0, 2**32 - 1), st.integers(2**32, 2**70), st.integers(-5, -1)),
}


@settings(max_examples=30, **SETTINGS)
@given(values=st.fixed_dictionaries(EI_REQUIRED, optional=EI_OPTIONAL), duration=durations)
def test_a_drawn_ei_network_is_refused_by_name_before_brian2_or_runs_cleanly(values, duration):
    from neurodyn.models.eicil import EINetwork

    with counting_brian2_objects() as created:
        try:
            model = EINetwork(**values)
            result = simulate(model, duration, target="numpy", progress=False)
        except NeurodynError as error:
            assert created == [], f"refused after building {created}"
            event(f"refused: {str(error).split(' ')[0]}")
            return
    event("ran")
    assert np.all(np.isfinite(result.spike_t)) and set(np.unique(result.spike_values["s"])) <= {-1.0, 1.0}
    assert np.all((result.spike_i >= 0) & (result.spike_i < model.n_neurons))
    assert result.params == model.record
    assert all(math.isfinite(value) for value in result.params.values() if isinstance(value, (int, float)))
