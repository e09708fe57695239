"""Readers of trained weights (.npz, PyTorch) and the errors they give on bad input."""
import numpy as np
import pytest

from neurodyn.convert import ConversionError, DenseLayer, DenseNetwork, read_npz, read_torch, write_npz


def small_network(rng):
    return DenseNetwork.from_arrays([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))],
                                    [rng.normal(size=5), rng.normal(size=3)])


def test_npz_round_trip_and_forward_pass(tmp_path):
    rng = np.random.default_rng(0)
    network = small_network(rng)
    write_npz(network, tmp_path / "net.npz")
    read = read_npz(tmp_path / "net.npz")
    x = rng.normal(size=(7, 4))
    expected = np.maximum(x @ network.layers[0].weight.T + network.layers[0].bias, 0) @ network.layers[1].weight.T \
        + network.layers[1].bias
    np.testing.assert_allclose(read.activations(x)[-1], expected)
    assert [layer.activation for layer in read.layers] == ["relu", "linear"]


def test_npz_defaults_without_bias_and_activation(tmp_path):
    np.savez(tmp_path / "w.npz", layer0_weight=np.eye(2), layer1_weight=np.ones((1, 2)))
    network = read_npz(tmp_path / "w.npz")
    assert [layer.activation for layer in network.layers] == ["relu", "linear"]
    np.testing.assert_array_equal(network.layers[0].bias, [0, 0])


@pytest.mark.parametrize("arrays, message", [
    ({"layer0_weight": np.array([[np.nan, 1.0]])}, r"layer0: weight contains 1 NaN or infinite value"),
    ({"layer0_weight": np.ones((3, 2)), "layer0_bias": np.ones(2)},
     r"layer0: bias shape \(2,\) does not match weight shape \(3, 2\)"),
    ({"layer0_weight": np.ones((3, 2)), "layer1_weight": np.ones((1, 4))},
     r"layer1: expects 4 inputs but .*layer0 has 3 outputs"),
    ({"layer0_weight": np.ones((3, 2)), "layer0_activation": np.array("tanh")}, r"unsupported activation 'tanh'"),
    ({"layer0_weight": np.ones(3)}, r"layer0: weight must be 2-D \(n_out, n_in\), got shape \(3,\)"),
    ({"layer0_weight": np.ones((1, 1)), "layer2_weight": np.ones((1, 1))}, r"without gaps, found \[0, 2\]"),
    ({"weights": np.ones((1, 1))}, r"no 'layer0_weight' array \(keys found: weights\)"),
    ({"layer0_bias": np.ones(1)}, r"layer0 has no 'layer0_weight' array"),
])
def test_npz_errors_name_the_problem(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ConversionError, match=message):
        read_npz(tmp_path / "bad.npz")


def test_malformed_and_missing_files(tmp_path):
    (tmp_path / "text.npz").write_text("not a zip archive")
    with pytest.raises(ConversionError, match="not a readable .npz archive"):
        read_npz(tmp_path / "text.npz")
    with pytest.raises(ConversionError, match="no such file"):
        read_npz(tmp_path / "absent.npz")
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(ConversionError, match="a single .npy array, not an .npz archive"):
        read_npz(tmp_path / "single.npy")


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="the torch reader needs the optional torch extra")


def test_torch_sequential_matches_torch_forward_pass(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.rand(5, 2, 3)
    network = read_torch(model)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(network.activations(x.reshape(5, 6).numpy())[-1], expected, rtol=1e-5, atol=1e-6)
    from_state = read_torch(model.state_dict())
    np.testing.assert_allclose(from_state.activations(x.reshape(5, 6).numpy())[-1], expected, rtol=1e-5, atol=1e-6)


def test_torch_errors_name_the_layer(torch):
    with pytest.raises(ConversionError, match=r"module 1 \(Conv2d\): input of shape \(2,\) does not fit"):
        read_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Conv2d(1, 1, 3)))
    with pytest.raises(ConversionError, match=r"module 0 \(ReLU\): ReLU must follow a Linear, convolution"):
        read_torch(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2)))
    with pytest.raises(ConversionError, match=r"module 2 \(Linear\): input of shape \(4,\) does not fit"):
        read_torch(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(3, 1)))
    with pytest.raises(ConversionError, match="nn.Sequential or a state_dict"):
        read_torch([1, 2])


def test_torch_convolution_and_pooling_become_their_dense_equivalents(torch):
    """Conv2d -> ReLU -> AvgPool2d -> Conv2d (stride 2) -> ReLU -> Flatten -> Linear: the read
    network computes what torch computes; the convolution's matrix is sparse (its zero entries
    will give no synapses) and pooling folds into the following layer."""
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                                torch.nn.Conv2d(4, 6, 3, stride=2), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(6, 10))
    network = read_torch(model, input_shape=(1, 8, 8))
    assert [layer.weight.shape for layer in network.layers] == [(256, 64), (6, 256), (10, 6)]
    assert [layer.activation for layer in network.layers] == ["relu", "relu", "linear"]
    assert np.count_nonzero(network.layers[0].weight) == 4 * (36 * 9 + 24 * 6 + 4 * 4)  # 3x3 kernels at the border
    x = torch.rand(7, 1, 8, 8)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(network.activations(x.reshape(7, 64).numpy())[-1], expected, rtol=1e-5, atol=1e-6)


