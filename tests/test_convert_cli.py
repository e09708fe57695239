"""``neurodyn convert``: table, parquet and plot; one-line errors with exit status 2."""
import numpy as np
import pandas as pd
import pytest

from neurodyn.cli import main


def if_network_accuracy(x, labels, steps):
    """Accuracy of the converted digits MLP (defaults: IF neurons, threshold 1, reset by
    subtraction, constant-current input, membrane readout) after each T in ``steps``, integrated
    in NumPy step by step: hidden v += W0 x + b0, spike at v >= 1, v -= 1; readout v += W1 s + b1
    with the spikes of the same step (the schedule of docs/convert.md)."""
    from neurodyn.convert import convert, read_npz
    from neurodyn.convert.datasets import digits_split

    net = convert(read_npz("data/digits_mlp.npz"), digits_split()[0])
    drive = x @ net.weights[0].T / net.input_scale + net.biases[0]
    hidden, readout, accuracy = np.zeros_like(drive), np.zeros((len(x), 10)), {}
    for k in range(1, max(steps) + 1):
        hidden += drive
        spikes = hidden >= 1
        hidden -= spikes
        readout += spikes @ net.weights[1].T + net.biases[1]
        accuracy[k] = np.mean(np.argmax(readout, axis=1) == labels)
    return [accuracy[t] for t in steps]


def test_convert_command_writes_frame_and_plot(tmp_path, capsys):
    """The CLI's accuracies equal a NumPy integration of the IF network exactly (60 images, so a
    wrong reset or threshold that changes a single prediction changes the accuracy by 1/60)."""
    from neurodyn.convert.datasets import digits_split

    out = tmp_path / "out"
    assert main(["convert", "data/digits_mlp.npz", "--samples", "60", "--T", "5,30", "--target", "numpy",
                 "--out", str(out), "--quiet"]) == 0
    frame = pd.read_parquet(out / "convert.parquet")
    assert list(frame["T"]) == [5, 30] and (frame["n_samples"] == 60).all()
    _, x_test, _, y_test = digits_split()
    np.testing.assert_array_equal(frame["snn_accuracy"], if_network_accuracy(x_test[:60], y_test[:60], [5, 30]))
    assert (out / "accuracy_vs_T.png").stat().st_size > 10_000
    assert "snn_accuracy" in capsys.readouterr().out


def test_convert_command_reads_a_torch_state_dict(tmp_path):
    torch = pytest.importorskip("torch", reason="the torch reader needs the optional torch extra")
    from neurodyn.convert import read_npz

    ann = read_npz("data/digits_mlp.npz")
    state = {f"{k}.weight": torch.tensor(layer.weight) for k, layer in enumerate(ann.layers)}
    state.update({f"{k}.bias": torch.tensor(layer.bias) for k, layer in enumerate(ann.layers)})
    torch.save(state, tmp_path / "mlp.pt")
    assert main(["convert", str(tmp_path / "mlp.pt"), "--samples", "30", "--T", "20", "--target", "numpy",
                 "--out", str(tmp_path / "out"), "--quiet"]) == 0
    npz_frame = pd.read_parquet(tmp_path / "out" / "convert.parquet")
    assert main(["convert", "data/digits_mlp.npz", "--samples", "30", "--T", "20", "--target", "numpy",
                 "--out", str(tmp_path / "out2"), "--quiet"]) == 0
    pd.testing.assert_frame_equal(npz_frame.drop(columns="wall_s"),
                                  pd.read_parquet(tmp_path / "out2" / "convert.parquet").drop(columns="wall_s"))


