"""Winner takes all in a globally coupled inhibitory network, against the mean field.

Luccioli, Angulo-Garcia & Torcini, Phys. Rev. E 99, 052412 (2019); Angulo-Garcia et al.,
New J. Phys. 19, 053011 (2017). Raising the inhibitory coupling g silences the least excitable
neurons first: the active fraction n_A and the mean rate fall monotonically with g. In the
asynchronous state the mean field is exact for N -> infinity::

    R = < nu(I - g R) >_I,   nu(mu) = 1 / ln(mu / (mu - 1)),   n_A = share of I_i > 1 + g R

The network is kept asynchronous with slow pulses and a short delay (alpha = 2, tau_d = 0.01
tau_m, see the README); excitabilities are evenly spaced in [1, I_u], one line per I_u.

    python studies/wta_global.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/wta_global.parquet and OUT/wta_global.png (n_A and rate vs g, mean field dashed).
"""
import sys

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_curves, theory_curve

G_VALUES = (0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30)
I_U_VALUES = (1.2, 1.5, 2.0)
FIXED = dict(N=1000, alpha=2, tau_d=0.1 * ms, I_sampling="even")

STUDY = Study("wta_global", InhibitoryNetwork, product(g=G_VALUES, I_u=I_U_VALUES).repeat(2),
              duration=5 * second, t_start=1 * second, fixed=FIXED,
              show=("n_active_frac", "mean_rate_hz", "chi_spikes"))
QUICK = STUDY.replace(grid=product(g=(1, 3, 10, 30), I_u=(1.2, 1.5)), duration=2 * second,
                      t_start=0.5 * second, fixed={**FIXED, "N": 400})


def plot(frame, study, out):
    """n_A and mean rate against g, one line per I_u, with the mean field."""
    g_axis = np.geomspace(min(frame["g"]), max(frame["g"]), 60)
    i_u = sorted(frame["I_u"].unique())
    theory = theory_curve(InhibitoryNetwork, "g", g_axis, study.fixed, by="I_u", by_values=i_u)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, observable in zip(axes, ("n_active_frac", "mean_rate_hz")):
        plot_curves(frame, "g", observable, by="I_u", theory=theory, ax=ax, logx=True)
    fig.suptitle(f"global coupling, N={study.fixed['N']}, alpha=2, tau_d=0.01 tau_m: simulation (points) "
                 f"and mean field (dashed)", fontsize="small")
    fig.tight_layout()
    path = out / "wta_global.png"
    fig.savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))
