"""Trained snnTorch and Norse networks run spike for spike as their frameworks ran them.

Each network is trained in the test for a few seconds on rate-coded digits (T = 25 steps);
its own forward pass on the 360 test samples is the reference. The criterion of issue 15:
per-sample output spike counts identical for >= 99 % of the samples, accuracy equal up to the
samples that differ (each can move the accuracy by 1/N), through the direct reader and
through NIR, on numpy and (one compilation for all networks) cpp_standalone. The remaining
1 % allows for float32 (framework) against float64 (Brian2) arithmetic deciding a threshold
crossing differently.
"""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the spiking readers need the torch test extra")
snn = pytest.importorskip("snntorch", reason="snnTorch is the reference (test extra)")
norse = pytest.importorskip("norse.torch", reason="Norse is the reference (test extra)")

from snn_training import digits_spikes, norse_forward, snntorch_forward, train  # noqa: E402

from neurodyn.convert.nir_graph import read_nir  # noqa: E402
from neurodyn.convert.norse_reader import read_norse  # noqa: E402
from neurodyn.convert.snntorch_reader import read_snntorch  # noqa: E402
from neurodyn.convert.spiking_network import run_spiking, run_spiking_many  # noqa: E402


def leaky(n, reset="subtract", shape=None, **options):
    shape = shape or (n,)
    return snn.Leaky(beta=torch.full(shape, 0.9), threshold=torch.full(shape, 0.5), learn_beta=True,
                     learn_threshold=True, init_hidden=True, reset_mechanism=reset, **options)


def snntorch_networks():
    """Flatten(-3) and a tuple pooling kernel: what snnTorch 1.0's exporter needs for a Conv2d network."""
    linear = torch.nn.Linear
    return {
        "Leaky subtract": (torch.nn.Sequential(linear(64, 32), leaky(32), linear(32, 10), leaky(10, output=True)),
                           "subtract"),
        "Leaky zero": (torch.nn.Sequential(linear(64, 32), leaky(32, "zero"), linear(32, 10),
                                           leaky(10, "zero", output=True)), "zero"),
        "Synaptic": (torch.nn.Sequential(
            linear(64, 32), snn.Synaptic(alpha=torch.full((32,), 0.6), beta=torch.full((32,), 0.85),
                                         threshold=torch.full((32,), 0.5), learn_alpha=True, learn_beta=True,
                                         init_hidden=True),
            linear(32, 10), leaky(10, output=True)), "subtract"),
        "RLeaky": (torch.nn.Sequential(
            linear(64, 32), snn.RLeaky(beta=torch.full((32,), 0.9), threshold=torch.full((32,), 0.5),
                                       linear_features=32, learn_beta=True, init_hidden=True),
            linear(32, 10), leaky(10, output=True)), "subtract"),
        "Conv2d": (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.AvgPool2d((2, 2)), leaky(36, shape=(4, 3, 3)),
                                       torch.nn.Flatten(-3), linear(36, 10), leaky(10, output=True)), "subtract"),
    }


def norse_networks():
    p = norse.LIFParameters(v_th=torch.tensor(0.5))
    return {
        "Norse LIF": norse.SequentialState(torch.nn.Linear(64, 32), norse.LIFCell(p), torch.nn.Linear(32, 10),
                                           norse.LIFCell(p)),
        "Norse LIFRecurrent": norse.SequentialState(norse.LIFRecurrentCell(64, 32, p), torch.nn.Linear(32, 10),
                                                    norse.LIFCell(p)),
    }


def norse_sequence_networks():
    """Norse's modules over time (LIF, LIFRecurrent: forward over all steps) in SequentialState."""
    p = norse.LIFParameters(v_th=torch.tensor(0.5))
    return {
        "Norse LIF over time": norse.SequentialState(torch.nn.Linear(64, 32), norse.LIF(p), torch.nn.Linear(32, 10),
                                                     norse.LIF(p)),
        "Norse LIFRecurrent over time": norse.SequentialState(norse.LIFRecurrent(64, 32, p), torch.nn.Linear(32, 10),
                                                              norse.LIF(p)),
    }


