"""Run every benchmark of neurodyn, one after the other, and summarize.

    python benchmarks/run_all.py [--quick]        (make benchmarks = --quick)

Runs, each as its own process with its output shown as it comes:

* bench_network.py   the suite: neurodyn vs plain Brian2, NEST 3.10 and a Numba lower bound
* bench_overhead.py  neurodyn vs plain Brian2 standalone, global N=1000 (its sparse
                     N=10,000/K=1,000 case is the suite's large workload, so it is not repeated)
* bench_analysis.py  analysis summary vs Elephant
* bench_study.py, bench_convert.py, bench_genn.py   where present (a note when absent)

Full mode takes about 10 minutes on 2 quiet cores (plus a one-time minute to create the
NEST environment); ``--quick`` about 3.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# script: (arguments in full mode, arguments in quick mode)
SCRIPTS = {
    "bench_network.py": ([], ["--quick"]),
    "bench_overhead.py": (["--cases", "global", "--repeats", "2"], ["--quick", "--repeats", "1"]),
    "bench_analysis.py": ([], ["--quick"]),
    "bench_study.py": ([], ["--quick"]),
    "bench_convert.py": ([], ["--quick"]),
    "bench_genn.py": ([], ["--quick"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick variant of every benchmark")
    args = parser.parse_args()
    summary = []
    for script, (full, quick) in SCRIPTS.items():
        path = HERE / script
        if not path.exists():
            print(f"\n### {script}: not present in this checkout, skipped", flush=True)
            summary.append((script, "skipped (absent)", 0.0))
            continue
        command = [sys.executable, str(path), *(quick if args.quick else full)]
        print(f"\n### {' '.join([script, *command[2:]])}", flush=True)
        started = time.perf_counter()
        code = subprocess.run(command).returncode
        summary.append((script, "ok" if code == 0 else f"FAILED (exit code {code})", time.perf_counter() - started))
    print("\n### summary")
    for script, status, seconds in summary:
        print(f"{script:<20} {status:<24} {seconds:7.0f} s")
    print(f"{'total':<20} {'':<24} {sum(s for *_, s in summary):7.0f} s")
    sys.exit(0 if all(status.startswith(("ok", "skipped")) for _, status, _ in summary) else 1)


if __name__ == "__main__":
    main()
