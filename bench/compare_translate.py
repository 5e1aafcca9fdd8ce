#!/usr/bin/python3
"""Translates a test set with `tfm translate` and bench/pytorch_translate.py and prints a markdown table of
speed, BLEU and memory.

  compare_translate.py --model DIR --input SRC --ref REF [--tfm build/tfm] [--beams 1,4] [--threads 2] [--limit N]

For each beam, each program runs once (they are long) on the same source lines with the same
search settings (both programs' defaults: alpha 0.6, max length 1.5 x source + 10). tfm's time is the
wall-clock time of its whole process, model loading included; PyTorch's is the time its translation
loop took, as pytorch_translate.py --json reports it, without the import of PyTorch and the model
loading (about a second, logged): so the speed ratio, if anything, understates tfm's speed. Peak RSS
is each process's own. BLEU is `TFM bleu` (sacreBLEU's, detokenized, 13a) of each output against
REF. Target tokens are counted the same way on both sides: the SentencePiece pieces (DIR/spm.model)
of each translation, plus one EOS.
"""

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import sentencepiece

from compare import positive_int_list
from measure import run_measured
from pytorch_translate import read_lines

DEFAULT_PYTORCH_TRANSLATE = Path(__file__).resolve().parent / "pytorch_translate.py"


def check_pytorch_report(log, command, beam, threads, sentences):
    """The JSON line pytorch_translate.py --json ends its stderr with, checked against the run that was asked for."""
    lines = [line for line in log.splitlines() if line.strip()]
    try:
        report = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        raise RuntimeError(f"`{shlex.join(command)}`: expected a JSON line at the end of stderr, got {log.strip()[-500:]!r}")
    asked = {"beam": beam, "threads": threads, "sentences": sentences}
    got = {field: report.get(field) for field in asked}
    if got != asked:
        raise RuntimeError(f"`{shlex.join(command)}`: ran {got}, expected {asked}")
    if not isinstance(report.get("seconds"), (int, float)) or report["seconds"] <= 0:
        raise RuntimeError(f"`{shlex.join(command)}`: reported seconds {report.get('seconds')!r}, expected a positive number")
    return report


def bleu(tfm, hypotheses_path, reference_path):
    command = [tfm, "bleu", "-r", str(reference_path), "-i", str(hypotheses_path), "-b", "-w", "2"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        raise RuntimeError(f"cannot run `{shlex.join(command)}`: {error}") from None
    if completed.returncode != 0:
        raise RuntimeError(f"`{shlex.join(command)}` exited with {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    try:
        return float(completed.stdout.strip())
    except ValueError:
        raise RuntimeError(f"`{shlex.join(command)}` printed {completed.stdout!r}, expected a number") from None


def target_tokens(translations, sources, tokenizer):
    """Pieces + EOS of every translation of a non-empty source line (an empty line has no translation)."""
    return sum(len(tokenizer.encode(text)) + 1 for text, source in zip(translations, sources) if source)


def read_translations(path, expected_lines, command):
    lines = read_lines(path)
    if len(lines) != expected_lines:
        raise RuntimeError(f"`{shlex.join(command)}` wrote {len(lines)} lines for {expected_lines} source lines")
    return lines


def markdown_table(rows):
    lines = ["| beam | threads | sentences | tfm sent/s | tfm tok/s | PyTorch sent/s | PyTorch tok/s | speed ratio | "
             "tfm BLEU | PyTorch BLEU | tfm peak MB | PyTorch peak MB | differing lines |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        tfm, torch = row["tfm"], row["pytorch"]
        sentences = row["sentences"]
        lines.append(
            f"| {row['beam']} | {row['threads']} | {sentences} | {sentences / tfm['seconds']:.2f} | "
            f"{tfm['tgt_tokens'] / tfm['seconds']:.0f} | {sentences / torch['seconds']:.2f} | "
            f"{torch['tgt_tokens'] / torch['seconds']:.0f} | {torch['seconds'] / tfm['seconds']:.2f} | "
            f"{tfm['bleu']:.2f} | {torch['bleu']:.2f} | {tfm['peak_rss_mb']:.0f} | {torch['peak_rss_mb']:.0f} | "
            f"{row['differing_lines']} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="tfm model directory")
    parser.add_argument("--input", type=Path, required=True, help="source sentences, one per line (plain or .gz)")
    parser.add_argument("--ref", type=Path, required=True, help="reference translations, line-aligned with --input")
    parser.add_argument("--tfm", default="build/tfm", help="tfm executable (default build/tfm)")
    parser.add_argument("--beams", type=positive_int_list, default=[1, 4], help="beam sizes (default 1,4)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, help="use only the first N lines")
    parser.add_argument("--outputs", type=Path, help="keep the translations in this directory (default: discard)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with PyTorch (default: this one)")
    parser.add_argument("--pytorch-translate", default=str(DEFAULT_PYTORCH_TRANSLATE), help="PyTorch translate script")
    args = parser.parse_args(argv)
    if args.threads < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--threads and --limit must be at least 1")
    for path in (args.input, args.ref, args.model / "spm.model"):
        if not path.is_file():
            parser.error(f"no file {path}")

    sources, references = read_lines(args.input), read_lines(args.ref)
    if len(sources) != len(references):
        raise RuntimeError(f"{args.input} has {len(sources)} lines but {args.ref} has {len(references)}")
    sources, references = sources[:args.limit], references[:args.limit]
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(args.model / "spm.model"))

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        outputs = args.outputs or scratch
        outputs.mkdir(parents=True, exist_ok=True)
        source_path, reference_path = scratch / "source.txt", scratch / "reference.txt"
        source_path.write_text("".join(line + "\n" for line in sources), encoding="utf-8")
        reference_path.write_text("".join(line + "\n" for line in references), encoding="utf-8")

        rows = []
        for beam in args.beams:
            flags = ["--model", str(args.model), "--input", str(source_path), "--beam", str(beam),
                     "--threads", str(args.threads)]
            commands = {"tfm": [args.tfm, "translate", *flags],
                        "pytorch": [args.python, args.pytorch_translate, *flags, "--json"]}
            results, translations = {}, {}
            for impl, command in commands.items():
                print(f"beam {beam}: {impl} translating {len(sources)} lines", file=sys.stderr)
                output_path = outputs / f"{impl}.beam{beam}.txt"
                run = run_measured(command, output_path)
                seconds = run.seconds
                if impl == "pytorch":
                    seconds = check_pytorch_report(run.stderr, command, beam, args.threads, len(sources))["seconds"]
                    print(f"beam {beam}: pytorch translated in {seconds} s of {run.seconds:.1f} s in all", file=sys.stderr)
                translations[impl] = read_translations(output_path, len(sources), command)
                results[impl] = {"seconds": seconds, "peak_rss_mb": run.peak_rss_mb,
                                 "tgt_tokens": target_tokens(translations[impl], sources, tokenizer),
                                 "bleu": bleu(args.tfm, output_path, reference_path)}
            differing = sum(a != b for a, b in zip(translations["tfm"], translations["pytorch"]))
            rows.append({"beam": beam, "threads": args.threads, "sentences": len(sources),
                         "differing_lines": differing, **results})
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as error:
        print(f"compare_translate.py: {error}", file=sys.stderr)
        sys.exit(1)
