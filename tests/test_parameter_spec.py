"""ParameterSpec and Parameter on their own (a spec built in the test, no simulation)."""
import pytest
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, ParameterError
from neurodyn.parameters import Parameter, ParameterSpec, parse_quantity


def spec():
    return ParameterSpec((
        Parameter("delay", 1 * ms, "a delay", unit=ms, display_unit="ms", minimum=0.5),
        Parameter("gain", 2.0, "a gain", minimum=1.0),
        Parameter("K", None, "optional count", kind=int, optional=True),
    ))


def test_spec_lookup_and_names():
    built = spec()
    assert built.names == ["delay", "gain", "K"] and [p.name for p in built] == built.names
    assert built["gain"].default == 2.0
    with pytest.raises(ParameterError) as error:
        built.check_names(["gian"])
    assert str(error.value) == "unknown parameter 'gian' (did you mean 'gain'?); known parameters: delay, gain, K"
    with pytest.raises(ParameterError) as error:
        built.check_names(["zzzz"])
    assert str(error.value) == "unknown parameter 'zzzz'; known parameters: delay, gain, K"


def test_minimum_is_checked_in_the_declared_unit():
    delay = spec()["delay"]
    assert delay.convert(0.7 * ms) == 0.7 * ms and delay.convert("0.5ms") == 0.5 * ms
    with pytest.raises(ParameterError) as error:
        delay.convert(0.3 * ms)
    assert str(error.value) == f"delay must be >= 0.5, got {0.3 * ms}"
    with pytest.raises(ParameterError) as error:
        spec()["gain"].convert(0.5)
    assert str(error.value) == "gain must be >= 1, got 0.5"


@pytest.mark.parametrize("text", ["none", "None", " NONE ", ""])
def test_optional_values_accept_none_spellings(text):
    assert spec()["K"].convert(text) is None
    assert spec()["K"].convert(None) is None


def test_unreadable_values_name_the_parameter():
    with pytest.raises(ParameterError, match=r"cannot read value='abc'"):
        parse_quantity("abc")
    with pytest.raises(ParameterError, match=r"cannot read gain='abc'"):
        spec()["gain"].convert("abc")
    assert parse_quantity("2 * ms") == 2 * ms and parse_quantity("1e-3s") == 1e-3 * second


def test_describe_lists_defaults_in_display_units():
    lines = InhibitoryNetwork.parameters.describe().splitlines()
    assert len(lines) == len(InhibitoryNetwork.parameters.names)
    by_name = {line.split()[0]: line for line in lines}
    assert by_name["tau_d"].split()[1:4] == ["default", "1", "ms"]
    assert by_name["K"].split()[1:3] == ["default", "None"] and by_name["g"].split()[1:3] == ["default", "1.0"]
    assert by_name["g"].endswith("inhibitory coupling strength (>= 0)")
