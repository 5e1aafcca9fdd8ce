#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds and tests twice,
# a Release build and an AddressSanitizer+UndefinedBehaviorSanitizer build, runs the fuzz
# targets briefly, and builds the kernels in the -march=native configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The tests that need PyTorch run with $TFM_PYTHON and skip, saying so, where it cannot import
# torch. Debian's python3-torch is importable only by /usr/bin/python3, which need not be the
# python3 first on PATH.
if [[ -z "${TFM_PYTHON:-}" ]] && /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  export TFM_PYTHON=/usr/bin/python3
fi
# ctest runs tests side by side, each with OpenMP threads: threads that wait by spinning
# would then starve each other (a 40 ms test took 40 s), so here they wait passively.
export OMP_WAIT_POLICY=PASSIVE
scripts/build.sh build -DTFM_BUILD_BENCH=OFF
(cd build && ctest --output-on-failure -j "$(nproc)")
scripts/build.sh build-asan -DTFM_SANITIZE=ON -DTFM_BUILD_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)")
# The libFuzzer targets (fuzz/), built with clang, each run for a few seconds from its seeds
# (the targets and the libraries they link, not the command line).
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-14 -DTFM_FUZZ=ON -DTFM_BUILD_TESTS=OFF \
  -DTFM_BUILD_BENCH=OFF -DTFM_BUILD_PYTHON=OFF -DTFM_MPI=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target tfm_fuzzers
(cd build-fuzz && ctest --output-on-failure -j "$(nproc)")
# The -march=native option compiles Highway's kernels differently (one static target): keep
# them (src/kernels/cpu, the only code that uses Highway) building.
cmake -S . -B build-native -DCMAKE_BUILD_TYPE=Release -DTFM_NATIVE=ON -DTFM_BUILD_TESTS=OFF -DTFM_BUILD_BENCH=OFF \
  -DTFM_BUILD_PYTHON=OFF >/dev/null
cmake --build build-native -j "$(nproc)" --target tfm_kernels
