"""NIR graphs run in Brian2, against a step-by-step NumPy integration of NIR's equations
(forward Euler at dt, a spike is the value 1 during one step, a spike reaches the next node in
its own step, CubaLIF's membrane driven by the updated synaptic current)."""
import nir
import numpy as np
import pytest
from brian2 import ms, second

from neurodyn.convert import ConversionError
from neurodyn.convert.nir_graph import ConversionWarning, read_nir
from neurodyn.convert.spiking_network import run_spiking, run_spiking_many


def run_nir(graph, spikes, dt, time_unit=1 * second):
    """Spikes ``spikes[name] (T, N, n)`` per spiking node and the last node's membrane ``(T, N, n)``."""
    run = run_spiking(read_nir(graph, dt, time_unit=time_unit), spikes, layout="batch_major", record_v=True)
    return run.spikes, run.v[run.graph.output.name]


def lif(n, tau, v_threshold=1.0, v_reset=0.0, v_leak=0.0, r=1.0):
    full = lambda value: np.full(n, float(value))
    return nir.LIF(tau=full(tau), r=full(r), v_leak=full(v_leak), v_threshold=full(v_threshold),
                   v_reset=full(v_reset))


def oracle(graph_stages, spikes, dt, time_unit):
    """NIR's equations, forward Euler at dt, input held for one step, no latency between
    nodes; ``graph_stages`` is a list of (weight, bias, kind, parameters)."""
    n_samples, n_steps, _ = spikes.shape
    previous = spikes.astype(float)
    results = []
    for weight, bias, kind, p in graph_stages:
        linear = weight if callable(weight) else (lambda s, w=weight: s @ w.T)
        n = len(bias)
        v = np.zeros((n_samples, n))
        syn = np.zeros((n_samples, n))
        out = np.zeros((n_steps, n_samples, n), dtype=bool)
        trace = np.zeros((n_steps, n_samples, n))
        for k in range(n_steps):
            u = linear(previous[:, k]) + bias
            if kind == "LIF":
                v = v + dt / (p["tau"] * time_unit) * (p["v_leak"] - v + p["r"] * u)
            elif kind == "IF":
                v = v + dt / time_unit * p["r"] * u
            elif kind == "CubaLIF":
                syn = syn + dt / (p["tau_syn"] * time_unit) * (p["w_in"] * u - syn)
                v = v + dt / (p["tau_mem"] * time_unit) * (p["v_leak"] - v + p["r"] * syn)
            elif kind == "LI":
                v = v + dt / (p["tau"] * time_unit) * (p["v_leak"] - v + p["r"] * u)
            if kind in ("LIF", "IF", "CubaLIF"):
                fired = v > p["v_threshold"]
                out[k] = fired
                v = np.where(fired, p["v_reset"], v)
            trace[k] = v
        results.append((out, trace))
        previous = out.transpose(1, 0, 2).astype(float)
    return results


@pytest.fixture
def affine_lif_graph_file(tmp_path):
    rng = np.random.default_rng(0)
    w1, b1 = rng.normal(0, 1.2, (12, 5)), rng.normal(0, 0.05, 12)
    w2, b2 = rng.normal(0, 1.0, (4, 12)), rng.normal(0, 0.05, 4)
    graph = nir.NIRGraph.from_list(nir.Affine(w1, b1), lif(12, 5.0, v_threshold=1.0, v_reset=-0.1, v_leak=0.05, r=6.0),
                                   nir.Affine(w2, b2), lif(4, 8.0, v_threshold=0.8, r=8.0))
    path = tmp_path / "net.nir"
    nir.write(path, graph)
    stages = [(w1, b1, "LIF", dict(tau=5.0, r=6.0, v_leak=0.05, v_threshold=1.0, v_reset=-0.1)),
              (w2, b2, "LIF", dict(tau=8.0, r=8.0, v_leak=0.0, v_threshold=0.8, v_reset=0.0))]
    return path, stages


def test_affine_lif_graph_spikes_match_numpy_integration(affine_lif_graph_file):
    """A file written with nir (Affine -> LIF -> Affine -> LIF, tau in ms), read back (nodes come
    back alphabetically), run for 3 samples in one Brian2 run: every spike of both LIF layers
    equals the NumPy integration."""
    path, stages = affine_lif_graph_file
    spikes = np.random.default_rng(1).random((3, 150, 5)) < 0.2
    fired, v_last = run_nir(path, spikes, dt=0.5 * ms, time_unit=1 * ms)
    expected = oracle(stages, spikes, 0.5e-3, 1e-3)
    for name, (out, trace) in zip(("lif", "lif_1"), expected):
        assert out.sum() > 50
        np.testing.assert_array_equal(fired[name], out)
    np.testing.assert_allclose(v_last, expected[-1][1], atol=1e-9)


