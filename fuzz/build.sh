#!/usr/bin/env bash
# Configures and builds the libFuzzer targets with clang in DIR (a build
# directory of its own: the rest of payops builds with g++).
#   fuzz/build.sh DIR
set -euo pipefail
dir=${1:?build directory}
src=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DPAYOPS_FUZZ=ON -DPAYOPS_TESTS=OFF >/dev/null
fi
cmake --build "$dir" -j "${JOBS:-$(nproc)}" --target fuzz_all
