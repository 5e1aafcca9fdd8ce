#!/usr/bin/python3
"""Time and peak memory of one sentence pair as it grows: `tfm bench` per length, one process each.

  scaling.py [--tfm build/tfm] [--config S] [--lengths 16,64,256,1024] [--beam 4] [--threads 2]

For each length L: a training step (forward + backward + Adam) on one pair of L source and L target
tokens, and the translation of one L-token source to exactly L tokens with beam search (cached keys
and values, so each new token attends over the ones before it). Prints a markdown table.
"""

import argparse
import sys

from compare import positive_int_list, run_bench


def measure(args, mode, length):
    command = [args.tfm, "bench", "--config", args.config, "--mode", mode, "--threads", str(args.threads),
               "--batch", "1", "--src-len", str(length), "--tgt-len", str(length), "--beam", str(args.beam), "--json"]
    print(f"{mode} {length} tokens", file=sys.stderr)
    return run_bench(command, args.config, mode, args.threads)


def markdown_table(config, beam, rows):
    lines = [f"| tokens | train step ms ({config}) | train peak MB | translate ms (beam {beam}) | "
             "translate ms/token | translate peak MB |",
             "|---:|---:|---:|---:|---:|---:|"]
    for length, train, translate in rows:
        lines.append(f"| {length} | {train['step_ms']:.1f} | {train['peak_rss_mb']:.0f} | {translate['step_ms']:.1f} | "
                     f"{translate['step_ms'] / length:.2f} | {translate['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tfm", default="build/tfm", help="tfm executable (default build/tfm)")
    parser.add_argument("--config", default="S", help="S, B or a config.json (default S)")
    parser.add_argument("--lengths", type=positive_int_list, default=[16, 64, 256, 1024])
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    rows = [(length, measure(args, "train", length), measure(args, "translate", length)) for length in args.lengths]
    print(markdown_table(args.config, args.beam, rows))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as error:
        print(f"scaling.py: {error}", file=sys.stderr)
        sys.exit(1)
