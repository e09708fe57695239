"""The COBAHH benchmark network (Brette et al. 2007) against the excitatory weight.

The example model :mod:`neurodyn.models.examples.cobahh` (Brian2's COBAHH script as a
neurodyn model): Hodgkin-Huxley neurons with exponential conductances, 80 % excitatory. The
study varies the excitatory weight we and records the mean rate, the irregularity and chi.

    python studies/cobahh.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/cobahh.parquet and OUT/cobahh.png.
"""
import sys

from brian2 import ms, second

from neurodyn.models.examples.cobahh import cobahh
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_observables

STUDY = Study("cobahh", cobahh, product(we=("3nS", "6nS", "9nS")).repeat(2), duration=1 * second,
              t_start=200 * ms, target="cpp_standalone", show=("mean_rate_hz", "cv_mean", "chi_spikes"))
QUICK = STUDY.replace(grid=product(we=("3nS", "9nS")), duration=200 * ms, t_start=50 * ms,
                      fixed=dict(N=800, N_e=640), target="cython")


def plot(frame, study, out):
    """Mean rate, CV and chi against we."""
    path = out / "cobahh.png"
    plot_observables(frame, "we_nS", ("mean_rate_hz", "cv_mean", "chi_spikes")).savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))