@pytest.fixture(scope="module")
def trained():
    """name -> (input shape, reference output spikes (T, N, 10), direct graph, NIR graph or None)."""
    torch.manual_seed(0)
    x_train, x_test, y_train, y_test = digits_spikes()
    cases = {}
    for name, (net, reset) in snntorch_networks().items():
        shape = (1, 8, 8) if name == "Conv2d" else (64,)
        reshape = lambda x, shape=shape: x.reshape(*x.shape[:2], *shape)  # noqa: E731
        train(net, lambda net, x: snntorch_forward(net, x)[0], reshape(x_train), y_train)
        with torch.no_grad():
            reference = snntorch_forward(net, reshape(x_test))[0].numpy()
            from snntorch.export_nir import export_to_nir

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exported = export_to_nir(net, torch.zeros(shape))
        cases[name] = (shape, reference, read_snntorch(net, input_shape=shape),
                       read_nir(exported, exporter="snntorch", reset=reset))
    for name, net in norse_networks().items():
        train(net, norse_forward, x_train, y_train)
        with torch.no_grad():
            reference = norse_forward(net, x_test).numpy()
        cases[name] = ((64,), reference, read_norse(net), _norse_nir(net) if name == "Norse LIF" else None)
    for name, net in norse_sequence_networks().items():  # forward over the whole sequence (T, N, 64) at once
        train(net, lambda net, x: net(x)[0], x_train, y_train)
        with torch.no_grad():
            reference = net(x_test)[0].numpy()
        cases[name] = ((64,), reference, read_norse(net), None)
    return cases, x_test.numpy(), y_test


def _norse_nir(net):
    """Norse exports LIFCell (not LIFRecurrentCell) to NIR."""
    from norse.torch.utils.export_nir import to_nir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_nir(to_nir(net, torch.zeros(1, 64)), exporter="norse")


def assert_same_as_framework(run, reference, labels, name):
    counts, expected = run.output_counts, reference.sum(axis=0)
    identical = np.all(counts == expected, axis=1)
    assert identical.mean() >= 0.99, f"{name}: {identical.sum()}/{len(identical)} samples with identical counts"
    framework_accuracy = np.mean(np.argmax(expected, axis=1) == labels)
    assert abs(run.accuracy(labels) - framework_accuracy) <= (~identical).mean() + 1e-12
    assert framework_accuracy > 0.2, f"{name}: the network did not learn ({framework_accuracy})"
    assert expected.sum() / len(labels) > 3, f"{name}: too few output spikes to compare"
    print(f"{name} ({run.graph.origin}): identical counts {identical.sum()}/{len(identical)}, accuracy "
          f"{framework_accuracy:.4f} framework / {run.accuracy(labels):.4f} neurodyn")


NAMES = [*snntorch_networks(), *norse_networks(), *norse_sequence_networks()]


@pytest.mark.parametrize("name", NAMES)
def test_trained_network_matches_its_framework_on_numpy(trained, name):
    cases, x_test, y_test = trained
    shape, reference, direct, from_nir = cases[name]
    inputs = x_test.reshape(*x_test.shape[:2], *shape)
    for graph in (direct, from_nir):
        if graph is not None:
            assert_same_as_framework(run_spiking(graph, inputs, layout="time_major"), reference, y_test, name)


def test_trained_networks_match_their_frameworks_on_cpp_standalone(trained):
    """All networks side by side in one standalone project (one compilation)."""
    cases, x_test, y_test = trained
    runs = run_spiking_many([(cases[name][2], x_test.reshape(*x_test.shape[:2], *cases[name][0])) for name in NAMES],
                            layout="time_major", target="cpp_standalone")
    for name, run in zip(NAMES, runs):
        assert_same_as_framework(run, cases[name][1], y_test, name)


