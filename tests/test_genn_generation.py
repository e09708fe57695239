"""GeNN code generation without GeNN: every model family generates a Brian2GeNN project whose
GeNN model definition carries the network (sizes, dt, delay, synaptic code), the project
documents its build, the target explains itself when GeNN is missing, and the runtime keeps
working after generation (Brian2GeNN's preference changes are undone)."""
import json
import os
import re
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, prefs

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.cli import main
from neurodyn.errors import TargetError
from neurodyn.genn import BUILD_FILE, PARAMS_FILE, build_shell, generate, load_result
from neurodyn.models.eicil import EINetwork
from neurodyn.targets import register_genn_device

register_genn_device()  # the devices.genn preferences patched below

MODELS = {
    "global_alpha": InhibitoryNetwork(N=60, g=5, alpha=2, tau_d=1 * ms, seed=1),
    "global_delta": InhibitoryNetwork(N=60, g=5, pulse="delta", tau_d=0.3 * ms, seed=1),
    "sparse_alpha": InhibitoryNetwork(N=60, K=6, g=5, tau_d=2 * ms, seed=1),
    "sparse_delta": InhibitoryNetwork(N=60, K=6, g=5, pulse="delta", tau_d=0.5 * ms, seed=1),
    "eicil": EINetwork(N=40, K=4, cycle_period=20 * ms, inh_duration=5 * ms, seed=1),
}
RUNNER_FILES = ("magicnetwork_model.cpp", "main.cpp", "engine.cpp", "objects.cpp", "Makefile")


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    root = tmp_path_factory.mktemp("genn")
    return {name: generate(model, 50 * ms, root / name, use_gpu=(name != "sparse_delta"), record_v=[0, 2])
            for name, model in MODELS.items()}


def model_source(project) -> str:
    return (project / "magicnetwork_model.cpp").read_text()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_project_has_model_definition_and_runner(projects, name):
    project, model = projects[name], MODELS[name]
    for filename in RUNNER_FILES + (PARAMS_FILE, BUILD_FILE):
        assert (project / filename).is_file(), filename
    source = model_source(project)
    assert f"model.setDT({float(model.dt)!r});" in source
    assert f'addNeuronPopulation<neuronsNEURON>("neurons", {model.n_neurons},' in source
    params = json.loads((project / PARAMS_FILE).read_text())
    assert params["model"] == model.name and params["params"] == model.record
    assert params["t_stop"] == pytest.approx(0.05) and params["record_v"] == [0, 2]


@pytest.mark.parametrize("name", [n for n in MODELS if n != "eicil"])
def test_inhibitory_synapses_carry_delay_and_kick(projects, name):
    model, source = MODELS[name], model_source(projects[name])
    steps = int(re.search(r"const unsigned int delaySteps = (\d+);", source).group(1))
    assert steps == round(float(model.values["tau_d"] / model.dt))
    if model.values["pulse"] == "delta":   # each spike lowers v by kick = g/K
        assert 'SET_SIM_CODE("$(addToInSyn,(- $(kick)));");' in source and "$(v) += $(inSyn)" in source
    else:                                   # each spike raises the pulse variable y by kick = alpha/K
        assert 'SET_SIM_CODE("$(addToInSyn,$(kick));");' in source and "$(y) += $(inSyn)" in source
    kick = (model.values["g"] if model.values["pulse"] == "delta" else model.values["alpha"]) / model.in_degree
    assert re.search(rf"_array_inhibition_kick\[0\] = {kick!r};", source)


def test_eicil_keeps_sign_copy_and_poisson_input(projects):
    source = model_source(projects["eicil"])
    assert "$(addToInSyn,($(w) * $(sgn)));" in source           # on_pre reads the synaptic copy
    assert "$(s_pre)" in source.split("SET_SYNAPSE_DYNAMICS_CODE")[1]  # the copy is refreshed from s_pre
    assert source.count("poissoninput_binomial") >= 2             # excitatory and inhibitory inputs


def test_build_instructions_match_backend(projects):
    gpu, cpu = (projects[n] / BUILD_FILE for n in ("sparse_alpha", "sparse_delta"))
    assert build_shell(True, 0.05) in gpu.read_text() and " -c " not in build_shell(True, 0.05)
    assert build_shell(False, 0.05) in cpu.read_text() and " -c " in build_shell(False, 0.05)
    for text in (gpu.read_text(), cpu.read_text()):
        assert "GENN_PATH" in text and "load_result" in text and "genn-team" in text


def test_load_result_before_running_says_so(projects):
    with pytest.raises(TargetError, match="no results yet"):
        load_result(projects["global_alpha"])


