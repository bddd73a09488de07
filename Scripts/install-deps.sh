#!/usr/bin/env bash
# Installs the Debian packages Perceptron builds and runs with (run as root, or via sudo):
# OpenBLAS (CBLAS), LAPACKE, zlib, pkg-config, and the Fashion-MNIST data set.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(libopenblas-dev liblapacke-dev zlib1g-dev pkg-config dataset-fashion-mnist)
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1 || [ "${CI:-}" = true ]; then
    $sudo apt-get update
    $sudo apt-get install -y "${packages[@]}"
fi