def test_cuba_if_integrator_stages_match_numpy_integration():
    rng = np.random.default_rng(2)
    n = 6
    w1, b1 = rng.normal(0, 1.0, (n, 3)), rng.normal(0, 0.1, n)
    w2 = rng.normal(0, 1.0, (n, n))
    w3, b3 = rng.normal(0, 1.0, (2, n)), rng.normal(0, 0.1, 2)
    cuba = dict(tau_syn=np.full(n, 0.004), tau_mem=np.full(n, 0.01), r=np.full(n, 2.0), v_leak=np.zeros(n),
                v_threshold=np.full(n, 0.5), v_reset=np.zeros(n), w_in=np.full(n, 1.5))
    if_ = dict(r=np.full(n, 80.0), v_threshold=np.full(n, 1.0), v_reset=np.zeros(n))
    li = dict(tau=np.full(2, 0.02), r=np.ones(2), v_leak=np.zeros(2))
    graph = nir.NIRGraph.from_list(nir.Affine(w1, b1), nir.CubaLIF(**cuba), nir.Linear(w2), nir.IF(**if_),
                                   nir.Affine(w3, b3), nir.LI(**li))
    spikes = rng.random((2, 200, 3)) < 0.3
    with pytest.warns(ConversionWarning, match="r = tau/dt"):   # r/tau here is not 1/dt: NIR allows it, the reader says so
        fired, v_last = run_nir(graph, spikes, dt=1 * ms)
    expected = oracle([(w1, b1, "CubaLIF", cuba), (w2, np.zeros(n), "IF", if_), (w3, b3, "LI", li)],
                      spikes, 1e-3, 1.0)
    for name, (out, _) in zip(("cubalif", "if"), expected[:2]):
        assert out.sum() > 20
        np.testing.assert_array_equal(fired[name], out)
    np.testing.assert_allclose(v_last, expected[-1][1], atol=1e-9)


def test_snntorch_convention_gives_the_discrete_leaky_neuron():
    """snnTorch exports tau = dt/(1-beta), r = tau/dt with dt = 1e-4 s; with dt=None that step is
    read from the graph, and a stage is exactly v <- beta v + W s_k (the input spike of the same
    step), reset to 0 above threshold. Another dt warns that the membranes decay differently."""
    beta, dt, n = 0.9, 1e-4, 5
    tau = dt / (1 - beta)
    weight = np.random.default_rng(3).uniform(0, 0.6, (n, 4))
    graph = nir.NIRGraph.from_list(nir.Linear(weight), lif(n, tau, r=tau / dt))
    spikes = np.random.default_rng(4).random((1, 300, 4)) < 0.3
    assert float(read_nir(graph).dt) == pytest.approx(dt)
    fired_nir, _ = run_nir(graph, spikes, dt=None)
    v, fired = np.zeros(n), []
    for k in range(300):
        v = beta * v + weight @ spikes[0, k]
        fired.append(v > 1.0)
        v = np.where(fired[-1], 0.0, v)
    np.testing.assert_array_equal(fired_nir["lif"][:, 0], np.array(fired))
    assert np.array(fired).sum() > 20
    with pytest.warns(ConversionWarning, match=r"r = tau/dt with dt = 0.0001 s .* but dt = 0.001 s is used"):
        read_nir(graph, 1 * ms)


