"""Dense matrices of NIR's linear nodes (Conv2d, SumPool2d, AvgPool2d) on a given input shape.

A convolution is a linear map of the flattened input (C-order, channels first, as NIR and
PyTorch flatten): ``y = W x + b``. The matrix is built by index arithmetic (zero entries give
no synapses); the semantics are PyTorch's ``conv2d`` (cross-correlation with stride,
integer or 'same'/'valid' padding, dilation and groups) and ``avg_pool2d`` with
``count_include_pad=True``.
"""
from __future__ import annotations

import numpy as np

from neurodyn.convert.layers import ConversionError


def _pair(value) -> tuple[int, int]:
    array = np.atleast_1d(np.asarray(value, dtype=int)).ravel()
    return (int(array[0]), int(array[0])) if array.size == 1 else (int(array[0]), int(array[1]))


def conv2d_matrix(weight: np.ndarray, bias: np.ndarray | None, in_shape: tuple[int, int, int], stride=1,
                  padding=0, dilation=1, groups: int = 1, where: str = "Conv2d"):
    """``(W, b, out_shape)`` of a 2-d convolution on inputs of shape ``(C_in, H, W)``."""
    c_out, c_in_group, kh, kw = weight.shape
    c_in, height, width = in_shape
    if c_in != c_in_group * groups or c_out % groups:
        raise ConversionError(f"{where}: weight {weight.shape} with groups={groups} does not fit "
                              f"{c_in} input channels")
    (sy, sx), (dy, dx) = _pair(stride), _pair(dilation)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ConversionError(f"{where}: padding must be an integer, 'same' or 'valid', got {padding!r}")
        py, px = ((dy * (kh - 1)) // 2, (dx * (kw - 1)) // 2) if padding == "same" else (0, 0)
    else:
        py, px = _pair(padding)
    out_h = (height + 2 * py - dy * (kh - 1) - 1) // sy + 1
    out_w = (width + 2 * px - dx * (kw - 1) - 1) // sx + 1
    if out_h < 1 or out_w < 1:
        raise ConversionError(f"{where}: kernel {kh}x{kw} does not fit the input {height}x{width}")
    co, ci, ky, kx, oy, ox = np.meshgrid(np.arange(c_out), np.arange(c_in_group), np.arange(kh), np.arange(kw),
                                         np.arange(out_h), np.arange(out_w), indexing="ij")
    iy, ix = oy * sy - py + ky * dy, ox * sx - px + kx * dx
    channel = (co // (c_out // groups)) * c_in_group + ci
    inside = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
    rows = ((co * out_h + oy) * out_w + ox)[inside]
    columns = ((channel * height + iy) * width + ix)[inside]
    matrix = np.zeros((c_out * out_h * out_w, c_in * height * width))
    np.add.at(matrix, (rows, columns), weight[co, ci, ky, kx][inside])
    bias = np.zeros(c_out) if bias is None else np.broadcast_to(np.asarray(bias, dtype=float).ravel(), (c_out,))
    return matrix, np.repeat(bias, out_h * out_w), (c_out, out_h, out_w)


def pool2d_matrix(kind: str, in_shape: tuple[int, int, int], kernel_size, stride, padding, where: str):
    """``(W, b, out_shape)`` of sum or average pooling (average: divided by the kernel area)."""
    channels = in_shape[0]
    kh, kw = _pair(kernel_size)
    kernel = np.zeros((channels, 1, kh, kw))
    kernel[:] = 1.0 if kind == "SumPool2d" else 1.0 / (kh * kw)
    return conv2d_matrix(kernel, None, in_shape, stride, padding, 1, channels, where)
