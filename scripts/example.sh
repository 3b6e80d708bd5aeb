#!/usr/bin/env bash
# Builds and runs one example: scripts/example.sh [name]  (default: sock_example)
# The example is examples/<name>.cpp; the build goes to build/example.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
name="${1:-sock_example}"
if [ ! -f "examples/$name.cpp" ]; then
    echo "example.sh: no such example: examples/$name.cpp" >&2
    echo "available:" $(cd examples && ls *.cpp 2>/dev/null | sed 's/\.cpp$//') >&2
    exit 2
fi

bash scripts/install-deps.sh

generator=()
if command -v ninja >/dev/null 2>&1 && ! [ -f build/example/Makefile ]; then generator=(-G Ninja); fi
cmake -S . -B build/example "${generator[@]}" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBPFXX_BUILD_TESTS=OFF -DBPFXX_BUILD_BENCH=OFF -DBPFXX_BUILD_EXAMPLES=ON
cmake --build build/example -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}" --target "$name"
echo "==== running examples/$name ===="
exec "build/example/examples/$name"
