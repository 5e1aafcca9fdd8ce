#!/usr/bin/python3
"""The PyTorch peer of `tfm bench`: the same model, batch and step, timed in PyTorch.

  pytorch_bench.py --config S|B --mode forward|train --threads N [--steps K] [--json]

The model is tests/golden/reference_model.py (tfm's definition in stock PyTorch modules).
train   = forward + label-smoothed (0.1) cross-entropy + backward + Adam step, train() mode
forward = forward + loss, eval() mode under torch.inference_mode()
Batch: 64 sentences of 32 source and 32 target tokens, random ids in [4, 8000), no padding.
"""

import argparse
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

BATCH = 64
SRC_LEN = 32
TGT_LEN = 32
BATCH_SEED = 1
MODEL_SEED = 2
WARMUP_STEPS = 2
LABEL_SMOOTHING = 0.1
DEFAULT_STEPS = {("S", "train"): 5, ("B", "train"): 3, ("S", "forward"): 10, ("B", "forward"): 5}

BASE_CONFIG = {
    "format_version": 1, "vocab_size": 8000, "dropout": 0.1, "attention_dropout": 0.1, "activation_dropout": 0.1,
    "activation": "relu", "layer_norm_eps": 1e-5, "norm_first": False, "encoder_final_norm": False,
    "decoder_final_norm": False, "tie_embeddings": True, "pad_id": 0, "unk_id": 1, "bos_id": 2, "eos_id": 3,
    "max_positions": 1024,
}
CONFIGS = {
    "S": {**BASE_CONFIG, "d_model": 256, "nhead": 4, "dim_feedforward": 1024, "num_encoder_layers": 3, "num_decoder_layers": 3},
    "B": {**BASE_CONFIG, "d_model": 512, "nhead": 8, "dim_feedforward": 2048, "num_encoder_layers": 6, "num_decoder_layers": 6},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(CONFIGS), required=True)
    parser.add_argument("--mode", choices=["forward", "train"], required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--steps", type=int, help="timed steps (default: train 5 for S, 3 for B; forward 10 / 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = parser.parse_args()
    if args.threads < 1 or (args.steps is not None and args.steps < 1):
        parser.error("--threads and --steps must be at least 1")
    return args


def blas_in_use():
    """Which BLAS library this process has mapped: Debian's torch calls whatever libblas.so.3 points to."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "/" in line})
    for path in paths:
        openblas = re.match(r"libopenblas\w*?-r([\d.]+)\.so", os.path.basename(path))
        if openblas:
            return f"openblas {openblas.group(1)} ({os.path.basename(os.path.dirname(path))})"
    for prefix, blas in (("libmkl_rt", "mkl"), ("libmkl_core", "mkl"), ("libblis", "blis")):
        if any(os.path.basename(path).startswith(prefix) for path in paths):
            return blas
    for path in paths:
        if os.path.basename(path).startswith("libblas.so"):
            # Debian's alternatives put the reference BLAS in .../blas/ and the others in their own folders.
            folder = os.path.basename(os.path.dirname(path))
            return "reference" if folder == "blas" else folder
    return "unknown"


def main():
    args = parse_args()
    # OpenBLAS sizes its thread pool when loaded and torch.set_num_threads does not resize it: set it before import.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "golden"))
    from reference_model import ReferenceTransformer

    torch.set_num_threads(args.threads)
    steps = args.steps or DEFAULT_STEPS[(args.config, args.mode)]
    config = CONFIGS[args.config]

    generator = torch.Generator().manual_seed(BATCH_SEED)
    src_ids, tgt_in_ids, tgt_out_ids = (
        torch.randint(4, config["vocab_size"], (BATCH, length), generator=generator)
        for length in (SRC_LEN, TGT_LEN, TGT_LEN))  # each [64, 32]
    torch.manual_seed(MODEL_SEED)
    model = ReferenceTransformer(config)

    if args.mode == "train":
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), betas=(0.9, 0.98), eps=1e-9)

        def step():
            optimizer.zero_grad(set_to_none=True)
            logits, _ = model(src_ids, tgt_in_ids)
            model.loss(logits, tgt_out_ids, LABEL_SMOOTHING).backward()
            optimizer.step()
    else:
        model.eval()

        def step():
            with torch.inference_mode():
                logits, _ = model(src_ids, tgt_in_ids)
                model.loss(logits, tgt_out_ids, LABEL_SMOOTHING)

    for _ in range(WARMUP_STEPS):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start

    result = {
        "impl": "pytorch", "mode": args.mode, "config": args.config, "threads": args.threads,
        "batch": BATCH, "src_len": SRC_LEN, "tgt_len": TGT_LEN, "steps": steps,
        "step_ms": round(1000.0 * seconds / steps, 3),
        "tgt_tok_per_s": round(BATCH * TGT_LEN * steps / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),  # ru_maxrss is KiB
        "blas": blas_in_use(), "torch": torch.__version__,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {result['torch']} ({result['blas']}), config {args.config}, {args.mode}, {args.threads} threads: "
              f"{steps} steps of {result['step_ms']:.1f} ms, {result['tgt_tok_per_s']:.0f} target tokens/s, "
              f"peak RSS {result['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
