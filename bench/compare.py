#!/usr/bin/python3
"""Runs `tfm bench` and bench/pytorch_bench.py alternately and prints a markdown table of the medians.

  compare.py [--tfm build/tfm] [--configs S,B] [--modes train,forward] [--threads 2] [--rounds 3]

Each round runs tfm then PyTorch once per (config, mode), so slow drifts of the machine hit both alike.
Both programs print one JSON line with at least mode, config, threads, tgt_tok_per_s and peak_rss_mb.
"""

import argparse
import json
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

REQUIRED_FIELDS = ("mode", "config", "threads", "tgt_tok_per_s", "peak_rss_mb")
DEFAULT_PYTORCH_BENCH = Path(__file__).resolve().parent / "pytorch_bench.py"


def parse_result(stdout, command, config, mode, threads):
    """The last non-empty stdout line as a JSON object, checked against the run that was asked for."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"`{command}` printed nothing; expected one JSON line")
    try:
        result = json.loads(lines[-1])
    except json.JSONDecodeError as error:
        raise RuntimeError(f"`{command}`: last line is not JSON ({error}): {lines[-1]!r}") from None
    if not isinstance(result, dict):
        raise RuntimeError(f"`{command}`: expected a JSON object, got {lines[-1]!r}")
    missing = [field for field in REQUIRED_FIELDS if field not in result]
    if missing:
        raise RuntimeError(f"`{command}`: JSON lacks fields {missing}: {lines[-1]!r}")
    asked = {"config": config, "mode": mode, "threads": threads}
    got = {field: result[field] for field in asked}
    if got != asked:
        raise RuntimeError(f"`{command}`: ran {got}, expected {asked}")
    return result


def run_bench(command, config, mode, threads):
    printable = shlex.join(command)
    try:
        completed = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        raise RuntimeError(f"cannot run `{printable}`: {error}") from None
    if completed.returncode != 0:
        raise RuntimeError(f"`{printable}` exited with {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    return parse_result(completed.stdout, printable, config, mode, threads)


def summarize(results):
    """Medians of speed and memory over the rounds of one implementation, and the BLAS it reported."""
    return {
        "tgt_tok_per_s": statistics.median(r["tgt_tok_per_s"] for r in results),
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in results),
        # Model FLOPs over the measured sgemm peak: `tfm bench` reports it, the PyTorch peer does not.
        "mfu": statistics.median(r["mfu"] for r in results) if all("mfu" in r for r in results) else None,
        "blas": " / ".join(sorted({str(r.get("blas", "-")) for r in results})),
    }


def markdown_table(rows):
    lines = ["| config | mode | threads | tfm tok/s | PyTorch tok/s | ratio | tfm MFU | tfm peak MB | PyTorch peak MB | tfm BLAS | PyTorch BLAS |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        tfm, torch = row["tfm"], row["pytorch"]
        ratio = tfm["tgt_tok_per_s"] / torch["tgt_tok_per_s"] if torch["tgt_tok_per_s"] else float("nan")
        mfu = f"{100.0 * tfm['mfu']:.1f}%" if tfm["mfu"] is not None else "-"
        lines.append(f"| {row['config']} | {row['mode']} | {row['threads']} | {tfm['tgt_tok_per_s']:.0f} | "
                     f"{torch['tgt_tok_per_s']:.0f} | {ratio:.2f} | {mfu} | {tfm['peak_rss_mb']:.0f} | "
                     f"{torch['peak_rss_mb']:.0f} | {tfm['blas']} | {torch['blas']} |")
    return "\n".join(lines)


def comma_list(allowed):
    def parse(text):
        items = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in items if item not in allowed]
        if not items or unknown:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {allowed}, got {text!r}")
        return items
    return parse


def positive_int_list(text):
    try:
        items = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        items = []
    if not items or min(items) < 1:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of positive integers, got {text!r}")
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tfm", default="build/tfm", help="tfm executable (default build/tfm)")
    parser.add_argument("--configs", type=comma_list(["S", "B"]), default=["S", "B"])
    parser.add_argument("--modes", type=comma_list(["train", "forward"]), default=["train", "forward"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="interpreter with PyTorch (default: this one)")
    parser.add_argument("--pytorch-bench", default=str(DEFAULT_PYTORCH_BENCH), help="PyTorch bench script")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.rounds < 1:
        parser.error("--threads and --rounds must be at least 1")

    rows = []
    for config in args.configs:
        for mode in args.modes:
            flags = ["--config", config, "--mode", mode, "--threads", str(args.threads), "--json"]
            commands = {"tfm": [args.tfm, "bench", *flags], "pytorch": [args.python, args.pytorch_bench, *flags]}
            results = {impl: [] for impl in commands}
            for round_index in range(args.rounds):
                for impl, command in commands.items():
                    print(f"round {round_index + 1}/{args.rounds}: {impl} {config} {mode}", file=sys.stderr)
                    results[impl].append(run_bench(command, config, mode, args.threads))
            rows.append({"config": config, "mode": mode, "threads": args.threads,
                         **{impl: summarize(runs) for impl, runs in results.items()}})
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as error:
        print(f"compare.py: {error}", file=sys.stderr)
        sys.exit(1)
