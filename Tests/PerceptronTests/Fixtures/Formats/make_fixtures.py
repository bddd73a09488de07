"""Writes the small reference files the Formats tests read.

Run from this folder: `python3 make_fixtures.py` (versions pinned in requirements.txt).
Every float tensor holds v[i] = (i - 3) * 0.25 in C order (exact in every float dtype),
every integer tensor v[i] = i - 3 (uint8: i), so the tests can check values by formula.
"""

import gzip
import io
import os

import numpy as np
import torch
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch


def floats(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    return ((np.arange(n) - 3) * 0.25).astype(dtype).reshape(shape)


def ints(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    base = np.arange(n) if dtype == np.uint8 else np.arange(n) - 3
    return base.astype(dtype).reshape(shape)


def save_npy(name, array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=False)
    with open(name, "wb") as f:
        f.write(buffer.getvalue())


save_npy("f32_2x3.npy", floats((2, 3), np.float32))
save_npy("f64_scalar.npy", floats((), np.float64))
save_npy("f64_1x1.npy", floats((1, 1), np.float64))
save_npy("f16_5.npy", floats((5,), np.float16))
save_npy("i32_3x1.npy", ints((3, 1), np.int32))
save_npy("i64_7.npy", ints((7,), np.int64))
save_npy("u8_0.npy", ints((0,), np.uint8))
save_npy("u8_2x2x3.npy", ints((2, 2, 3), np.uint8))
save_npy("f32_v2_3.npy", floats((3,), np.float32), version=(2, 0))
save_npy("f64_v3_2x2.npy", floats((2, 2), np.float64), version=(3, 0))
# Rejected by design: big-endian and Fortran order.
save_npy("f32_big_endian_3.npy", floats((3,), ">f4"))
save_npy("f64_fortran_2x3.npy", np.asfortranarray(floats((2, 3), np.float64)))

save_numpy(
    {
        "weight": floats((2, 3), np.float32),
        "bias": floats((2,), np.float32),
        "double": floats((1, 1), np.float64),
        "half": floats((4,), np.float16),
        "labels": ints((3,), np.int64),
        "count": ints((2,), np.int32),
        "pixels": ints((5,), np.uint8),
        "empty": floats((0,), np.float32),
        "scalar": floats((), np.float64),
    },
    "mixed.safetensors",
    metadata={"note": "ünïcode ✓ \"quoted\"\ttab"},
)
save_torch(
    {"b": torch.tensor(floats((3,), np.float32)).to(torch.bfloat16)},
    "bf16.safetensors",
)


def idx(array):
    """The IDX bytes of an unsigned-byte array: 00 00 08 ndim, big-endian sizes, data."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def save_gzip(name, data):
    # mtime=0 keeps the bytes reproducible.
    with open(name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data)


# A tiny MNIST-format folder: pixel (n, r, c) = 40 n + 10 r + c, label n % 10.
os.makedirs("mnist-tiny", exist_ok=True)
for split, count in [("train", 4), ("t10k", 2)]:
    n, r, c = np.meshgrid(np.arange(count), np.arange(2), np.arange(3), indexing="ij")
    save_gzip(f"mnist-tiny/{split}-images-idx3-ubyte.gz", idx(40 * n + 10 * r + c))
    save_gzip(f"mnist-tiny/{split}-labels-idx1-ubyte.gz", idx(np.arange(count) % 10))


# A PyTorch model with every layer kind, saved as Perceptron's model file, plus the output and
# cross-entropy gradients PyTorch computes for a fixed input (float64).
torch.manual_seed(0)
kinds = ["linear", "relu", "linear", "tanh", "linear", "sigmoid", "linear", "gelu", "linear", "leaky_relu", "linear"]
sizes = [3, 5, 4, 4, 3, 3, 2]
modules, widths = [], iter(zip(sizes, sizes[1:]))
for kind in kinds:
    if kind == "linear":
        modules.append(torch.nn.Linear(*next(widths)))
    else:
        modules.append({"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(), "sigmoid": torch.nn.Sigmoid(),
                        "gelu": torch.nn.GELU(), "leaky_relu": torch.nn.LeakyReLU()}[kind])
model = torch.nn.Sequential(*modules).double()
metadata = {"perceptron.layers": ",".join(kinds), "perceptron.loss": "cross-entropy"}
save_torch(model.state_dict(), "model_f64.safetensors", metadata=metadata)
save_torch({k: v.float() for k, v in model.state_dict().items()}, "model_f32.safetensors",
           metadata={"perceptron.layers": ",".join(kinds)})
x = torch.tensor(floats((2, 3), np.float64), requires_grad=True)
output = model(x)
loss = torch.nn.functional.cross_entropy(output, torch.tensor([1, 0]))
loss.backward()
gradients = {name: p.grad for name, p in model.named_parameters()}
gradients["loss"] = loss.detach()
gradients["input"] = x.grad
save_torch(gradients, "model_f64_gradients.safetensors")
save_npy("model_f64_output.npy", output.detach().numpy())
