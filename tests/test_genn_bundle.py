"""The GPU bundle (benchmarks/gpu/): GeNN projects packed with a patched GeNN source copy, built and
run by the bundle's run.sh with GeNN's CPU backend, loaded back by neurodyn.genn.compare_bundle_results.
The bundle tests need a GeNN 4.x tree (GENN_PATH) and are skipped otherwise; about 1.5 minutes:
one GeNN project build (with GENN_PATH's already built libraries) and one C++ standalone
compilation. The spike comparison itself is checked without GeNN.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from brian2 import second

from neurodyn.genn import compare_bundle_results, spike_comparison
from neurodyn.results import SimulationResult
from neurodyn.targets import genn_path

needs_genn = pytest.mark.skipif(genn_path() is None, reason="GENN_PATH (or brian2 prefs.devices.genn.path) is "
                                "unset: the bundle copies and builds a GeNN 4.x tree")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "gpu"))
import make_bundle  # noqa: E402


def result(spike_i, spike_t):
    return SimulationResult(model="m", params={}, n_neurons=3, t_stop=1.0, dt=1e-4, spike_i=np.asarray(spike_i),
                            spike_t=np.asarray(spike_t))


def test_spike_comparison_finds_the_first_differing_step():
    reference = result([0, 1, 2, 0], [0.01, 0.02, 0.5, 0.7])
    same = spike_comparison(result([1, 0, 0, 2], [0.02, 0.01, 0.7, 0.5]), reference)
    assert same["identical"] and np.isnan(same["first_difference_s"]) and same["spikes_genn"] == 4
    moved = spike_comparison(result([0, 1, 2, 0], [0.01, 0.02, 0.5001, 0.7]), reference)
    assert not moved["identical"] and moved["first_difference_s"] == pytest.approx(0.5)
    fewer = spike_comparison(result([0, 1], [0.01, 0.02]), reference)
    assert not fewer["identical"] and fewer["first_difference_s"] == pytest.approx(0.5)
    assert fewer["rate_genn_hz"] == pytest.approx(2 / 3) and fewer["rate_reference_hz"] == pytest.approx(4 / 3)


def test_bundle_refuses_a_tracked_directory_before_any_work():
    tracked = make_bundle.CHECKOUT / "benchmarks" / "gpu" / "bundle_here"
    with pytest.raises(make_bundle.ParameterError, match="not git-ignored"):
        make_bundle.make_bundle(tracked, [100], 0.2 * second, Path("/nonexistent/genn"))
    assert not tracked.exists()
    with pytest.raises(make_bundle.ParameterError, match="positive"):
        make_bundle.make_bundle(make_bundle.CHECKOUT / "build" / "b", [0], 0.2 * second, Path("/nonexistent/genn"))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "b"
    return out, make_bundle.make_bundle(out, [100], 0.2 * second, genn_path())


@needs_genn
def test_bundle_holds_genn_source_only_with_cxx17(bundle):
    out, manifest = bundle
    genn = out / "genn"
    assert not any((genn / name).exists() for name in make_bundle.EXCLUDED)
    built = [p for p in genn.rglob("*") if p.suffix in (".o", ".a", ".d", ".so")]
    assert built == [] and (genn / "bin" / "genn-buildmodel.sh").is_file()
    backend = (genn / "src/genn/backends/cuda/backend.cc").read_text().splitlines()
    assert "-std=c++17" in next(line for line in backend if "nvccFlags +=" in line and "-std=" in line)
    for relative in (relative for relative, pattern, *_ in make_bundle.PATCHES if pattern == make_bundle.CXX17[0]):
        original, patched = ((tree / relative).read_text() for tree in (genn_path(), genn))
        assert "-std=c++11" in original and "-std=c++11" not in patched and "-std=c++17" in patched, relative
    optimiser = (genn / "src/genn/backends/cuda/optimiser.cc").read_text()
    assert "cuCtxCreate(&cuContext, nullptr, 0, cuDevice)" in optimiser and "#if CUDA_VERSION >= 13000" in optimiser
    assert manifest["projects"] == ["cuda/N000100", "cpu/N000100"] and 0 < manifest["bytes"] < 60e6
    gpu_model = (out / "projects/cuda/N000100/magicnetwork_model.cpp").read_text()
    cpu_model = (out / "projects/cpu/N000100/magicnetwork_model.cpp").read_text()
    assert "deviceSelectMethod" in gpu_model and "deviceSelectMethod" not in cpu_model


@needs_genn
def test_bundle_make_refuses_a_used_directory(bundle):
    out, _ = bundle
    with pytest.raises(make_bundle.ParameterError, match="not empty"):
        make_bundle.make_bundle(out, [100], 0.2 * second, genn_path())


@needs_genn
def test_cpu_backend_run_gives_standalone_spikes(bundle, tmp_path):
    out, _ = bundle
    results = tmp_path / "out"
    subprocess.run(["bash", str(out / "run.sh"), "--cpu", "--genn", str(genn_path()), str(results)], check=True,
                   capture_output=True, env={"PATH": "/usr/bin:/bin", "JOBS": "1", "WORK": str(tmp_path / "work")})
    table = compare_bundle_results(results)
    row = table.iloc[0]
    assert len(table) == 1 and row.N == 100 and not row.gpu and row.spikes_reference > 100
    assert row.identical, row.to_dict()
    assert row.build_s > 0 and row.loop_s > 0
    assert not (out / "projects/cpu/N000100/main").exists(), "run.sh must build in its scratch copy"
