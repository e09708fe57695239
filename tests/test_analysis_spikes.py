"""The spike normaliser: validation, sorting and windowing shared by every analysis."""
from types import SimpleNamespace

import numpy as np
import pytest

from analysis_synthetic import poisson
from neurodyn.analysis import irregularity, neuron_rates, spike_trains


def fake_result(i, t, n_neurons, t_stop, t_start=0.0, **extra):
    return SimpleNamespace(spike_i=np.asarray(i), spike_t=np.asarray(t, float), n_neurons=n_neurons,
                           t_start=t_start, t_stop=t_stop, dt=1e-4, params={"g": 1.0}, voltage=None, **extra)


def test_sorted_by_neuron_then_time_and_windowed():
    trains = spike_trains([2, 0, 2, 1, 0, 2], [0.5, 0.1, 0.2, 0.9, 0.05, 1.5], n_neurons=4, t_start=0.06, t_stop=1.0)
    assert trains.neuron.tolist() == [0, 1, 2, 2]
    assert trains.t.tolist() == [0.1, 0.9, 0.2, 0.5]
    assert trains.counts.tolist() == [1, 1, 2, 0]
    assert trains.offsets.tolist() == [0, 1, 2, 4, 4]
    assert trains.isi.tolist() == pytest.approx([0.3]) and trains.isi_neuron.tolist() == [2]


def test_window_is_half_open():
    trains = spike_trains([0, 0, 0], [0.0, 0.5, 1.0], n_neurons=1, t_stop=1.0)
    assert trains.t.tolist() == [0.0, 0.5]


def test_unsorted_input_gives_the_same_analysis_as_time_ordered_input():
    rng = np.random.default_rng(3)
    i, t = poisson(30, 20.0, 5.0, rng)
    shuffled = rng.permutation(len(t))
    ordered = irregularity(i, t, n_neurons=30, t_stop=5.0)
    scrambled = irregularity(i[shuffled], t[shuffled], n_neurons=30, t_stop=5.0)
    np.testing.assert_array_equal(ordered.to_numpy(), scrambled.to_numpy())


def test_counting_sort_equals_lexsort_on_a_large_population():
    rng = np.random.default_rng(0)
    n = 70_000
    i = rng.integers(0, n, 200_000)
    t = np.sort(rng.uniform(0, 1, len(i)))
    trains = spike_trains(i, t, n_neurons=n, t_stop=1.0)
    order = np.lexsort((t, i))
    np.testing.assert_array_equal(trains.neuron, i[order])
    np.testing.assert_array_equal(trains.t, t[order])


def test_result_object_is_accepted_and_carries_params():
    result = fake_result([1, 0, 1], [0.3, 0.1, 0.2], n_neurons=3, t_stop=1.0)
    trains = spike_trains(result, t_start=0.15)
    assert trains.n_neurons == 3 and trains.params == {"g": 1.0}
    assert trains.t.tolist() == [0.2, 0.3]
    rates = neuron_rates(result)
    assert rates["n_spikes"].tolist() == [1, 2, 0]
    np.testing.assert_allclose(rates["rate_hz"], [1.0, 2.0, 0.0])


def test_spike_trains_pass_through_without_copy_and_window_further():
    trains = spike_trains([0, 1], [0.1, 0.6], n_neurons=2, t_stop=1.0)
    assert spike_trains(trains) is trains
    assert spike_trains(trains, t_start=0.5).t.tolist() == [0.6]


def test_integral_float_indices_are_accepted():
    trains = spike_trains(np.array([1.0, 0.0]), [0.2, 0.1], n_neurons=2, t_stop=1.0)
    assert trains.neuron.dtype == np.int64 and trains.neuron.tolist() == [0, 1]


def test_empty_trains():
    trains = spike_trains(np.array([], int), np.array([]), n_neurons=5, t_stop=2.0)
    assert trains.n_spikes == 0 and trains.counts.tolist() == [0] * 5 and trains.isi.size == 0


