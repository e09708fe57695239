"""The GPU bundle (benchmarks/gpu/): GeNN projects packed with a patched GeNN source copy, built and
run by the bundle's run.sh with GeNN's CPU backend, loaded back by neurodyn.genn.compare_bundle_results.
Needs a GeNN 4.x tree (GENN_PATH); skipped otherwise. About 1.5 minutes: one GeNN project build
(with GENN_PATH's already built libraries) and one C++ standalone compilation.
"""
import subprocess
import sys
from pathlib import Path

import pytest
from brian2 import second

from neurodyn.genn import compare_bundle_results
from neurodyn.targets import genn_path

pytestmark = pytest.mark.skipif(genn_path() is None, reason="GENN_PATH (or brian2 prefs.devices.genn.path) is "
                                "unset: the bundle copies and builds a GeNN 4.x tree")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "gpu"))
import make_bundle  # noqa: E402


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "b"
    return out, make_bundle.make_bundle(out, [100], 0.2 * second, genn_path())


def test_bundle_holds_genn_source_only_with_cxx17(bundle):
    out, manifest = bundle
    genn = out / "genn"
    assert not any((genn / name).exists() for name in make_bundle.EXCLUDED)
    built = [p for p in genn.rglob("*") if p.suffix in (".o", ".a", ".d", ".so")]
    assert built == [] and (genn / "bin" / "genn-buildmodel.sh").is_file()
    backend = (genn / "src/genn/backends/cuda/backend.cc").read_text().splitlines()
    assert "-std=c++17" in next(line for line in backend if "nvccFlags +=" in line and "-std=" in line)
    for relative in (relative for relative, pattern, _ in make_bundle.PATCHES if pattern == make_bundle.CXX17[0]):
        original, patched = ((tree / relative).read_text() for tree in (genn_path(), genn))
        assert "-std=c++11" in original and "-std=c++11" not in patched and "-std=c++17" in patched, relative
    optimiser = (genn / "src/genn/backends/cuda/optimiser.cc").read_text()
    assert "cuCtxCreate(&cuContext, nullptr, 0, cuDevice)" in optimiser and "#if CUDA_VERSION >= 13000" in optimiser
    assert manifest["projects"] == ["cuda/N000100", "cpu/N000100"] and 0 < manifest["bytes"] < 60e6
    gpu_model = (out / "projects/cuda/N000100/magicnetwork_model.cpp").read_text()
    cpu_model = (out / "projects/cpu/N000100/magicnetwork_model.cpp").read_text()
    assert "deviceSelectMethod" in gpu_model and "deviceSelectMethod" not in cpu_model


def test_bundle_make_refuses_a_used_directory(bundle):
    out, _ = bundle
    with pytest.raises(make_bundle.ParameterError, match="not empty"):
        make_bundle.make_bundle(out, [100], 0.2 * second, genn_path())


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