def test_torch_convolution_errors(torch):
    conv = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(72, 2))
    with pytest.raises(ConversionError, match=r"module 0 \(Conv2d\): give input_shape"):
        read_torch(conv)
    with pytest.raises(ConversionError, match=r"module 3 \(Linear\): input of shape \(2, 3, 3\) does not fit"):
        read_torch(conv, input_shape=(1, 5, 5))
    with pytest.raises(ConversionError, match=r"module 2 \(MaxPool2d\): unsupported layer type MaxPool2d"):
        read_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2)),
                   input_shape=(1, 8, 8))


@pytest.mark.parametrize("weight, dtype", [(np.array([["a", "b"]]), "<U1"), (np.array([[1 + 2j, 1]]), "complex128"),
                                           (np.array([[True, False]]), "bool"),
                                           (np.array([[1.0, None]], dtype=object), "object")])
def test_non_real_weight_arrays_are_refused(weight, dtype):
    """Strings, complex numbers (whose imaginary part would be dropped), bools and objects."""
    with pytest.raises(ConversionError, match=f"layer: weight must hold real numbers, got dtype {dtype}"):
        DenseLayer(weight, None, name="layer")


def test_npz_key_typo_names_the_key(tmp_path):
    np.savez(tmp_path / "typo.npz", layer0_wieght=np.ones((2, 2)), layer1_weight=np.ones((1, 2)))
    with pytest.raises(ConversionError, match=r"unknown key 'layer0_wieght'; layer keys are layer<k>_weight"):
        read_npz(tmp_path / "typo.npz")


def test_state_dict_with_rnn_or_embedding_is_refused(torch):
    rnn_between = {"0.weight": torch.ones(4, 3), "0.bias": torch.zeros(4), "1.weight_ih_l0": torch.ones(4, 4),
                   "1.weight_hh_l0": torch.ones(4, 4), "2.weight": torch.ones(2, 4)}
    with pytest.raises(ConversionError, match=r"state_dict entry '1.weight_ih_l0' is not a Linear layer"):
        read_torch(rnn_between)
    embedding = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 2)).state_dict()
    with pytest.raises(ConversionError, match=r"state_dict entry 'embedding.0.weight' is not a Linear layer"):
        read_torch({f"embedding.{key}" if key.startswith("0.") else key: value for key, value in embedding.items()})
    with pytest.raises(ConversionError, match=r"module 0 \(Embedding\): unsupported layer type Embedding"):
        read_torch(torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 2)))


def test_torch_conv1d_and_batchnorm_read_as_torch_computes(torch):
    """Conv1d -> BatchNorm1d (eval, non-trivial running statistics) -> ReLU -> AvgPool1d ->
    Flatten -> Linear, and Conv2d -> BatchNorm2d -> ReLU: the read network's outputs equal
    torch's to float32."""
    torch.manual_seed(2)
    one_d = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(),
                                torch.nn.AvgPool1d(2), torch.nn.Flatten(), torch.nn.Linear(27, 4))
    two_d = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(32, 3))
    for model, shape in ((one_d, (2, 20)), (two_d, (1, 6, 6))):
        for module in model:
            if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                module.running_mean.uniform_(-1, 1)
                module.running_var.uniform_(0.5, 2)
                module.weight.data.uniform_(0.5, 2)
                module.bias.data.uniform_(-1, 1)
        model.eval()
        network = read_torch(model, input_shape=shape)
        x = torch.rand(6, *shape)
        with torch.no_grad():
            expected = model(x).numpy()
        assert np.abs(expected).max() > 0.1
        np.testing.assert_allclose(network.activations(x.reshape(6, -1).numpy())[-1], expected, rtol=1e-5, atol=1e-5)


def test_evaluate_refuses_bad_labels_and_an_empty_data_set():
    from neurodyn.convert import convert, evaluate

    net = convert(small_network(np.random.default_rng(1)), percentile=None)
    x = np.ones((2, 4))
    for labels, message in (([0, np.nan], "labels contain NaN"), ([0, 3], r"labels must be in \[0, 2\]")):
        with pytest.raises(ConversionError, match=message):
            evaluate(net, x, labels, [5], target="numpy")
    with pytest.raises(ConversionError, match=r"the data set is empty"):
        evaluate(net, np.zeros((0, 4)), np.zeros(0), [5], target="numpy")
    with pytest.raises(ConversionError, match=r"seed must be an integer in \[0, 2\*\*32\)"):
        evaluate(convert(small_network(np.random.default_rng(1)), percentile=None, encoding="poisson"), x, [0, 1], [5],
                 target="numpy", seed=-1)
