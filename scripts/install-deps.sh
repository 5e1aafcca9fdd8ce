#!/usr/bin/env bash
# Installs the Debian packages tfm needs to build, test and benchmark, when they are missing.
# Usage: scripts/install-deps.sh [--with-torch]   (--with-torch adds the PyTorch used by bench/ and tests/golden/)
set -euo pipefail

packages=(build-essential cmake pkg-config libdnnl-dev libhwy-dev libsentencepiece-dev nlohmann-json3-dev
          libcli11-dev zlib1g-dev libicu-dev libgtest-dev libbenchmark-dev
          libxml2-utils  # xmllint: the viz tests check the SVG files are well-formed XML
          libcpp-httplib-dev  # tfm serve
          pybind11-dev python3-dev python3-numpy python3-pytest  # the Python module and its tests
          openmpi-bin libopenmpi-dev  # data-parallel training (mpirun -np N tfm train); optional at build time
          clang-14 libclang-rt-14-dev libomp-14-dev  # libFuzzer targets (fuzz/, TFM_FUZZ=ON)
          valgrind  # tests/valgrind: memcheck over whole runs
          chromium chromium-driver python3-selenium)  # the web page of tfm serve, tested in headless Chromium
if [[ "${1:-}" == "--with-torch" ]]; then
  # PyTorch uses the system BLAS: without an optimised one it runs on the slow reference BLAS.
  # python3-sentencepiece: bench/pytorch_translate.py and compare_translate.py tokenize with it.
  packages+=(python3-torch python3-numpy libopenblas0-pthread python3-sentencepiece)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing missing packages: ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
