#!/usr/bin/python3
"""The PyTorch peer of `tfm train`: the same model and recipe trained in PyTorch for the same wall-clock time,
written as a tfm model directory, so that `tfm translate` and `tfm bleu` score both sides alike.

  pytorch_train.py --src FILE --tgt FILE --valid-src FILE --valid-tgt FILE --spm SPM_MODEL --model OUT_DIR
                   --time-limit MINUTES --threads N [--tfm build/tfm] [--config S|B|config.json]
                   [--batch-tokens 4096] [--max-length 200] [--seed 1] [--log-every 100]
                   [--matmul-precision float32|bfloat16] [--json]

What it shares with `tfm train --config S --time-limit M` (src/train/):
- model: tests/golden/reference_model.py (a config file's missing fields are S's), plus the dropout on the scaled
  embeddings + positions that tfm (and the paper) apply; initialised as tfm's Transformer::initialize (xavier-uniform
  matrices, N(0, 1/d_model) embeddings, zero biases, unit norm weights);
- data: the pieces of --spm (a model tfm trained; copied to OUT_DIR) and tfm's batcher ported exactly (SplitMix64
  shuffle, length sort, budget = sentences x longest side, specials included, batch order reshuffled every
  epoch; pairs with an empty side or over --max-length pieces skipped): the same batches in the same order;
- recipe (train/recipe.cpp): Adam 0.9/0.98/1e-9, label smoothing 0.1, loss per target token, no clipping; warm-up
  3 epochs of steps in hundreds (at most 4000), peak min((d_model * warmup)^-0.5, 1e-3),
  lr = peak * min(step / warmup, sqrt(warmup / step)), the paper's inverse square root;
- validation every 2 epochs of steps in hundreds (at most 1000) and at the end: `tfm translate --beam 1` of
  --valid-src scored by `tfm bleu`; the best becomes OUT_DIR/model.safetensors, and the mean of the last 5
  checkpoints (kept in memory) replaces it if it validates better.
- --matmul-precision bfloat16 (tfm's choice where the CPU has AVX512_BF16): forward and loss under
  torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's mixed precision; it also runs attention's products in
  bfloat16, which tfm keeps in float32, and the loss is computed from float32 logits as tfm's is.
What differs: the random streams (initial weights, dropout masks), the kernels' rounding, and validation's
`tfm translate` and `tfm bleu` run as processes (tfm validates in-process; its loss, the tie-breaker, is computed here).
The time limit counts from the first step (after reading and tokenizing), validation included, as tfm's does.
Writes OUT_DIR/{config.json, spm.model, model.safetensors, metrics.jsonl} (tfm's records); logs to stderr;
--json prints one summary line to stdout.
"""

import argparse
import collections
import functools
import json
import math
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

# OpenBLAS sizes its thread pool when it is loaded and torch.set_num_threads does not resize it: the count must be
# in the environment before torch is imported (as in pytorch_bench.py).
if __name__ == "__main__" and "--threads" in sys.argv[:-1]:
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402
import sentencepiece  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pytorch_decode  # noqa: E402,F401  (puts tests/golden on sys.path)
import safetensors_io  # noqa: E402
from pytorch_bench import CONFIGS  # noqa: E402
from pytorch_translate import read_lines  # noqa: E402
from reference_model import ReferenceTransformer  # noqa: E402

LABEL_SMOOTHING = 0.1
KEEP_CHECKPOINTS = 5
EMA_DECAY = 0.99
# config.json's fields in the order tfm writes them (src/io/model_config.cpp).
CONFIG_FIELDS = ("format_version", "vocab_size", "d_model", "nhead", "num_encoder_layers", "num_decoder_layers",
                 "dim_feedforward", "dropout", "attention_dropout", "activation_dropout", "activation",
                 "layer_norm_eps", "norm_first", "encoder_final_norm", "decoder_final_norm", "tie_embeddings",
                 "pad_id", "unk_id", "bos_id", "eos_id", "max_positions")
MASK64 = (1 << 64) - 1
# torch 1.13's eval() encoder runs padded batches as nested tensors and warns that they are a prototype.
warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")
log = functools.partial(print, file=sys.stderr, flush=True)


class SplitMix64:
    """tfm's generator (src/tensor/random.h), which orders its batches."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = ((self.state ^ (self.state >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def shuffle(items, rng):
    """tfm's Fisher-Yates (src/tensor/shuffle.h), in place."""
    for i in range(len(items) - 1):
        j = i + rng.next() % (len(items) - i)
        items[i], items[j] = items[j], items[i]


