"""Death and rebirth of activity in a sparse inhibitory network.

Angulo-Garcia, Luccioli, Olmi & Torcini, New J. Phys. 19, 053011 (2017). With sparse coupling
(fixed in-degree K), the active fraction n_A first falls with g, as under global coupling
("death"), then rises again at large g ("rebirth"): current fluctuations of order
g sqrt(R/K) push sub-threshold neurons over threshold. At large g neurons burst, alternating
silence with free firing: the ISI inside a burst is close to the neuron's free period
T_i = tau_m ln(I_i / (I_i - 1)) and the CV exceeds 1.

Per point: n_A (share of neurons with a spike in the analysis window), mean rate, CV,
the burst fraction with bursts of >= 3 spikes at ISI <= 3 tau_m (``neurodyn.analysis``; the
logISI method finds no bursts here, neurons fire a few spikes per second) and the median over
bursting neurons of intra-burst ISI / T_i. The dashed lines are the diffusion-approximation mean field
(``neurodyn.theory.sparse_mean_field``, n_A = expected share with a spike in the window),
which the module documents as approximate at large g/K.

    python studies/sparse_rebirth.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

Writes OUT/sparse_rebirth.parquet and OUT/sparse_rebirth.png.
"""
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from brian2 import ms, second

from neurodyn import InhibitoryNetwork
from neurodyn.analysis import burst_statistics, population_bursting, spike_trains
from neurodyn.studies import Study, product
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_curves
from neurodyn.theory.meanfield import free_period, sparse_mean_field

G_VALUES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
K_VALUES = (20, 40, 80)
FIXED = dict(N=1000, alpha=20, tau_d=1 * ms, I_l=1.0, I_u=1.5)
BURST_MAX_ISI = 30 * ms  # 3 tau_m: above the free period of every neuron with I > 1.04


def free_bursts(result, t_start):
    """Bursts with a fixed threshold (ISI <= BURST_MAX_ISI; logISI finds none with a few spikes per neuron).

    Columns: ``free_burst_fraction`` (spikes in bursts / spikes), ``free_bursting_neuron_frac``
    and ``burst_isi_over_free_period``, the median over bursting neurons of their mean
    intra-burst ISI divided by their free period T_i = tau_m ln(I_i / (I_i - 1)).
    """
    trains = spike_trains(result, t_start=t_start)
    population = population_bursting(trains, max_isi=float(BURST_MAX_ISI))
    table = burst_statistics(trains, max_isi=float(BURST_MAX_ISI))
    bursting = table[table["n_bursts"] > 0]
    model = InhibitoryNetwork(**InhibitoryNetwork.parameters.from_record(result.params))
    period_ms = free_period(model.excitabilities(), float(model.values["tau_m"] / ms))
    ratio = bursting["intra_burst_isi_ms"].to_numpy() / period_ms[bursting["neuron"].to_numpy()]
    return {"free_burst_fraction": population["burst_fraction"],
            "free_bursting_neuron_frac": population["bursting_neuron_frac"],
            "burst_isi_over_free_period": float(np.median(ratio)) if ratio.size else float("nan")}


STUDY = Study("sparse_rebirth", InhibitoryNetwork, product(g=G_VALUES, K=K_VALUES).repeat(2),
              duration=10 * second, t_start=2 * second, fixed=FIXED, analyses=(free_bursts,),
              show=("n_active_frac", "mean_rate_hz", "cv_mean", "free_burst_fraction", "burst_isi_over_free_period"))
QUICK = STUDY.replace(grid=product(g=(1, 5, 20, 100, 500), K=(20, 80)), duration=3 * second,
                      t_start=1 * second, fixed={**FIXED, "N": 400})


def mean_field(frame: pd.DataFrame, study) -> pd.DataFrame:
    """Sparse mean field along g for every K of the frame (window = analysis window in tau_m)."""
    fixed = InhibitoryNetwork(**study.fixed).values
    window = float((study.duration - study.transient) / fixed["tau_m"])
    rows = []
    for K in sorted(frame["K"].unique()):
        for g in np.geomspace(frame["g"].min(), frame["g"].max(), 30):
            solution = sparse_mean_field(g, int(K), fixed["I_l"], fixed["I_u"], window=window, tau_m=fixed["tau_m"])
            rows.append({"g": g, "K": K, **solution.observables()})
    return pd.DataFrame(rows)


def plot(frame, study, out):
    """n_A, rate, CV, burst fraction and intra-burst ISI / T_i against g, one line per K."""
    theory = mean_field(frame, study)
    observables = ("n_active_frac", "mean_rate_hz", "cv_mean", "free_burst_fraction", "burst_isi_over_free_period")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2))
    axes = axes.ravel()
    axes[-1].set_axis_off()
    for ax, observable in zip(axes, observables):
        has_theory = observable in ("n_active_frac", "mean_rate_hz")
        plot_curves(frame, "g", observable, by="K", theory=theory if has_theory else None, ax=ax, logx=True)
    axes[2].axhline(1, color="grey", lw=0.8, ls=":")
    axes[4].axhline(1, color="grey", lw=0.8, ls=":")
    fig.suptitle(f"sparse coupling, N={study.fixed['N']}, alpha=20, tau_d=0.1 tau_m: simulation (points), "
                 "diffusion mean field (dashed)", fontsize="small")
    fig.tight_layout()
    path = out / "sparse_rebirth.png"
    fig.savefig(path, dpi=100)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))
