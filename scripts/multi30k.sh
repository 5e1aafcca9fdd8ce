#!/usr/bin/env bash
# Multi30k English->German with the README's command and default flags: trains config S, then
# scores test_2016_flickr greedy and with beam 4 (BLEU and chrF, cased and detokenized, as
# sacreBLEU computes them) and prints a row of the README's results table.
#
#   scripts/multi30k.sh [--minutes 30 | --full] [--data DIR] [--model DIR] [--resume] [--tfm build/tfm] [-- MORE TRAIN FLAGS]
#
# --minutes N: `--time-limit N` (default 30). --full: no time limit, early stopping after 4
# validations without a better BLEU. The data directory (default ../shared/data/multi30k) holds
# train, val and test_2016_flickr as {name}.{en,de}.gz. The model directory (default
# multi30k-<minutes|full>) must not exist yet, unless --resume: then the run in it goes on from
# its latest checkpoint (one stopped by its budget or its patience stops again at once), and
# the row covers all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=30 full=0 resume=0 data=../shared/data/multi30k model="" tfm=build/tfm extra=()
while (($#)); do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --full) full=1; shift ;;
    --data) data="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --resume) resume=1; shift ;;
    --tfm) tfm="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "multi30k.sh: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
for f in train.en.gz train.de.gz val.en.gz val.de.gz test_2016_flickr.en.gz test_2016_flickr.de.gz; do
  [[ -f "$data/$f" ]] || { echo "multi30k.sh: $data/$f is missing: pass --data DIR holding Multi30k" >&2; exit 2; }
done
[[ -x "$tfm" ]] || { echo "multi30k.sh: $tfm is not built: run scripts/build.sh build first" >&2; exit 2; }
if ((full)); then budget=(--patience 4); run=full; else budget=(--time-limit "$minutes"); run="${minutes} min"; fi
[[ -n "$model" ]] || model="multi30k-${run// min/}"
if ((resume)); then
  [[ -d "$model" ]] || { echo "multi30k.sh: --resume: $model is not a model directory" >&2; exit 2; }
  budget+=(--resume)
else
  [[ ! -e "$model" ]] || { echo "multi30k.sh: $model exists; pass --model NEW_DIR, or --resume to go on with it" >&2; exit 2; }
fi

"$tfm" train --src "$data/train.en.gz" --tgt "$data/train.de.gz" --valid-src "$data/val.en.gz" \
  --valid-tgt "$data/val.de.gz" --model "$model" --config S "${budget[@]}" "${extra[@]}"

score() {  # beam -> "BLEU chrF"
  "$tfm" translate --model "$model" --input "$data/test_2016_flickr.en.gz" --beam "$1" --quiet > "$model/test.beam$1.de"
  echo "$("$tfm" bleu -r "$data/test_2016_flickr.de.gz" -b -w 2 < "$model/test.beam$1.de")" \
    "$("$tfm" bleu -r "$data/test_2016_flickr.de.gz" -m chrf -b -w 2 < "$model/test.beam$1.de")"
}
read -r greedy_bleu greedy_chrf < <(score 1)
read -r beam_bleu beam_chrf < <(score 4)

# From metrics.jsonl: minutes of training (every part of a resumed run), steps, mean training
# target tokens/s; the final model (what its weights file's header says it holds) and its
# validation BLEU.
summary=$(/usr/bin/env python3 - "$model" <<'EOF'
import json, struct, sys
records = [json.loads(line) for line in open(sys.argv[1] + "/metrics.jsonl")]
train = [r for r in records if r["type"] == "train"]
valid = [r for r in records if r["type"] == "valid"]
with open(sys.argv[1] + "/model.safetensors", "rb") as weights:
    metadata = json.loads(weights.read(struct.unpack("<Q", weights.read(8))[0])).get("__metadata__", {})
if "averaged_checkpoints" in metadata:
    steps = [int(name.split("-")[1]) for name in metadata["averaged_checkpoints"].split()]
    final = next(r["bleu"] for r in records if r["type"] == "average" and r["steps"] == steps)
    model = f"mean of steps {steps[0]}-{steps[-1]}"
else:
    step = int(metadata["checkpoint"].split("-")[1])
    final = next(r["bleu"] for r in valid if r["step"] == step)
    model = ("moving average at " if "ema_decay" in metadata else "") + f"step {step}"
print(f"{max(r['elapsed'] for r in train + valid) / 60:.0f} | {max(r['step'] for r in train + valid)} | "
      f"{sum(r['tgt_tok_per_s'] for r in train) / max(len(train), 1):.0f} | {final:.2f} ({model})")
EOF
)
echo
echo "| run | minutes | steps | train target tok/s | validation BLEU (final model) | test greedy BLEU | chrF | test beam 4 BLEU | chrF |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
echo "| $run | $summary | $greedy_bleu | $greedy_chrf | $beam_bleu | $beam_chrf |"
