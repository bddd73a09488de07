#!/usr/bin/env bash
# Runs the whole test suite under one sanitizer: `address` (Scripts/asan.sh) or `thread`
# (Scripts/tsan.sh). Swift Testing only: XCTest's own runner leaks, which LeakSanitizer would
# report (RECIPES §6b). Each sanitizer builds in its own scratch path (.build/asan, .build/tsan),
# so the normal builds are left alone; the `perceptron` executable the command-line tests spawn
# is built with it too. CAllocCounter turns itself off under a sanitizer, so the allocation
# tests are skipped. Prints the wall time; exits with the test run's status.
#
#   Scripts/sanitize.sh address|thread [swift test arguments...]
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    address) short=asan ;;
    thread) short=tsan ;;
    *) echo "usage: $0 address|thread [swift test arguments...]" >&2; exit 2 ;;
esac
sanitizer=$1
shift
start=$(date +%s)
swift test --scratch-path ".build/$short" --sanitize="$sanitizer" --disable-xctest "$@"
status=$?
echo "$short: exit $status after $(( $(date +%s) - start )) s (build and tests)" >&2
exit $status
