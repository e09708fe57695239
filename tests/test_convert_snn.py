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


NAMES = [*snntorch_networks(), *norse_networks()]


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
