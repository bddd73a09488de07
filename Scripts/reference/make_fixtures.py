"""Writes the PyTorch reference fixtures that Perceptron is checked against (issue 6).

Usage (from the repository root; versions pinned in requirements.txt):

    python3 Scripts/reference/make_fixtures.py [--output DIR]

DIR defaults to Tests/PerceptronTests/Fixtures/Reference. The script is deterministic: every
case draws its parameters, inputs and targets from a torch.Generator seeded with the CRC-32 of
the case name, so re-running it rewrites byte-identical files (adding a case changes no other).
`perceptron verify --reference DIR` checks an installation against any folder this writes.

Everything is computed by PyTorch's own modules, losses and optimizers -- nn.Linear, nn.ReLU,
nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.GELU() (exact erf form), nn.Softmax(dim=1), nn.SiLU,
nn.Softplus, nn.ELU, nn.Dropout, nn.LayerNorm, nn.BatchNorm1d (random weight, bias and running
statistics, so that every path is exercised),
nn.CrossEntropyLoss (class indices and probability rows), nn.MSELoss, nn.BCEWithLogitsLoss,
nn.NLLLoss on log-probabilities, torch.optim.SGD / Adam / AdamW -- and autograd, so the
reference shares no code or derivation with Perceptron.

Layout: one folder per case, `case-NAME/`, holding

  model.safetensors     The network before any step, in the project's model-file layout: the
                        nn.Sequential state_dict names (linear module i -> `{i}.weight` [out, in],
                        `{i}.bias` [out]), one dtype for all tensors, `__metadata__`
                        `perceptron.layers` (module kinds in order, comma-separated, with
                        arguments in parentheses: `batch_norm(0.001,0.3)`), layer_norm and
                        batch_norm tensors (`running_mean`, `running_var`, `num_batches_tracked`
                        I64) as in the state_dict, and
                        `perceptron.loss` (cross-entropy | mse | bce | categorical-cross-entropy).
  input.npy             X [N, in], the model's dtype.
  targets.npy           int64 [N] class indices, or [N, C] rows in the model's dtype: probability
                        rows for the cross-entropies, values for mse and bce (bce: in [0, 1]).
  expected.safetensors  For the model in model.safetensors on the whole of input/targets, in the
                        case's mode (case.json `mode`: "train" = model.train(), the default, or
                        "eval" = model.eval(); training itself always runs in model.train()):
                        `logits` [N, out]  the raw last-module output,
                        `output` [N, out]  the loss's head on it (softmax for cross-entropy,
                                           sigmoid for bce, identity for mse and
                                           categorical-cross-entropy),
                        `loss`   []        the mean loss (PyTorch's reduction="mean"),
                        `input`  [N, in]   dL/dX,
                        `{i}.weight`, `{i}.bias`  dL/dparameter under the model's own names.
                        All in the model's dtype. This is exactly what `perceptron gradients`
                        writes, plus `logits` and `output`.
  case.json             Flat JSON object: `description`, `dtype` ("float32" | "float64"),
                        `training` (false, or true for a training case). A training case adds
                        `optimizer` ("sgd" | "adam" | "adamw"), `learning_rate`, `momentum`,
                        `nesterov`, `weight_decay`, `beta1`, `beta2`, `eps`, `epochs`,
                        `batch_size`, `shuffle` (always false). Unused hyperparameters hold
                        PyTorch's defaults.
  trained.safetensors   Training cases only: the model after `epochs` passes over input/targets
                        in order, in batches of `batch_size` (the last partial batch included,
                        its loss averaged over its own rows), one optimizer step per batch,
                        starting from model.safetensors; same layout and metadata as the model.

Optimizer semantics are PyTorch's: SGD with dampening 0, L2 weight decay added to the gradient,
optional Nesterov; Adam with L2 weight decay added to the gradient; AdamW with decoupled decay.
Weight decay applies to every parameter, biases included (one parameter group).
"""

import argparse
import json
import os
import shutil
import zlib

import tempfile

import numpy as np
import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import save_file

DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "PerceptronTests", "Fixtures", "Reference")

MODULES = {
    "relu": lambda: nn.ReLU(),
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "sigmoid": lambda: nn.Sigmoid(),
    "tanh": lambda: nn.Tanh(),
    "gelu": lambda: nn.GELU(),  # approximate="none": the exact erf form
    "softmax": lambda: nn.Softmax(dim=1),
}


def parse_kind(kind):
    """`softplus(2,1)` -> ("softplus", [2.0, 1.0]); `relu` -> ("relu", [])."""
    if "(" not in kind:
        return kind, []
    name, rest = kind.split("(", 1)
    return name, [float(a) for a in rest.rstrip(")").split(",") if a.strip()]


def make_module(kind, width, dtype, generator):
    """The PyTorch module of a model-file kind with arguments (PyTorch's defaults otherwise).

    Normalisations get random parameters (and running statistics), drawn from `generator`, so
    that every gradient path is exercised."""
    name, args = parse_kind(kind)
    if name in MODULES and not args:
        return MODULES[name]()
    if name == "leaky_relu":
        return nn.LeakyReLU(*args)
    if name == "silu":
        return nn.SiLU()
    if name == "softplus":
        return nn.Softplus(*args)
    if name == "elu":
        return nn.ELU(*args)
    if name == "dropout":
        return nn.Dropout(*args)

    def uniform(low, high):
        return torch.rand(width, generator=generator, dtype=torch.float64) * (high - low) + low

    if name == "layer_norm":
        module = nn.LayerNorm(width, *args, dtype=dtype)
        with torch.no_grad():
            module.weight.copy_(uniform(0.5, 1.5))
            module.bias.copy_(uniform(-0.5, 0.5))
        return module
    if name == "batch_norm":
        module = nn.BatchNorm1d(width, *args, dtype=dtype)
        with torch.no_grad():
            module.weight.copy_(uniform(0.5, 1.5))
            module.bias.copy_(uniform(-0.5, 0.5))
            module.running_mean.copy_(uniform(-0.5, 0.5))
            module.running_var.copy_(uniform(0.5, 2.0))
            module.num_batches_tracked.fill_(3)
        return module
    raise ValueError(kind)


