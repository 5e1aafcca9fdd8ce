#!/usr/bin/python3
"""Streaming `tfm translate`: throughput against whole-file mode, the window size, and memory against input length.

  stream.py --model DIR --input FILE [--tfm build/tfm] [--threads 2] [--beam 1]
            [--rounds 3] [--maxi-batches 1,10,100] [--memory-lines 10000,1000000] [--translate-args '...']

Three tables, each from runs of the whole `tfm translate` process (model loading included), output to a file:
- throughput: the default window against whole-file mode (--maxi-batch large enough to hold the whole input,
  which is how tfm translated before it streamed), alternating for --rounds rounds, medians; the outputs must
  be byte-identical;
- window: lines/s and peak RSS for each --maxi-batches value, on the same input;
- memory: the input's lines repeated (cycled) to each of --memory-lines lines, peak RSS of each run and its
  ratio to the first.
Peak RSS is GNU time's (or wait4's) maximum resident set of the tfm process.
"""

import argparse
import filecmp
import gzip
import itertools
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from compare import positive_int_list
from measure import run_measured

WHOLE_FILE_MAXI_BATCH = 1_000_000_000


def read_lines(path):
    opener = gzip.open if Path(path).read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8", newline="\n") as f:
        return f.read().splitlines()


def write_cycled(lines, count, path):
    """The first `count` lines of `lines` repeated end to end."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in itertools.islice(itertools.cycle(lines), count):
            f.write(line + "\n")


def translate_command(args, input_path, maxi_batch=None):
    command = [args.tfm, "translate", "--model", args.model, "--input", str(input_path), "--threads",
               str(args.threads), "--beam", str(args.beam), "--quiet"]
    if maxi_batch is not None:
        command += ["--maxi-batch", str(maxi_batch)]
    return command + shlex.split(args.translate_args)


def lines_per_second(lines, run):
    return lines / run.seconds


def throughput_table(args, lines, scratch):
    default_out, whole_out = scratch / "default.txt", scratch / "whole.txt"
    default_runs, whole_runs = [], []
    for _ in range(args.rounds):
        default_runs.append(run_measured(translate_command(args, args.input), default_out))
        whole_runs.append(run_measured(translate_command(args, args.input, WHOLE_FILE_MAXI_BATCH), whole_out))
    identical = filecmp.cmp(default_out, whole_out, shallow=False)
    default_rate = statistics.median(lines_per_second(lines, r) for r in default_runs)
    whole_rate = statistics.median(lines_per_second(lines, r) for r in whole_runs)
    rows = ["| mode | lines/s (median) | peak RSS MB (median) | ratio to whole-file |", "|---|---:|---:|---:|"]
    for name, runs, rate in (("whole file", whole_runs, whole_rate), ("streaming, default window", default_runs, default_rate)):
        rss = statistics.median(r.peak_rss_mb for r in runs)
        rows.append(f"| {name} | {rate:.1f} | {rss:.0f} | {rate / whole_rate:.3f} |")
    rows.append(f"\nidentical output: {'yes' if identical else 'NO'}")
    return "\n".join(rows), identical


def window_table(args, lines, scratch):
    rows = ["| --maxi-batch | window (lines) | lines/s | peak RSS MB |", "|---:|---:|---:|---:|"]
    for maxi_batch in args.maxi_batches:
        run = run_measured(translate_command(args, args.input, maxi_batch), scratch / "window.txt")
        rows.append(f"| {maxi_batch} | {maxi_batch * 64} | {lines_per_second(lines, run):.1f} | {run.peak_rss_mb:.0f} |")
    return "\n".join(rows)


def memory_table(args, source_lines, scratch):
    rows = ["| input lines | seconds | lines/s | peak RSS MB | RSS / first |", "|---:|---:|---:|---:|---:|"]
    first = None
    for count in args.memory_lines:
        input_path = scratch / f"cycled-{count}.txt"
        write_cycled(source_lines, count, input_path)
        run = run_measured(translate_command(args, input_path), scratch / "memory.txt")
        input_path.unlink()
        first = first or run.peak_rss_mb
        rows.append(f"| {count} | {run.seconds:.1f} | {count / run.seconds:.1f} | {run.peak_rss_mb:.0f} | "
                    f"{run.peak_rss_mb / first:.3f} |")
    return "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tfm", default="build/tfm")
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True, help="source lines, plain or gzip")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="of the throughput table; 0 leaves it out")
    parser.add_argument("--maxi-batches", type=positive_int_list, default=[])
    parser.add_argument("--memory-lines", type=positive_int_list, default=[])
    parser.add_argument("--translate-args", default="", help="more options for every `tfm translate`, e.g. "
                        "'--max-length-ratio 0 --max-length-offset 1' (one decoder step: input-side costs only)")
    args = parser.parse_args(argv)
    source_lines = read_lines(args.input)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        identical = True
        if args.rounds > 0:
            table, identical = throughput_table(args, len(source_lines), scratch)
            print(f"## Throughput: {len(source_lines)} lines of {args.input}, beam {args.beam}, {args.threads} threads\n")
            print(table, flush=True)
        if args.maxi_batches:
            print("\n## Window size\n")
            print(window_table(args, len(source_lines), scratch), flush=True)
        if args.memory_lines:
            print("\n## Memory against input length\n")
            print(memory_table(args, source_lines, scratch), flush=True)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
