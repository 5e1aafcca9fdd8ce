#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds and tests twice,
# a Release build and an AddressSanitizer+UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DTFM_BUILD_BENCH=OFF
(cd build && ctest --output-on-failure -j "$(nproc)")
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTFM_SANITIZE=ON -DTFM_BUILD_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)")