def mlp_kinds(sizes, activation):
    """linear, act, linear, ..., linear for widths `sizes` (input first)."""
    kinds = []
    for i in range(len(sizes) - 1):
        if i > 0:
            kinds.append(activation)
        kinds.append("linear")
    return kinds


def build(kinds, sizes, dtype, generator):
    """nn.Sequential of `kinds`; the linear layers take the widths in `sizes` in order.

    Parameters use nn.Linear's default initialisation, drawn from `generator`.
    """
    modules = []
    widths = iter(zip(sizes[:-1], sizes[1:]))
    width = sizes[0]
    for kind in kinds:
        if kind == "linear":
            fan_in, fan_out = next(widths)
            layer = nn.Linear(fan_in, fan_out, dtype=dtype)
            bound = 1.0 / fan_in ** 0.5  # nn.Linear's default: U(-1/sqrt(in), 1/sqrt(in))
            with torch.no_grad():
                layer.weight.copy_((torch.rand(fan_out, fan_in, generator=generator, dtype=torch.float64) * 2 - 1) * bound)
                layer.bias.copy_((torch.rand(fan_out, generator=generator, dtype=torch.float64) * 2 - 1) * bound)
            modules.append(layer)
            width = fan_out
        else:
            modules.append(make_module(kind, width, dtype, generator))
    return nn.Sequential(*modules)


def loss_value(loss, logits, targets):
    """PyTorch's loss for `loss` on the last module's output, mean over the batch."""
    if loss == "cross-entropy":
        return nn.CrossEntropyLoss()(logits, targets)  # indices or probability rows
    if loss == "mse":
        return nn.MSELoss()(logits, targets)
    if loss == "bce":
        return nn.BCEWithLogitsLoss()(logits, targets)
    if loss == "categorical-cross-entropy":
        # The last module is a softmax: `logits` are probabilities. L = -(1/N) sum t log y.
        if targets.dtype == torch.int64:
            return nn.NLLLoss()(torch.log(logits), targets)
        return -(targets * torch.log(logits)).sum(dim=1).mean()
    raise ValueError(loss)


def head(loss, logits):
    if loss == "cross-entropy":
        return torch.softmax(logits, dim=1)
    if loss == "bce":
        return torch.sigmoid(logits)
    return logits.clone()


def make_targets(loss, target_kind, n, classes, dtype, generator):
    if target_kind == "indices":
        return torch.randint(0, classes, (n,), generator=generator, dtype=torch.int64)
    if target_kind == "probabilities":
        raw = torch.rand(n, classes, generator=generator, dtype=torch.float64) * 3
        return torch.softmax(raw, dim=1).to(dtype)
    if loss == "bce":
        # Soft targets in [0, 1] with some exact 0s and 1s.
        t = torch.rand(n, classes, generator=generator, dtype=torch.float64)
        t = torch.where(t < 0.2, torch.zeros_like(t), torch.where(t > 0.8, torch.ones_like(t), t))
        return t.to(dtype)
    return torch.randn(n, classes, generator=generator, dtype=torch.float64).to(dtype)