def test_real_valued_current_input_gives_the_frameworks_membrane_traces():
    """Time-varying real-valued currents (no spikes at the input) into an snnTorch Synaptic ->
    Leaky network and a Norse LIF -> LI network: output membranes after every step equal the
    framework's within float32. Tolerance: the framework rounds each of ~3 operations per step
    to float32 (relative 6e-8), and the error of a decaying recursion accumulates at most
    linearly over the 25 steps: 25 * 3 * 6e-8 * max|v| < 1e-5 * max|v|. Samples whose spike
    trains differ (a float32 rounding deciding a threshold crossing) are left out, at most 1 %."""
    torch.manual_seed(3)
    currents = torch.rand(25, 100, 64) * 0.5
    synaptic = torch.nn.Sequential(
        torch.nn.Linear(64, 20), snn.Synaptic(alpha=torch.rand(20) * 0.5 + 0.3, beta=torch.rand(20) * 0.3 + 0.6,
                                              init_hidden=True),
        torch.nn.Linear(20, 5), snn.Leaky(beta=torch.rand(5) * 0.3 + 0.6, threshold=torch.full((5,), 1e9),
                                          init_hidden=True, output=True))
    p = norse.LIFParameters(v_th=torch.tensor(0.3), tau_mem_inv=torch.rand(20) * 100 + 50)
    lif_li = norse.SequentialState(torch.nn.Linear(64, 20), norse.LIFCell(p), torch.nn.Linear(20, 5), norse.LICell())
    with torch.no_grad():
        snn_spikes_hidden = []
        hook = synaptic[1].register_forward_hook(lambda m, i, out: snn_spikes_hidden.append(out))
        reference_snn = snntorch_forward(synaptic, currents)[1].numpy()
        hook.remove()
        norse_hidden = []
        hook = lif_li[1].register_forward_hook(lambda m, i, out: norse_hidden.append(out[0]))
        reference_norse = norse_forward(lif_li, currents).numpy()
        hook.remove()
    for graph, reference, hidden in ((read_snntorch(synaptic), reference_snn, snn_spikes_hidden),
                                     (read_norse(lif_li), reference_norse, norse_hidden)):
        run = run_spiking(graph, currents.numpy(), layout="time_major", record_v=True)
        hidden = torch.stack(hidden).numpy() > 0
        assert hidden.sum() > 500
        same = np.all(run.spikes[graph.layers[0].name] == hidden, axis=(0, 2))
        assert same.mean() >= 0.99
        v = run.v[graph.output.name]
        scale = np.abs(reference).max()
        assert scale > 0.5
        np.testing.assert_allclose(v[:, same], reference[:, same], rtol=0, atol=1e-5 * scale)


def inhibiting_leaky():
    """snnTorch's Leaky with inhibition=True (its constructor warns that the feature is unstable)."""
    with pytest.warns(UserWarning, match="Inhibition is an unstable feature"):
        return snn.Leaky(beta=0.9, inhibition=True, init_hidden=True)


def test_unsupported_modules_and_options_are_refused_by_name():
    from neurodyn.convert import ConversionError

    linear = torch.nn.Linear(4, 3)
    cases = [
        (lambda: read_snntorch(torch.nn.Sequential(linear, snn.Alpha(alpha=0.9, beta=0.8, init_hidden=True))),
         r"module 1 \(Alpha\): the snnTorch neuron Alpha is not supported"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, inhibiting_leaky())),
         r"module 1 \(Leaky\): inhibition=True"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, snn.Leaky(beta=0.9, graded_spikes_factor=2.0))),
         "graded_spikes_factor=2 is not supported"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, snn.Leaky(beta=0.9, reset_delay=False))),
         "reset_delay=False"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, snn.Leaky(beta=0.9), torch.nn.Linear(3, 2))),
         r"module 2 \(Linear\): linear modules after the last neuron module"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, torch.nn.MaxPool1d(2), snn.Leaky(beta=0.9))),
         r"module 1 \(MaxPool1d\): unsupported module type MaxPool1d"),
        (lambda: read_snntorch(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), snn.Leaky(beta=0.9))),
         r"module 0 \(Conv2d\): give input_shape"),
        (lambda: read_snntorch(torch.nn.Sequential(linear, snn.Leaky(beta=torch.ones(5)))),
         r"beta of shape \(5,\) does not fit the layer's values of shape \(3,\)"),
        (lambda: read_norse(norse.SequentialState(linear, norse.LIFBoxCell())),
         r"module 1 \(LIFBoxCell\): the Norse module LIFBoxCell is not supported"),
        (lambda: read_norse(norse.SequentialState(linear, norse.LIFCell(dt=1e-3), torch.nn.Linear(3, 2),
                                                  norse.LIFCell(dt=2e-3))), "Norse cells with different dt"),
        (lambda: read_snntorch(torch.nn.Linear(4, 3)), "Linear has no sub-modules to read"),
    ]
    for build, message in cases:
        with pytest.raises(ConversionError, match=message):
            build()
    graph = read_snntorch(torch.nn.Sequential(linear, snn.Leaky(beta=0.9, init_hidden=True)))
    run = run_spiking(graph, np.ones((3, 2, 4)), layout="time_major")
    for labels, message in (([0, np.nan], "labels contain NaN"), ([0, 3], r"labels must be in \[0, 2\]"),
                            ([0], "one entry per sample"), (["a", "b"], "labels must be class numbers")):
        with pytest.raises(ConversionError, match=message):
            run.accuracy(labels)


