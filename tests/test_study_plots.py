"""Study figures draw what the dataset holds: means and standard deviations over repeats, failed
points left out, the heat map's cells, and theory curves equal to the mean field."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from brian2 import ms  # noqa: E402

from neurodyn import InhibitoryNetwork  # noqa: E402
from neurodyn.studies.plots import finished, plot_curves, plot_heatmap, plot_observables, theory_curve  # noqa: E402
from neurodyn.theory import global_mean_field  # noqa: E402


@pytest.fixture
def dataset():
    """g x I_u grid, two seeds per point, plus one failed row that must not count."""
    rows = []
    for g in (1.0, 2.0, 4.0):
        for I_u in (1.2, 1.5):
            for seed, noise in ((0, -0.1), (1, 0.3)):
                rows.append({"g": g, "I_u": I_u, "seed": seed, "mean_rate_hz": 10 * I_u / g + noise,
                             "status": "ok"})
    rows.append({"g": 2.0, "I_u": 1.5, "seed": 2, "mean_rate_hz": np.nan, "status": "error"})
    return pd.DataFrame(rows)


def test_finished_keeps_ok_rows(dataset):
    assert len(finished(dataset)) == 12 and (finished(dataset)["status"] == "ok").all()
    assert len(finished(dataset.drop(columns="status"))) == 13


def test_curves_show_mean_and_std_over_repeats(dataset):
    theory = pd.DataFrame({"g": [1.0, 2.0, 4.0] * 2, "I_u": [1.2] * 3 + [1.5] * 3,
                           "mean_rate_hz": [12.0, 6.0, 3.0, 15.0, 7.5, 3.75]})
    ax = plot_curves(dataset, "g", "mean_rate_hz", by="I_u", theory=theory, logx=True)
    containers = ax.containers
    assert len(containers) == 2
    for container, I_u in zip(containers, (1.2, 1.5)):
        x, y = (np.asarray(values, dtype=float) for values in container.lines[0].get_data())
        np.testing.assert_allclose(x, [1.0, 2.0, 4.0])
        np.testing.assert_allclose(y, 10 * I_u / np.array([1.0, 2.0, 4.0]) + 0.1)   # mean of -0.1 and +0.3
        segments = container.lines[2][0].get_segments()
        np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * np.std([-0.1, 0.3], ddof=1))
        assert container.get_label() == f"I_u={I_u:g}"
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 2
    for line, container, I_u in zip(dashed, containers, (1.2, 1.5)):
        np.testing.assert_allclose(np.asarray(line.get_ydata(), float), theory[theory["I_u"] == I_u]["mean_rate_hz"])
        assert line.get_color() == container.lines[0].get_color()
        assert line.get_label() == f"mean field, I_u={I_u:g}"
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "g" and ax.get_ylabel() == "mean_rate_hz"
    plt.close(ax.figure)


def test_single_curve_without_groups(dataset):
    ax = plot_curves(dataset[dataset["I_u"] == 1.5], "g", "mean_rate_hz", label="sim")
    (container,) = ax.containers
    np.testing.assert_allclose(np.asarray(container.lines[0].get_ydata(), float), 15 / np.array([1.0, 2.0, 4.0]) + 0.1)
    assert container.get_label() == "sim" and ax.get_xscale() == "linear"
    plt.close(ax.figure)


def test_heatmap_cells_are_means_over_repeats(dataset):
    ax = plot_heatmap(dataset, "g", "I_u", "mean_rate_hz", fmt="{:.3f}")
    image = ax.images[0].get_array()
    expected = np.array([[10 * I_u / g + 0.1 for g in (1.0, 2.0, 4.0)] for I_u in (1.2, 1.5)])
    np.testing.assert_allclose(image, expected)
    assert [label.get_text() for label in ax.get_xticklabels()] == ["1", "2", "4"]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["1.2", "1.5"]
    texts = {(text.get_position(), text.get_text()) for text in ax.texts}
    assert ((2, 1), f"{expected[1, 2]:.3f}") in texts and len(texts) == 6
    assert ax.get_title() == "mean_rate_hz"
    plt.close(ax.figure)


def test_theory_curve_is_the_mean_field_of_each_network():
    fixed = dict(N=100, I_sampling="even", tau_m=20 * ms)
    curve = theory_curve(InhibitoryNetwork, "g", [1.0, 5.0], fixed, by="I_u", by_values=[1.2, 1.5])
    assert list(curve.columns) == ["g", "I_u", "n_active_frac", "mean_rate_hz"]
    assert curve[["g", "I_u"]].values.tolist() == [[1.0, 1.2], [5.0, 1.2], [1.0, 1.5], [5.0, 1.5]]
    for _, point in curve.iterrows():
        I = InhibitoryNetwork(N=100, I_u=point["I_u"], I_sampling="even").excitabilities()
        solution = global_mean_field(point["g"], excitabilities=I)
        assert point["mean_rate_hz"] == pytest.approx(solution.rate_per_tau_m / 0.020, rel=1e-12)
        assert point["n_active_frac"] == pytest.approx(solution.n_active_frac)
    unit_axis = theory_curve(InhibitoryNetwork, "tau_d", [1 * ms, 2 * ms], dict(N=20, g=1.0))
    assert list(unit_axis.columns) == ["tau_d_ms", "n_active_frac", "mean_rate_hz"]
    assert unit_axis["tau_d_ms"].tolist() == [1.0, 2.0]


def test_curve_labels_name_the_group_the_simulation_and_the_mean_field(dataset):
    """Integer groups are labelled as they are, float groups with :g, an ungrouped curve
    'simulation' (or its label) and its theory 'mean field'; all appear in the legend."""
    ints = dataset.assign(seed_group=dataset["seed"].astype(int))
    ax = plot_curves(ints, "g", "mean_rate_hz", by="seed_group")
    assert [c.get_label() for c in ax.containers] == ["seed_group=0", "seed_group=1"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["seed_group=0", "seed_group=1"]
    plt.close(ax.figure)
    one = dataset[dataset["I_u"] == 1.5]
    theory = pd.DataFrame({"g": [1.0, 2.0, 4.0], "mean_rate_hz": [15.0, 7.5, 3.75]})
    ax = plot_curves(one, "g", "mean_rate_hz", theory=theory)
    (dashed,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    np.testing.assert_allclose(np.asarray(dashed.get_xdata(), float), [1.0, 2.0, 4.0])
    assert ax.containers[0].get_label() == "simulation" and dashed.get_label() == "mean field"
    plt.close(ax.figure)


def test_heatmap_puts_the_first_row_at_the_bottom_on_the_given_colour_scale(dataset):
    ax = plot_heatmap(dataset, "g", "I_u", "mean_rate_hz", cmap="magma", vmin=0.0, vmax=20.0)
    (image,) = ax.images
    assert image.origin == "lower" and image.get_clim() == (0.0, 20.0) and image.get_cmap().name == "magma"
    assert ax.get_aspect() == "auto" and ax.get_xlabel() == "g" and ax.get_ylabel() == "I_u"
    assert ((0, 0), "12.10") in {(text.get_position(), text.get_text()) for text in ax.texts}  # default {:.2f}
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_label() == "<colorbar>"
    plt.close(ax.figure)
    ax = plot_heatmap(dataset, "g", "I_u", "mean_rate_hz", colorbar=False)
    assert len(ax.figure.axes) == 1 and ax.images[0].get_clim() == pytest.approx((10 * 1.2 / 4 + 0.1, 15.1))
    plt.close(ax.figure)


def test_theory_curve_of_one_point_has_its_observables():
    curve = theory_curve(InhibitoryNetwork, "g", [1.0], dict(N=20))
    assert list(curve.columns) == ["g", "n_active_frac", "mean_rate_hz"] and len(curve) == 1


def test_curve_labels_of_rounded_float_and_string_groups_and_a_single_repeat(dataset):
    """A float group from arithmetic (0.1 + 0.2) is labelled 0.3 (:g), a string group as it is; a
    point with one repeat has no standard deviation and gets an error bar of length 0."""
    one_seed = dataset[(dataset["seed"] == 0) & (dataset["I_u"] == 1.5)].assign(level=0.1 + 0.2)
    ax = plot_curves(one_seed, "g", "mean_rate_hz", by="level")
    (container,) = ax.containers
    assert container.get_label() == "level=0.3"
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in container.lines[2][0].get_segments()], 0.0)
    plt.close(ax.figure)
    ax = plot_curves(dataset.assign(pulse=np.where(dataset["seed"] == 0, "alpha", "delta")), "g", "mean_rate_hz",
                     by="pulse")
    assert [c.get_label() for c in ax.containers] == ["pulse=alpha", "pulse=delta"]
    plt.close(ax.figure)


def test_observables_row_has_one_panel_per_observable(dataset):
    frame = dataset.assign(chi=dataset["g"] / 10)
    fig = plot_observables(frame, "g", ("mean_rate_hz", "chi"))
    assert [ax.get_ylabel() for ax in fig.axes] == ["mean_rate_hz", "chi"]
    for ax, expected in zip(fig.axes, (13.5 / np.array([1.0, 2.0, 4.0]) + 0.1, [0.1, 0.2, 0.4])):
        (container,) = ax.containers   # one curve: the mean over I_u (1.2, 1.5) and seeds
        np.testing.assert_allclose(np.asarray(container.lines[0].get_ydata(), float), expected)
        assert ax.get_xlabel() == "g"
    plt.close(fig)


def test_delay_onset_panels_put_the_shared_range_in_both_readings():
    """studies/delay_oscillations.py: I in [1, 1.5] is both the top sweep's I_u = 1.5 and the fixed
    mean's Delta = 0.5, so its onset line is drawn on both panels; the others on one each."""
    import importlib.util
    from pathlib import Path

    from neurodyn.theory import fixed_mean_range

    path = Path(__file__).resolve().parents[1] / "studies" / "delay_oscillations.py"
    spec = importlib.util.spec_from_file_location("delay_oscillations", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.onset_panels(1.0, 1.5) == [(0, "I_u=1.5"), (1, "Delta=0.5 (mean 1.25)")]
    assert script.onset_panels(1.0, 1.2) == [(0, "I_u=1.2")]
    assert script.onset_panels(*fixed_mean_range(1.25, 0.2)) == [(1, "Delta=0.2 (mean 1.25)")]
    assert script.onset_panels(*fixed_mean_range(1.25, 1.0)) == [(1, "Delta=1 (mean 1.25)")]
