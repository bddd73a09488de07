#!/usr/bin/env python3
"""The PyTorch peer of perceptron-bench: the same 784-256-128-10 MLP (ReLU, softmax
cross-entropy, Adam 1e-3), float32 on the CPU, at the same thread counts.

Measures, like perceptron-bench (median with min and max over samples after warm-up; a sample
times enough back-to-back calls to last about 20 ms):
  - training step (zero_grad, forward, loss, backward, Adam step) at batch 32, 128, 256;
  - inference (torch.inference_mode) of 1 sample and of a batch of 128;
  - one epoch of Fashion-MNIST (60,000 images, batch 128, shuffled), wall time.
Writes JSON rows with the keys of perceptron-bench's JSON (backend "pytorch").

Usage: python3 pytorch_bench.py [--threads 1,2] [--quick] [--json FILE] [--sections step,inference,epoch]
Never part of CI (PyTorch is a large install).
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

WIDTHS = [784, 256, 128, 10]


def make_model(seed):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(WIDTHS) - 1):
        layers.append(nn.Linear(WIDTHS[i], WIDTHS[i + 1]))
        if i < len(WIDTHS) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def measure(body, samples, sample_seconds, warmup):
    """Seconds per call of body: one value per sample, after warm-up."""
    for _ in range(warmup):
        body()
    t0 = time.perf_counter()
    body()
    once = max(time.perf_counter() - t0, 1e-9)
    iterations = max(1, int(sample_seconds / once))
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(iterations):
            body()
        out.append((time.perf_counter() - t0) / iterations)
    return out


def summary(values, scale):
    return statistics.median(values) * scale, min(values) * scale, max(values) * scale


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(data_dir):
    images = os.path.join(data_dir, "train-images-idx3-ubyte.gz")
    labels = os.path.join(data_dir, "train-labels-idx1-ubyte.gz")
    if not (os.path.exists(images) and os.path.exists(labels)):
        g = torch.Generator().manual_seed(1)
        return torch.rand(60000, 784, generator=g), torch.randint(0, 10, (60000,), generator=g), "synthetic"
    x = torch.from_numpy(read_idx(images).reshape(-1, 784).astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(labels).astype(np.int64))
    return x, y, "fashion-mnist"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batches", default="32,128,256")
    p.add_argument("--sections", default="step,inference,epoch")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    batches = [int(b) for b in a.batches.split(",")]
    sections = a.sections.split(",")
    samples, sample_seconds, warmup = (5, 0.005, 2) if a.quick else (15, 0.02, 5)
    torch.set_num_interop_threads(1)
    report = {"machine": {"torch": torch.__version__, "cores": os.cpu_count(),
                          "openBLASEnvironment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}},
              "trainingStep": [], "inference": [], "epoch": [], "notes": []}
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(42)

    for t in threads:
        torch.set_num_threads(t)
        if "step" in sections:
            for b in batches:
                model = make_model(0)
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                x = torch.rand(b, 784, generator=g)
                y = torch.randint(0, 10, (b,), generator=g)

                def step():
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    opt.step()

                med, lo, hi = summary(measure(step, samples, sample_seconds, warmup), 1e3)
                report["trainingStep"].append({"batch": b, "threads": t, "backend": "pytorch", "medianMs": med,
                                               "minMs": lo, "maxMs": hi, "samplesPerSecond": b / med * 1e3})
                print(f"step  batch {b:4d}  {t}t  {med:8.3f} ms ({lo:.3f}–{hi:.3f})", flush=True)
        if "inference" in sections:
            model = make_model(0).eval()
            for b in [1, 128]:
                x = torch.rand(b, 784, generator=g)

                def infer():
                    with torch.inference_mode():
                        model(x)

                med, lo, hi = summary(measure(infer, samples, sample_seconds, warmup), 1e6)
                report["inference"].append({"batch": b, "threads": t, "backend": "pytorch", "medianUs": med,
                                            "minUs": lo, "maxUs": hi})
                print(f"infer batch {b:4d}  {t}t  {med:8.1f} µs ({lo:.1f}–{hi:.1f})", flush=True)
        if "epoch" in sections:
            xs, ys, source = load_fashion_mnist(a.data_dir)
            n = xs.shape[0] // 10 if a.quick else xs.shape[0]
            xs, ys = xs[:n], ys[:n]
            model = make_model(0)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            batch = 128

            def epoch():
                order = torch.randperm(n, generator=g)
                for start in range(0, n, batch):
                    idx = order[start:start + batch]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(xs[idx]), ys[idx])
                    loss.backward()
                    opt.step()

            for _ in range(3):  # warm-up steps
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xs[:batch]), ys[:batch]).backward()
                opt.step()
            t0 = time.perf_counter()
            epoch()
            seconds = time.perf_counter() - t0
            report["epoch"].append({"backend": "pytorch", "threads": t, "seconds": seconds, "batch": batch,
                                    "samples": n, "data": source})
            print(f"epoch {n} samples ({source})  {t}t  {seconds:.3f} s", flush=True)

    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
        os.replace(tmp, a.json)


if __name__ == "__main__":
    sys.exit(main())
