"""NIR graphs run in Brian2, against a step-by-step NumPy integration of NIR's equations."""
import nir
import numpy as np
import pytest
from brian2 import ms, second

from neurodyn.convert import ConversionError
from neurodyn.convert.nir_graph import read_nir
from neurodyn.convert.nir_network import run_nir


def lif(n, tau, v_threshold=1.0, v_reset=0.0, v_leak=0.0, r=1.0):
    full = lambda value: np.full(n, float(value))
    return nir.LIF(tau=full(tau), r=full(r), v_leak=full(v_leak), v_threshold=full(v_threshold),
                   v_reset=full(v_reset))


def oracle(graph_stages, spikes, dt, time_unit, input_spikes):
    """NIR's equations, forward Euler at dt, input held for one step, one step of latency per
    weight node; ``graph_stages`` is a list of (weight, bias, kind, parameters)."""
    n_samples, n_steps, _ = spikes.shape
    scale = 1.0 if input_spikes == "step" else time_unit / dt
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
            u = (linear(previous[:, k - 1]) * scale if k > 0 else 0.0) + bias
            if kind == "LIF":
                v = v + dt / (p["tau"] * time_unit) * (p["v_leak"] - v + p["r"] * u)
            elif kind == "IF":
                v = v + dt / time_unit * p["r"] * u
            elif kind == "CubaLIF":
                v, syn = (v + dt / (p["tau_mem"] * time_unit) * (p["v_leak"] - v + p["r"] * syn),
                          syn + dt / (p["tau_syn"] * time_unit) * (p["w_in"] * u - syn))
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


@pytest.mark.parametrize("input_spikes", ["step", "dirac"])
def test_affine_lif_graph_spikes_match_numpy_integration(affine_lif_graph_file, input_spikes):
    """A file written with nir (Affine -> LIF -> Affine -> LIF, tau in ms), read back (nodes come
    back alphabetically), run for 3 samples in one Brian2 run: every spike of both LIF layers
    equals the NumPy integration."""
    path, stages = affine_lif_graph_file
    chain = read_nir(path)
    assert [stage.kind for stage in chain.stages] == ["LIF", "LIF"]
    spikes = np.random.default_rng(1).random((3, 150, 5)) < 0.2
    run = run_nir(chain, spikes, dt=0.5 * ms, time_unit=1 * ms, input_spikes=input_spikes)
    expected = oracle(stages, spikes, 0.5e-3, 1e-3, input_spikes)
    for stage, (out, trace) in zip(chain.stages, expected):
        assert out.sum() > 50
        np.testing.assert_array_equal(run.spikes[stage.name], out)
    np.testing.assert_allclose(run.v_last, expected[-1][1], atol=1e-9)


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
    chain = read_nir(graph)
    spikes = rng.random((2, 200, 3)) < 0.3
    run = run_nir(chain, spikes, dt=1 * ms)
    expected = oracle([(w1, b1, "CubaLIF", cuba), (w2, np.zeros(n), "IF", if_), (w3, b3, "LI", li)],
                      spikes, 1e-3, 1.0, "step")
    for stage, (out, _) in zip(chain.stages[:2], expected):
        assert out.sum() > 20
        np.testing.assert_array_equal(run.spikes[stage.name], out)
    np.testing.assert_allclose(run.v_last, expected[-1][1], atol=1e-9)


def test_snntorch_convention_gives_the_discrete_leaky_neuron():
    """snnTorch exports tau = dt/(1-beta), r = tau/dt; with "step" input spikes one stage is then
    exactly v <- beta v + W s (reset to 0 above threshold), snnTorch's Leaky neuron."""
    beta, dt, n = 0.9, 1e-4, 5
    tau = dt / (1 - beta)
    weight = np.random.default_rng(3).uniform(0, 0.6, (n, 4))
    graph = nir.NIRGraph.from_list(nir.Linear(weight), lif(n, tau, r=tau / dt))
    spikes = np.random.default_rng(4).random((1, 300, 4)) < 0.3
    run = run_nir(read_nir(graph), spikes, dt=dt * second)
    v, fired = np.zeros(n), []
    for k in range(300):
        v = beta * v + (weight @ spikes[0, k - 1] if k > 0 else 0)
        fired.append(v > 1.0)
        v = np.where(fired[-1], 0.0, v)
    np.testing.assert_array_equal(run.spikes["lif"][:, 0], np.array(fired))
    assert np.array(fired).sum() > 20


