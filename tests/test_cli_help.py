"""Every subcommand answers --help with its usage (exit 0), and a missing argument with one line (exit 2)."""
import pytest

from neurodyn.cli import main


@pytest.mark.parametrize("command", ["run", "codegen", "convert", "study"])
def test_help_of_every_subcommand(command, capsys):
    with pytest.raises(SystemExit) as stopped:  # argparse's own --help exits
        code = main([command, "--help"])
        raise SystemExit(code)
    assert stopped.value.code == 0
    assert f"usage: neurodyn {command}" in capsys.readouterr().out


def test_study_without_a_script_is_one_line(capsys):
    assert main(["study"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "neurodyn: error: give a study script, e.g. neurodyn study studies/wta_global.py --quick (see --help)"]
