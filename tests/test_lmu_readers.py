"""LMU files and modules: round trips, and named errors for bad input before any work starts."""
import numpy as np
import pytest

from neurodyn.convert.layers import ConversionError
from neurodyn.errors import NeurodynError
from neurodyn.lmu.errors import LMUError
from neurodyn.lmu.legendre import discrete_memory, legendre_matrices
from neurodyn.lmu.measures import significant_bits
from neurodyn.lmu.network import run_lmu
from neurodyn.lmu.readers import is_lmu_npz, read_lmu_npz, read_lmu_torch, write_lmu_npz
from neurodyn.lmu.torch_lmu import LMUModule, torch_forward
from neurodyn.lmu.weights import LMUWeights
from lmu_helpers import random_lmu, random_sequences


def fields(weights):
    return {name: getattr(weights, name) for name in weights.__dataclass_fields__}


def test_npz_round_trip(tmp_path):
    weights = random_lmu(discretizer="euler", dt=3.0, amplitude=0.5)
    write_lmu_npz(weights, tmp_path / "lmu.npz")
    assert is_lmu_npz(tmp_path / "lmu.npz")
    read = read_lmu_npz(tmp_path / "lmu.npz")
    for name, value in fields(weights).items():
        np.testing.assert_array_equal(getattr(read, name), value)


def test_torch_module_and_state_dict_round_trip():
    weights = random_lmu()
    module = LMUModule.from_weights(weights)
    from_state = read_lmu_torch(module.state_dict(), theta=weights.theta, dt=weights.dt)
    np.testing.assert_allclose(from_state.kernel_memory, weights.kernel_memory, rtol=1e-6)
    x = random_sequences()
    np.testing.assert_allclose(torch_forward(read_lmu_torch(module, dt=2.0), x, "ann")[0],
                               torch_forward(weights, x, "ann")[0], rtol=1e-5)


def test_errors_are_named_neurodyn_errors():
    assert issubclass(LMUError, ConversionError) and issubclass(LMUError, NeurodynError)


def rewrite(tmp_path, weights, **changes):
    path = tmp_path / "lmu.npz"
    write_lmu_npz(weights, path)
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays.update({f"lmu_{key}": value for key, value in changes.items()})
    np.savez(path, **arrays)
    return path


def test_file_with_the_wrong_memory_order_is_refused(tmp_path):
    weights = random_lmu(order=4)
    with pytest.raises(LMUError, match="memory order is 5"):
        read_lmu_npz(rewrite(tmp_path, weights, order=np.array(5)))
    a_bar, b_bar = discrete_memory(5, weights.theta)
    with pytest.raises(LMUError, match="stored memory has order 5"):
        read_lmu_npz(rewrite(tmp_path, weights, a_bar=a_bar, b_bar=b_bar[:, 0]))


def test_file_trained_for_another_window_is_refused(tmp_path):
    weights = random_lmu(theta=6.0)
    a_bar, b_bar = discrete_memory(4, 12.0)
    with pytest.raises(LMUError, match="not the order-4 Legendre memory with theta = 6.0"):
        read_lmu_npz(rewrite(tmp_path, weights, a_bar=a_bar, b_bar=b_bar[:, 0]))
    with pytest.raises(LMUError, match="not the order-4 Legendre memory"):
        read_lmu_torch(LMUModule.from_weights(weights).state_dict(), theta=12.0)


@pytest.mark.parametrize("theta", [0.0, -3.0, np.nan, np.inf])
def test_theta_must_be_positive(theta, tmp_path):
    with pytest.raises(LMUError, match="theta"):
        legendre_matrices(4, theta)
    with pytest.raises(LMUError, match="theta"):
        LMUWeights(**{**fields(random_lmu()), "theta": theta})
    with pytest.raises(LMUError, match="theta"):
        read_lmu_npz(rewrite(tmp_path, random_lmu(), theta=np.array(theta)))


@pytest.mark.parametrize("name, shape", [("kernel_hidden", (5, 4)), ("kernel_memory", (5, 3)),
                                         ("encoder_input", (3,)), ("readout_weight", (3, 4))])
def test_mismatched_shapes_are_refused(name, shape, tmp_path):
    with pytest.raises(LMUError, match=f"{name} has shape"):
        LMUWeights(**{**fields(random_lmu()), name: np.zeros(shape)})
    with pytest.raises(LMUError, match=f"{name} has shape"):
        read_lmu_npz(rewrite(tmp_path, random_lmu(), **{name: np.zeros(shape)}))


def test_bad_files_and_inputs_are_refused(tmp_path):
    with pytest.raises(LMUError, match="no such file"):
        read_lmu_npz(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", layer0_weight=np.ones((2, 2)))
    assert not is_lmu_npz(tmp_path / "other.npz")
    with pytest.raises(LMUError, match="not an LMU file"):
        read_lmu_npz(tmp_path / "other.npz")
    weights = random_lmu(n_in=2)
    with pytest.raises(LMUError, match=r"shape \(n_samples, T, 2\)"):
        run_lmu(weights, np.zeros((3, 5, 3)), target="numpy")
    with pytest.raises(LMUError, match="NaN"):
        run_lmu(weights, np.full((1, 5, 2), np.nan), target="numpy")
    with pytest.raises(LMUError, match="unknown mode"):
        run_lmu(weights, np.zeros((1, 5, 2)), mode="analog", target="numpy")
    with pytest.raises(LMUError, match="discretizer"):
        discrete_memory(4, 6.0, "bilinear")
    with pytest.raises(LMUError, match="dt must be > 0"):
        weights.with_quantization(0.0)


def test_significant_bits():
    """Bits between the highest and lowest set bit: 4 = 100b is a shift (1), 5 = 101b needs 3."""
    n = np.array([1, 2, 3, 4, 5, 6, 7, 8, 12, 40])
    np.testing.assert_array_equal(significant_bits(n), [1, 1, 2, 1, 3, 2, 3, 1, 2, 3])  # 40 = 101000b


def test_saved_state_dict_reads_through_read_lmu(tmp_path):
    import torch

    from neurodyn.convert import read_lmu

    weights = random_lmu()
    torch.save(LMUModule.from_weights(weights, torch.float64).state_dict(), tmp_path / "lmu.pt")
    read = read_lmu(tmp_path / "lmu.pt", theta=weights.theta, dt=weights.dt)
    np.testing.assert_array_equal(read.kernel_hidden, weights.kernel_hidden)
    with pytest.raises(LMUError, match="give theta"):
        read_lmu(tmp_path / "lmu.pt")
    (tmp_path / "bad.pt").write_text("not a torch file")
    with pytest.raises(LMUError, match="not a readable PyTorch state_dict"):
        read_lmu(tmp_path / "bad.pt", theta=6.0)
