#!/usr/bin/env bash
# Runs the whole test suite under ThreadSanitizer (Swift Testing only, as Scripts/asan.sh does
# for AddressSanitizer): the helper thread that splits the Adam update, tests running in
# parallel, and OpenBLAS's threads. The build uses its own scratch path (.build/tsan). The
# allocation counter turns itself off under TSan, so the allocation tests are skipped. Prints
# the wall time; exits with the test run's status.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
swift test --scratch-path .build/tsan --sanitize=thread --disable-xctest "$@"
status=$?
echo "tsan.sh: exit $status after $(( $(date +%s) - start )) s (build and tests)" >&2
exit $status
