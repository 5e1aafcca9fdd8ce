#!/usr/bin/env bash
# Installs tfm into a temporary prefix, builds examples/translate against it twice (through
# the CMake package and through pkg-config) and runs both on a tiny model that the installed
# tfm trains: what a user who embeds tfm in a C++ program does.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

# A tiny English -> German word task and model config.
english=(red blue green cat dog bird runs sleeps eats big small the a two)
german=(rot blau grün Katze Hund Vogel rennt schläft isst groß klein die eine zwei)
for ((i = 0; i < 300; ++i)); do
  en=() de=()
  for ((k = 0; k <= i % 5; ++k)); do
    w=$(((i * 7 + k * 3) % ${#english[@]}))
    en+=("${english[w]}") de+=("${german[w]}")
  done
  echo "${en[*]}" >>"$work/train.en"
  echo "${de[*]}" >>"$work/train.de"
done
cat >"$work/tiny.json" <<'JSON'
{"format_version": 1, "vocab_size": 48, "d_model": 32, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
 "dim_feedforward": 64, "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0, "activation": "relu",
 "layer_norm_eps": 1e-05, "norm_first": false, "encoder_final_norm": false, "decoder_final_norm": false,
 "tie_embeddings": true, "pad_id": 0, "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 64}
JSON
"$prefix/bin/tfm" train --src "$work/train.en" --tgt "$work/train.de" --model "$work/model" --config "$work/tiny.json" \
  --max-steps 5 --warmup 2 --batch-tokens 256 --threads 1 >/dev/null 2>&1

cmake -S "$source_dir/examples/translate" -B "$work/with-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/with-cmake" >/dev/null
"$work/with-cmake/translate" "$work/model" "the red cat" "two dogs run" >"$work/cmake.out"

PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name tfm.pc)")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
g++ -O1 -o "$work/with-pkg-config" "$source_dir/examples/translate/main.cpp" $(pkg-config --cflags --libs tfm) \
  -Wl,-rpath,"$(pkg-config --variable=libdir tfm)"
"$work/with-pkg-config" "$work/model" "the red cat" "two dogs run" >"$work/pkg-config.out"

# Two sentences, two hypotheses each, then the score line; both builds print the same.
lines=$(wc -l <"$work/cmake.out")
if [[ $lines -ne 5 ]] || ! grep -q '^log P(empty translation | first sentence) = -' "$work/cmake.out"; then
  echo "unexpected output of the example built with CMake:"
  cat "$work/cmake.out"
  exit 1
fi
if ! cmp -s "$work/cmake.out" "$work/pkg-config.out"; then
  echo "the example built with pkg-config printed something else:"
  diff "$work/cmake.out" "$work/pkg-config.out" || true
  exit 1
fi
echo "installed into $prefix: the example builds with find_package(tfm) and with pkg-config, and runs"