def test_nir_errors_name_the_node(tmp_path):
    w = np.ones((2, 2))
    with pytest.raises(ConversionError, match=r"node 'delay': unsupported NIR node type Delay"):
        read_nir(nir.NIRGraph.from_list(nir.Delay(np.ones(2)), lif(2, 1.0), type_check=False))
    conv = nir.Conv2d(input_shape=(2, 2), weight=np.ones((1, 1, 3, 3)), stride=1, padding=0, dilation=1,
                      groups=1, bias=np.zeros(1))
    with pytest.raises(ConversionError, match=r"node 'conv2d' \(Conv2d\): kernel 3x3 does not fit the input 2x2"):
        read_nir(nir.NIRGraph.from_list(conv, lif(1, 1.0), type_check=False))
    with pytest.raises(ConversionError, match=r"node 'affine_1' \(Affine\): weight shape \(2, 3\) expects 3 inputs "
                                              r"but receives 2"):
        read_nir(nir.NIRGraph.from_list(nir.Affine(w, np.zeros(2)), lif(2, 1.0), nir.Affine(np.ones((2, 3)),
                                        np.zeros(2)), lif(2, 1.0), type_check=False))
    with pytest.raises(ConversionError, match=r"node 'affine': weight contains NaN"):
        read_nir(nir.NIRGraph.from_list(nir.Affine(np.array([[np.nan, 1.0]]), np.zeros(1)), lif(1, 1.0)))
    branching = nir.NIRGraph(nodes={"input": nir.Input(np.array([2])), "a": nir.Linear(w), "b": nir.Linear(w),
                                    "output": nir.Output(np.array([2]))},
                             edges=[("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")])
    with pytest.raises(ConversionError, match="node 'input' has 2 outgoing edges"):
        read_nir(branching)
    (tmp_path / "bad.nir").write_text("not hdf5")
    with pytest.raises(ConversionError, match="not a readable NIR file"):
        read_nir(tmp_path / "bad.nir")
    chain = read_nir(nir.NIRGraph.from_list(nir.Linear(w), lif(2, 1.0)))
    with pytest.raises(ConversionError, match=r"input spikes must have shape \(n_samples, n_steps, 2\)"):
        run_nir(chain, np.zeros((1, 5, 3)), dt=1 * ms)
    with pytest.raises(ConversionError, match="unknown input_spikes 'delta'"):
        run_nir(chain, np.zeros((1, 5, 2)), dt=1 * ms, input_spikes="delta")


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
    chain = read_nir(tmp_path / "conv.nir")
    assert [stage.kind for stage in chain.stages] == ["IF", "LIF"]
    spikes = rng.random((2, 120, 72)) < 0.3
    run = run_nir(chain, spikes, dt=1 * ms)
    functional = torch.nn.functional

    def conv(s):
        return functional.conv2d(torch.tensor(s.reshape(-1, 2, 6, 6)), torch.tensor(conv_w), padding=1).numpy()

    def pool_dense(s):
        pooled = functional.avg_pool2d(torch.tensor(s.reshape(-1, 3, 6, 6)), 2).numpy() * 4
        return pooled.reshape(len(s), -1) @ dense_w.T

    expected = oracle([(lambda s: conv(s).reshape(len(s), -1), np.repeat(conv_b, 36), "IF",
                        {k: v.ravel() for k, v in if_.items()}),
                       (pool_dense, dense_b, "LIF", dict(tau=0.01, r=20.0, v_leak=0.0, v_threshold=1.0, v_reset=0.0))],
                      spikes, 1e-3, 1.0, "step")
    for stage, (out, _) in zip(chain.stages, expected):
        assert out.sum() > 50
        np.testing.assert_array_equal(run.spikes[stage.name], out)