def state(model):
    """The state_dict as contiguous CPU tensors (what save_file wants)."""
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def read_safetensors(path):
    with safe_open(path, framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata()


def same_safetensors(a, b):
    (ta, ma), (tb, mb) = read_safetensors(a), read_safetensors(b)
    return ma == mb and ta.keys() == tb.keys() and all(
        ta[k].dtype == tb[k].dtype and ta[k].shape == tb[k].shape and torch.equal(ta[k], tb[k]) for k in ta)


def install(new, path):
    """Moves `new` to `path` unless `path` already holds the same content.

    safetensors writes `__metadata__` keys in an unspecified order, so two runs can give
    different bytes for the same file; keeping the old file keeps re-runs free of diffs.
    """
    if os.path.exists(path):
        if path.endswith(".safetensors"):
            same = same_safetensors(new, path)
        else:
            with open(new, "rb") as f, open(path, "rb") as g:
                same = f.read() == g.read()
        if same:
            os.remove(new)
            return
    os.replace(new, path)


def write_case(root, name, initial, metadata, x, targets, expected, case, trained):
    """Writes one case folder (removing files no longer part of it); unchanged files are kept."""
    folder = os.path.join(root, f"case-{name}")
    os.makedirs(folder, exist_ok=True)
    for stale in set(os.listdir(folder)) - {"model.safetensors", "input.npy", "targets.npy", "expected.safetensors",
                                            "case.json"} - ({"trained.safetensors"} if trained is not None else set()):
        os.remove(os.path.join(folder, stale))
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        def put(filename, write):
            temporary = os.path.join(scratch, filename)
            write(temporary)
            install(temporary, os.path.join(folder, filename))

        put("model.safetensors", lambda p: save_file(initial, p, metadata=metadata))
        put("input.npy", lambda p: np.save(p, x.numpy()))
        put("targets.npy", lambda p: np.save(p, targets.numpy()))
        put("expected.safetensors", lambda p: save_file(expected, p))
        if trained is not None:
            put("trained.safetensors", lambda p: save_file(trained, p, metadata=metadata))

        def write_json(p):
            with open(p, "w") as f:
                json.dump(case, f, indent=2)
                f.write("\n")

        put("case.json", write_json)
    return folder


def make_case(root, spec):
    name = spec["name"]
    dtype = torch.float64 if spec.get("dtype", "float64") == "float64" else torch.float32
    generator = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    sizes = spec["sizes"]
    kinds = spec.get("kinds") or mlp_kinds(sizes, spec["activation"])
    loss = spec["loss"]
    n = spec["batch"]
    model = build(kinds, sizes, dtype, generator)
    x = (torch.randn(n, sizes[0], generator=generator, dtype=torch.float64) * spec.get("input_scale", 1.0)).to(dtype)

    if "logit_scale" in spec:
        # Scale the last linear layer so the largest |logit| is exactly logit_scale (±1e3, ±1e4).
        with torch.no_grad():
            peak = model(x).abs().max()
            last = [m for m in model if isinstance(m, nn.Linear)][-1]
            last.weight.mul_(spec["logit_scale"] / peak)
            last.bias.mul_(spec["logit_scale"] / peak)

    targets = make_targets(loss, spec.get("targets", "values"), n, sizes[-1], dtype, generator)
    initial = state(model)
    metadata = {"perceptron.layers": ",".join(kinds), "perceptron.loss": loss}

    # Forward, loss and every gradient on the whole batch, in the case's mode (model.train()
    # or model.eval(); only dropout and batch normalisation differ).
    mode = spec.get("mode", "train")
    model.train(mode == "train")
    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    value = loss_value(loss, logits, targets)
    model.zero_grad()
    value.backward()
    expected = {
        "logits": logits.detach().clone(),
        "output": head(loss, logits.detach()),
        "loss": value.detach().clone().reshape(()),
        "input": xg.grad.detach().clone(),
    }
    for key, p in model.named_parameters():
        expected[key] = p.grad.detach().clone()
    for key, t in expected.items():
        assert t.dtype == dtype, (name, key, t.dtype)
        assert torch.isfinite(t).all(), (name, key)

    case = {"description": spec["description"], "dtype": str(dtype).removeprefix("torch."), "training": False}
    if "mode" in spec:
        case["mode"] = mode
    model.train()
    trained = None
    if "optimizer" in spec:
        opt = spec["optimizer"]
        hyper = {
            "optimizer": opt,
            "learning_rate": spec["learning_rate"],
            "momentum": spec.get("momentum", 0.0),
            "nesterov": spec.get("nesterov", False),
            "weight_decay": spec.get("weight_decay", 0.01 if opt == "adamw" else 0.0),
            "beta1": 0.9,
            "beta2": 0.999,
            "eps": 1e-8,
            "epochs": spec["epochs"],
            "batch_size": spec["batch_size"],
            "shuffle": False,
        }
        params = model.parameters()
        if opt == "sgd":
            optimizer = torch.optim.SGD(
                params, lr=hyper["learning_rate"], momentum=hyper["momentum"], dampening=0,
                nesterov=hyper["nesterov"], weight_decay=hyper["weight_decay"])
        elif opt == "adam":
            optimizer = torch.optim.Adam(
                params, lr=hyper["learning_rate"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"],
                weight_decay=hyper["weight_decay"])
        elif opt == "adamw":
            optimizer = torch.optim.AdamW(
                params, lr=hyper["learning_rate"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"],
                weight_decay=hyper["weight_decay"])
        else:
            raise ValueError(opt)
        b = hyper["batch_size"]
        for _ in range(hyper["epochs"]):
            for start in range(0, n, b):  # in order, last partial batch included
                optimizer.zero_grad()
                step_loss = loss_value(loss, model(x[start:start + b]), targets[start:start + b])
                step_loss.backward()
                optimizer.step()
        trained = state(model)
        for key, t in trained.items():
            assert t.dtype == torch.int64 or torch.isfinite(t).all(), (name, key)
        case.update(hyper)
        case["training"] = True

    return write_case(root, name, initial, metadata, x, targets, expected, case, trained)


# Every case; `sizes` are the linear layers' widths, input first. Depth = len(sizes) - 1.
CASES = [
    # Every activation, each with a different loss, depth and batch.
    dict(name="relu-ce-indices", description="ReLU MLP 4-6-3, cross-entropy on class indices, batch 5",
         sizes=[4, 6, 3], activation="relu", loss="cross-entropy", targets="indices", batch=5),
    dict(name="leaky-relu-ce-probabilities", description="LeakyReLU(0.01) MLP 4-5-5-3, cross-entropy on probability rows, batch 3",
         sizes=[4, 5, 5, 3], activation="leaky_relu", loss="cross-entropy", targets="probabilities", batch=3),
    dict(name="sigmoid-mse", description="Sigmoid MLP 3-7-2, mean squared error, batch 5",
         sizes=[3, 7, 2], activation="sigmoid", loss="mse", batch=5),
    dict(name="tanh-bce-depth4", description="Tanh MLP 6-5-4-3-2 (depth 4), BCE with logits, batch 7",
         sizes=[6, 5, 4, 3, 2], activation="tanh", loss="bce", batch=7),
    dict(name="gelu-ce-probabilities", description="GELU (exact erf) MLP 5-9-4, cross-entropy on probability rows, batch 5",
         sizes=[5, 9, 4], activation="gelu", loss="cross-entropy", targets="probabilities", batch=5),
    dict(name="gelu-mse-depth3", description="GELU MLP 2-3-3-5 (depth 3), mean squared error, batch 9, inputs x3",
         sizes=[2, 3, 3, 5], activation="gelu", loss="mse", batch=9, input_scale=3.0),
    # Depths 1-4, widths 1 and odd, batch 1.
    dict(name="depth1-ce-batch1", description="One linear layer 7-3, cross-entropy on class indices, batch 1",
         sizes=[7, 3], activation="relu", loss="cross-entropy", targets="indices", batch=1),
    dict(name="depth1-bce-width1", description="One linear layer 5-1, BCE with logits, batch 3",
         sizes=[5, 1], activation="relu", loss="bce", batch=3),
    dict(name="width1-tanh-mse", description="Tanh MLP 1-1-1 (every width 1), mean squared error, batch 3",
         sizes=[1, 1, 1], activation="tanh", loss="mse", batch=3),
    dict(name="width1-hidden-sigmoid-ce", description="Sigmoid MLP 5-1-3 (hidden width 1), cross-entropy on class indices, batch 1",
         sizes=[5, 1, 3], activation="sigmoid", loss="cross-entropy", targets="indices", batch=1),
    dict(name="depth4-relu-ce-wide", description="ReLU MLP 33-17-11-9-10 (depth 4, odd widths), cross-entropy on class indices, batch 13",
         sizes=[33, 17, 11, 9, 10], activation="relu", loss="cross-entropy", targets="indices", batch=13),
    dict(name="mixed-activations-bce", description="linear,relu,linear,gelu,linear,tanh,linear 6-7-5-3-4, BCE with logits, batch 9",
         sizes=[6, 7, 5, 3, 4], kinds=["linear", "relu", "linear", "gelu", "linear", "tanh", "linear"], loss="bce", batch=9),
    dict(name="stacked-and-final-activations-mse",
         description="linear,tanh,leaky_relu,linear,sigmoid 4-6-3: two activations in a row and one after the last linear layer, mean squared error, batch 5",
         sizes=[4, 6, 3], kinds=["linear", "tanh", "leaky_relu", "linear", "sigmoid"], loss="mse", batch=5),
    # Categorical cross-entropy on probabilities (softmax as the last module).
    dict(name="softmax-categorical-ce-indices",
         description="linear,relu,linear,softmax 4-6-3, categorical cross-entropy (-sum t log y) on class indices, batch 5",
         sizes=[4, 6, 3], kinds=["linear", "relu", "linear", "softmax"], loss="categorical-cross-entropy", targets="indices", batch=5),
    dict(name="softmax-categorical-ce-probabilities",
         description="linear,tanh,linear,softmax 3-5-4, categorical cross-entropy (-sum t log y) on probability rows, batch 3",
         sizes=[3, 5, 4], kinds=["linear", "tanh", "linear", "softmax"], loss="categorical-cross-entropy", targets="probabilities", batch=3),
    # Extreme logits.
    dict(name="extreme-1e3-ce-indices", description="ReLU MLP 4-5-3 scaled to |logits| up to 1e3, cross-entropy on class indices, batch 7",
         sizes=[4, 5, 3], activation="relu", loss="cross-entropy", targets="indices", batch=7, logit_scale=1e3),
    dict(name="extreme-1e4-ce-indices", description="Tanh MLP 4-5-3 scaled to |logits| up to 1e4, cross-entropy on class indices, batch 7",
         sizes=[4, 5, 3], activation="tanh", loss="cross-entropy", targets="indices", batch=7, logit_scale=1e4),
    dict(name="extreme-1e4-ce-probabilities", description="GELU MLP 3-4-5 scaled to |logits| up to 1e4, cross-entropy on probability rows, batch 5",
         sizes=[3, 4, 5], activation="gelu", loss="cross-entropy", targets="probabilities", batch=5, logit_scale=1e4),
    dict(name="extreme-1e3-bce", description="Sigmoid MLP 4-5-3 scaled to |logits| up to 1e3, BCE with logits, batch 5",
         sizes=[4, 5, 3], activation="sigmoid", loss="bce", batch=5, logit_scale=1e3),
    dict(name="extreme-1e4-bce", description="ReLU MLP 4-5-3 scaled to |logits| up to 1e4, BCE with logits, batch 5",
         sizes=[4, 5, 3], activation="relu", loss="bce", batch=5, logit_scale=1e4),
    dict(name="extreme-1e4-mse", description="LeakyReLU MLP 4-5-2 scaled to |outputs| up to 1e4, mean squared error, batch 3",
         sizes=[4, 5, 2], activation="leaky_relu", loss="mse", batch=3, logit_scale=1e4),
    # Training: 10 samples in batches of 4 (4, 4, 2: the last partial batch), several epochs.
    dict(name="train-sgd", description="SGD lr 0.1, ReLU MLP 3-5-3, cross-entropy on indices, 10 samples, batch 4, 3 epochs",
         sizes=[3, 5, 3], activation="relu", loss="cross-entropy", targets="indices", batch=10,
         optimizer="sgd", learning_rate=0.1, epochs=3, batch_size=4),
    dict(name="train-sgd-weight-decay", description="SGD lr 0.05, weight decay 0.01, Tanh MLP 4-6-2, mse, 10 samples, batch 4, 3 epochs",
         sizes=[4, 6, 2], activation="tanh", loss="mse", batch=10,
         optimizer="sgd", learning_rate=0.05, weight_decay=0.01, epochs=3, batch_size=4),
    dict(name="train-sgd-momentum", description="SGD lr 0.05, momentum 0.9, GELU MLP 4-6-5-3, cross-entropy on probabilities, 11 samples, batch 3, 4 epochs",
         sizes=[4, 6, 5, 3], activation="gelu", loss="cross-entropy", targets="probabilities", batch=11,
         optimizer="sgd", learning_rate=0.05, momentum=0.9, epochs=4, batch_size=3),
    dict(name="train-sgd-nesterov-weight-decay",
         description="SGD lr 0.05, Nesterov momentum 0.9, weight decay 0.001, Sigmoid MLP 3-7-2, bce, 10 samples, batch 4, 3 epochs",
         sizes=[3, 7, 2], activation="sigmoid", loss="bce", batch=10,
         optimizer="sgd", learning_rate=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3, epochs=3, batch_size=4),
    dict(name="train-sgd-momentum-weight-decay",
         description="SGD lr 0.02, momentum 0.8, weight decay 0.01, LeakyReLU MLP 5-4-4-3, cross-entropy on indices, 9 samples, batch 2, 3 epochs",
         sizes=[5, 4, 4, 3], activation="leaky_relu", loss="cross-entropy", targets="indices", batch=9,
         optimizer="sgd", learning_rate=0.02, momentum=0.8, weight_decay=0.01, epochs=3, batch_size=2),
    dict(name="train-adam", description="Adam lr 0.01, ReLU MLP 4-8-3, cross-entropy on indices, 10 samples, batch 4, 5 epochs",
         sizes=[4, 8, 3], activation="relu", loss="cross-entropy", targets="indices", batch=10,
         optimizer="adam", learning_rate=0.01, epochs=5, batch_size=4),
    dict(name="train-adam-weight-decay", description="Adam lr 0.01, L2 weight decay 0.01, Tanh MLP 3-5-5-2, mse, 7 samples, batch 3, 4 epochs",
         sizes=[3, 5, 5, 2], activation="tanh", loss="mse", batch=7,
         optimizer="adam", learning_rate=0.01, weight_decay=0.01, epochs=4, batch_size=3),
    dict(name="train-adamw", description="AdamW lr 0.01, decoupled weight decay 0.01 (default), GELU MLP 4-6-3, bce, 10 samples, batch 4, 3 epochs",
         sizes=[4, 6, 3], activation="gelu", loss="bce", batch=10,
         optimizer="adamw", learning_rate=0.01, epochs=3, batch_size=4),
    dict(name="train-adamw-depth1-batch1", description="AdamW lr 0.05, weight decay 0.1, one linear layer 3-2, cross-entropy on probabilities, 3 samples, batch 1, 2 epochs",
         sizes=[3, 2], activation="relu", loss="cross-entropy", targets="probabilities", batch=3,
         optimizer="adamw", learning_rate=0.05, weight_decay=0.1, epochs=2, batch_size=1),
    # Module kinds of issue 15: newer activations with arguments, normalisation and dropout in
    # both modes ("mode": model.train() or model.eval() for the forward and gradients).
    dict(name="silu-ce-indices", description="SiLU MLP 4-6-3, cross-entropy on class indices, batch 5",
         sizes=[4, 6, 3], activation="silu", loss="cross-entropy", targets="indices", batch=5),
    dict(name="softplus-elu-leaky-mse",
         description="linear,softplus(2,1),linear,elu(0.7),linear,leaky_relu(0.2),linear 4-6-5-4-2, mse, batch 6, inputs x2",
         sizes=[4, 6, 5, 4, 2], kinds=["linear", "softplus(2,1)", "linear", "elu(0.7)", "linear", "leaky_relu(0.2)", "linear"],
         loss="mse", batch=6, input_scale=2.0),
    dict(name="softplus-default-elu-default-bce", description="linear,softplus,linear,elu,linear 3-5-4-2, BCE with logits, batch 4",
         sizes=[3, 5, 4, 2], kinds=["linear", "softplus", "linear", "elu", "linear"], loss="bce", batch=4),
    dict(name="layer-norm-gelu-ce", mode="train",
         description="linear,layer_norm,gelu,linear,layer_norm(0.001) 5-7-3, cross-entropy on probability rows, batch 4",
         sizes=[5, 7, 3], kinds=["linear", "layer_norm", "gelu", "linear", "layer_norm(0.001)"], loss="cross-entropy",
         targets="probabilities", batch=4),
    dict(name="batch-norm-train-ce", mode="train",
         description="linear,batch_norm,relu,linear 4-6-3 in training mode (batch statistics), cross-entropy on indices, batch 6",
         sizes=[4, 6, 3], kinds=["linear", "batch_norm", "relu", "linear"], loss="cross-entropy", targets="indices", batch=6),
    dict(name="batch-norm-eval-mse", mode="eval",
         description="linear,batch_norm(0.001,0.3),tanh,linear 4-5-2 in evaluation mode (running statistics), mse, batch 5",
         sizes=[4, 5, 2], kinds=["linear", "batch_norm(0.001,0.3)", "tanh", "linear"], loss="mse", batch=5),
    dict(name="dropout-eval-ce", mode="eval",
         description="linear,relu,dropout(0.5),linear 4-6-3 in evaluation mode (dropout is the identity), cross-entropy on indices, batch 5",
         sizes=[4, 6, 3], kinds=["linear", "relu", "dropout(0.5)", "linear"], loss="cross-entropy", targets="indices", batch=5),
    dict(name="sequential-train-sgd", mode="train",
         description="nn.Sequential(Linear, BatchNorm1d, ReLU, Dropout(0), Linear, LayerNorm, SiLU, Linear) 5-8-6-3, "
                     "SGD lr 0.05 momentum 0.9, cross-entropy on indices, 10 samples, batch 4, 3 epochs (running statistics after training)",
         sizes=[5, 8, 6, 3], kinds=["linear", "batch_norm", "relu", "dropout(0)", "linear", "layer_norm", "silu", "linear"],
         loss="cross-entropy", targets="indices", batch=10,
         optimizer="sgd", learning_rate=0.05, momentum=0.9, epochs=3, batch_size=4),
    dict(name="batch-norm-eval-train-adam", mode="eval",
         description="linear,batch_norm(1e-05,0.2),elu,dropout(0),linear 4-6-2, gradients in evaluation mode, then Adam lr 0.01 "
                     "in training mode, bce, 9 samples, batch 3, 3 epochs",
         sizes=[4, 6, 2], kinds=["linear", "batch_norm(1e-05,0.2)", "elu", "dropout(0)", "linear"], loss="bce", batch=9,
         optimizer="adam", learning_rate=0.01, epochs=3, batch_size=3),
    dict(name="float32-batch-norm-layer-norm-train", dtype="float32", mode="train",
         description="float32 linear,batch_norm,silu,linear,layer_norm 6-8-4 in training mode, cross-entropy on indices, batch 7",
         sizes=[6, 8, 4], kinds=["linear", "batch_norm", "silu", "linear", "layer_norm"], loss="cross-entropy",
         targets="indices", batch=7),
    # float32.
    dict(name="float32-relu-ce-indices", dtype="float32", description="float32 ReLU MLP 8-16-10, cross-entropy on class indices, batch 7",
         sizes=[8, 16, 10], activation="relu", loss="cross-entropy", targets="indices", batch=7),
    dict(name="float32-gelu-bce", dtype="float32", description="float32 GELU MLP 5-7-4-3, BCE with logits, batch 5",
         sizes=[5, 7, 4, 3], activation="gelu", loss="bce", batch=5),
    dict(name="float32-tanh-mse", dtype="float32", description="float32 Tanh MLP 3-9-2, mean squared error, batch 4",
         sizes=[3, 9, 2], activation="tanh", loss="mse", batch=4),
    dict(name="float32-extreme-1e4-ce", dtype="float32", description="float32 ReLU MLP 4-5-3 scaled to |logits| up to 1e4, cross-entropy on indices, batch 5",
         sizes=[4, 5, 3], activation="relu", loss="cross-entropy", targets="indices", batch=5, logit_scale=1e4),
    dict(name="float32-train-adam", dtype="float32", description="float32 Adam lr 0.01, ReLU MLP 4-8-3, cross-entropy on indices, 10 samples, batch 4, 3 epochs",
         sizes=[4, 8, 3], activation="relu", loss="cross-entropy", targets="indices", batch=10,
         optimizer="adam", learning_rate=0.01, epochs=3, batch_size=4),
    dict(name="float32-train-sgd-momentum", dtype="float32",
         description="float32 SGD lr 0.05, momentum 0.9, Sigmoid MLP 3-6-2, mse, 9 samples, batch 4, 3 epochs",
         sizes=[3, 6, 2], activation="sigmoid", loss="mse", batch=9,
         optimizer="sgd", learning_rate=0.05, momentum=0.9, epochs=3, batch_size=4),
]


# ---------------------------------------------------------------------------------------------
# Training options (issue 15): cross-entropy's label_smoothing and weight, gradient clipping
# (torch.nn.utils.clip_grad_norm_), torch.optim.RMSprop and ReduceLROnPlateau. Same folder layout
# as make_case; case.json gains OPTIONAL keys (absent in the cases above, which stay valid):
#
#   label_smoothing     number, nn.CrossEntropyLoss(label_smoothing=...) (absent: 0)
#   class_weights       [number], nn.CrossEntropyLoss(weight=...) (absent: none)
#   alpha               RMSprop's alpha (optimizer "rmsprop"; eps is `eps`, not centered)
#   clip_grad_norm      number: clip_grad_norm_(parameters, max_norm) before every step
#                       (absent: no clipping)
#   schedule            "constant" or "plateau": ReduceLROnPlateau(mode="min", factor=gamma,
#                       patience=plateau_patience, threshold=1e-4, threshold_mode="rel",
#                       cooldown=0, min_lr=0), stepped after each epoch with the validation loss
#   gamma, plateau_patience, validation_fraction
#                       the plateau's factor and patience; the last round(fraction * N) samples
#                       are held out for validation (the model trains on the others), their
#                       loss measured after each epoch on all of them at once
#   learning_rates      [number]: the learning rate of each epoch, as PyTorch used it
#
# The loss in expected.safetensors (and every training step) is the loss with these options.
# ---------------------------------------------------------------------------------------------


def option_loss(spec, dtype):
    """nn.CrossEntropyLoss with the case's weight and label_smoothing (PyTorch's own)."""
    if spec["loss"] != "cross-entropy":
        assert "class_weights" not in spec and "label_smoothing" not in spec, spec["name"]
        return lambda logits, targets: loss_value(spec["loss"], logits, targets)
    weight = torch.tensor(spec["class_weights"], dtype=dtype) if "class_weights" in spec else None
    return nn.CrossEntropyLoss(weight=weight, label_smoothing=spec.get("label_smoothing", 0.0))


def make_option_case(root, spec):
    name = spec["name"]
    dtype = torch.float64 if spec.get("dtype", "float64") == "float64" else torch.float32
    generator = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    sizes = spec["sizes"]
    kinds = spec.get("kinds") or mlp_kinds(sizes, spec["activation"])
    loss = spec["loss"]
    criterion = option_loss(spec, dtype)
    n = spec["batch"]
    model = build(kinds, sizes, dtype, generator)
    x = (torch.randn(n, sizes[0], generator=generator, dtype=torch.float64) * spec.get("input_scale", 1.0)).to(dtype)
    targets = make_targets(loss, spec.get("targets", "values"), n, sizes[-1], dtype, generator)
    initial = state(model)
    metadata = {"perceptron.layers": ",".join(kinds), "perceptron.loss": loss}

    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    value = criterion(logits, targets)
    model.zero_grad()
    value.backward()
    expected = {
        "logits": logits.detach().clone(),
        "output": head(loss, logits.detach()),
        "loss": value.detach().clone().reshape(()),
        "input": xg.grad.detach().clone(),
    }
    for key, p in model.named_parameters():
        expected[key] = p.grad.detach().clone()
    for key, t in expected.items():
        assert t.dtype == dtype, (name, key, t.dtype)
        assert torch.isfinite(t).all(), (name, key)

    case = {"description": spec["description"], "dtype": str(dtype).removeprefix("torch."), "training": False}
    for key in ("label_smoothing", "class_weights"):
        if key in spec:
            case[key] = spec[key]
    trained = None
    if "optimizer" in spec:
        opt = spec["optimizer"]
        hyper = {
            "optimizer": opt,
            "learning_rate": spec["learning_rate"],
            "momentum": spec.get("momentum", 0.0),
            "nesterov": False,
            "weight_decay": spec.get("weight_decay", 0.01 if opt == "adamw" else 0.0),
            "beta1": 0.9,
            "beta2": 0.999,
            "alpha": 0.99,
            "eps": 1e-8,
            "epochs": spec["epochs"],
            "batch_size": spec["batch_size"],
            "shuffle": False,
            "schedule": spec.get("schedule", "constant"),
        }
        if "clip_grad_norm" in spec:
            hyper["clip_grad_norm"] = spec["clip_grad_norm"]
        params = list(model.parameters())
        if opt == "sgd":
            optimizer = torch.optim.SGD(
                params, lr=hyper["learning_rate"], momentum=hyper["momentum"], weight_decay=hyper["weight_decay"])
        elif opt == "adam":
            optimizer = torch.optim.Adam(
                params, lr=hyper["learning_rate"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"],
                weight_decay=hyper["weight_decay"])
        elif opt == "rmsprop":
            optimizer = torch.optim.RMSprop(
                params, lr=hyper["learning_rate"], alpha=hyper["alpha"], eps=hyper["eps"],
                weight_decay=hyper["weight_decay"], momentum=hyper["momentum"], centered=False)
        else:
            raise ValueError(opt)
        scheduler = None
        train_count = n
        if hyper["schedule"] == "plateau":
            hyper["gamma"] = spec["gamma"]
            hyper["plateau_patience"] = spec["plateau_patience"]
            hyper["validation_fraction"] = spec["validation_fraction"]
            held_out = round(spec["validation_fraction"] * n)
            # Not a tie: Python rounds half to even, Swift's rounded() half away from zero.
            assert abs(spec["validation_fraction"] * n % 1 - 0.5) > 1e-9, name
            train_count = n - held_out
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
                optimizer, mode="min", factor=spec["gamma"], patience=spec["plateau_patience"], threshold=1e-4,
                threshold_mode="rel", cooldown=0, min_lr=0)
        rates = []
        clipped = 0
        b = hyper["batch_size"]
        for _ in range(hyper["epochs"]):
            rates.append(optimizer.param_groups[0]["lr"])
            for start in range(0, train_count, b):  # in order, last partial batch included
                end = min(start + b, train_count)
                optimizer.zero_grad()
                step_loss = criterion(model(x[start:end]), targets[start:end])
                step_loss.backward()
                if "clip_grad_norm" in hyper:
                    norm = torch.nn.utils.clip_grad_norm_(params, hyper["clip_grad_norm"])
                    clipped += int(norm > hyper["clip_grad_norm"])
                optimizer.step()
            if scheduler is not None:
                with torch.no_grad():
                    scheduler.step(criterion(model(x[train_count:]), targets[train_count:]).item())
        if "clip_grad_norm" in hyper:
            assert clipped > 0, (name, "clipping never applied")
        if scheduler is not None:
            assert len(set(rates)) > 1, (name, "the plateau never reduced the rate", rates)
        hyper["learning_rates"] = rates
        trained = state(model)
        for key, t in trained.items():
            assert torch.isfinite(t).all(), (name, key)
        case.update(hyper)
        case["training"] = True

    return write_case(root, name, initial, metadata, x, targets, expected, case, trained)


OPTION_CASES = [
    # Label smoothing and class weights: loss, head and every gradient on one batch.
    dict(name="ce-label-smoothing-indices", description="ReLU MLP 4-6-3, cross-entropy with label smoothing 0.1 on class indices, batch 6",
         sizes=[4, 6, 3], activation="relu", loss="cross-entropy", targets="indices", batch=6, label_smoothing=0.1),
    dict(name="ce-label-smoothing-probabilities", description="Tanh MLP 5-7-4, cross-entropy with label smoothing 0.2 on probability rows, batch 5",
         sizes=[5, 7, 4], activation="tanh", loss="cross-entropy", targets="probabilities", batch=5, label_smoothing=0.2),
    dict(name="ce-class-weights-indices", description="GELU MLP 4-6-3, cross-entropy with class weights 0.5,2,1.25 on class indices, batch 7",
         sizes=[4, 6, 3], activation="gelu", loss="cross-entropy", targets="indices", batch=7, class_weights=[0.5, 2.0, 1.25]),
    dict(name="ce-class-weights-probabilities", description="ReLU MLP 3-5-4, cross-entropy with class weights 1.5,0.25,1,3 on probability rows, batch 5",
         sizes=[3, 5, 4], activation="relu", loss="cross-entropy", targets="probabilities", batch=5, class_weights=[1.5, 0.25, 1.0, 3.0]),
    dict(name="ce-class-weights-label-smoothing-indices",
         description="Sigmoid MLP 4-5-3, cross-entropy with class weights 2,0.5,1 and label smoothing 0.15 on class indices, batch 6",
         sizes=[4, 5, 3], activation="sigmoid", loss="cross-entropy", targets="indices", batch=6, class_weights=[2.0, 0.5, 1.0],
         label_smoothing=0.15),
    dict(name="ce-class-weights-label-smoothing-probabilities",
         description="LeakyReLU MLP 4-5-4, cross-entropy with class weights 0.3,1.2,2,0.7 and label smoothing 0.3 on probability rows, batch 4",
         sizes=[4, 5, 4], activation="leaky_relu", loss="cross-entropy", targets="probabilities", batch=4,
         class_weights=[0.3, 1.2, 2.0, 0.7], label_smoothing=0.3),
    dict(name="float32-ce-class-weights-label-smoothing-indices", dtype="float32",
         description="float32 ReLU MLP 6-8-5, cross-entropy with class weights 1,0.5,2,1.5,0.25 and label smoothing 0.1 on class indices, batch 7",
         sizes=[6, 8, 5], activation="relu", loss="cross-entropy", targets="indices", batch=7,
         class_weights=[1.0, 0.5, 2.0, 1.5, 0.25], label_smoothing=0.1),
    # RMSprop.
    dict(name="train-rmsprop", description="RMSprop lr 0.01, ReLU MLP 4-8-3, cross-entropy on indices, 10 samples, batch 4, 4 epochs",
         sizes=[4, 8, 3], activation="relu", loss="cross-entropy", targets="indices", batch=10,
         optimizer="rmsprop", learning_rate=0.01, epochs=4, batch_size=4),
    dict(name="train-rmsprop-momentum-weight-decay",
         description="RMSprop lr 0.005, momentum 0.9, weight decay 0.01, Tanh MLP 3-6-5-2, mse, 11 samples, batch 3, 3 epochs",
         sizes=[3, 6, 5, 2], activation="tanh", loss="mse", batch=11,
         optimizer="rmsprop", learning_rate=0.005, momentum=0.9, weight_decay=0.01, epochs=3, batch_size=3),
    dict(name="float32-train-rmsprop-momentum", dtype="float32",
         description="float32 RMSprop lr 0.01, momentum 0.5, GELU MLP 4-6-3, cross-entropy on probabilities, 9 samples, batch 4, 3 epochs",
         sizes=[4, 6, 3], activation="gelu", loss="cross-entropy", targets="probabilities", batch=9,
         optimizer="rmsprop", learning_rate=0.01, momentum=0.5, epochs=3, batch_size=4),
    # Gradient clipping (the bound is below the gradients' norm, so it clips).
    dict(name="train-sgd-clip-grad-norm",
         description="SGD lr 0.5, clip_grad_norm_ 0.1, Sigmoid MLP 4-6-3, cross-entropy on probabilities, 10 samples, batch 4, 3 epochs",
         sizes=[4, 6, 3], activation="sigmoid", loss="cross-entropy", targets="probabilities", batch=10,
         optimizer="sgd", learning_rate=0.5, clip_grad_norm=0.1, epochs=3, batch_size=4),
    dict(name="train-adam-clip-grad-norm-class-weights-label-smoothing",
         description="Adam lr 0.01, clip_grad_norm_ 0.5, ReLU MLP 5-7-3, cross-entropy with class weights 1,3,0.5 and label smoothing 0.1 on indices, 9 samples, batch 4, 3 epochs",
         sizes=[5, 7, 3], activation="relu", loss="cross-entropy", targets="indices", batch=9, class_weights=[1.0, 3.0, 0.5],
         label_smoothing=0.1, optimizer="adam", learning_rate=0.01, clip_grad_norm=0.5, epochs=3, batch_size=4),
    # ReduceLROnPlateau on a held-out validation split (class weights: the validation loss is a
    # weighted mean over several chunks of batch_size rows on Perceptron's side).
    dict(name="train-sgd-plateau",
         description="SGD lr 0.5, momentum 0.9, ReduceLROnPlateau factor 0.5 patience 1, ReLU MLP 4-8-3, cross-entropy with class weights 1,2,0.5 on indices, 16 samples (5 for validation), batch 2, 12 epochs",
         sizes=[4, 8, 3], activation="relu", loss="cross-entropy", targets="indices", batch=16, class_weights=[1.0, 2.0, 0.5],
         optimizer="sgd", learning_rate=0.5, momentum=0.9, epochs=12, batch_size=2,
         schedule="plateau", gamma=0.5, plateau_patience=1, validation_fraction=0.3125),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="fixture folder (rewritten)")
    args = parser.parse_args()
    root = os.path.normpath(args.output)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(root, exist_ok=True)
    names = [c["name"] for c in CASES + OPTION_CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    # Remove case folders no longer listed (the README and anything else stay).
    for entry in os.listdir(root):
        if entry.startswith("case-") and entry[5:] not in names and os.path.isdir(os.path.join(root, entry)):
            shutil.rmtree(os.path.join(root, entry))
    for spec in CASES:
        make_case(root, spec)
    for spec in OPTION_CASES:
        make_option_case(root, spec)
    print(f"wrote {len(CASES) + len(OPTION_CASES)} cases to {root} (torch {torch.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
