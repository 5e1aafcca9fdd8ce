#!/usr/bin/python3
"""What translating through the Python module costs over the `tfm translate` command, on the same sentences.

  python_overhead.py --model DIR --input FILE [--tfm build/tfm] [--module-dir build/python] [--beam 4]
                     [--threads 2] [--rounds 5]

Each round times, one after the other: the command as a whole process (`tfm translate --input FILE -q`, output
to a file: start-up, model loading, translation, writing), and a Python process that imports tfm, loads the
same model and calls Translator.translate on all the lines at once (interpreter start-up and import included,
lines read and results joined in Python). Medians over the rounds; the translations must be identical.
"""

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON_SIDE = """
import sys, tfm
model, path, beam, threads, out = sys.argv[1:6]
with open(path, encoding="utf-8") as f:
    lines = f.read().split("\\n")[:-1]
translations = tfm.Translator(model, threads=int(threads)).translate(lines, beam=int(beam))
with open(out, "w", encoding="utf-8") as f:
    f.write("".join(t + "\\n" for t in translations))
"""


def plain_copy(path, scratch):
    """The input as plain text, so that both sides read the same bytes the same way."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    copy = Path(scratch) / "input.txt"
    copy.write_bytes(data)
    return copy


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tfm", default="build/tfm")
    parser.add_argument("--module-dir", default="build/python")
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(Path(args.module_dir).resolve()))
    with tempfile.TemporaryDirectory() as scratch:
        source = plain_copy(args.input, scratch)
        cli_out, py_out = Path(scratch) / "cli.txt", Path(scratch) / "python.txt"
        cli = [args.tfm, "translate", "--model", args.model, "--input", str(source), "--beam", str(args.beam),
               "--threads", str(args.threads), "-q", "--maxi-batch", "1000000000"]
        python = [sys.executable, "-c", PYTHON_SIDE, args.model, str(source), str(args.beam), str(args.threads),
                  str(py_out)]
        cli_times, python_times = [], []
        for _ in range(args.rounds):
            with open(cli_out, "wb") as out:
                start = time.perf_counter()
                subprocess.run(cli, check=True, stdout=out)
                cli_times.append(time.perf_counter() - start)
            python_times.append(timed(python, env))
        identical = cli_out.read_bytes() == py_out.read_bytes()
        lines = len(source.read_text(encoding="utf-8").split("\n")) - 1
    cli_median, python_median = statistics.median(cli_times), statistics.median(python_times)
    print(f"{lines} lines of {args.input}, beam {args.beam}, {args.threads} threads, {args.rounds} rounds (medians)\n")
    print("| way in | seconds | lines/s | overhead |")
    print("|---|---:|---:|---:|")
    print(f"| `tfm translate` | {cli_median:.3f} | {lines / cli_median:.1f} | |")
    print(f"| Python `Translator.translate` | {python_median:.3f} | {lines / python_median:.1f} | "
          f"{100 * (python_median / cli_median - 1):+.1f}% |")
    print(f"\nidentical output: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
