"""The checks of neurodyn.parameters on and next to every boundary they document, fast.

Each boundary is taken from the docstring it enforces: a duration of at least one time step
(within STEP_TOLERANCE) and at most 2**40 steps; a transient in [0, duration); record_v indices
in [0, N - 1], whole and not repeated; delays a whole number of steps within STEP_TOLERANCE
relative to the step count (at least 1); a time constant shorter than dt warns (equal does
not); floats exact up to 2**53 and integers up to 2**63 - 1; inclusive minimum and maximum.
Error messages are checked for the name and the example they promise.
"""
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from brian2 import Quantity, ms, second, us
from brian2.units.allunits import umetre2

from neurodyn import InhibitoryNetwork
from neurodyn.models.eicil import EINetwork
from neurodyn.errors import ParameterError, TimeStepWarning
from neurodyn.parameters import (EXACT_FLOAT_INTEGER, MAX_INTEGER, MAX_STEPS, STEP_TOLERANCE, Parameter,
                                 check_duration, check_recorded_neurons, check_time_grid, check_transient,
                                 exact_integer, real_number, time_quantity, unit_named)


def callers_files() -> set[str]:
    """Where a warning attributed to the caller of neurodyn may point: this file; under mutation
    testing also mutmut's trampoline, which sits between each mutated function and its caller."""
    return {__file__, *(str(Path(mutmut.__file__).parent / "mutation" / "trampoline.py")
                        for mutmut in [sys.modules.get("mutmut")] if mutmut and "MUTANT_UNDER_TEST" in os.environ)}


def test_time_errors_name_the_parameter_and_show_an_example():
    with pytest.raises(ParameterError, match=r"tau needs a unit of time, e\.g\. 10\*ms; got 5"):
        time_quantity("tau", 5)
    with pytest.raises(ParameterError, match=r"duration needs a unit of time, e\.g\. 2\*second"):
        check_duration(5)
    with pytest.raises(ParameterError, match=r"t_start needs a unit of time, e\.g\. 200\*ms"):
        check_transient(5, 1 * second)
    with pytest.raises(ParameterError, match=r"cannot read tau_d='5 m s'"):
        time_quantity("tau_d", "5 m s")
    with pytest.raises(ParameterError, match=r"tau must be finite, got inf [a-zA-Z]*s$"):
        time_quantity("tau", float("inf") * second)
    with pytest.raises(ParameterError, match=r"tau must be finite, got inf [a-zA-Z]*s$"):
        Parameter("tau", 1 * ms, "", unit=ms).convert(float("inf") * second)
    assert time_quantity("tau", "2ms") == 2 * ms


def test_duration_of_one_step_to_two_to_the_forty_steps():
    dt = 0.1 * ms
    assert check_duration(dt, dt) == dt                                           # exactly one step
    assert check_duration(dt * (1 - STEP_TOLERANCE / 2), dt) == dt * (1 - STEP_TOLERANCE / 2)
    with pytest.raises(ParameterError, match="shorter than one time step"):
        check_duration(dt * (1 - 2 * STEP_TOLERANCE), dt)
    # exactly 1 - STEP_TOLERANCE steps (dt = 1 s makes steps the same float) is still accepted
    assert check_duration((1 - STEP_TOLERANCE) * second, 1 * second) == (1 - STEP_TOLERANCE) * second
    assert check_duration(MAX_STEPS * second, 1 * second) == MAX_STEPS * second  # exactly 2**40 steps
    with pytest.raises(ParameterError, match="at most 2\\*\\*40"):
        check_duration(2 * MAX_STEPS * second, 1 * second)
    with pytest.raises(ParameterError, match="duration must be > 0"):
        check_duration(0 * second)


def test_transient_lies_in_zero_to_duration():
    assert check_transient(0 * ms, 1 * second) == 0 * ms
    assert check_transient("999ms", 1 * second) == 999 * ms
    with pytest.raises(ParameterError, match=r"t_start must be a time in \[0, duration\)"):
        check_transient(1 * second, 1 * second)
    with pytest.raises(ParameterError, match=r"t_start must be a time in \[0, duration\)"):
        check_transient(-1 * ms, 1 * second)


def test_recorded_neurons_whole_in_range_and_unique():
    assert check_recorded_neurons([4, 0, 2], 5).tolist() == [4, 0, 2]            # the order given, 0 and N - 1
    whole = check_recorded_neurons(np.array([1.0, 4.0, 3.0]), 5)
    assert whole.tolist() == [1, 4, 3] and whole.dtype == np.int64               # whole floats, odd ones too
    assert check_recorded_neurons(np.array([2.0, 0.0], dtype=np.float32), 5).tolist() == [2, 0]   # any float type
    assert check_recorded_neurons([], 5).tolist() == []
    with pytest.raises(ParameterError, match="whole neuron indices"):
        check_recorded_neurons([True, False], 5)                                 # booleans are not indices
    for bad, message in (([0.5], "whole neuron indices"), ([5], r"lie in \[0, 4\]"), ([-1], r"lie in \[0, 4\]"),
                         ([1, 3, 1], r"neuron\(s\) \[1\] more than once")):
        with pytest.raises(ParameterError, match=message):
            check_recorded_neurons(bad, 5)


