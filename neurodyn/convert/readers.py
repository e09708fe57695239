"""Readers that turn trained weights into a :class:`~neurodyn.convert.layers.DenseNetwork`.

NumPy ``.npz`` layout (what :func:`write_npz` writes and :func:`read_npz` reads)::

    layer0_weight      (n_1, n_0)   float    first dense layer, nn.Linear convention (out, in)
    layer0_bias        (n_1,)       float    optional (zeros)
    layer0_activation  ()           str      optional: "relu" or "linear"
    layer1_weight      (n_2, n_1)   ...
    ...

Layers are numbered 0, 1, ... without gaps; activations default to ReLU for every layer but
the last, which is linear (the class scores). Other keys are ignored.

PyTorch: :func:`read_torch` takes an ``nn.Sequential`` of ``Linear``, ``ReLU`` and ``Flatten``
(or a ``state_dict`` of Linear layers, in key order); it needs the optional ``torch`` extra.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from neurodyn.convert.layers import ConversionError, DenseLayer, DenseNetwork

_NPZ_KEY = re.compile(r"^layer(\d+)_(weight|bias|activation)$")


def read_npz(path) -> DenseNetwork:
    """The network stored in ``path`` (layout in the module docstring)."""
    path = Path(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ConversionError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ConversionError(f"{path}: not a readable .npz archive ({error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ConversionError(f"{path}: a single .npy array, not an .npz archive of layers")
    with archive:
        arrays = {key: archive[key] for key in archive.files}
    fields: dict[int, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        match = _NPZ_KEY.match(key)
        if match:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = value
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
    np.savez(path, **arrays)


def read_torch(module_or_state_dict) -> DenseNetwork:
    """A network from an ``nn.Sequential`` (Linear, ReLU, Flatten) or a Linear-only ``state_dict``.

    A ``state_dict`` holds no activations: ReLU is assumed between layers, none after the last.
    """
    torch = import_torch()
    if isinstance(module_or_state_dict, torch.nn.Module):
        return _from_sequential(module_or_state_dict, torch)
    if isinstance(module_or_state_dict, dict):
        return _from_state_dict(module_or_state_dict)
    raise ConversionError(f"read_torch needs an nn.Sequential or a state_dict, "
                          f"got {type(module_or_state_dict).__name__}")


def import_torch():
    """The torch module, or a :class:`ConversionError` saying how to install it."""
    try:
        import torch
    except ImportError:
        raise ConversionError("reading PyTorch models needs torch: pip install 'neurodyn[torch]'") from None
    return torch


def _from_sequential(module, torch) -> DenseNetwork:
    children = list(module.children()) if isinstance(module, torch.nn.Sequential) else [module]
    layers: list[DenseLayer] = []
    for index, child in enumerate(children):
        where = f"module {index} ({type(child).__name__})"
        if isinstance(child, torch.nn.Linear):
            bias = None if child.bias is None else child.bias.detach().cpu().numpy()
            layers.append(DenseLayer(child.weight.detach().cpu().numpy(), bias, "linear", name=where))
        elif isinstance(child, torch.nn.ReLU):
            if not layers or layers[-1].activation != "linear":
                raise ConversionError(f"{where}: ReLU must follow a Linear layer")
            last = layers[-1]
            layers[-1] = DenseLayer(last.weight, last.bias, "relu", name=last.name)
        elif isinstance(child, torch.nn.Flatten):
            if layers:
                raise ConversionError(f"{where}: Flatten is supported only before the first Linear layer")
        else:
            raise ConversionError(f"{where}: unsupported layer type {type(child).__name__}; "
                                  f"supported: Linear, ReLU, Flatten")
    return DenseNetwork(tuple(layers))


def _from_state_dict(state_dict: dict) -> DenseNetwork:
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
