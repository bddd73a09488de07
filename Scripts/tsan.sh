#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer: the helper thread that splits the Adam update,
# tests running in parallel, OpenBLAS's threads (see Scripts/sanitize.sh).
exec bash "$(dirname "$0")/sanitize.sh" thread "$@"
