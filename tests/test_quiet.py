"""Quiet by default: a plain simulate() and a GeNN code generation print nothing.

Run in a fresh interpreter (the test session lowers Brian2's log level in conftest.py): no
Brian2 resolution-conflict warnings about the model's own parameters (g and tau_m are both
parameters and Brian2 variables of the inhibitory network), no progress report, no
pkg_resources warning, no Brian2GeNN preferences notice and no "building genn executable ..."
when nothing is built. A conflict that is the user's own (a non-parameter local shadowing a
group variable) is still reported.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
from brian2 import NeuronGroup, ms
import neurodyn
from neurodyn import InhibitoryNetwork, simulate
from neurodyn.genn import generate

simulate(InhibitoryNetwork(N=20, g=2), 20 * ms, target="numpy")
generate(InhibitoryNetwork(N=20, g=2), 20 * ms, sys.argv[1], use_gpu=False)

@neurodyn.model
def shadowing(N=3):
    tau = 5 * ms
    group = NeuronGroup(N, "dv/dt = -v/tau : 1\\ntau : second (constant)", method="exact")
    group.tau = 10 * ms

simulate(shadowing(), 1 * ms, target="numpy")
print("done")
"""


def test_simulate_and_codegen_print_nothing_but_real_conflicts(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]), "PYTHONWARNINGS": "default"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "project")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "'tau' is an internal variable of group" in lines[0], done.stderr
    assert (tmp_path / "project" / "magicnetwork_model.cpp").is_file()
