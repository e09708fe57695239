"""The EI neuron alone against exact results (numpy target: small, fast runs)."""
import numpy as np
import pytest
from brian2 import Hz, Network, ms, second

from neurodyn.errors import ParameterError
from neurodyn.models.eicil import CycleSchedule, EINeuron, sign_monitor, sign_synapses
from neurodyn.targets import target_device
from neurodyn.theory.eicil import ei_free_rate

DT = 1e-4  # s
THETA_E, THETA_I = 1.0, 0.5


def run_group(neuron: EINeuron, x_hz, duration: float, v0=0.0):
    """Spikes (neuron, t in s, sign) of independent EI neurons with constant drives ``x_hz``."""
    with target_device("numpy", DT * second):
        group = neuron.build(len(x_hz), "neurons", DT * second, {"x": np.asarray(x_hz) * Hz, "v": v0})
        monitor = sign_monitor(group, "spikes")
        Network(group, monitor).run(duration * second)
        return np.array(monitor.i[:]), np.array(monitor.t_[:]), np.array(monitor.s[:])


def test_non_leaky_neuron_counts_match_drive_over_threshold_for_both_signs():
    """dv/dt = x from v = 0 and reset by subtraction: |x| T / theta spikes of sign(x), within one."""
    x = np.array([-3000.0, -777.0, -120.0, -45.0, 45.0, 120.0, 777.0, 3000.0])
    duration = 0.5
    i, _, s = run_group(EINeuron(THETA_E, THETA_I), x, duration)
    counts = np.bincount(i, minlength=len(x))
    expected = np.abs(x) * duration / np.where(x > 0, THETA_E, THETA_I)
    assert np.all(np.abs(counts - expected) <= 1), (counts, expected)
    for neuron, drive in enumerate(x):
        assert np.all(s[i == neuron] == np.sign(drive))
    assert np.allclose(ei_free_rate(x, THETA_E, THETA_I), np.sign(x) * counts / duration, atol=1 / duration)


@pytest.mark.parametrize("x_hz", [60.0, 100.0, 250.0, -30.0, -60.0, -200.0])
def test_leaky_neuron_intervals_match_the_lif_period_within_one_step(x_hz):
    """tau dv/dt = x tau - v: every interval within dt of tau ln(mu/(mu - theta)), mu = |x| tau.

    Derivation in neurodyn.theory.eicil: the kept overshoot shortens a climb by less than
    dt, detecting the crossing on the grid lengthens it by less than dt.
    """
    tau = 20e-3
    i, t, s = run_group(EINeuron(THETA_E, THETA_I, tau=tau * second), [x_hz], 1.0)
    theta = THETA_E if x_hz > 0 else THETA_I
    mu = abs(x_hz) * tau
    period = tau * np.log(mu / (mu - theta))
    intervals = np.diff(t)
    assert len(intervals) >= 10
    assert np.all(np.abs(intervals - period) < DT), (intervals.min(), intervals.max(), period)
    assert np.all(s == np.sign(x_hz))
    assert abs(1 / intervals.mean() - abs(ei_free_rate(x_hz, THETA_E, THETA_I, tau))) / (1 / period) < DT / period


def test_leaky_neuron_below_both_thresholds_is_silent():
    """|x| tau below the threshold of its sign: the potential saturates below it, no spike."""
    i, _, _ = run_group(EINeuron(THETA_E, THETA_I, tau=20 * ms), [40.0, -20.0], 0.3)
    assert len(i) == 0
    assert np.all(ei_free_rate(np.array([40.0, -20.0]), THETA_E, THETA_I, 20e-3) == 0)


def test_cycle_schedule_allows_inhibitory_spikes_only_in_on_phases():
    """Period 10 ms, inhibition on in the first 4 ms: -1 spikes only at steps n % 100 < 40;
    the first step of every on phase fires (v fell below -theta_i during the off phase);
    the excitatory neuron is not affected."""
    schedule = CycleSchedule(period=10 * ms, inh_duration=4 * ms)
    i, t, s = run_group(EINeuron(THETA_E, THETA_I, schedule=schedule), [-2000.0, 2000.0], 0.1)
    step = np.rint(t / DT).astype(int)
    negative = step[(i == 0)]
    assert np.all(s[i == 0] == -1) and np.all(s[i == 1] == 1)
    assert np.all(negative % 100 < 40)
    assert set(range(100, 1000, 100)) <= set(negative.tolist())
    assert abs(np.sum(i == 1) - 2000 * 0.1 / THETA_E) <= 1
    assert np.array_equal(schedule.inhibition_on(t[i == 0], DT), np.ones(np.sum(i == 0), bool))


def test_sign_reaches_the_target_and_acts_on_the_next_step():
    """Neuron 0 fires -1 spikes; through w = -0.25 each moves neuron 1 (no drive, no leak) up
    by 0.25, so neuron 1 fires +1 one step after every 4th spike of neuron 0."""
    neuron = EINeuron(THETA_E, THETA_I)
    with target_device("numpy", DT * second):
        group = neuron.build(2, "neurons", DT * second, {"x": [-1000.0, 0.0] * Hz, "v": 0.0})
        synapses = sign_synapses(group, group, (np.array([0]), np.array([1])), -0.25, "link")
        monitor = sign_monitor(group, "spikes")
        Network(group, synapses, monitor).run(50 * ms)
        i, t, s = np.array(monitor.i[:]), np.array(monitor.t_[:]), np.array(monitor.s[:])
    pre_steps = np.rint(t[i == 0] / DT).astype(int)
    post_steps = np.rint(t[i == 1] / DT).astype(int)
    assert len(pre_steps) >= 40 and np.all(s[i == 0] == -1) and np.all(s[i == 1] == 1)
    expected = pre_steps[3::4] + 1
    assert np.array_equal(post_steps, expected[expected < 500])  # 50 ms = steps 0 to 499


@pytest.mark.parametrize("kwargs, message", [
    (dict(theta_e=0.0), "theta_e must be > 0"),
    (dict(theta_i=-1.0), "theta_i must be > 0"),
    (dict(tau=5.0), "tau needs a unit of time"),
])
def test_invalid_neuron_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        EINeuron(**kwargs)


def test_invalid_schedules_are_refused():
    with pytest.raises(ParameterError, match="must not exceed"):
        CycleSchedule(period=5 * ms, inh_duration=6 * ms)
    with pytest.raises(ParameterError, match="needs a cycle period"):
        CycleSchedule(inh_duration=1 * ms)
    with pytest.raises(ParameterError, match="whole number of time steps"):
        CycleSchedule(period=1.05 * ms, inh_duration=0 * ms).steps(0.1 * ms)