class Batcher:
    """tfm's Batcher (src/train/batcher.cpp): per epoch, shuffle the pairs, sort them by (source, target) length in
    chunks, cut batches of at most max_tokens = sentences x longest side (EOS/BOS counted; a pair over the budget
    forms a batch of its own), shuffle the batches. Each batch is a list of (source pieces, target pieces)."""

    def __init__(self, sources, targets, max_tokens, max_length, seed, sort_chunk=100_000):
        self.pairs = [(s, t) for s, t in zip(sources, targets)
                      if s and t and len(s) <= max_length and len(t) <= max_length]
        if not self.pairs:
            raise ValueError(f"no sentence pair left: every one has an empty side or one over {max_length} pieces")
        self.skipped = len(sources) - len(self.pairs)
        self.max_tokens, self.seed, self.sort_chunk = max_tokens, seed, sort_chunk
        self.plan_epoch(0)

    def plan_epoch(self, epoch):
        # A stream per (seed, epoch), hashed as tfm's epoch_rng does.
        rng = SplitMix64(SplitMix64(SplitMix64(self.seed).next() + epoch).next())
        order = list(range(len(self.pairs)))
        shuffle(order, rng)
        lengths = lambda i: (len(self.pairs[i][0]), len(self.pairs[i][1]))  # noqa: E731
        for begin in range(0, len(order), self.sort_chunk):
            order[begin:begin + self.sort_chunk] = sorted(order[begin:begin + self.sort_chunk], key=lengths)  # stable
        starts, rows, longest = [0], 0, 0
        for position, i in enumerate(order):
            length = max(lengths(i)) + 1
            if rows > 0 and (rows + 1) * max(longest, length) > self.max_tokens:
                starts.append(position)
                rows, longest = 0, 0
            rows, longest = rows + 1, max(longest, length)
        starts.append(len(order))
        batch_order = list(range(len(starts) - 1))
        shuffle(batch_order, rng)
        self.batches = [[self.pairs[i] for i in order[starts[k]:starts[k + 1]]] for k in batch_order]
        self.epoch, self.index = epoch, 0

    def next(self):
        batch = self.batches[self.index]
        self.index += 1
        if self.index == len(self.batches):
            self.plan_epoch(self.epoch + 1)
        return batch


def batch_tensors(pairs, config):
    """(src_ids, src_lengths, tgt_in_ids, tgt_out_ids, tgt_lengths) framed as tfm's make_batch does:
    source = pieces + EOS, decoder input = BOS + pieces, decoder target = pieces + EOS, padded at the end."""
    pad, bos, eos = config["pad_id"], config["bos_id"], config["eos_id"]
    src_len, tgt_len = max(len(s) for s, _ in pairs) + 1, max(len(t) for _, t in pairs) + 1
    src = np.full((len(pairs), src_len), pad, dtype=np.int64)
    tgt_in, tgt_out = (np.full((len(pairs), tgt_len), pad, dtype=np.int64) for _ in range(2))
    for row, (s, t) in enumerate(pairs):
        src[row, :len(s) + 1] = s + [eos]
        tgt_in[row, :len(t) + 1] = [bos] + t
        tgt_out[row, :len(t) + 1] = t + [eos]
    src_lengths = torch.tensor([len(s) + 1 for s, _ in pairs])
    tgt_lengths = torch.tensor([len(t) + 1 for _, t in pairs])
    return torch.from_numpy(src), src_lengths, torch.from_numpy(tgt_in), torch.from_numpy(tgt_out), tgt_lengths


class TrainingTransformer(ReferenceTransformer):
    """The reference model with what tfm trains and it leaves out: dropout on the scaled embeddings + positions
    (src/nn/embedding.cpp, the paper's section 5.4), and tfm's initialisation."""

    def __init__(self, config):
        super().__init__(config)
        self.embedding_dropout = config["dropout"]
        with torch.no_grad():
            for name, p in self.stored_parameters().items():  # as tfm's Transformer::initialize
                if name.endswith("embed.weight") or name == "generator.weight":
                    nn.init.normal_(p, 0.0, self.d_model ** -0.5)
                elif p.dim() == 2:
                    nn.init.xavier_uniform_(p)
                else:
                    p.fill_(1.0 if ".norm" in name and name.endswith(".weight") else 0.0)

    def embed(self, embedding, ids):
        return F.dropout(super().embed(embedding, ids), self.embedding_dropout, self.training)


