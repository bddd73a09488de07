#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a given time, one after another.
#
#   Scripts/fuzz.sh [-t SECONDS] [-c release|debug] [all | safetensors npy idx modelfile ...]
#
# Each target starts from a scratch copy of its committed seed corpus (Tests/Fuzz/Corpus/NAME),
# so the repository is never written to. Crash, timeout and out-of-memory inputs are saved in
# .build/fuzz-artifacts/NAME/; add each as a regression test under
# Tests/PerceptronTests/Fixtures/Regressions/. Prints one summary line per target and exits 1 if
# any target found a problem. The build uses its own scratch path (.build/fuzz) so it never
# disturbs the normal debug/release builds.
#
# Flags (see RECIPES §6): `--sanitize fuzzer` plus `-Xswiftc -sanitize=fuzzer,address` (both are
# needed for an instrumented ASan fuzzer), always with `--product`; SWIFT_BACKTRACE=enable=no so
# a Swift trap reaches libFuzzer instead of the runtime's backtracer.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=60
configuration=release
while getopts "t:c:" option; do
    case "$option" in
        t) seconds="$OPTARG" ;;
        c) configuration="$OPTARG" ;;
        *) echo "usage: $0 [-t SECONDS] [-c release|debug] [all | safetensors npy idx modelfile ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
names=("$@")
if [ ${#names[@]} -eq 0 ] || [ "${names[0]}" = all ]; then names=(safetensors npy idx modelfile); fi

product_of() {
    case "$1" in
        safetensors) echo FuzzSafetensors ;;
        npy) echo FuzzNPY ;;
        idx) echo FuzzIDX ;;
        modelfile) echo FuzzModelFile ;;
        *) echo "fuzz.sh: unknown target '$1' (safetensors, npy, idx, modelfile)" >&2; return 1 ;;
    esac
}
corpus_of() {
    case "$1" in
        safetensors) echo Safetensors ;;
        npy) echo NPY ;;
        idx) echo IDX ;;
        modelfile) echo ModelFile ;;
    esac
}

scratch=.build/fuzz
status=0
summary=()
for name in "${names[@]}"; do
    product=$(product_of "$name") || exit 2
    echo "== building $product ($configuration, fuzzer + address)" >&2
    if ! swift build -c "$configuration" --scratch-path "$scratch" --product "$product" \
        --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address >"$scratch-build-$name.log" 2>&1; then
        cat "$scratch-build-$name.log" >&2
        echo "fuzz.sh: build of $product failed" >&2
        exit 1
    fi
    binary="$scratch/$configuration/$product"
    artifacts=".build/fuzz-artifacts/$name/"
    mkdir -p "$artifacts"
    corpus=$(mktemp -d "/tmp/perceptron-fuzz-$name-XXXXXX")
    cp "Tests/Fuzz/Corpus/$(corpus_of "$name")"/* "$corpus"/
    seeds=$(ls "$corpus" | wc -l)
    log="$scratch-run-$name.log"
    echo "== running $product for ${seconds}s from $seeds seeds in $corpus" >&2
    SWIFT_BACKTRACE=enable=no timeout $((seconds + 120)) "$binary" \
        -max_total_time="$seconds" -use_value_profile=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
    code=$?
    runs=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1)
    runs=${runs:-$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)}
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    size=$(ls "$corpus" | wc -l)
    found=$(grep -cE '^(==[0-9]+== ERROR|SUMMARY: libFuzzer)' "$log")
    line="$name: exit $code, ${runs:-?} runs in ${seconds}s (${rate:-?}/s), corpus $seeds -> $size files, problems $found"
    if [ "$code" -ne 0 ]; then
        status=1
        line="$line; see $log and $artifacts"
        grep -E 'ERROR|Test unit written|SUMMARY' "$log" >&2
    fi
    echo "$line" >&2
    summary+=("$line")
    rm -rf "$corpus"
done
printf '%s\n' "${summary[@]}"
exit $status