def test_genn_target_without_genn_explains(monkeypatch, tmp_path):
    monkeypatch.delenv("GENN_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(prefs, "devices.genn.path", None)
    with pytest.raises(TargetError, match=r"GENN_PATH.*neurodyn codegen"):
        simulate(MODELS["global_alpha"], 10 * ms, target="genn")
    assert main(["run", "inhibitory", "--target", "genn", "--duration", "10ms", "--out", str(tmp_path)]) == 2
    monkeypatch.setenv("GENN_PATH", str(tmp_path))
    monkeypatch.delenv("CUDA_PATH", raising=False)
    with pytest.raises(TargetError, match="GPU build needs CUDA: set CUDA_PATH"):
        simulate(MODELS["global_alpha"], 10 * ms, target="genn", use_gpu=True)


def test_runtime_unchanged_by_generation(tmp_path):
    """Brian2GeNN changes Brian2's schedule (synapses before groups) and other preferences when
    activated; generating a project (twice, in one process) must leave runtime results as they were."""
    model = MODELS["sparse_alpha"]
    schedule = list(prefs.core.network.default_schedule)
    before = simulate(model, 100 * ms, target="numpy", progress=False)
    for attempt in range(2):
        generate(model, 20 * ms, tmp_path / f"project{attempt}", use_gpu=False)
    assert list(prefs.core.network.default_schedule) == schedule
    after = simulate(model, 100 * ms, target="numpy", progress=False)
    assert len(before.spike_t) > 20
    np.testing.assert_array_equal(before.spike_i, after.spike_i)
    np.testing.assert_array_equal(before.spike_t, after.spike_t)


def test_codegen_cli_writes_project(tmp_path, capsys):
    out = tmp_path / "proj"
    assert main(["codegen", "inhibitory", "--target", "genn", "--out", str(out), "--set", "N=30", "--set", "g=2",
                 "--duration", "20ms", "--cpu-only"]) == 0
    params = json.loads((out / PARAMS_FILE).read_text())
    assert params["params"]["N"] == 30 and params["params"]["g"] == 2.0 and params["use_gpu"] is False
    assert build_shell(False, 0.02) in (out / BUILD_FILE).read_text()
    assert "CPU-only" in capsys.readouterr().out
    assert main(["codegen", "inhibitory", "--out", str(tmp_path / "bad"), "--set", "gg=1"]) == 2


def test_caveats_reach_params_and_build_instructions(projects):
    """EICIL's GPU project says that its moved reset and its recorded spike sign are GeNN caveats;
    an inhibitory CPU-only project has none."""
    eicil = json.loads((projects["eicil"] / PARAMS_FILE).read_text())["caveats"]
    assert any(note.startswith("spikes records s at each spike; on a GPU") for note in eicil)
    assert any(note.startswith("neurons_spike_resetter runs in slot 'thresholds'") for note in eicil)
    assert all(note in (projects["eicil"] / BUILD_FILE).read_text() for note in eicil)
    assert json.loads((projects["sparse_delta"] / PARAMS_FILE).read_text())["caveats"] == []
    assert "- none" in (projects["sparse_delta"] / BUILD_FILE).read_text()


def test_study_generates_one_project_per_point(tmp_path, capsys):
    """`neurodyn codegen STUDY_SCRIPT --quick` writes one project per point of the study's quick
    grid (studies/eicil_balance.py: 18 EICIL networks), keyed as the engine keys target-genn points,
    with the manifest, the build-all script and every point's parameters in its params.json."""
    script = Path(__file__).parents[1] / "studies" / "eicil_balance.py"
    out = tmp_path / "projects"
    assert main(["codegen", str(script), "--quick", "--cpu-only", "--out", str(out)]) == 0
    study = runpy.run_path(str(script), run_name="test")["QUICK"].replace(target="genn")
    tasks = study.tasks()
    manifest = pd.read_csv(out / "points.csv")
    assert sorted(manifest["point_key"]) == sorted(task.key for task in tasks) and len(tasks) == 18
    assert sorted(manifest["project"]) == sorted(task.simulation_key for task in tasks)
    for task in tasks:
        params = json.loads((out / task.simulation_key / PARAMS_FILE).read_text())
        assert params["params"] == task.record and params["use_gpu"] is False
        assert params["t_stop"] == pytest.approx(float(study.duration))
        assert 'addNeuronPopulation<neuronsNEURON>("neurons", 200,' in model_source(out / task.simulation_key)
    assert "genn-buildmodel.sh\" -c" in (out / "build_all.sh").read_text()
    assert "18 GeNN projects for CPU-only" in capsys.readouterr().out


def test_codegen_refuses_unknown_model_and_study_options(tmp_path, capsys):
    assert main(["codegen", "nosuchmodel", "--out", str(tmp_path)]) == 2
    assert "unknown model 'nosuchmodel'" in capsys.readouterr().err
    script = Path(__file__).parents[1] / "studies" / "wta_global.py"
    assert main(["codegen", str(script), "--set", "g=2", "--out", str(tmp_path)]) == 2
    assert "a study's parameters come from its grid" in capsys.readouterr().err


def test_study_on_genn_without_genn_explains_before_running(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("GENN_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(prefs, "devices.genn.path", None)
    script = Path(__file__).parents[1] / "studies" / "wta_global.py"
    assert main(["study", str(script), "--quick", "--target", "genn", "--out", str(tmp_path)]) == 2
    assert "neurodyn codegen SCRIPT" in capsys.readouterr().err
    assert not (tmp_path / "points").exists()


def test_from_genn_before_any_project_ran_exits_2_with_one_line(tmp_path):
    """`python STUDY.py --from-genn DIR` on projects generated but not yet built: exit status 2,
    one line on stderr naming the build script, nothing on stdout and no table written (it used
    to print the note, then die in the study's plot with `KeyError: 'g'` on the empty table)."""
    import subprocess
    import sys

    from study_helpers import SCRIPTS, TINY_SCRIPT, tiny_study_module

    from neurodyn.studies.genn_projects import generate_projects

    projects = generate_projects(tiny_study_module().STUDY, tmp_path / "projects", use_gpu=False, progress=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPTS), *sys.path])}
    done = subprocess.run([sys.executable, str(TINY_SCRIPT), "--from-genn", str(projects), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "tiny_study.py: error: none of the 12 GeNN project(s)" in lines[0], done.stderr
    assert str(projects / "build_all.sh") in lines[0] and done.stdout == ""
    assert not (tmp_path / "out" / "tiny.parquet").exists()
