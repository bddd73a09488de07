#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (see Scripts/sanitize.sh).
exec bash "$(dirname "$0")/sanitize.sh" address "$@"