def test_scalar_parameters_recurrent_cycle_cuba_li_and_integrator_match_numpy():
    """A LIF node with scalar parameters (broadcast to the 6 neurons its Affine delivers) and a
    recurrent Linear (a cycle: its spikes arrive in the next step), then a CubaLI and an
    Integrator readout: every spike and both membranes equal the NumPy integration."""
    rng = np.random.default_rng(7)
    w_in, b_in = rng.normal(0, 1.0, (6, 3)), rng.normal(0, 0.1, 6)
    w_rec, w_out = rng.normal(0, 0.8, (6, 6)), rng.normal(0, 1.0, (2, 6))
    h = 1e-3
    nodes = {"input": nir.Input(np.array([3])), "affine": nir.Affine(w_in, b_in),
             "lif": nir.LIF(tau=np.array(0.01), r=np.array(8.0), v_leak=np.array(0.0), v_threshold=np.array(1.0),
                            v_reset=np.array(0.0)),
             "rec": nir.Linear(w_rec), "out": nir.Linear(w_out),
             "li": nir.CubaLI(tau_syn=np.full(2, 0.004), tau_mem=np.full(2, 0.02), r=np.full(2, 2.0),
                              v_leak=np.zeros(2), w_in=np.full(2, 1.5)),
             "out2": nir.Linear(w_out), "integrator": nir.I(r=np.full(2, 3.0)), "output": nir.Output(np.array([2]))}
    edges = [("input", "affine"), ("affine", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out"), ("out", "li"),
             ("lif", "out2"), ("out2", "integrator"), ("integrator", "output")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    spikes = rng.random((2, 200, 3)) < 0.3
    with pytest.warns(ConversionWarning, match="r = tau/dt"):   # r/tau here is not 1/dt: NIR allows it, the reader says so
        run = run_spiking(read_nir(graph, 1 * ms), spikes, layout="batch_major", record_v=True)
    assert [layer.name for layer in run.graph.layers] == ["lif", "li", "integrator"]
    v, z = np.zeros((2, 6)), np.zeros((2, 6))
    syn, v_li, v_i = np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2))
    fired, traces_li, traces_i = [], [], []
    for k in range(200):
        u = spikes[:, k] @ w_in.T + b_in + z @ w_rec.T
        v = v + h / 0.01 * (-v + 8.0 * u)
        z = (v > 1.0).astype(float)
        v = np.where(z > 0, 0.0, v)
        fired.append(z > 0)
        syn = syn + h / 0.004 * (1.5 * z @ w_out.T - syn)
        v_li = v_li + h / 0.02 * (-v_li + 2.0 * syn)
        v_i = v_i + h * 3.0 * z @ w_out.T
        traces_li.append(v_li)
        traces_i.append(v_i)
    assert np.sum(fired) > 40
    np.testing.assert_array_equal(run.spikes["lif"], np.array(fired))
    np.testing.assert_allclose(run.v["li"], np.array(traces_li), atol=1e-9)
    np.testing.assert_allclose(run.v["integrator"], np.array(traces_i), atol=1e-9)


