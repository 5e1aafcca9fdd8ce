#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the built-in demo (trains a small
# Transformer on a task it generates, then translates held-out examples).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DTFM_BUILD_TESTS=OFF -DTFM_BUILD_BENCH=OFF
exec build/tfm demo
