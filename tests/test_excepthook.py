"""A user error raised inside simulate() is reported as the neurodyn error it is, without
Brian2's "unexpected error ... report to Brian 2" banner; other errors keep Brian2's hook."""
import subprocess
import sys
import textwrap


def run_script(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


def test_a_neurodyn_error_inside_simulate_prints_no_brian2_banner(tmp_path):
    done = run_script("""
        from brian2 import ms
        from neurodyn import InhibitoryNetwork, simulate
        simulate(InhibitoryNetwork(N=10), 10 * ms, target="numpy", record_v=[99], progress=False)
    """, tmp_path)
    assert done.returncode == 1
    assert "neurodyn.errors.ParameterError: record 'v': record_v indices must lie in [0, 9]" in done.stderr
    assert "Brian 2" not in done.stderr and "brian_debug" not in done.stderr


def test_other_errors_still_reach_brian2s_hook(tmp_path):
    done = run_script("""
        import neurodyn
        raise RuntimeError("not a neurodyn error")
    """, tmp_path)
    assert done.returncode == 1
    assert "RuntimeError: not a neurodyn error" in done.stderr
    assert "Brian 2" in done.stderr  # Brian2's banner: the report is for its maintainers to judge