def test_nir_errors_name_the_node(tmp_path):
    w = np.ones((2, 2))
    with pytest.raises(ConversionError, match=r"node 'delay': unsupported NIR node type Delay"):
        read_nir(nir.NIRGraph.from_list(nir.Delay(np.ones(2)), lif(2, 1.0), type_check=False), 1 * ms)
    conv = nir.Conv2d(input_shape=(2, 2), weight=np.ones((1, 1, 3, 3)), stride=1, padding=0, dilation=1,
                      groups=1, bias=np.zeros(1))
    with pytest.raises(ConversionError, match=r"node 'conv2d' \(Conv2d\): kernel 3x3 does not fit the input 2x2"):
        read_nir(nir.NIRGraph.from_list(conv, lif(1, 1.0), type_check=False), 1 * ms)
    with pytest.raises(ConversionError, match=r"node 'affine_1' \(Affine\): weight shape \(2, 3\) expects 3 inputs "
                                              r"but receives 2"):
        read_nir(nir.NIRGraph.from_list(nir.Affine(w, np.zeros(2)), lif(2, 1.0), nir.Affine(np.ones((2, 3)),
                                        np.zeros(2)), lif(2, 1.0), type_check=False), 1 * ms)
    with pytest.raises(ConversionError, match=r"node 'affine': weight contains NaN"):
        read_nir(nir.NIRGraph.from_list(nir.Affine(np.array([[np.nan, 1.0]]), np.zeros(1)), lif(1, 1.0)), 1 * ms)
    summing = nir.NIRGraph(nodes={"input": nir.Input(np.array([2])), "a": nir.Linear(w), "b": nir.Linear(w),
                                  "c": nir.Linear(w), "lif": lif(2, 1.0), "output": nir.Output(np.array([2]))},
                           edges=[("input", "a"), ("input", "b"), ("a", "c"), ("b", "c"), ("c", "lif"),
                                  ("lif", "output")], type_check=False)
    with pytest.raises(ConversionError, match=r"node 'c' \(Linear\) has 2 incoming edges; only neuron nodes sum"):
        read_nir(summing, 1 * ms)
    (tmp_path / "bad.nir").write_text("not hdf5")
    with pytest.raises(ConversionError, match="not a readable NIR file"):
        read_nir(tmp_path / "bad.nir")
    graph = nir.NIRGraph.from_list(nir.Linear(w), nir.LIF(tau=np.array([1.0, 2.0]), r=np.ones(2), v_leak=np.zeros(2),
                                                          v_threshold=np.ones(2), v_reset=np.zeros(2)))
    with pytest.raises(ConversionError, match="give dt: the graph's time constants do not imply a step"):
        read_nir(graph)
    with pytest.raises(ConversionError, match="dt needs a positive, finite unit of time"):
        read_nir(graph, 0.001)
    with pytest.raises(ConversionError, match="unknown exporter 'snntorch2'"):
        read_nir(graph, 1 * ms, exporter="snntorch2")
    with pytest.raises(ConversionError, match="snnTorch's exporter writes v_reset = 0 for every reset mechanism"):
        read_nir(graph, exporter="snntorch")
    with pytest.raises(ConversionError, match="snnTorch's exporter fixes dt = 1e-4 s"):
        read_nir(graph, 1 * ms, exporter="snntorch", reset="zero")
    with pytest.raises(ConversionError, match="use it with exporter='snntorch'"):
        read_nir(graph, 1 * ms, reset="zero")
    spiking = read_nir(graph, 1 * ms)
    with pytest.raises(ConversionError, match=r"inputs must have shape \(samples, steps, 2\) \(batch_major\)"):
        run_spiking(spiking, np.zeros((1, 5, 3)), layout="batch_major")
    with pytest.raises(ConversionError, match="layout must be named"):
        run_spiking(spiking, np.zeros((1, 5, 2)))
    with pytest.raises(ConversionError, match="inputs hold no samples"):
        run_spiking(spiking, np.zeros((0, 5, 2)), layout="batch_major")
    with pytest.raises(ConversionError, match="inputs contain NaN"):
        run_spiking(spiking, np.full((1, 5, 2), np.nan), layout="batch_major")
    with pytest.raises(ConversionError, match="inputs must be real numbers"):
        run_spiking(spiking, np.full((1, 5, 2), "1"), layout="batch_major")
    with pytest.raises(ConversionError, match=r"graphs run side by side need the same number of steps, got \[5, 6\]"):
        run_spiking_many([(spiking, np.zeros((1, 5, 2))), (spiking, np.zeros((1, 6, 2)))], layout="batch_major")
    with pytest.raises(ConversionError, match=r"no \(graph, inputs\) pair to run"):
        run_spiking_many([], layout="batch_major")
    from neurodyn.errors import TargetError
    with pytest.raises(TargetError, match="target 'genn' has no TimedArray: a time-varying real-valued input"):
        run_spiking(spiking, np.linspace(0, 1, 10).reshape(1, 5, 2), layout="batch_major", target="genn")


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="torch is the reference for convolutions (test extra)")


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1)])
def test_conv2d_and_pooling_matrices_match_torch(torch, stride, padding, dilation, groups):
    from neurodyn.convert.nir_linear import conv2d_matrix, pool2d_matrix

    rng = np.random.default_rng(5)
    weight, bias = rng.normal(size=(4, 2 // groups, 3, 3)), rng.normal(size=4)
    x = rng.normal(size=(3, 2, 9, 9))
    matrix, b, shape = conv2d_matrix(weight, bias, (2, 9, 9), stride, padding, dilation, groups)
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(weight), torch.tensor(bias), stride,
                                          padding, dilation, groups).numpy()
    assert shape == expected.shape[1:]
    np.testing.assert_allclose(x.reshape(3, -1) @ matrix.T + b, expected.reshape(3, -1), atol=1e-12)
    for kind, scale in (("AvgPool2d", 1.0), ("SumPool2d", 4.0)):
        matrix, b, shape = pool2d_matrix(kind, (2, 9, 9), 2, 2, 1, kind)
        pooled = torch.nn.functional.avg_pool2d(torch.tensor(x), 2, 2, 1).numpy() * scale
        np.testing.assert_allclose(x.reshape(3, -1) @ matrix.T, pooled.reshape(3, -1), atol=1e-12)


def test_conv_if_pool_lif_graph_matches_numpy_integration(torch, tmp_path):
    """Conv2d -> IF -> SumPool2d -> Flatten -> Affine -> LIF (the pooling and the Affine compose
    into one map); spikes equal the NumPy integration whose input currents torch computes."""
    rng = np.random.default_rng(6)
    conv_w, conv_b = rng.normal(0, 0.8, (3, 2, 3, 3)), rng.normal(0, 0.05, 3)
    dense_w, dense_b = rng.normal(0, 0.6, (5, 3 * 3 * 3)), rng.normal(0, 0.05, 5)
    if_ = {"r": np.full((3, 6, 6), 100.0), "v_threshold": np.ones((3, 6, 6)), "v_reset": np.zeros((3, 6, 6))}
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([2, 6, 6])),
        nir.Conv2d(input_shape=(6, 6), weight=conv_w, stride=1, padding=1, dilation=1, groups=1, bias=conv_b),
        nir.IF(**if_), nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
        nir.Flatten(input_type={"input": np.array([3, 3, 3])}, start_dim=0), nir.Affine(dense_w, dense_b),
        lif(5, 0.01, r=20.0),
        type_check=False)
    nir.write(tmp_path / "conv.nir", graph)
    spikes = rng.random((2, 120, 72)) < 0.3
    with pytest.warns(ConversionWarning, match="r = tau/dt"):   # r/tau here is not 1/dt: NIR allows it, the reader says so
        fired, _ = run_nir(tmp_path / "conv.nir", spikes, dt=1 * ms)
    functional = torch.nn.functional

    def conv(s):
        return functional.conv2d(torch.tensor(s.reshape(-1, 2, 6, 6)), torch.tensor(conv_w), padding=1).numpy()

    def pool_dense(s):
        pooled = functional.avg_pool2d(torch.tensor(s.reshape(-1, 3, 6, 6)), 2).numpy() * 4
        return pooled.reshape(len(s), -1) @ dense_w.T

    expected = oracle([(lambda s: conv(s).reshape(len(s), -1), np.repeat(conv_b, 36), "IF",
                        {k: v.ravel() for k, v in if_.items()}),
                       (pool_dense, dense_b, "LIF", dict(tau=0.01, r=20.0, v_leak=0.0, v_threshold=1.0, v_reset=0.0))],
                      spikes, 1e-3, 1.0)
    for name, (out, _) in zip(("if", "lif"), expected):
        assert out.sum() > 50
        np.testing.assert_array_equal(fired[name], out)


