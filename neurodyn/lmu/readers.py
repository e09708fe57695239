"""LMU weights on disk: the ``.npz`` layout, and PyTorch modules / state_dicts.

``.npz`` layout (what :func:`write_lmu_npz` writes, :func:`read_lmu_npz` reads)::

    lmu_order            ()           int     memory order d
    lmu_theta            ()           float   memory window in steps (> 0)
    lmu_discretizer      ()           str     "zoh" or "euler"
    lmu_a_bar, lmu_b_bar (d, d), (d,) float   the discretised memory the weights were trained with
    lmu_dt, lmu_amplitude ()          float   the trained quantization (optional, 1 and 1)
    lmu_<field>                       float   every array of neurodyn.lmu.weights.ARRAY_SHAPES

``lmu_a_bar`` / ``lmu_b_bar`` must equal the Legendre memory of ``(order, theta, discretizer)``
(to 1e-6 relative): weights trained for another memory are refused, not silently run.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from neurodyn.convert.readers import load_npz, torch_load
from neurodyn.lmu.errors import LMUError
from neurodyn.lmu.weights import ARRAY_SHAPES, LMUWeights

PREFIX = "lmu_"
SCALARS = ("order", "theta", "discretizer")


def is_lmu_npz(path) -> bool:
    """Whether ``path`` is an ``.npz`` archive holding an LMU (its ``lmu_order`` key)."""
    try:
        with np.load(Path(path), allow_pickle=False) as archive:
            return isinstance(archive, np.lib.npyio.NpzFile) and f"{PREFIX}order" in archive.files
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, AttributeError):
        return False


def write_lmu_npz(weights: LMUWeights, path) -> None:
    a_bar, b_bar = weights.memory_matrices()
    arrays = {f"{PREFIX}{name}": getattr(weights, name) for name, _ in ARRAY_SHAPES}
    arrays.update({f"{PREFIX}order": np.array(weights.order), f"{PREFIX}theta": np.array(weights.theta),
                   f"{PREFIX}discretizer": np.array(weights.discretizer), f"{PREFIX}a_bar": a_bar,
                   f"{PREFIX}b_bar": b_bar, f"{PREFIX}dt": np.array(weights.dt),
                   f"{PREFIX}amplitude": np.array(weights.amplitude)})
    np.savez_compressed(path, **arrays)


def read_lmu_npz(path) -> LMUWeights:
    """The LMU stored in ``path`` (layout in the module docstring)."""
    path = Path(path)
    arrays = {key[len(PREFIX):]: value for key, value in load_npz(path, LMUError).items() if key.startswith(PREFIX)}
    missing = [name for name in (*SCALARS, *(n for n, _ in ARRAY_SHAPES), "a_bar", "b_bar") if name not in arrays]
    if missing:
        raise LMUError(f"{path}: not an LMU file, missing {', '.join(PREFIX + m for m in missing)}")
    try:
        weights = LMUWeights(int(arrays["order"]), float(arrays["theta"]), str(arrays["discretizer"]),
                             **{name: arrays[name] for name, _ in ARRAY_SHAPES},
                             dt=float(arrays.get("dt", 1.0)), amplitude=float(arrays.get("amplitude", 1.0)))
    except (TypeError, ValueError) as error:
        if isinstance(error, LMUError):
            raise LMUError(f"{path}: {error}") from None
        raise LMUError(f"{path}: malformed scalar entry ({error})") from None
    check_memory_matrices(weights, arrays["a_bar"], arrays["b_bar"], str(path))
    return weights


def check_memory_matrices(weights: LMUWeights, a_bar, b_bar, where: str) -> None:
    """Refuse stored memory matrices that are not the Legendre memory of ``weights``' order and window."""
    a_bar, b_bar = np.asarray(a_bar, dtype=float), np.asarray(b_bar, dtype=float).reshape(-1)
    expected_a, expected_b = weights.memory_matrices()
    d = weights.order
    if a_bar.shape != (d, d) or b_bar.shape != (d,):
        raise LMUError(f"{where}: stored memory has order {len(b_bar)} (A_bar {a_bar.shape}), but the file "
                       f"declares order {d}")
    if not (np.allclose(a_bar, expected_a, rtol=1e-6, atol=1e-9) and np.allclose(b_bar, expected_b, rtol=1e-6,
                                                                                  atol=1e-9)):
        raise LMUError(f"{where}: stored memory matrices are not the order-{d} Legendre memory with theta = "
                       f"{weights.theta} ({weights.discretizer}); wrong memory order, window or discretizer")


def read_lmu_torch(module_or_state_dict, theta: float | None = None, discretizer: str = "zoh",
                   dt: float = 1.0, amplitude: float = 1.0) -> LMUWeights:
    """Weights from a :class:`neurodyn.lmu.torch_lmu.LMUModule` or its ``state_dict`` (which holds no
    ``theta``: give it; its ``a_bar`` / ``b_bar`` buffers are checked against it)."""
    from neurodyn.lmu.torch_lmu import LMUModule

    if isinstance(module_or_state_dict, LMUModule):
        return module_or_state_dict.to_weights(dt, amplitude)
    if not isinstance(module_or_state_dict, dict):
        raise LMUError(f"read_lmu_torch needs an LMUModule or its state_dict, "
                       f"got {type(module_or_state_dict).__name__}")
    state = {key: np.asarray(value.detach().cpu().double().numpy() if hasattr(value, "detach") else value)
             for key, value in module_or_state_dict.items()}
    missing = [name for name in (*(n for n, _ in ARRAY_SHAPES), "a_bar", "b_bar") if name not in state]
    if missing:
        raise LMUError(f"state_dict is not an LMUModule's: missing {', '.join(missing)}")
    if theta is None:
        raise LMUError("a state_dict holds no memory window: give theta (in steps)")
    order = len(state["b_bar"])
    weights = LMUWeights(order, theta, discretizer, **{name: state[name] for name, _ in ARRAY_SHAPES},
                         dt=dt, amplitude=amplitude)
    check_memory_matrices(weights, state["a_bar"], state["b_bar"], "state_dict")
    return weights


def read_lmu(source, theta: float | None = None, **quantization) -> LMUWeights:
    """An LMU from an ``.npz`` path (layout above), a ``.pt`` path (a ``state_dict`` saved with
    ``torch.save``; give ``theta``), an :class:`~neurodyn.lmu.torch_lmu.LMUModule` or its state_dict."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix != ".pt":
            return read_lmu_npz(path)
        state = torch_load(path, weights_only=True, error=LMUError,
                           refusal=lambda failure: f"not a readable PyTorch state_dict ({type(failure).__name__})")
        return read_lmu_torch(state, theta, **quantization)
    return read_lmu_torch(source, theta, **quantization)
