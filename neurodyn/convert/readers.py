"""Readers that turn trained weights into a :class:`~neurodyn.convert.layers.DenseNetwork`.

NumPy ``.npz`` layout (what :func:`write_npz` writes and :func:`read_npz` reads)::

    layer0_weight      (n_1, n_0)   float    first dense layer, nn.Linear convention (out, in)
    layer0_bias        (n_1,)       float    optional (zeros)
    layer0_activation  ()           str      optional: "relu" or "linear" ("identity")
    layer1_weight      (n_2, n_1)   ...
    ...

Layers are numbered 0, 1, ... without gaps; activations default to ReLU for every layer but
the last, which is linear (the class scores). A linear hidden layer converts only with
``neuron="ei"`` (:func:`neurodyn.convert.convert`). Other keys are ignored.

PyTorch: :func:`read_torch` takes an ``nn.Sequential`` of Linear, Conv1d/Conv2d, AvgPool,
Flatten, BatchNorm and ReLU modules (or a ``state_dict`` of Linear layers, in key order); it
needs the optional ``torch`` extra.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from neurodyn.convert.layers import ConversionError, DenseLayer, DenseNetwork

_NPZ_KEY = re.compile(r"^layer(\d+)_(weight|bias|activation)$")


def load_npz(path, error: type[ConversionError] = ConversionError, holding: str = "") -> dict[str, np.ndarray]:
    """Every array of the .npz archive at ``path`` (no pickles); a missing file, a file that is no
    archive and a single .npy array raise ``error`` (``holding`` names what the archive should hold)."""
    path = Path(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as failure:
        raise error(f"{path}: not a readable .npz archive ({failure})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise error(f"{path}: a single .npy array, not an .npz archive{holding}")
    with archive:
        return {key: archive[key] for key in archive.files}


def torch_load(path: Path, weights_only: bool, refusal, error: type[ConversionError] = ConversionError):
    """``torch.load(path)``; a missing or malformed file raises ``error`` (``refusal(exception)``
    says what the file should have been)."""
    torch = import_torch()
    if not path.exists():
        raise error(f"{path}: no such file")
    try:
        return torch.load(path, weights_only=weights_only)
    except Exception as failure:  # torch raises many kinds for malformed files
        raise error(f"{path}: {refusal(failure)}") from None


def read_npz(path) -> DenseNetwork:
    """The network stored in ``path`` (layout in the module docstring)."""
    path = Path(path)
    arrays = load_npz(path, holding=" of layers")
    fields: dict[int, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        match = _NPZ_KEY.match(key)
        if match:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif key.lower().startswith("layer"):
            raise ConversionError(f"{path}: unknown key {key!r}; layer keys are layer<k>_weight, layer<k>_bias and "
                                  f"layer<k>_activation")
    if not fields:
        raise ConversionError(f"{path}: no 'layer0_weight' array (keys found: {', '.join(sorted(arrays)) or 'none'})")
    numbers = sorted(fields)
    if numbers != list(range(len(numbers))):
        raise ConversionError(f"{path}: layers must be numbered 0..{len(numbers) - 1} without gaps, found {numbers}")
    layers = []
    for k in numbers:
        entry = fields[k]
        if "weight" not in entry:
            raise ConversionError(f"{path}: layer{k} has no 'layer{k}_weight' array")
        default = "linear" if k == numbers[-1] else "relu"
        activation = str(entry["activation"]) if "activation" in entry else default
        layers.append(DenseLayer(entry["weight"], entry.get("bias"), activation, name=f"{path.name}: layer{k}"))
    return DenseNetwork(tuple(layers))


def write_npz(network: DenseNetwork, path) -> None:
    """Store ``network`` in the ``.npz`` layout of :func:`read_npz`."""
    arrays = {}
    for k, layer in enumerate(network.layers):
        arrays[f"layer{k}_weight"] = layer.weight
        arrays[f"layer{k}_bias"] = layer.bias
        arrays[f"layer{k}_activation"] = np.array(layer.activation)
    np.savez_compressed(path, **arrays)


def read_torch(module_or_state_dict, input_shape: tuple[int, ...] | None = None) -> DenseNetwork:
    """A network from an ``nn.Sequential`` or a Linear-only ``state_dict``.

    ``nn.Sequential``: ReLU modules separate runs of affine modules (Linear, Conv1d, Conv2d,
    AvgPool1d, AvgPool2d, Flatten, Identity, Dropout and BatchNorm in eval mode); each run
    becomes one dense layer whose weights are found by probing the run with the zero input
    and the unit inputs in float64 (``W[:, i] = run(e_i) - run(0)``, ``b = run(0)``), so
    convolutions and pooling keep PyTorch's own semantics (their zero weights give no
    synapses). ``input_shape`` (without the batch dimension, e.g. ``(1, 8, 8)``) is needed
    unless the first affine module is Linear.

    A ``state_dict`` holds no activations: ReLU is assumed between layers, none after the last.
    """
    torch = import_torch()
    if isinstance(module_or_state_dict, torch.nn.Module):
        return _from_sequential(module_or_state_dict, torch, input_shape)
    if isinstance(module_or_state_dict, dict):
        return _from_state_dict(module_or_state_dict)
    raise ConversionError(f"read_torch needs an nn.Sequential or a state_dict, "
                          f"got {type(module_or_state_dict).__name__}")


def optional_import(module: str, requirement: str):
    """``module``, or a :class:`ConversionError` saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConversionError(f"this reader needs {module}: pip install '{requirement}' (or neurodyn's test "
                              f"extra)") from None


