#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) and runs each for SECONDS (default
# 60), one after another. New inputs collect in build-fuzz/fuzz/corpus/<target>, which later
# runs start from; each run's log goes to build-fuzz/fuzz/logs/<target>.log, and crashes,
# leaks and timeouts to build-fuzz/fuzz/artifacts/<target>-{crash,leak,timeout}-*. The script
# exits non-zero when any target found one.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: the names in fuzz/CMakeLists.txt)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=${1:-60}
shift || true
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DTFM_FUZZ=ON -DTFM_BUILD_TESTS=OFF \
  -DTFM_BUILD_BENCH=OFF
targets=("$@")
if ((${#targets[@]} == 0)); then
  read -r -a targets <<<"$(sed -n 's/^set(TFM_FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt")"
fi
out="$root/build-fuzz/fuzz"
mkdir -p "$out/logs" "$out/artifacts"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  echo "== $t: $seconds s"
  if ! ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "$root/fuzz/seeds/$t" \
      2>"$out/logs/$t.log"; then
    failed+=("$t")
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$out/logs/$t.log" || true
done
if ((${#failed[@]})); then
  echo "fuzz targets that failed (see build-fuzz-TARGET.log): ${failed[*]}" >&2
  exit 1
fi
