"""Figures from a study's dataset: observable against a parameter, heat map over two.

Repeats (several seeds per point) are averaged; curves show the mean with the standard
deviation as error bars. Theory curves (e.g. the mean field of
:mod:`neurodyn.theory.meanfield`, from :func:`theory_curve`) are drawn as lines beside the
simulated points.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from neurodyn.studies.store import OK


def finished(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of points that finished (``status == "ok"``)."""
    return frame[frame["status"] == OK] if "status" in frame.columns else frame


def plot_curves(frame: pd.DataFrame, x: str, y: str, by: str | None = None, theory: pd.DataFrame | None = None,
                ax: plt.Axes | None = None, logx: bool = False, label: str | None = None) -> plt.Axes:
    """``y`` against ``x``, one line per value of ``by``; mean +- std over repeats.

    ``theory`` is a frame with columns ``x``, ``y`` (and ``by``), drawn as dashed lines in
    the colour of the matching simulated curve.
    """
    ax = ax or plt.figure(figsize=(5, 3.6)).gca()
    data = finished(frame)
    groups = data.groupby(by) if by else [(None, data)]
    for value, part in groups:
        stats = part.groupby(x)[y].agg(["mean", "std"]).reset_index()
        name = f"{by}={value:g}" if by and isinstance(value, float) else (f"{by}={value}" if by else (label or "simulation"))
        line = ax.errorbar(stats[x], stats["mean"], yerr=stats["std"].fillna(0), marker="o", ms=4, capsize=2,
                           label=name)
        if theory is not None:
            curve = theory if by is None else theory[np.isclose(theory[by], value)]
            if len(curve):
                ax.plot(curve[x], curve[y], "--", color=line[0].get_color(), lw=1,
                        label="mean field" if by is None else f"mean field, {name}")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize="x-small")
    return ax


def plot_observables(frame: pd.DataFrame, x: str, observables: Sequence[str]) -> plt.Figure:
    """One row of panels, each :func:`plot_curves` of one observable against ``x``."""
    fig, axes = plt.subplots(1, len(observables), figsize=(4 * len(observables), 3.6), squeeze=False)
    for ax, observable in zip(axes[0], observables):
        plot_curves(frame, x, observable, ax=ax)
    fig.tight_layout()
    return fig


def plot_heatmap(frame: pd.DataFrame, x: str, y: str, value: str, ax: plt.Axes | None = None,
                 cmap: str = "viridis", fmt: str = "{:.2f}", vmin: float | None = None, vmax: float | None = None,
                 colorbar: bool = True) -> plt.Axes:
    """Mean of ``value`` over the grid of ``x`` (columns) and ``y`` (rows), annotated.

    ``vmin`` / ``vmax`` fix the colour scale (to share one between several maps, then draw one
    colorbar for them with ``colorbar=False`` here and ``fig.colorbar(ax.images[0], ax=axes)``).
    """
    ax = ax or plt.figure(figsize=(5, 3.6)).gca()
    table = finished(frame).pivot_table(index=y, columns=x, values=value, aggfunc="mean")
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns], fontsize="small")
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index], fontsize="small")
    for (row, col), number in np.ndenumerate(table.to_numpy()):
        if np.isfinite(number):
            ax.text(col, row, fmt.format(number), ha="center", va="center", fontsize="x-small", color="w")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(value, fontsize="small")
    if colorbar:
        ax.figure.colorbar(image, ax=ax)
    return ax


def theory_curve(model_class, x: str, values: Sequence[float], fixed: Mapping[str, Any],
                 by: str | None = None, by_values: Sequence[Any] = (None,)) -> pd.DataFrame:
    """The model's theory along ``x`` (and for each ``by`` value) as a frame.

    Columns: the record column of ``x`` (and ``by``) and the observables that
    ``model_class(**fixed, x=value).theory_observables()`` returns (a dict of summary columns,
    e.g. ``n_active_frac`` and ``mean_rate_hz`` for :class:`~neurodyn.InhibitoryNetwork`).
    """
    spec = model_class.parameters
    rows = []
    for by_value in by_values:
        for value in values:
            overrides = {**fixed, x: value, **({by: by_value} if by else {})}
            model = model_class(**overrides)
            rows.append({**model.record, **model.theory_observables()})
    observables = [name for name in rows[0] if name not in spec.to_record(model.values)] if rows else []
    columns = [spec[x].column] + ([spec[by].column] if by else []) + observables
    return pd.DataFrame(rows)[columns]
