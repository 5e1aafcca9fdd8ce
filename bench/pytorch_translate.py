#!/usr/bin/python3
"""The PyTorch peer of `tfm translate`: a tfm model directory translated, one sentence at a time, in PyTorch.

  pytorch_translate.py --model DIR --input FILE [--beam N] [--alpha 0.6]
                       [--max-length-ratio 1.5] [--max-length-offset 10] [--threads N] [--output FILE] [--json]

The model is tests/golden/reference_model.py loaded from DIR/config.json and DIR/model.safetensors,
in eval() mode under torch.inference_mode(); the search is bench/pytorch_decode.py (greedy for
--beam 1, else beam search; tfm's rules, no key/value cache). Source ids = SentencePiece pieces
(DIR/spm.model) + EOS; an empty line translates to an empty line. Prints the detokenized
translations to --output or stdout, and with --json one line of timing to stderr.
"""

import argparse
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="tfm model directory")
    parser.add_argument("--input", type=Path, required=True, help="sentences, one per line (plain or .gz)")
    parser.add_argument("--beam", type=int, default=4, help="beam size (1: greedy; default 4)")
    parser.add_argument("--alpha", type=float, default=0.6, help="length penalty exponent ((5 + n) / 6)^alpha")
    parser.add_argument("--max-length-ratio", type=float, default=1.5)
    parser.add_argument("--max-length-offset", type=int, default=10,
                        help="longest output: ratio * source tokens (EOS included) + offset")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--output", type=Path, help="translations (default: standard output)")
    parser.add_argument("--json", action="store_true", help="print one JSON line of timing to standard error")
    args = parser.parse_args(argv)
    if args.beam < 1 or args.threads < 1:
        parser.error("--beam and --threads must be at least 1")
    return args


def read_lines(path):
    """Lines as `tfm translate` reads them: split at \\n, one trailing \\r dropped, gzip when the name ends in .gz."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        text = f.read().decode("utf-8")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def source_ids(line, line_number, tokenizer, config, input_name):
    """Pieces + EOS, as tfm builds them: pieces beyond the positions table are cut, with a warning."""
    pieces = tokenizer.encode(line)
    max_pieces = config["max_positions"] - 1
    if len(pieces) > max_pieces:
        print(f"pytorch_translate.py: warning: {input_name} line {line_number} has {len(pieces)} pieces, "
              f"truncated to {max_pieces}", file=sys.stderr)
        pieces = pieces[:max_pieces]
    return pieces + [config["eos_id"]]


def main(argv=None):
    args = parse_args(argv)
    # OpenBLAS sizes its thread pool when loaded and torch.set_num_threads does not resize it: set it before import.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import sentencepiece
    import torch

    import pytorch_decode

    torch.set_num_threads(args.threads)
    lines = read_lines(args.input)
    model, config = pytorch_decode.load_model(args.model)
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(args.model / "spm.model"))
    if tokenizer.get_piece_size() != config["vocab_size"]:
        raise SystemExit(f"pytorch_translate.py: {args.model / 'spm.model'} has {tokenizer.get_piece_size()} pieces but "
                         f"{args.model / 'config.json'} says vocab_size {config['vocab_size']}")

    outputs, tgt_tokens = [], 0  # tgt_tokens: pieces + EOS per translation, as a decoder target counts them
    start = time.perf_counter()
    with torch.inference_mode():
        for number, line in enumerate(lines, start=1):
            if not line:
                outputs.append("")
                continue
            best = pytorch_decode.translate_ids(model, config, source_ids(line, number, tokenizer, config, args.input),
                                                args.beam, args.alpha, args.max_length_ratio, args.max_length_offset)
            outputs.append(tokenizer.decode(best.tokens))
            tgt_tokens += len(best.tokens) + 1
    seconds = time.perf_counter() - start

    text = "".join(output + "\n" for output in outputs)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    if args.json:
        result = {
            "impl": "pytorch", "beam": args.beam, "threads": args.threads, "sentences": len(lines),
            "tgt_tokens": tgt_tokens, "seconds": round(seconds, 3),
            "sent_per_s": round(len(lines) / seconds, 3), "tgt_tok_per_s": round(tgt_tokens / seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),  # ru_maxrss is KiB
        }
        print(json.dumps(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
