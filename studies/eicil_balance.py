"""Balance of +1 and -1 spikes in a recurrent network of EICIL-style EI neurons.

Model: neurodyn's reading of Shao et al., "EICIL: Joint Excitatory Inhibitory Cycle Iteration
Learning for Deep Spiking Neural Networks", NeurIPS 2023 (abstract only; see docs/eicil.md).
Each neuron has an excitatory threshold theta_e (+1 spikes) and an inhibitory threshold
theta_i (-1 spikes), receives K = 20 recurrent inputs of weight w * sign and n_in = 100
external Poisson inputs (10 Hz, jump 0.2), a share inh_in_frac of them negative.

The sweep: theta_i / theta_e (theta_e = 1) against inh_in_frac, with the inhibition always on
or cycled (on in the first half of every 20 ms). Per point: the rates of +1 and -1 spikes and
their ratio (balance), irregularity, bursting, synchrony and oscillation of all spikes
(``neurodyn.analysis.summarize``), and the synchrony of each sign.

    python studies/eicil_balance.py [--quick] [--out DIR] [--workers N | --scheduler ADDRESS] [--target T]

A ``neurodyn.studies`` study (NumPy target by default: the network is small and nothing is
compiled per input setting). Writes OUT/eicil_balance.parquet and OUT/eicil_balance.png.
"""
import itertools
import sys

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, second

from neurodyn.analysis.synchrony import chi_from_spikes
from neurodyn.models.eicil import EINetwork, sign_summary, spikes_of_sign
from neurodyn.studies import Study, points
from neurodyn.studies.cli import main
from neurodyn.studies.plots import plot_heatmap

THETA_RATIOS = (0.5, 0.75, 1.0, 1.5, 2.0)
INH_IN_FRACS = (0.3, 0.4, 0.5, 0.6, 0.7)
CYCLES = ({}, {"cycle_period": 20 * ms, "inh_duration": 10 * ms})
FIXED = dict(N=200, K=20, w=-0.1, theta_e=1.0, tau=20 * ms, n_in=100, rate_in_hz=10.0, w_in=0.2)


def balance_grid(theta_ratios, inh_in_fracs):
    """theta_i / theta_e against inh_in_frac, inhibition always on and cycled."""
    return points([{"theta_i": ratio * FIXED["theta_e"], "inh_in_frac": frac, **cycle}
                   for ratio, frac, cycle in itertools.product(theta_ratios, inh_in_fracs, CYCLES)])


def sign_columns(result, t_start):
    """Rates and balance of +1 and -1 spikes, chi of each sign, and whether inhibition is cycled."""
    row = {"cycled": result.params["cycle_period_ms"] is not None, **sign_summary(result, t_start)}
    for sign, label in ((1, "plus"), (-1, "minus")):
        row[f"chi_spikes_{label}"] = chi_from_spikes(spikes_of_sign(result, sign), t_start=t_start)
    return row


STUDY = Study("eicil_balance", EINetwork, balance_grid(THETA_RATIOS, INH_IN_FRACS), duration=2 * second,
              fixed=FIXED, target="numpy", analyses=(sign_columns,),
              show=("cycled", "rate_plus_hz", "rate_minus_hz", "minus_plus_ratio", "cv_mean", "burst_fraction",
                    "chi_spikes"))
QUICK = STUDY.replace(grid=balance_grid((0.5, 1.0, 2.0), (0.3, 0.5, 0.7)), duration=0.5 * second)


#: Observables drawn with one colour scale and one colorbar (both rates share theirs, in Hz).
SCALES = (("rate_plus_hz", "rate_minus_hz"), ("log10_minus_plus_ratio",), ("chi_spikes",))


def plot(frame, study, out):
    """Heat maps over theta_i/theta_e and inh_in_frac: rates of each sign, log10 of the -1/+1
    spike ratio, chi of all spikes; inhibition always on (top) and cycled (bottom). Each
    observable has one colour scale for both rows (the two rates one together), with one
    colorbar, so the rows compare by colour."""
    frame = frame.assign(log10_minus_plus_ratio=np.log10(frame["minus_plus_ratio"]))
    observables = [name for scale in SCALES for name in scale]
    fig, axes = plt.subplots(2, len(observables), figsize=(4 * len(observables), 7), squeeze=False,
                             layout="constrained")
    finite = frame.replace([np.inf, -np.inf], np.nan)
    for scale in SCALES:
        columns = [observables.index(name) for name in scale]
        vmin, vmax = np.nanmin(finite[list(scale)].to_numpy()), np.nanmax(finite[list(scale)].to_numpy())
        for row, (cycled, part) in enumerate(frame.groupby("cycled")):
            for col, observable in zip(columns, scale):
                ax = plot_heatmap(part, "inh_in_frac", "theta_i", observable, ax=axes[row, col], vmin=vmin,
                                  vmax=vmax, colorbar=False)
                ax.set_ylabel("theta_i / theta_e")
                ax.set_title(f"{observable}{' (cycled)' if cycled else ''}", fontsize="small")
        fig.colorbar(axes[0, columns[0]].images[0], ax=axes[:, columns], shrink=0.8,
                     label=" and ".join(scale))
    path = out / "eicil_balance.png"
    fig.savefig(path, dpi=120)
    return [path]


if __name__ == "__main__":
    sys.exit(main(STUDY, QUICK, plot, description=__doc__.splitlines()[0]))