def test_delays_on_the_step_grid_within_the_relative_tolerance():
    dt = 0.1 * ms
    check_time_grid({"dt": dt, "d": 3 * dt}, delays=("d",))
    # relative to the number of steps, not to one step: 10^6 steps off by half a step (tolerance 100 steps) pass
    check_time_grid({"dt": dt, "d": dt * (1e6 + 0.5)}, delays=("d",))
    check_time_grid({"dt": dt, "d": dt * (1e6 + 1e6 * STEP_TOLERANCE / 2)}, delays=("d",))
    # off by exactly the tolerance (STEP_TOLERANCE steps of dt = 1 s, the same float) is still accepted
    check_time_grid({"dt": 1 * second, "d": STEP_TOLERANCE * second}, delays=("d",))
    with pytest.raises(ParameterError, match="not a whole number of time steps"):
        check_time_grid({"dt": dt, "d": dt * (1 + 1.5 * STEP_TOLERANCE)}, delays=("d",))
    # the message names both neighbours on the grid
    with pytest.raises(ParameterError, match=f"round it \\(to {1 * dt} or {2 * dt}\\)"):
        check_time_grid({"dt": dt, "d": 0.15 * ms}, delays=("d",))
    # an unset delay is skipped, and the next one is still checked
    with pytest.raises(ParameterError, match="d2=150. us is not a whole number"):
        check_time_grid({"dt": dt, "d1": None, "d2": 150 * us}, delays=("d1", "d2"))


def test_time_constant_shorter_than_dt_warns_at_the_users_line():
    with warnings.catch_warnings():
        warnings.simplefilter("error", TimeStepWarning)
        check_time_grid({"dt": 0.1 * ms, "tau": 0.1 * ms, "other": None}, time_constants=("tau", "other"))
    with pytest.warns(TimeStepWarning, match="dt=2. ms is longer than tau_m=1. ms") as caught:
        InhibitoryNetwork(tau_m=1 * ms, dt=2 * ms, tau_d=2 * ms)
    with pytest.warns(TimeStepWarning, match="longer than tau=") as caught_ei:
        EINetwork(tau=0.05 * ms)
    assert [warning.filename in callers_files() for warning in [*caught, *caught_ei]] == [True, True]


def test_integers_exact_up_to_their_documented_limits():
    assert exact_integer("seed", float(EXACT_FLOAT_INTEGER)) == EXACT_FLOAT_INTEGER
    converted = exact_integer("seed", 3.0)
    assert converted == 3 and type(converted) is int
    with pytest.raises(ParameterError, match="beyond 2\\*\\*53"):
        exact_integer("seed", float(EXACT_FLOAT_INTEGER) * 2)
    assert exact_integer("seed", MAX_INTEGER) == MAX_INTEGER and exact_integer("seed", -MAX_INTEGER) == -MAX_INTEGER
    with pytest.raises(ParameterError, match="64 bits"):
        exact_integer("seed", MAX_INTEGER + 1)


def test_dimensionless_quantities_are_plain_numbers():
    value = real_number("g", Quantity(2.5))
    assert value == 2.5 and type(value) is float
    with pytest.raises(ParameterError, match="g must be a single number"):
        real_number("g", Quantity([1.0, 2.0]))
    with pytest.raises(ParameterError, match="g must be a single number"):
        real_number("g", Quantity([[1.0]]))


def test_units_by_name_from_both_brian2_namespaces():
    assert unit_named("ms") == ms and unit_named("umetre2") == umetre2       # umetre2 only in allunits
    assert unit_named("parsec") is None and unit_named("Unit") is None         # Unit is a class, not a unit


def test_column_unit_bounds():
    tau = Parameter("tau", 1 * ms, "", unit=ms)
    assert tau.display_unit == repr(ms) and tau.column == f"tau_{ms!r}" and tau.to_record(2 * ms) == 2.0
    assert Parameter("tau", 1 * ms, "", unit=ms, display_unit="ms").column == "tau_ms"
    bounded = Parameter("p", 0.5, "", minimum=0.0, maximum=1.0)
    assert bounded.convert(0.0) == 0.0 and bounded.convert(1.0) == 1.0
    with pytest.raises(ParameterError, match="p must be <= 1"):
        bounded.convert(1.0 + 1e-12)
    strict = Parameter("q", 1.0, "", exclusive_minimum=0.5)
    assert strict.convert(0.5 + 1e-12) == 0.5 + 1e-12
    with pytest.raises(ParameterError, match="q must be > 0.5"):
        strict.convert(0.5)
    # a time without a declared minimum must be > 0; with minimum=0 zero is allowed
    with pytest.raises(ParameterError, match="tau must be > 0"):
        tau.convert(0 * ms)
    assert Parameter("delay", 0 * ms, "", unit=ms, minimum=0.0).convert(0 * ms) == 0 * ms
