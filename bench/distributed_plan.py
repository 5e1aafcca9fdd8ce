"""Predicted data-parallel scaling of a tfm training step on N machines (docs/distributed.md).

Each machine keeps its own batch (the global batch grows with N, as when adding machines to
go faster through an epoch) and sums the gradients with a ring all-reduce over a network of
the given bandwidth. The ring moves 2 (N - 1) / N of the gradient bytes through every link in
2 (N - 1) latency-bound steps per bucket, and the measured reduction speed of one machine
(its memory, from `tfm_allreduce_cost` on 2 local ranks) caps it too. Buckets start as the
backward pass finishes them; what does not fit in the backward time after the first bucket,
and the last bucket (the embedding table, final only at the end), is exposed.

Usage: distributed_plan.py --step-s S --backward-fraction F --gradient-mb G --last-bucket-mb L
           --bucket-mb B --local-gbps R [--latency-us A] [--nodes 2,4,...] [--gbit 10,100]
Prints a markdown table of step time and scaling efficiency.
"""
import argparse


def step_time(nodes, gbit, args):
    if nodes == 1:
        return args.step_s
    link = min(gbit / 8 * 0.9, args.local_gbps)  # GB/s: 90% of the line rate, at most the local reduction speed
    buckets = max(1, round(args.gradient_mb / args.bucket_mb))
    ring = 2 * (nodes - 1) / nodes * args.gradient_mb / 1e3 / link + buckets * 2 * (nodes - 1) * args.latency_us * 1e-6
    last = 2 * (nodes - 1) / nodes * args.last_bucket_mb / 1e3 / link + 2 * (nodes - 1) * args.latency_us * 1e-6
    hidden_room = args.step_s * args.backward_fraction
    exposed = max(0.0, ring - last - hidden_room) + last
    return args.step_s + exposed


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--step-s", type=float, required=True, help="one machine's step time")
    p.add_argument("--backward-fraction", type=float, required=True, help="share of the step the backward pass takes")
    p.add_argument("--gradient-mb", type=float, required=True)
    p.add_argument("--last-bucket-mb", type=float, required=True)
    p.add_argument("--bucket-mb", type=float, default=25)
    p.add_argument("--local-gbps", type=float, required=True, help="measured bus GB/s of a local all-reduce")
    p.add_argument("--latency-us", type=float, default=30, help="per message on the network")
    p.add_argument("--nodes", default="2,4,8,16,32,64")
    p.add_argument("--gbit", default="10,100")
    args = p.parse_args()
    gbits = [float(g) for g in args.gbit.split(",")]
    print("| machines | " + " | ".join(f"{g:g} Gbit/s: step s, efficiency" for g in gbits) + " |")
    print("|---:|" + "---:|" * len(gbits))
    for n in [int(x) for x in args.nodes.split(",")]:
        cells = []
        for g in gbits:
            t = step_time(n, g, args)
            cells.append(f"{t:.2f}, {100 * args.step_s / t:.0f}%")
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