def cross_entropy_sums(logits, targets, pad_id, smoothing):
    """(label-smoothed loss, NLL, tokens) summed over the non-pad targets. Per token, tfm's definition
    (src/kernels/cross_entropy.h), F.cross_entropy(label_smoothing=e)'s: -(1 - e) log p[gold] - e/V sum_c log p[c]."""
    counted = targets != pad_id
    log_probs = torch.log_softmax(logits[counted], dim=-1)  # [tokens, V]: pad rows never computed
    nll = -log_probs.gather(1, targets[counted].unsqueeze(1)).squeeze(1)
    loss = (1.0 - smoothing) * nll - smoothing * log_probs.mean(dim=1)
    return loss.sum(), nll.sum(), int(counted.sum())


def training_loss(model, tensors, config, bfloat16):
    """cross_entropy_sums of the model's logits for batch_tensors(...); bfloat16: forward under autocast, the loss
    from float32 logits."""
    src, src_lengths, tgt_in, tgt_out, tgt_lengths = tensors
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
        logits, _ = model(src, tgt_in, src_lengths, tgt_lengths)
    return cross_entropy_sums(logits.float(), tgt_out, config["pad_id"], LABEL_SMOOTHING)


def round_steps(steps):
    """Steps in round hundreds, at least 100: tfm's round_steps (llround: halves away from zero)."""
    return max(100, math.floor(steps / 100.0 + 0.5) * 100)


def choose_recipe(steps_per_epoch, d_model):
    """What tfm's choose_recipe picks with --time-limit and nothing else given (src/train/recipe.cpp)."""
    warmup = round_steps(min(3.0 * steps_per_epoch, 4000.0))
    return {"warmup_steps": warmup, "peak_lr": min((d_model * warmup) ** -0.5, 1e-3),
            "valid_every": min(round_steps(2.0 * steps_per_epoch), 1000), "keep_checkpoints": KEEP_CHECKPOINTS,
            "ema_decay": EMA_DECAY}


def learning_rate(step, peak, warmup):
    """tfm's inverse-sqrt, the paper's (src/train/schedule.h); step counts from 1."""
    s, w = max(step, 1), max(warmup, 1)
    return peak * min(s / w, math.sqrt(w / s))


def update_moving_average(average, weights, update, decay):
    """tfm's MovingAverage (src/train/moving_average.h): average += w * (weights - average), w = max(1 - decay,
    10 / (update + 9)) for update = 1, 2, ...; the first takes the weights whole."""
    w = max(1.0 - decay, 10.0 / (update + 9))
    for name, p in weights.items():
        average[name].add_(p.detach() - average[name], alpha=w)


def average_weights(checkpoints):
    """Element-wise mean of {name: tensor} dicts, summed in float64 and rounded once (tfm's checkpoint_average)."""
    return {name: (sum(c[name].double() for c in checkpoints) / len(checkpoints)).float() for name in checkpoints[0]}


def save_weights(path, tensors, metadata):
    """A model.safetensors in tfm's naming and layout (tied aliases left out), written atomically."""
    partial = Path(str(path) + ".partial")
    safetensors_io.save(partial, {name: t.detach().numpy() for name, t in tensors.items()}, metadata)
    os.replace(partial, path)