@pytest.mark.parametrize("i, t, kwargs, message", [
    ([0, 1], [0.1, np.nan], {}, "NaN"),
    ([0, 1], [0.1, np.inf], {}, "NaN or infinite"),
    ([0, -1], [0.1, 0.2], {}, ">= 0"),
    ([0, 5], [0.1, 0.2], {}, "neuron index 5 >= n_neurons=5"),
    ([0, 1, 2], [0.1, 0.2], {}, "differ in length"),
    ([[0, 1]], [[0.1, 0.2]], {}, "1-D"),
    ([0.5, 1], [0.1, 0.2], {}, "integers"),
    ([0, 1], [0.1, 0.2], {"t_start": 1.0, "t_stop": 1.0}, "empty analysis window"),
    ([0, 1], [0.1, 0.2], {"n_neurons": None}, "n_neurons"),
    ([0, 1], [0.1, 0.2], {"t_stop": None}, "t_stop"),
])
def test_invalid_arrays_raise_naming_the_problem(i, t, kwargs, message):
    arguments = {"n_neurons": 5, "t_stop": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        spike_trains(i, t, **arguments)


@pytest.mark.parametrize("window", [{"t_start": 2.0}, {"t_stop": 3.0}, {"t_start": -1.0},
                                    {"t_start": 0.8, "t_stop": 0.4}])
def test_window_outside_the_recording_raises(window):
    result = fake_result([0], [0.1], n_neurons=1, t_stop=1.0)
    with pytest.raises(ValueError, match="outside the recording|empty analysis window"):
        neuron_rates(result, **window)


def test_result_without_t_but_with_n_neurons_is_refused():
    with pytest.raises(ValueError, match="n_neurons= applies to arrays only"):
        spike_trains(fake_result([0], [0.1], n_neurons=1, t_stop=1.0), n_neurons=3)


# ---------------------------------------------------------------- edges (mutation testing, issue 17)
def test_sub_window_keeps_its_start_drops_its_stop_and_carries_everything():
    voltage = SimpleNamespace(t=np.array([0.0]), neurons=np.array([0]), v=np.zeros((1, 1)))
    result = fake_result([0, 1, 0, 1], [0.1, 0.5, 0.8, 0.9], n_neurons=3, t_stop=1.0)
    result.voltage = voltage
    trains = spike_trains(result)
    assert trains.voltage is voltage
    sub = trains.window(0.5, 0.8)
    assert (sub.neuron.tolist(), sub.t.tolist(), sub.n_neurons, sub.t_start, sub.t_stop) == ([1], [0.5], 3, 0.5, 0.8)
    assert sub.params == {"g": 1.0} and sub.voltage is voltage
    assert spike_trains(trains, t_stop=0.8).t.tolist() == [0.1, 0.5]          # t_stop passed on, not t_start only
    assert spike_trains(trains, t_start=0.5).t.tolist() == [0.8, 0.5, 0.9]    # neuron 0, then neuron 1


@pytest.mark.parametrize("i, t", [([0, 2, 1], [0.1, 0.2, 0.3]),              # first neuron lowest, times rising
                                  ([0, 1, 1], [0.1, 0.3, 0.2]),              # neurons sorted, times of 1 not
                                  ([0, 0, 0], [0.1, 0.3, 0.2]),              # all later than the first spike
                                  ([0, 1, 1, 0], [0.1, 0.4, 0.3, 0.2])])     # the same across neurons
def test_every_disorder_is_sorted_like_lexsort(i, t):
    """Reference: np.lexsort((t, i)); each case is in order by some partial criterion only."""
    trains = spike_trains(i, t, n_neurons=3, t_stop=1.0)
    order = np.lexsort((t, i))
    assert trains.neuron.tolist() == np.asarray(i)[order].tolist() and trains.t.tolist() == np.asarray(t)[order].tolist()


def test_result_attributes_that_are_optional_and_required():
    bare = SimpleNamespace(spike_i=np.array([0]), spike_t=np.array([0.3]), n_neurons=1, t_stop=1.0)
    trains = spike_trains(bare)                                                 # no t_start, params, voltage
    assert (trains.t_start, trains.params, trains.voltage) == (0.0, {}, None)
    late = spike_trains(fake_result([0, 0], [0.1, 0.3], n_neurons=1, t_stop=1.0, t_start=0.2))
    assert late.t_start == 0.2 and late.t.tolist() == [0.3]
    with pytest.raises(ValueError, match="outside the recording"):
        spike_trains(fake_result([0], [0.3], n_neurons=1, t_stop=1.0, t_start=0.2), t_start=0.1)
    with pytest.raises(ValueError, match="expected a result object"):
        spike_trains(SimpleNamespace(spike_i=np.array([0]), n_neurons=1, t_stop=1.0))


def test_spike_trains_refuse_t_or_n_neurons_alone():
    trains = spike_trains([0], [0.1], n_neurons=2, t_stop=1.0)
    with pytest.raises(ValueError, match="pass a SpikeTrains alone"):
        spike_trains(trains, [0.1])
    with pytest.raises(ValueError, match="pass a SpikeTrains alone"):
        spike_trains(trains, n_neurons=3)
    assert spike_trains(trains, n_neurons=2) is trains


@pytest.mark.parametrize("window", [{"t_start": np.nan}, {"t_stop": np.inf}, {"t_start": -np.inf}])
def test_one_non_finite_window_end_is_refused(window):
    with pytest.raises(ValueError, match="must be finite"):
        spike_trains([0], [0.1], n_neurons=1, **{"t_stop": 1.0, **window})


def test_times_are_float64_and_both_arrays_must_be_one_dimensional():
    assert spike_trains([0, 0], [0, 1], n_neurons=1, t_stop=2.0).t.dtype == np.float64
    for i, t in (([[0]], [0.1]), ([0], [[0.1]])):
        with pytest.raises(ValueError, match="1-D"):
            spike_trains(i, t, n_neurons=1, t_stop=1.0)
