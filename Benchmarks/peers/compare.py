#!/usr/bin/env python3
"""Runs the PyTorch peer and perceptron-bench alternately, several rounds, and prints
Perceptron's time as a ratio of PyTorch's for each row (training step, inference, epoch).

A ratio below 1 means Perceptron is faster. Each round runs both programs once (the order
alternates between rounds so neither always runs on a warmer machine); a row's ratio is the
median over rounds of (Perceptron's median / PyTorch's median) of that round, with the
smallest and largest round in brackets.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, when set, are removed from the PyTorch run's
environment only (they can slow NumPy/PyTorch); perceptron-bench runs with the environment
as it is, unless --unset-openblas-env-for-perceptron is given.

Usage (from the package root):
  swift build -c release --product perceptron-bench
  python3 Benchmarks/peers/compare.py [--rounds 3] [--threads 1,2] [--quick]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def env_without_openblas():
    return {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}


def comparable(r):
    """PyTorch's rows, and the library network's BLAS rows (not the hand-written reference)."""
    return r["backend"] == "pytorch" or (r["backend"] == "blas" and r.get("implementation") == "network")


def rows(report):
    """{key: seconds} for every comparable row of a report."""
    out = {}
    for r in report.get("trainingStep", []):
        if comparable(r):
            out[("step", "batch %d" % r["batch"], r["threads"])] = r["medianMs"] * 1e-3
    for r in report.get("inference", []):
        if comparable(r) and r.get("mode", "workspace") == "workspace":
            out[("inference", "batch %d" % r["batch"], r["threads"])] = r["medianUs"] * 1e-6
    for r in report.get("epoch", []):
        if comparable(r):
            out[("epoch", "%d samples" % r["samples"], r["threads"])] = r["seconds"]
    return out


def run(cmd, env, json_path):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(json_path) as f:
        return json.load(f)


def show(seconds):
    if seconds >= 1:
        return "%.3f s" % seconds
    if seconds >= 1e-3:
        return "%.3f ms" % (seconds * 1e3)
    return "%.1f µs" % (seconds * 1e6)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "perceptron-bench"))
    p.add_argument("--unset-openblas-env-for-perceptron", action="store_true")
    p.add_argument("--json", help="write the comparison table as JSON")
    a = p.parse_args()
    if not os.path.exists(a.bench):
        sys.exit("compare.py: %s not found: run `swift build -c release --product perceptron-bench` first" % a.bench)

    tmp = tempfile.mkdtemp(prefix="perceptron-compare-")
    quick = ["--quick"] if a.quick else []
    peer_cmd = [sys.executable, os.path.join(HERE, "pytorch_bench.py"), "--threads", a.threads] + quick
    ours_cmd = [a.bench, "--sections", "step,inference,epoch", "--no-naive", "--implementations", "network",
                "--threads", a.threads] + quick
    ours_env = env_without_openblas() if a.unset_openblas_env_for_perceptron else dict(os.environ)
    unset = [v for v in OPENBLAS_VARS if v in os.environ]

    ratios, ours_times, peer_times = {}, {}, {}
    for r in range(a.rounds):
        peer_json = os.path.join(tmp, "peer-%d.json" % r)
        ours_json = os.path.join(tmp, "ours-%d.json" % r)
        jobs = [("peer", peer_cmd + ["--json", peer_json], env_without_openblas(), peer_json),
                ("ours", ours_cmd + ["--json", ours_json], ours_env, ours_json)]
        if r % 2 == 1:
            jobs.reverse()
        results = {name: rows(run(cmd, env, path)) for name, cmd, env, path in jobs}
        for key, ours in results["ours"].items():
            peer = results["peer"].get(key)
            if peer is None:
                continue
            ratios.setdefault(key, []).append(ours / peer)
            ours_times.setdefault(key, []).append(ours)
            peer_times.setdefault(key, []).append(peer)

    print("Perceptron vs PyTorch (%s), %d rounds, float32, ratio = Perceptron time / PyTorch time (< 1: Perceptron faster)"
          % ("quick" if a.quick else "full", a.rounds))
    if unset:
        print("PyTorch ran with %s unset; perceptron-bench ran with them %s" %
              (" and ".join(unset), "unset" if a.unset_openblas_env_for_perceptron else "set (" +
               " ".join("%s=%s" % (v, os.environ[v]) for v in unset) + ")"))
    header = ("row", "threads", "Perceptron", "PyTorch", "ratio (min–max)")
    table = []
    order = {"step": 0, "inference": 1, "epoch": 2}
    for key in sorted(ratios, key=lambda k: (order[k[0]], k[2], int(k[1].split()[1]) if k[0] != "epoch" else 0)):
        rs = ratios[key]
        table.append(("%s %s" % (key[0], key[1]), str(key[2]), show(statistics.median(ours_times[key])),
                      show(statistics.median(peer_times[key])),
                      "%.2f (%.2f–%.2f)" % (statistics.median(rs), min(rs), max(rs))))
    widths = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(widths[i]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header)))
    print("  ".join("-" * w for w in widths))
    for t in table:
        print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(t)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"row": t[0], "threads": int(t[1]), "perceptron": t[2], "pytorch": t[3], "ratio": t[4]}
                       for t in table], f, indent=2)


if __name__ == "__main__":
    main()
