"""Writes the seed corpora for the fuzz targets (small valid files, one folder per reader).

Run from this folder: `python3 make_corpus.py` (numpy and safetensors, versions as in
Tests/PerceptronTests/Fixtures/Formats/requirements.txt). Every file is under 1 KB so the
fuzzer mutates real structure, not bulk data.
"""

import gzip
import io
import os
import struct

import numpy as np
from safetensors.numpy import save as save_safetensors


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=False)
    return buffer.getvalue()


def values(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    return ((np.arange(n) - 3) * 0.25).astype(dtype).reshape(shape)


def idx(array, code):
    """IDX: two zero bytes, the type code, the rank, big-endian u32 dimensions, big-endian data."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def model(layers, sizes, dtype, loss=None):
    """A model file as issue 5 specifies: `{i}.weight` [out, in], `{i}.bias` [out]."""
    tensors = {}
    width = 0
    for i, kind in enumerate(layers.split(",")):
        if kind == "linear":
            n_in, n_out = sizes[width], sizes[width + 1]
            tensors[f"{i}.weight"] = values((n_out, n_in), dtype)
            tensors[f"{i}.bias"] = values((n_out,), dtype)
            width += 1
    metadata = {"perceptron.layers": layers}
    if loss:
        metadata["perceptron.loss"] = loss
    return save_safetensors(tensors, metadata=metadata)


# safetensors: every dtype, scalars, empty tensors, metadata, no tensors at all.
st = "Safetensors"
write(st, "f32_2x3.safetensors", save_safetensors({"w": values((2, 3), np.float32)}))
write(st, "f64_bias.safetensors", save_safetensors({"b": values((3,), np.float64)}, metadata={"k": "v"}))
write(st, "f16_scalar.safetensors", save_safetensors({"h": values((), np.float16)}))
write(st, "ints.safetensors", save_safetensors({
    "a": np.arange(3, dtype=np.int32), "b": np.arange(2, dtype=np.int64), "c": np.arange(4, dtype=np.uint8)}))
write(st, "empty_tensor.safetensors", save_safetensors({"e": np.zeros((0, 4), np.float32)}))
write(st, "no_tensors.safetensors", save_safetensors({}, metadata={"note": "ünïcode \"q\""}))
write(st, "model.safetensors", model("linear,relu,linear", [3, 4, 2], np.float32))

# .npy: versions 1.0-3.0, every dtype the reader takes, Fortran order of a vector, scalars.
n = "NPY"
write(n, "f32_2x3.npy", npy(values((2, 3), np.float32)))
write(n, "f64_v2_3.npy", npy(values((3,), np.float64), version=(2, 0)))
write(n, "f16_v3_2x2.npy", npy(values((2, 2), np.float16), version=(3, 0)))
write(n, "i32_4.npy", npy(np.arange(4, dtype=np.int32)))
write(n, "i64_2x1.npy", npy(np.arange(2, dtype=np.int64).reshape(2, 1)))
write(n, "u8_2x2x2.npy", npy(np.arange(8, dtype=np.uint8).reshape(2, 2, 2)))
write(n, "f64_scalar.npy", npy(np.float64(1.5)))
write(n, "f32_empty.npy", npy(np.zeros((0, 3), np.float32)))
write(n, "f32_fortran_vector.npy", npy(np.asfortranarray(values((1, 3), np.float32))))

# IDX, plain and gzip: labels (idx1 u8), images (idx3 u8), and the wider types.
i = "IDX"
labels = np.array([9, 0, 3, 7], np.uint8)
images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
write(i, "labels-idx1-ubyte", idx(labels, 0x08))
write(i, "images-idx3-ubyte", idx(images, 0x08))
write(i, "labels-idx1-ubyte.gz", gzip.compress(idx(labels, 0x08), mtime=0))
write(i, "images-idx3-ubyte.gz", gzip.compress(idx(images, 0x08), mtime=0))
write(i, "i8-idx1", idx(np.array([-1, 2], np.int8), 0x09))
write(i, "i16-idx2", idx(np.arange(4, dtype=np.int16).reshape(2, 2), 0x0B))
write(i, "i32-idx1", idx(np.arange(3, dtype=np.int32), 0x0C))
write(i, "f32-idx2", idx(values((2, 2), np.float32), 0x0D))
write(i, "f64-idx1", idx(values((2,), np.float64), 0x0E))

# Model files: the layer kinds, both dtypes, each loss.
m = "ModelFile"
write(m, "linear.safetensors", model("linear", [3, 2], np.float32))
write(m, "mlp_relu.safetensors", model("linear,relu,linear", [4, 3, 2], np.float32))
write(m, "mlp_all_kinds.safetensors", model(
    "linear,leaky_relu,linear,sigmoid,linear,tanh,linear,gelu,linear", [2, 3, 3, 2, 2, 2], np.float64, loss="mse"))
write(m, "bce.safetensors", model("linear,sigmoid", [2, 1], np.float64, loss="bce"))
write(m, "cross_entropy.safetensors", model("linear,relu,linear", [2, 2, 3], np.float32, loss="cross-entropy"))