def test_convert_command_errors_are_one_line(tmp_path, capsys):
    np.savez(tmp_path / "nan.npz", layer0_weight=np.full((10, 64), np.nan))
    (tmp_path / "text.npz").write_text("nonsense")
    (tmp_path / "text.pth").write_text("nonsense")
    (tmp_path / "text.nir").write_text("nonsense")
    (tmp_path / "model.onnx").write_text("nonsense")
    (tmp_path / "file.txt").write_text("a file")
    np.savez(tmp_path / "empty.npz", x_test=np.zeros((0, 64)), y_test=np.zeros(0), x_calibration=np.ones((5, 64)))
    cases = [
        ([str(tmp_path / "nan.npz")], "layer0: weight contains 640 NaN"),
        ([str(tmp_path / "text.npz")], "not a readable .npz archive"),
        (["data/digits_mlp.npz", "--data", str(tmp_path / "absent.npz")], "no such file"),
        (["data/digits_mlp.npz", "--T", "0,5"], "--T values must be >= 1"),
        (["data/digits_mlp.npz", "--dt", "1"], "--dt needs a unit of time"),
        (["data/digits_mlp.npz", "--percentile", "high"], "--percentile expects a number"),
        (["data/digits_mlp.npz", "--percentile", "120"], "percentile must be in (0, 100]"),
        (["data/digits_mlp.npz", "--samples", "0"], "--samples must be >= 1"),
        (["data/digits_mlp.npz", "--seed", "-1", "--encoding", "poisson"], "--seed must be >= 0"),
        (["data/digits_mlp.npz", "--out", str(tmp_path / "file.txt")], "is a file, not a directory"),
        (["data/digits_mlp.npz", "--data", str(tmp_path / "empty.npz")], "the test set is empty"),
        ([str(tmp_path / "text.pth")], "not a readable PyTorch state_dict"),
        ([str(tmp_path / "model.onnx")], "unknown model file type '.onnx'"),
        ([str(tmp_path / "text.nir")], "not a readable NIR file"),
        (["data/digits_mlp.npz", "--reset", "zero"], "--exporter and --reset apply to .nir files"),
    ]
    for arguments, message in cases:
        out = [] if "--out" in arguments else ["--out", str(tmp_path / "o")]
        assert main(["convert", *arguments, *out, "--quiet", "--target", "numpy"]) == 2
        error = capsys.readouterr().err.strip()
        assert message in error and len(error.splitlines()) == 1


def test_convert_command_runs_a_nir_file_and_a_saved_snntorch_model(tmp_path, capsys):
    """An snnTorch Leaky MLP exported to NIR and saved whole: the CLI's accuracies of both
    equal the accuracy of snnTorch's own forward pass on the same input spikes (seed 0).
    (snnTorch's surrogate gradients are closures pickle cannot save: surrogate_disable=True.)"""
    torch = pytest.importorskip("torch", reason="the spiking readers need the torch test extra")
    snn = pytest.importorskip("snntorch", reason="snnTorch is the reference (test extra)")
    import warnings

    from snntorch import utils
    from snntorch.export_nir import export_to_nir

    from neurodyn.convert.datasets import digits_split

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 20), snn.Leaky(beta=torch.full((20,), 0.9), threshold=torch.ones(20),
                                                                 init_hidden=True, surrogate_disable=True),
                              torch.nn.Linear(20, 10), snn.Leaky(beta=torch.full((10,), 0.9), threshold=torch.ones(10),
                                                                 init_hidden=True, output=True, surrogate_disable=True))
    with torch.no_grad():
        net[0].weight.mul_(4)
        net[2].weight.mul_(4)
    import nir
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nir.write(tmp_path / "net.nir", export_to_nir(net, torch.zeros(64)))
    torch.save(net, tmp_path / "net.pt")
    _, x_test, _, y_test = digits_split()
    x, labels = x_test[:40], y_test[:40]
    spikes = np.random.default_rng(0).random((12, *x.shape)) < x
    utils.reset(net)
    with torch.no_grad():
        counts = sum(net(torch.tensor(spikes[k], dtype=torch.float32))[0] for k in range(12)).numpy()
    expected = np.mean(np.argmax(counts, axis=1) == labels)
    assert counts.sum() > 40
    for arguments in (["net.nir", "--exporter", "snntorch", "--reset", "subtract"], ["net.pt", "--framework",
                                                                                     "snntorch"]):
        arguments[0] = str(tmp_path / arguments[0])
        assert main(["convert", *arguments, "--samples", "40", "--T", "12", "--target", "numpy",
                     "--out", str(tmp_path / "out"), "--quiet"]) == 0
        assert pd.read_parquet(tmp_path / "out" / "convert.parquet")["snn_accuracy"].iloc[0] == expected
