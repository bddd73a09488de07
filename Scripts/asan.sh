#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer (Swift Testing only: XCTest's own runner
# leaks, which LeakSanitizer would report; see RECIPES §6b). The build uses its own scratch
# path (.build/asan) so the normal debug build is left alone; the `perceptron` executable the
# command-line tests spawn is built with ASan too. CAllocCounter turns itself off under ASan,
# so the allocation tests are skipped. Prints the wall time; exits with the test run's status.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
swift test --scratch-path .build/asan --sanitize=address --disable-xctest "$@"
status=$?
echo "asan.sh: exit $status after $(( $(date +%s) - start )) s (build and tests)" >&2
exit $status
