#!/usr/bin/env bash
# Builds and tests bpfxx in four configurations:
#   build/gcc    g++,     RelWithDebInfo
#   build/clang  clang++, RelWithDebInfo (with the libFuzzer harnesses)
#   build/asan   g++,     Debug, BPFXX_SANITIZE=ON (ASan + UBSan); no compile-fail tests
#                (build/gcc runs them with the same compiler)
#   fuzz         each libFuzzer harness of build/clang for FUZZ_SECONDS (20) from
#                its seeds, two at a time (scripts/fuzz.sh --smoke)
# Usage: scripts/test.sh [gcc|clang|asan|fuzz]...   (default: all four)
# Environment: JOBS (default: number of CPUs), BPFXX_REQUIRE_KERNEL (passed
# through to the tests: when 1, kernel tests may not skip).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh || { echo "test.sh: installing dependencies failed" >&2; exit 1; }

jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
export BPFXX_REQUIRE_KERNEL="${BPFXX_REQUIRE_KERNEL:-0}"

configs=("$@")
if [ "${#configs[@]}" -eq 0 ]; then configs=(gcc clang asan fuzz); fi

declare -a summary=()
failed=0
start_all=$SECONDS

run_config() {
    local name="$1"; shift
    local dir="build/$name"
    local t0=$SECONDS
    echo
    echo "==== $name: configure ===="
    # A build dir made with another generator cannot be reused.
    if [ -f "$dir/CMakeCache.txt" ] && [ "${#generator[@]}" -gt 0 ] \
        && ! grep -q "^CMAKE_GENERATOR:INTERNAL=Ninja$" "$dir/CMakeCache.txt"; then
        rm -rf "$dir"
    fi
    if ! cmake -S . -B "$dir" "${generator[@]}" "$@"; then
        summary+=("$name: FAILED (configure)"); return 1
    fi
    echo "==== $name: build ===="
    if ! cmake --build "$dir" -j "$jobs"; then
        summary+=("$name: FAILED (build)"); return 1
    fi
    echo "==== $name: test ===="
    if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs"; then
        summary+=("$name: FAILED (tests) after $((SECONDS - t0)) s"); return 1
    fi
    summary+=("$name: ok in $((SECONDS - t0)) s")
}

# The fuzz smoke run: the harnesses in build/clang (built there already when
# the clang configuration ran), each fuzzed from its seeds for a short time.
run_fuzz() {
    local t0=$SECONDS
    echo
    echo "==== fuzz: configure and build the harnesses ===="
    if ! cmake -S . -B build/clang "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DBPFXX_BUILD_FUZZ=ON; then
        summary+=("fuzz: FAILED (configure)"); return 1
    fi
    if ! cmake --build build/clang -j "$jobs" --target bpfxx_fuzz; then
        summary+=("fuzz: FAILED (build)"); return 1
    fi
    echo "==== fuzz: ${FUZZ_SECONDS:-20} s per harness ===="
    if ! BUILD_DIR=build/clang JOBS="${FUZZ_JOBS:-2}" bash scripts/fuzz.sh --smoke all "${FUZZ_SECONDS:-20}"; then
        summary+=("fuzz: FAILED (a harness found something; see build/clang/fuzz/) after $((SECONDS - t0)) s"); return 1
    fi
    summary+=("fuzz: ok in $((SECONDS - t0)) s")
}

for c in "${configs[@]}"; do
    case "$c" in
    gcc)
        run_config gcc -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo || failed=1 ;;
    clang)
        run_config clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo || failed=1 ;;
    asan)
        ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
            run_config asan -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug -DBPFXX_SANITIZE=ON \
                -DBPFXX_COMPILE_FAIL_TESTS=OFF || failed=1 ;;
    fuzz)
        run_fuzz || failed=1 ;;
    *)
        echo "test.sh: unknown configuration '$c' (expected gcc, clang, asan or fuzz)" >&2
        summary+=("$c: FAILED (unknown configuration)"); failed=1 ;;
    esac
done

echo
echo "==== summary ===="
for line in "${summary[@]}"; do echo "  $line"; done
if [ "$failed" -eq 0 ]; then
    echo "test.sh: PASSED (${configs[*]}) in $((SECONDS - start_all)) s"
else
    echo "test.sh: FAILED in $((SECONDS - start_all)) s"
fi
exit "$failed"
