"""PyTorch -> Perceptron -> PyTorch round trip of the MLP issue 15 names.

Usage (from the repository root, after `swift build`; needs torch, safetensors, numpy):

    python3 Scripts/reference/round_trip.py [--perceptron .build/debug/perceptron]

1. Builds nn.Sequential(Linear, BatchNorm1d, ReLU, Dropout(0.2), Linear, LayerNorm, SiLU, Linear)
   in float64, trains it a few steps in PyTorch (so the running statistics are not the fresh
   ones), and saves it with safetensors.torch.save_file and Perceptron's metadata.
2. `perceptron predict` on it: the logits must equal model.eval()'s to 1e-12.
3. `perceptron gradients` (evaluation mode) must equal autograd's under model.eval() to 1e-12.
4. `perceptron train --init` trains it further and saves it; the file must load into a fresh
   nn.Sequential with load_state_dict(strict=True), and PyTorch's eval() logits on it must
   equal `perceptron predict` on the same file to 1e-12.
Exits non-zero on any mismatch; prints one line per step.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn
from safetensors.torch import load_file, save_file

LAYERS = "linear,batch_norm,relu,dropout(0.2),linear,layer_norm,silu,linear"


def sequential():
    return nn.Sequential(
        nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 12), nn.LayerNorm(12),
        nn.SiLU(), nn.Linear(12, 3)).double()


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(command)}\n{result.stderr}")
    return result.stdout


def check(name, a, b, tolerance=1e-12):
    error = (a - b).abs().max().item() / max(b.abs().max().item(), 1e-300)
    print(f"{name}: max relative difference {error:.2e} (tolerance {tolerance:.0e})")
    if not error <= tolerance:
        sys.exit(f"FAILED: {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--perceptron", default=".build/debug/perceptron")
    binary = os.path.abspath(parser.parse_args().perceptron)
    torch.manual_seed(15)
    model = sequential()
    x = torch.randn(64, 6, dtype=torch.float64)
    y = (x[:, 0] * x[:, 1] > 0).long() + (x[:, 2] > 1).long()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for start in range(0, 64, 16):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x[start:start + 16]), y[start:start + 16]).backward()
        optimizer.step()
    with tempfile.TemporaryDirectory() as folder:
        def path(name):
            return os.path.join(folder, name)

        state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
        save_file(state, path("torch.safetensors"), metadata={"perceptron.layers": LAYERS, "perceptron.loss": "cross-entropy"})
        np.save(path("x.npy"), x.numpy())
        np.save(path("y.npy"), y.numpy())
        print(f"saved by safetensors.torch.save_file: {', '.join(state)}")

        model.eval()
        run([binary, "predict", "--model", path("torch.safetensors"), "--input", path("x.npy"), "--output",
             path("logits.npy"), "--logits", "--backend", "naive"])
        check("perceptron predict vs model.eval()", torch.from_numpy(np.load(path("logits.npy"))), model(x).detach())

        xg = x.clone().requires_grad_(True)
        model.zero_grad()
        nn.CrossEntropyLoss()(model(xg), y).backward()
        run([binary, "gradients", "--model", path("torch.safetensors"), "--input", path("x.npy"), "--targets",
             path("y.npy"), "--output", path("gradients.safetensors"), "--backend", "naive"])
        gradients = load_file(path("gradients.safetensors"))
        for key, p in model.named_parameters():
            check(f"perceptron gradients {key} vs autograd (eval)", gradients[key], p.grad)
        check("perceptron gradients input vs autograd (eval)", gradients["input"], xg.grad)

        run([binary, "train", "--init", path("torch.safetensors"), "--input", path("x.npy"), "--targets", path("y.npy"),
             "--epochs", "2", "--batch-size", "16", "--optimizer", "sgd", "--learning-rate", "0.05",
             "--output", path("trained.safetensors")])
        back = sequential()
        back.load_state_dict(load_file(path("trained.safetensors")), strict=True)
        back.eval()
        print("trained by perceptron, loaded by load_state_dict(strict=True): "
              f"num_batches_tracked {int(back[1].num_batches_tracked)} (was {int(model[1].num_batches_tracked)})")
        if int(back[1].num_batches_tracked) != int(model[1].num_batches_tracked) + 8:
            sys.exit("FAILED: num_batches_tracked is not 8 steps more")
        run([binary, "predict", "--model", path("trained.safetensors"), "--input", path("x.npy"), "--output",
             path("logits2.npy"), "--logits", "--backend", "naive"])
        check("perceptron predict vs PyTorch eval() on the trained file", torch.from_numpy(np.load(path("logits2.npy"))),
              back(x).detach())
    print("round trip: all checks passed")


if __name__ == "__main__":
    main()
