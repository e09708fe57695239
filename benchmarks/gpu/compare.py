"""Compare the GeNN runs of a GPU bundle (``run.sh`` output) with C++ standalone here, and print
the spike comparison and the speed ratio side by side (:func:`neurodyn.genn.compare_bundle_results`).

    python benchmarks/gpu/compare.py OUTDIR [--target cpp_standalone]
"""
from __future__ import annotations

import argparse
import sys

from brian2 import BrianLogger

from neurodyn.genn import compare_bundle_results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the OUTDIR given to the bundle's run.sh, or its genn_results.tar.gz")
    parser.add_argument("--target", default="cpp_standalone", help="reference target (default cpp_standalone)")
    args = parser.parse_args(argv)
    BrianLogger.log_level_error()
    table = compare_bundle_results(args.output, target=args.target)
    print(table.to_string(index=False, float_format="%.4g"))
    print(f"spike-for-spike identical to {args.target}: {int(table.identical.sum())} of {len(table)} projects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
