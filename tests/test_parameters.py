"""Bad input gets an error that names the problem (no Brian2 run needed)."""
import pytest
from brian2 import ms, mV, second

from neurodyn import InhibitoryNetwork, ParameterError, TargetError
from neurodyn.parameters import parse_quantity
from neurodyn.simulation import simulate


@pytest.mark.parametrize("overrides, message", [
    ({"g": -1}, "g must be >= 0"),
    ({"N": 10, "K": 11}, "K must be <= N"),
    ({"I_l": 1.6, "I_u": 1.5}, "I_l must be <= I_u"),
    ({"gg": 1}, "unknown parameter 'gg' (did you mean 'g'?)"),
    ({"tau_d": 2 * mV}, "tau_d needs a unit of"),
    ({"tau_d": 2}, "tau_d needs a unit of"),
    ({"g": 2 * ms}, "g is dimensionless"),
    ({"g": float("nan")}, "g is NaN"),
    ({"N": 10.5}, "N must be an integer"),
    ({"pulse": "square"}, "pulse must be one of alpha, delta"),
    ({"alpha": 0}, "alpha must be > 0"),
    ({"tau_d": "1 furlong"}, "unknown unit 'furlong'"),
])
def test_bad_parameters_are_named(overrides, message):
    with pytest.raises(ParameterError) as error:
        InhibitoryNetwork(**overrides)
    assert message in str(error.value)


def test_strings_are_parsed_with_units():
    model = InhibitoryNetwork(g="5", tau_d="2ms", N="100", K="10")
    assert model.values["g"] == 5.0 and model.values["N"] == 100 and model.values["K"] == 10
    assert abs(float(model.values["tau_d"]) - 0.002) < 1e-15
    assert model.record["tau_d_ms"] == pytest.approx(2.0)
    assert parse_quantity("0.5 second") == 0.5 * second
    assert parse_quantity("3s") == 3 * second


def test_record_round_trip():
    model = InhibitoryNetwork(g=3, tau_d=1.5 * ms, K=20)
    back = model.parameters.from_record(model.record)
    assert InhibitoryNetwork(**back).record == model.record


def test_given_excitabilities_are_checked():
    with pytest.raises(ParameterError, match=r"shape \(4,\)"):
        InhibitoryNetwork(N=4, excitabilities=[1.1, 1.2])
    with pytest.raises(ParameterError, match="NaN"):
        InhibitoryNetwork(N=2, excitabilities=[1.1, float("nan")])


def test_unknown_target_and_bad_duration():
    model = InhibitoryNetwork(N=5)
    with pytest.raises(TargetError, match="unknown target 'gpu'"):
        simulate(model, 10 * ms, target="gpu")
    with pytest.raises(ParameterError, match="duration needs a unit of time"):
        simulate(model, 10, target="numpy")
    with pytest.raises(ParameterError, match="record_v indices"):
        simulate(model, 10 * ms, target="numpy", record_v=[7])
