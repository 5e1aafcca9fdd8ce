#!/usr/bin/env bash
# Memcheck over whole runs of the tfm binary: a 5-step `tfm train` of a tiny model on a tiny
# generated corpus, then `tfm translate` with it (beam search, an empty line among the
# inputs). Each must end with no memcheck error and no definitely lost block, with no
# suppressions (oneDNN's JIT code and OpenMP needed none with valgrind 3.19; valgrind's
# virtual CPU has no AVX-512, so oneDNN and Highway take their AVX2 paths under it).
# Usage: valgrind_test.sh TFM_BINARY. Exits 77 (skipped) without valgrind.
set -euo pipefail
tfm=$1
if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed (Debian package valgrind): skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

english=(one two three four five six seven eight nine ten)
german=(eins zwei drei vier fünf sechs sieben acht neun zehn)
for ((i = 0; i < 200; ++i)); do
  echo "${english[i % 10]} ${english[i / 10 % 10]} ${english[i * 7 % 10]}" >>"$work/train.en"
  echo "${german[i % 10]} ${german[i / 10 % 10]} ${german[i * 7 % 10]}" >>"$work/train.de"
done
cat >"$work/tiny.json" <<'JSON'
{"format_version": 1, "vocab_size": 40, "d_model": 16, "nhead": 2, "num_encoder_layers": 1,
 "num_decoder_layers": 1, "dim_feedforward": 32, "dropout": 0.1, "attention_dropout": 0.1,
 "activation_dropout": 0.1, "activation": "relu", "layer_norm_eps": 1e-5, "norm_first": false,
 "encoder_final_norm": false, "decoder_final_norm": false, "tie_embeddings": true, "pad_id": 0,
 "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 64}
JSON
printf 'one two three\n\nnine eight seven six five\n' >"$work/input.en"

# --error-exitcode makes any memcheck error fail the run; definite leaks count as errors.
memcheck=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
          --show-leak-kinds=definite --num-callers=30)
run() {
  echo "== $*"
  if ! "${memcheck[@]}" "$@" >"$work/stdout" 2>"$work/log"; then
    cat "$work/log"
    echo "memcheck reported errors (above) for: $*"
    exit 1
  fi
  grep -E "ERROR SUMMARY|definitely lost" "$work/log" || true
}
run "$tfm" train --src "$work/train.en" --tgt "$work/train.de" --model "$work/model" --config "$work/tiny.json" \
  --max-steps 5 --valid-every 5 --batch-tokens 256 --log-every 1 --threads 2
run "$tfm" translate --model "$work/model" --input "$work/input.en" --beam 2 --threads 2
lines=$(wc -l <"$work/stdout")
[[ $lines -eq 3 ]] || { echo "translate printed $lines lines for 3"; exit 1; }
