#!/usr/bin/env bash
# Builds and runs bpfxx's libFuzzer harnesses (tests/fuzz/<target>.cpp).
# Usage: scripts/fuzz.sh [--smoke] [target|all] [seconds]
#   target   disasm, check, vm, verifier_log, tracefs_format, elf_symbols, btf_reader, or all (default)
#   seconds  per target (default 60; --smoke: 20)
#   --smoke  the CI run: JOBS targets at a time (default: number of CPUs)
# Seeds are read from tests/fuzz/corpus/<target> (never written); new inputs
# go to $BUILD_DIR/fuzz/<target>/corpus, a crash to $BUILD_DIR/fuzz/<target>/
# (crash-*, timeout-*, leak-*), which is what to add to the seeds, with a
# regression test, once fixed. Exit status 1 when a target found something.
# Environment: BUILD_DIR (default build/clang, configured with clang++ if
# needed), JOBS.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
target="${1:-all}"
seconds="${2:-$([ "$smoke" -eq 1 ] && echo 20 || echo 60)}"
build="${BUILD_DIR:-build/clang}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
[ "$smoke" -eq 1 ] || jobs=1

all_targets=()
for f in tests/fuzz/*.cpp; do all_targets+=("$(basename "$f" .cpp)"); done
if [ "$target" = "all" ]; then targets=("${all_targets[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
    if [ ! -f "tests/fuzz/$t.cpp" ]; then
        echo "fuzz.sh: no fuzz target '$t' (there are: ${all_targets[*]})" >&2; exit 2
    fi
done

if [ ! -f "$build/CMakeCache.txt" ]; then
    generator=()
    if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
    cmake -S . -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DBPFXX_BUILD_FUZZ=ON || exit 1
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$build" -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}" "${build_targets[@]}" || exit 1

# run_one <target>: fuzzes it for $seconds; prints "<target> <execs> ok|FOUND"
run_one() {
    local t="$1" dir="$build/fuzz/$1"
    mkdir -p "$dir/corpus"
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" "tests/fuzz/corpus/$t" >"$dir/log" 2>&1
    local rc=$?
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        echo "$t ${execs:-?} ok"
    else
        echo "$t ${execs:-?} FOUND (exit $rc; see $dir/log)"
        grep -E "ERROR|runtime error|property failed|Test unit written" "$dir/log" | head -5 | sed 's/^/    /'
    fi
    return "$rc"
}

failed=0
pids=()
results=$(mktemp)
for t in "${targets[@]}"; do
    run_one "$t" >>"$results" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
echo "target execs result"
cat "$results"
rm -f "$results"
if [ "$failed" -eq 0 ]; then echo "fuzz.sh: no findings (${targets[*]}, $seconds s each)"; fi
exit "$failed"