def import_torch():
    """The torch module, or a :class:`ConversionError` saying how to install it."""
    try:
        import torch
    except ImportError:
        raise ConversionError("reading PyTorch models needs torch: pip install 'neurodyn[torch]'") from None
    return torch


def affine_types(torch) -> tuple:
    nn = torch.nn
    return (nn.Linear, nn.Conv1d, nn.Conv2d, nn.AvgPool1d, nn.AvgPool2d, nn.Flatten, nn.Identity, nn.Dropout,
            nn.BatchNorm1d, nn.BatchNorm2d)


def _from_sequential(module, torch, input_shape) -> DenseNetwork:
    children = list(module.children()) if isinstance(module, torch.nn.Sequential) else [module]
    affine = affine_types(torch)
    runs: list[list[tuple[str, object]]] = [[]]
    activations: list[str] = []
    for index, child in enumerate(children):
        where = f"module {index} ({type(child).__name__})"
        if isinstance(child, torch.nn.ReLU):
            if not any(not isinstance(m, (torch.nn.Flatten, torch.nn.Identity)) for _, m in runs[-1]):
                raise ConversionError(f"{where}: ReLU must follow a Linear, convolution or pooling layer")
            activations.append("relu")
            runs.append([])
        elif isinstance(child, affine):
            runs[-1].append((where, child))
        else:
            names = ", ".join(t.__name__ for t in affine)
            raise ConversionError(f"{where}: unsupported layer type {type(child).__name__}; supported: ReLU, {names}")
    if not runs[-1]:
        runs.pop()
    else:
        activations.append("linear")
    if not runs:
        raise ConversionError("the PyTorch module has no Linear, convolution or pooling layer")
    shape = first_shape(runs[0], torch, input_shape)
    layers = []
    for run, activation in zip(runs, activations):
        weight, bias, shape = probe_affine(run, shape, torch)
        layers.append(DenseLayer(weight, bias, activation, name=" + ".join(where for where, _ in run)))
    return DenseNetwork(tuple(layers))


def first_shape(run, torch, input_shape) -> tuple[int, ...]:
    if input_shape is not None:
        return tuple(int(n) for n in input_shape)
    first = next((m for _, m in run if not isinstance(m, (torch.nn.Flatten, torch.nn.Identity, torch.nn.Dropout))))
    if isinstance(first, torch.nn.Linear):
        return (first.in_features,)
    where = next(w for w, m in run if m is first)
    raise ConversionError(f"{where}: give input_shape (without the batch dimension, e.g. (1, 8, 8)) to read "
                          f"convolution or pooling layers")


def probe_affine(run, shape, torch):
    """``(W, b, output shape)`` of an affine run, from its outputs for 0 and the unit inputs."""
    import copy

    sequence = copy.deepcopy(torch.nn.Sequential(*(m for _, m in run))).double().eval()
    n_in = int(np.prod(shape))
    inputs = torch.cat([torch.zeros(1, n_in, dtype=torch.float64), torch.eye(n_in, dtype=torch.float64)])
    try:
        with torch.no_grad():
            outputs = sequence(inputs.reshape(n_in + 1, *shape))
    except RuntimeError as error:
        where = run[0][0] if len(run) == 1 else f"{run[0][0]} ... {run[-1][0]}"
        raise ConversionError(f"{where}: input of shape {shape} does not fit ({str(error).splitlines()[0]})") from None
    output_shape = tuple(outputs.shape[1:])
    outputs = outputs.reshape(n_in + 1, -1).numpy()
    return (outputs[1:] - outputs[0]).T, outputs[0], output_shape


def _from_state_dict(state_dict: dict) -> DenseNetwork:
    for key in state_dict:
        name = str(key).rsplit(".", 1)[-1]
        if name not in ("weight", "bias") or "embed" in str(key).lower():
            raise ConversionError(f"state_dict entry {key!r} is not a Linear layer's weight or bias (an RNN, "
                                  f"Embedding, BatchNorm or other layer?); a state_dict may hold Linear layers only: "
                                  f"pass the nn.Sequential to read other layers")
    weights = [key for key in state_dict if key.endswith("weight")]
    if not weights:
        raise ConversionError("state_dict has no '*.weight' entries")
    arrays = []
    for key in weights:
        prefix = key[: -len("weight")]
        weight = np.asarray(state_dict[key].detach().cpu().numpy() if hasattr(state_dict[key], "detach")
                            else state_dict[key])
        bias = state_dict.get(prefix + "bias")
        bias = None if bias is None else np.asarray(bias.detach().cpu().numpy() if hasattr(bias, "detach") else bias)
        if weight.ndim != 2:
            raise ConversionError(f"state_dict entry {key!r}: shape {weight.shape} is not a Linear weight "
                                  f"(only Linear layers are supported)")
        arrays.append((key, weight, bias))
    last = len(arrays) - 1
    return DenseNetwork(tuple(DenseLayer(w, b, "linear" if k == last else "relu", name=f"state_dict {key!r}")
                              for k, (key, w, b) in enumerate(arrays)))
