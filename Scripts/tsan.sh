#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer: Perceptron's thread pool (divided products, the Adam update),
# tests running in parallel, OpenBLAS's threads (see Scripts/sanitize.sh).
exec bash "$(dirname "$0")/sanitize.sh" thread "$@"