def test_learned_beta_at_or_above_one_is_clamped_through_nir_as_snntorch_does():
    """snnTorch clamps beta to [0, 1] in its forward pass, but its exporter writes tau =
    dt/(1 - beta): negative for beta > 1, infinite for beta = 1. Read back with
    exporter='snntorch', the spikes equal snnTorch's own."""
    from snntorch.export_nir import export_to_nir

    torch.manual_seed(4)
    beta = torch.tensor([1.3, 1.0, 0.95, 0.5, 1.1, 0.8])
    net = torch.nn.Sequential(torch.nn.Linear(8, 6), snn.Leaky(beta=beta, threshold=torch.ones(6), init_hidden=True),
                              torch.nn.Linear(6, 3), snn.Leaky(beta=torch.full((3,), 0.9), threshold=torch.ones(3),
                                                               init_hidden=True, output=True))
    x = (torch.rand(30, 20, 8) < 0.4).float()
    with torch.no_grad():
        net[0].weight.mul_(3)
        net[2].weight.mul_(3)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = snntorch_forward(net, x)[0].numpy()
        graph = read_nir(export_to_nir(net, torch.zeros(8)), exporter="snntorch", reset="subtract")
    np.testing.assert_allclose(graph.layers[0].decay, [1.0, 1.0, 0.95, 0.5, 1.0, 0.8], atol=1e-6)  # float32 export
    run = run_spiking(graph, x.numpy(), layout="time_major")
    assert reference.sum() > 20
    np.testing.assert_array_equal(run.spikes[graph.output.name], reference > 0)


def test_tutorial_style_module_with_its_own_time_loop():
    """snnTorch's tutorial form: a module whose forward loops over time with explicit membrane
    states (no init_hidden); its children, registered in the order forward applies them, are
    read as the chain, and the spikes equal the module's own forward pass."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.lif1 = torch.nn.Linear(8, 12), snn.Synaptic(alpha=0.7, beta=0.85)
            self.fc2, self.lif2 = torch.nn.Linear(12, 4), snn.Leaky(beta=0.9, reset_mechanism="zero")

        def forward(self, x):
            syn1, mem1 = self.lif1.reset_mem()
            mem2 = self.lif2.reset_mem()
            spikes = []
            for step in range(x.shape[0]):
                spk1, syn1, mem1 = self.lif1(self.fc1(x[step]), syn1, mem1)
                spk2, mem2 = self.lif2(self.fc2(spk1), mem2)
                spikes.append(spk2)
            return torch.stack(spikes)

    torch.manual_seed(5)
    net = Net()
    with torch.no_grad():
        net.fc1.weight.mul_(2)
        net.fc2.weight.mul_(2)
        x = (torch.rand(40, 25, 8) < 0.4).float()
        reference = net(x).numpy()
    graph = read_snntorch(net)
    assert [layer.reset for layer in graph.layers] == ["subtract", "zero"]
    run = run_spiking(graph, x.numpy(), layout="time_major")
    assert reference.sum() > 50
    np.testing.assert_array_equal(run.spikes[graph.output.name], reference > 0)


def test_batches_rerun_through_one_standalone_build_match_snntorch():
    """run_spiking_batches on cpp_standalone: three batches of different input spikes through one
    compiled program (the input file rewritten between runs) give snnTorch's own output counts
    for each batch, not the first batch's again."""
    from neurodyn.convert.spiking_network import run_spiking_batches

    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(64, 24), leaky(24), torch.nn.Linear(24, 10), leaky(10, output=True))
    batches = [(torch.rand(25, 30, 64) < p).float() for p in (0.1, 0.2, 0.3)]
    with torch.no_grad():
        references = [snntorch_forward(net, x)[0].numpy().sum(axis=0) for x in batches]
    runs = run_spiking_batches(read_snntorch(net), [x.numpy() for x in batches], layout="time_major")
    assert len({r.sum() for r in references}) == 3  # the batches differ
    for run, expected in zip(runs, references):
        assert expected.sum() > 100
        assert np.mean(np.all(run.output_counts == expected, axis=1)) >= 0.99
