"""Every entry point sees user models: `neurodyn run/codegen FILE.py:fn`, studies beside a model
file, installed entry points. Each test works in a temporary directory that is not the project's."""
import json
import re
import sys
import textwrap

import pandas as pd
import pytest

from neurodyn.cli import main
from neurodyn.registry import load_model

# the ring model's runs record two potentials: summary() reports their chi_voltage as NaN with a
# SynchronyWarning (tested in test_analysis_summary.py), expected here
pytestmark = pytest.mark.filterwarnings("ignore::neurodyn.errors.SynchronyWarning")

MODEL_FILE = '''
from brian2 import NeuronGroup, Synapses, ms

import neurodyn


@neurodyn.model
def ring(N=12,              # number of neurons
         drive=1.5,         # constant input; threshold 1
         tau=10 * ms,       # membrane time constant
         w=-0.05):          # weight of each neuron onto the next
    group = NeuronGroup(N, "dv/dt = (drive - v) / tau : 1", threshold="v > 1", reset="v = 0", method="exact")
    group.v = "i / N"
    ring = Synapses(group, group, on_pre="v_post += w", delay=1 * ms)
    ring.connect(j="(i + 1) % N")
'''

STUDY_FILE = '''
import sys

from brian2 import ms

from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from ring_model import ring

STUDY = Study("rings", ring, product(drive=[1.2, 2.0]), duration=50 * ms, fixed=dict(N=8), target="numpy")
QUICK = STUDY

if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK))
'''


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A model file and a study beside it in ``models/``, and a working directory ``work/``."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "ring_model.py").write_text(MODEL_FILE)
    (models / "ring_study.py").write_text(STUDY_FILE)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield models
    sys.modules.pop("ring_model", None)


def test_run_a_model_file_with_overrides(elsewhere, capsys):
    code = main(["run", f"{elsewhere}/ring_model.py:ring", "--set", "N=10", "--set", "drive=2", "--target", "numpy",
                 "--duration", "100ms", "--out", "out", "--quiet", "--no-plot", "--record", "v=0,1"])
    assert code == 0, capsys.readouterr().err
    summary = pd.read_parquet("out/summary.parquet")
    assert summary.loc[0, "N"] == 10 and summary.loc[0, "drive"] == 2.0 and summary.loc[0, "tau_ms"] == 10.0
    assert summary.loc[0, "n_active_frac"] == 1.0
    assert list(pd.read_parquet("out/voltage.parquet").columns) == ["neuron", "t_ms", "v"]
    assert "ring on numpy: n_active_frac=1.000" in capsys.readouterr().out


def test_help_lists_the_models_parameters(elsewhere, capsys):
    assert main(["run", f"{elsewhere}/ring_model.py:ring", "--help"]) == 0
    out = capsys.readouterr().out
    assert "parameters of ring:" in out
    assert "tau          default 10 ms" in out and "membrane time constant" in out


@pytest.mark.parametrize("argv, message", [
    (["run", "no_such_model"], "unknown model 'no_such_model'"),
    (["run", "missing.py:ring"], "no model file at missing.py"),
    (["run", "{models}/ring_model.py:rung"], "defines no 'rung'"),
    (["run", "{models}/ring_model.py:ring", "--set", "tau=3"], "tau needs a unit of"),
    (["run", "{models}/ring_model.py:ring", "--set", "driv=3"], "did you mean 'drive'?"),
    (["run", "{models}/ring_model.py:ring", "--record", "u=0"], "cannot record 'u'"),
])
def test_user_errors_are_one_line(elsewhere, capsys, argv, message):
    argv = [part.format(models=elsewhere) for part in argv] + ["--target", "numpy", "--out", "out"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_codegen_a_model_file(elsewhere, capsys):
    code = main(["codegen", f"{elsewhere}/ring_model.py:ring", "--set", "N=6", "--out", "genn", "--cpu-only",
                 "--duration", "20ms"])
    assert code == 0, capsys.readouterr().err
    params = json.loads(open("genn/params.json").read())
    assert params["model"] == "ring" and params["params"]["N"] == 6 and params["populations"] == [["group", 6]]
    assert re.search(r'addNeuronPopulation<(neurongroup\w*)NEURON>\("\1", 6,', open("genn/magicnetwork_model.cpp").read())


def test_codegen_a_study_beside_its_model(elsewhere, capsys):
    code = main(["codegen", str(elsewhere / "ring_study.py"), "--out", "genn_study", "--cpu-only"])
    assert code == 0, capsys.readouterr().err
    manifest = pd.read_csv("genn_study/points.csv")
    assert sorted(manifest["drive"]) == [1.2, 2.0]
    for project in manifest["project"]:
        assert json.loads(open(f"genn_study/{project}/params.json").read())["model"] == "ring"


def test_installed_entry_point_is_found(tmp_path, monkeypatch):
    """A package registering ``neurodyn.models`` entry points (here a bare dist-info on sys.path)."""
    dist = tmp_path / "site" / "neurodyn_extra-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: neurodyn-extra\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent("""
        [neurodyn.models]
        oscillating_inhibition = neurodyn.models.examples.brunel_hakim:brunel_hakim
    """))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    from neurodyn.models.examples.brunel_hakim import brunel_hakim

    assert load_model("oscillating_inhibition") is brunel_hakim


def test_example_models_are_known_by_name():
    from neurodyn.models.examples.cuba_ei import cuba_ei

    assert load_model("cuba_ei") is cuba_ei
    assert load_model("inhibitory").name == "inhibitory"


def test_run_a_two_population_model_prints_and_stores_each_population(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["run", "cuba_ei", "--set", "N_exc=40", "--set", "N_inh=10", "--duration", "100ms",
                 "--target", "numpy", "--out", "out", "--quiet", "--no-plot"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert all(f"cuba_ei [{name}] on numpy" in out for name in ("exc", "inh", "all"))
    spikes = pd.read_parquet("out/spikes.parquet")
    assert list(spikes.columns[:3]) == ["population", "neuron", "t_ms"] and set(spikes["population"]) == {"exc", "inh"}
    highest = spikes.groupby("population")["neuron"].max()
    assert 9 < highest["exc"] <= 39 and highest["inh"] <= 9, "indices inside each population"
    assert list(pd.read_parquet("out/summary.parquet")["population"]) == ["exc", "inh", "all"]


def test_codegen_a_study_whose_model_is_missing_is_one_line(elsewhere, capsys):
    (elsewhere / "broken_study.py").write_text(STUDY_FILE.replace("from ring_model", "from no_such_model"))
    assert main(["codegen", str(elsewhere / "broken_study.py"), "--out", "genn", "--cpu-only"]) == 2
    err = capsys.readouterr().err
    assert "No module named 'no_such_model'" in err and err.count("\n") == 1