def test_nested_recurrent_subgraph_runs_like_its_flat_equivalent():
    """snnTorch's exporter describes RLeaky as a nested NIRGraph (input -> lif <-> w_rec ->
    output); read nested, it gives the spikes of the same graph written flat."""
    rng = np.random.default_rng(8)
    w_in, w_rec, b_rec = rng.normal(0, 1.0, (5, 3)), rng.normal(0, 0.6, (5, 5)), rng.normal(0, 0.05, 5)
    neuron = lif(5, 5.0, r=5.0)
    inner = nir.NIRGraph(nodes={"input": nir.Input(np.array([5])), "lif": neuron,
                                "w_rec": nir.Affine(w_rec, b_rec), "output": nir.Output(np.array([5]))},
                         edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
                         type_check=False)
    nested = nir.NIRGraph(nodes={"input": nir.Input(np.array([3])), "fc": nir.Linear(w_in), "rleaky": inner,
                                 "output": nir.Output(np.array([5]))},
                          edges=[("input", "fc"), ("fc", "rleaky"), ("rleaky", "output")], type_check=False)
    flat = nir.NIRGraph(nodes={"input": nir.Input(np.array([3])), "fc": nir.Linear(w_in), "lif": neuron,
                               "w_rec": nir.Affine(w_rec, b_rec), "output": nir.Output(np.array([5]))},
                        edges=[("input", "fc"), ("fc", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
                        type_check=False)
    spikes = rng.random((2, 100, 3)) < 0.4
    nested_fired, _ = run_nir(nested, spikes, dt=1 * ms, time_unit=1 * ms)
    flat_fired, _ = run_nir(flat, spikes, dt=1 * ms, time_unit=1 * ms)
    assert list(nested_fired) == ["rleaky.lif"]
    assert flat_fired["lif"].sum() > 30
    np.testing.assert_array_equal(nested_fired["rleaky.lif"], flat_fired["lif"])