def run_tfm(command, stdin=None):
    completed = subprocess.run(command, input=stdin, capture_output=True)
    if completed.returncode != 0:
        sys.exit(f"pytorch_train.py: {' '.join(map(str, command))} failed:\n"
                 + completed.stderr.decode("utf-8", "replace"))
    return completed.stdout


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--src", "--tgt", "--valid-src", "--valid-tgt", "--spm"):
        parser.add_argument(name, type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True, help="model directory to create")
    parser.add_argument("--time-limit", type=float, required=True, help="minutes of training")
    parser.add_argument("--threads", type=int, required=True, help="torch's and tfm's (write it as --threads N)")
    parser.add_argument("--tfm", type=Path, default=Path(__file__).resolve().parents[1] / "build" / "tfm")
    parser.add_argument("--config", default="S", help="S, B or a config.json (missing fields: S's)")
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--max-length", type=int, default=200, help="skip pairs with a longer side (pieces)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--matmul-precision", choices=("float32", "bfloat16"), default="float32",
                        help="bfloat16: forward and loss under torch.autocast (bfloat16 products)")
    parser.add_argument("--json", action="store_true", help="print one JSON line of summary to standard output")
    args = parser.parse_args(argv)
    if min(args.threads, args.batch_tokens, args.max_length, args.log_every) < 1 or args.time_limit <= 0:
        parser.error("--threads, --batch-tokens, --max-length, --log-every and --time-limit must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = args.model
    if (out / "model.safetensors").exists():
        sys.exit(f"pytorch_train.py: {out} already holds a model; choose another --model directory")
    scratch = out / ".validate"  # the weights being validated, as a model directory for `tfm translate`
    scratch.mkdir(parents=True, exist_ok=True)

    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(args.spm))
    base = CONFIGS.get(args.config) or {**CONFIGS["S"], **json.loads(Path(args.config).read_text())}
    config = {**base, "vocab_size": tokenizer.get_piece_size(), "pad_id": tokenizer.pad_id(),
              "unk_id": tokenizer.unk_id(), "bos_id": tokenizer.bos_id(), "eos_id": tokenizer.eos_id()}
    config_text = json.dumps({field: config[field] for field in CONFIG_FIELDS}, indent=2) + "\n"
    for directory in (out, scratch):
        (directory / "config.json").write_text(config_text)
        shutil.copyfile(args.spm, directory / "spm.model")

    def encode(path):
        return tokenizer.encode(read_lines(path), num_threads=args.threads)
    batcher = Batcher(encode(args.src), encode(args.tgt), args.batch_tokens,
                      min(args.max_length, config["max_positions"] - 1), args.seed)
    valid_batches = Batcher(encode(args.valid_src), encode(args.valid_tgt), args.batch_tokens,
                            config["max_positions"] - 1, args.seed).batches
    recipe = choose_recipe(len(batcher.batches), config["d_model"])
    log(f"training pairs: {len(batcher.pairs)} kept, {batcher.skipped} skipped (an empty side or over "
        f"{min(args.max_length, config['max_positions'] - 1)} pieces)")
    log(f"recipe: {len(batcher.batches)} steps per epoch: " + ", ".join(f"{k} {v:.4g}" for k, v in recipe.items()))

    model = TrainingTransformer(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    metrics = open(out / "metrics.jsonl", "w")
    checkpoints = collections.deque(maxlen=recipe["keep_checkpoints"])  # (step, weights)
    moving_average = {name: torch.zeros_like(p) for name, p in model.stored_parameters().items()}
    best = {"step": None, "bleu": 0.0, "loss": math.inf}
    start = time.perf_counter()

    def elapsed():
        return time.perf_counter() - start

    def write_record(record):
        metrics.write(json.dumps(record) + "\n")
        metrics.flush()

    def evaluate(weights, metadata):
        """(BLEU, NLL per target token) of the model holding `weights`, as tfm's validate() measures them."""
        save_weights(scratch / "model.safetensors", weights, metadata)
        model.eval()
        nll, tokens = 0.0, 0
        with torch.inference_mode():
            for pairs in valid_batches:
                src, src_lengths, tgt_in, tgt_out, tgt_lengths = batch_tensors(pairs, config)
                logits, _ = model(src, tgt_in, src_lengths, tgt_lengths)
                _, batch_nll, batch_tokens = cross_entropy_sums(logits, tgt_out, config["pad_id"], 0.0)
                nll, tokens = nll + float(batch_nll), tokens + batch_tokens
        model.train()
        translations = run_tfm([args.tfm, "translate", "--model", scratch, "--input", args.valid_src, "--beam", "1",
                                "--threads", str(args.threads), "--quiet"])
        bleu = float(run_tfm([args.tfm, "bleu", "-r", args.valid_tgt, "-b", "-w", "4"], stdin=translations))
        return bleu, nll / max(tokens, 1)

    def validate_and_checkpoint():
        seconds = elapsed()
        weights = {name: p.detach().clone() for name, p in model.stored_parameters().items()}
        checkpoints.append((step, weights))
        # As tfm: the moving average validates and may become the model; training goes on from the weights.
        smoothed = {name: t.clone() for name, t in moving_average.items()}
        model.load_stored_parameters(smoothed)
        bleu, loss = evaluate(smoothed, {"checkpoint": f"step-{step:09d}", "ema_decay": str(recipe["ema_decay"])})
        model.load_stored_parameters(weights)
        better = best["step"] is None or bleu > best["bleu"] or (bleu == best["bleu"] and loss < best["loss"])
        if better:
            best.update(step=step, bleu=bleu, loss=loss)
            os.replace(scratch / "model.safetensors", out / "model.safetensors")
        write_record({"type": "valid", "step": step, "epoch": batcher.epoch, "elapsed": seconds, "loss": loss,
                      "ppl": math.exp(loss), "bleu": bleu})
        log(f"valid step {step} epoch {batcher.epoch}: loss {loss:.2f} ppl {math.exp(loss):.2f} BLEU {bleu:.2f}"
            f"{' (best)' if better else ''} [{duration(seconds)}]")

    limit = args.time_limit * 60.0
    step, last_checkpoint, rates = 0, 0, []
    interval_tokens, interval_nll, interval_start = 0, 0.0, time.perf_counter()
    model.train()
    while True:
        spent = elapsed()
        if spent >= limit:
            break
        src, src_lengths, tgt_in, tgt_out, tgt_lengths = batch_tensors(batcher.next(), config)
        lr = learning_rate(step + 1, recipe["peak_lr"], recipe["warmup_steps"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss, nll, tokens = training_loss(model, (src, src_lengths, tgt_in, tgt_out, tgt_lengths), config,
                                          args.matmul_precision == "bfloat16")
        optimizer.zero_grad(set_to_none=True)
        (loss / tokens).backward()
        optimizer.step()
        step += 1
        update_moving_average(moving_average, model.stored_parameters(), step, recipe["ema_decay"])
        if not math.isfinite(float(loss)):
            sys.exit(f"pytorch_train.py: training diverged: non-finite loss at step {step}")
        interval_tokens, interval_nll = interval_tokens + tokens, interval_nll + float(nll)
        if step % args.log_every == 0:
            # As tfm: target tokens over the wall time since the last log line (a validation in it included).
            rate = interval_tokens / (time.perf_counter() - interval_start)
            train_nll = interval_nll / interval_tokens
            rates.append(rate)
            write_record({"type": "train", "step": step, "epoch": batcher.epoch, "elapsed": elapsed(),
                          "loss": train_nll, "ppl": math.exp(train_nll), "lr": lr, "tgt_tok_per_s": rate})
            log(f"epoch {batcher.epoch} step {step} loss {train_nll:.3f} ppl {math.exp(train_nll):.2f} lr {lr:.2e} "
                f"{rate:.0f} tok/s [{duration(elapsed())}]")
            interval_tokens, interval_nll, interval_start = 0, 0.0, time.perf_counter()
        if step % recipe["valid_every"] == 0:
            validate_and_checkpoint()
            last_checkpoint = step
    training_seconds = elapsed()
    if last_checkpoint != step:
        validate_and_checkpoint()
    log(f"stopped at step {step}: reached --time-limit; best validation BLEU {best['bleu']:.2f} at step {best['step']}")

    final_bleu, averaged = best["bleu"], False
    if len(checkpoints) >= 2:  # the paper's final model (section 6.1), kept if it validates better
        steps = [s for s, _ in checkpoints]
        mean = average_weights([weights for _, weights in checkpoints])
        model.load_stored_parameters(mean)
        bleu, loss = evaluate(mean, {"averaged_checkpoints": " ".join(f"step-{s:09d}" for s in steps)})
        averaged = bleu > best["bleu"]
        if averaged:
            final_bleu = bleu
            os.replace(scratch / "model.safetensors", out / "model.safetensors")
        write_record({"type": "average", "steps": steps, "loss": loss, "ppl": math.exp(loss), "bleu": bleu,
                      "kept": averaged})
        log(f"average of the last {len(steps)} checkpoints: loss {loss:.2f} BLEU {bleu:.2f} "
            f"({'better than' if averaged else 'not better than'} step {best['step']}'s {best['bleu']:.2f})")
    metrics.close()
    shutil.rmtree(scratch)
    if args.json:
        mean_rate = sum(rates) / len(rates) if rates else 0.0  # as scripts/multi30k.sh summarises tfm's metrics
        print(json.dumps({
            "impl": "pytorch", "threads": args.threads, "steps": step,
            "epochs": round(batcher.epoch + batcher.index / len(batcher.batches), 3),
            "tgt_tok_per_s": round(mean_rate, 1), "training_seconds": round(training_seconds, 1),
            "best_valid_bleu": best["bleu"], "best_step": best["step"], "final_valid_bleu": final_bleu,
            "averaged": averaged, "matmul_precision": args.matmul_precision, "torch": torch.__version__}))
    return 0


def duration(seconds):
    """H:MM:SS, as tfm's log lines show time."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


if __name__ == "__main__":
    sys.exit(main())
