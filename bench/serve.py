#!/usr/bin/python3
"""`tfm serve` under load: throughput and latency against the offline translator and the in-process call.

  serve.py --model DIR --input FILE [--tfm build/tfm] [--module-dir build/python] [--clients 1,8,64]
           [--modes continuous,request] [--beam 4] [--threads 2] [--seconds 20] [--lines N] [--json]
  serve.py --model DIR --input FILE --soak SECONDS [--soak-clients 16] [--sample-seconds 10] ...

On the sentences of FILE (plain or gzip, one per line; the first --lines of them):
- offline: `tfm translate --beam B --threads T` over all of them; sentences/s and target tokens/s from its own
  summary line (model loading excluded): the ceiling of a server on the same cores;
- in-process: the Python module, `tfm.Translator(DIR, threads=T).translate([sentence], beam=B)`, one sentence
  at a time in input order (no HTTP, no queue) for at most --seconds: the latency floor of a one-sentence
  request; skipped, saying why, when `import tfm` fails with --module-dir on the path;
- for each batching mode and client count: a fresh `tfm serve --threads T --batching MODE` on loopback,
  warmed up, then N client threads, each on its own keep-alive connection sending one sentence per
  POST /v1/translate (the input's sentences in turn, cycling) for --seconds (0: one pass over the input):
  sentences/s and target tokens/s (pieces of hypotheses[0]) over the time until the last answer, p50/mean/p99
  latency of the requests, and errors (non-200 answers or failed connections);
- the goals' ratios: continuous sentences/s at the most clients / offline (goal >= 0.80), continuous p99 /
  request p99 at the most clients (goal <= 0.5), continuous p50 at 1 client / in-process p50 (goal <= 1.10).

--soak SECONDS: one continuous server and --soak-clients clients for SECONDS, printing the server's VmRSS and
VmHWM (/proc/PID/status) every --sample-seconds, then the requests and errors.

Prints markdown to paste into bench/README.md; --json adds one line with every figure. Loopback only; each
server is stopped (SIGTERM) before the next starts.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from compare import positive_int_list

MODES = ("continuous", "request")
MODEL_NAME = "bench"
START_SECONDS = 120       # model loading
REQUEST_TIMEOUT = 300     # seconds a client waits for one answer
WARM_UP_SENTENCES = 64    # one batch, so that the server's workspace has grown before the clock starts
GOALS = {"throughput": 0.80, "tail": 0.5, "latency": 1.10}
TRANSLATE_SUMMARY = re.compile(r"([\d.]+) lines, ([\d.]+) lines/s, ([\d.]+) target pieces/s in ")

# The in-process side, run with --module-dir on PYTHONPATH: prints {"latencies": [...]} or {"skipped": why}.
IN_PROCESS = """
import json, sys, time
try:
    import tfm
except ImportError as error:
    print(json.dumps({"skipped": f"cannot import tfm: {error}"}))
    sys.exit(0)
model, beam, threads, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
sentences = sys.stdin.read().split("\\n")[:-1]
translator = tfm.Translator(model, threads=threads)
for sentence in sentences[:4]:
    translator.translate([sentence], beam=beam)
latencies = []
deadline = time.monotonic() + seconds
for sentence in sentences:
    start = time.perf_counter()
    translator.translate([sentence], beam=beam)
    latencies.append(time.perf_counter() - start)
    if seconds > 0 and time.monotonic() >= deadline:
        break
print(json.dumps({"latencies": latencies}))
"""


def read_lines(path, limit=0):
    """The lines of a plain or gzip file, the first `limit` of them if limit > 0."""
    opener = gzip.open if Path(path).read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8", newline="\n") as f:
        lines = f.read().splitlines()
    return lines[:limit] if limit > 0 else lines


def percentile(values, q):
    """The q-th percentile (0-100), interpolated between the closest ranks as numpy's default; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values):
    return sum(values) / len(values) if values else None


class Feed:
    """The input's sentences in turn, to every client: cycling until the deadline, or once through without one."""

    def __init__(self, sentences, seconds, clock=time.monotonic):
        self.sentences, self.clock = sentences, clock
        self.deadline = clock() + seconds if seconds > 0 else None
        self.taken = 0
        self.lock = threading.Lock()

    def next(self):
        """The next sentence, or None when the run is over."""
        with self.lock:
            if self.deadline is None and self.taken >= len(self.sentences):
                return None
            if self.deadline is not None and self.clock() >= self.deadline:
                return None
            sentence = self.sentences[self.taken % len(self.sentences)]
            self.taken += 1
            return sentence


class Tally:
    """What the clients got: latencies of the answered requests, target pieces, errors."""

    def __init__(self):
        self.latencies, self.pieces, self.errors = [], 0, 0
        self.lock = threading.Lock()

    def answered(self, seconds, pieces):
        with self.lock:
            self.latencies.append(seconds)
            self.pieces += pieces

    def failed(self):
        with self.lock:
            self.errors += 1

    def counts(self):
        with self.lock:
            return len(self.latencies), self.errors


def summary(tally, seconds):
    """One run's figures: rates over `seconds`, latencies in ms."""
    answered = len(tally.latencies)
    ms = [1000 * s for s in tally.latencies]
    return {"sentences": answered, "seconds": seconds, "sentences_per_s": answered / seconds if seconds else None,
            "tokens_per_s": tally.pieces / seconds if seconds else None, "p50_ms": percentile(ms, 50),
            "mean_ms": mean(ms), "p99_ms": percentile(ms, 99), "errors": tally.errors}


def memory_mb(status_text):
    """VmRSS and VmHWM of a /proc/PID/status text, in MB."""
    fields = {}
    for line in status_text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB
    return fields["VmRSS"], fields["VmHWM"]


def offline(args, sentences, scratch):
    """`tfm translate` on the sentences: its own sentences/s and target tokens/s."""
    source = Path(scratch) / "input.txt"
    source.write_text("".join(s + "\n" for s in sentences), encoding="utf-8")
    command = [args.tfm, "translate", "--model", args.model, "--input", str(source), "--beam", str(args.beam),
               "--threads", str(args.threads)]
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    found = TRANSLATE_SUMMARY.findall(result.stderr)
    if not found:
        raise RuntimeError(f"no summary line in the standard error of {' '.join(command)}:\n{result.stderr}")
    lines, lines_per_s, pieces_per_s = (float(x) for x in found[-1])
    return {"sentences": int(lines), "sentences_per_s": lines_per_s, "tokens_per_s": pieces_per_s}


def in_process(args, sentences):
    """Latencies of the Python module on one sentence at a time, or {"skipped": why}."""
    environment = dict(os.environ, PYTHONPATH=str(Path(args.module_dir).resolve()))
    command = [sys.executable, "-c", IN_PROCESS, args.model, str(args.beam), str(args.threads), str(args.seconds)]
    result = subprocess.run(command, input="".join(s + "\n" for s in sentences), capture_output=True, text=True,
                            env=environment)
    if result.returncode != 0:
        return {"skipped": f"the in-process run failed: {result.stderr.strip()}"}
    answer = json.loads(result.stdout)
    if "skipped" in answer:
        return answer
    ms = [1000 * s for s in answer["latencies"]]
    return {"sentences": len(ms), "sentences_per_s": len(ms) / (sum(ms) / 1000), "p50_ms": percentile(ms, 50),
            "mean_ms": mean(ms), "p99_ms": percentile(ms, 99)}


class Server:
    """`tfm serve` on a free loopback port."""

    def __init__(self, args, mode, clients, log_path):
        command = [args.tfm, "serve", "--model", f"{MODEL_NAME}={args.model}", "--port", "0", "--threads",
                   str(args.threads), "--batching", mode, "--max-connections", str(max(64, clients + 1)),
                   *shlex.split(args.serve_args)]
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        line = self.process.stdout.readline().decode() if selector.select(START_SECONDS) else ""
        if not line.startswith("listening on http://"):
            self.stop()
            raise RuntimeError(f"`{' '.join(command)}` did not start: {line!r}\n{Path(log_path).read_text()}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)

    def memory_mb(self):
        return memory_mb(Path(f"/proc/{self.process.pid}/status").read_text())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process.stdout.close()
        if code != 0:
            print(f"warning: tfm serve exited with {code}:\n{Path(self.log_path).read_text()}", file=sys.stderr)


def post(connection, body):
    """POST /v1/translate on a keep-alive connection: (status, parsed answer or None)."""
    connection.request("POST", "/v1/translate", json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    return response.status, json.loads(data) if response.status == 200 else None


def warm_up(server, sentences, beam):
    connection = server.connection()
    try:
        post(connection, {"text": sentences[:WARM_UP_SENTENCES], "beam_size": beam})
        for sentence in sentences[:4]:
            post(connection, {"text": sentence, "beam_size": beam})
    finally:
        connection.close()


def client(server, feed, beam, tally):
    connection = server.connection()
    try:
        while (sentence := feed.next()) is not None:
            start = time.perf_counter()
            try:
                status, answer = post(connection, {"text": sentence, "beam_size": beam})
            except (OSError, http.client.HTTPException):
                connection.close()  # the next request opens a new one
                tally.failed()
                continue
            if status != 200:
                tally.failed()
                continue
            tally.answered(time.perf_counter() - start, len(answer["translations"][0]["hypotheses"][0]["pieces"]))
    finally:
        connection.close()


def start_clients(server, feed, beam, tally, count):
    threads = [threading.Thread(target=client, args=(server, feed, beam, tally), daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def load_run(args, sentences, mode, clients, scratch):
    """One fresh server, warmed up, under `clients` clients for --seconds."""
    server = Server(args, mode, clients, Path(scratch) / f"serve-{mode}-{clients}.log")
    try:
        warm_up(server, sentences, args.beam)
        tally = Tally()
        start = time.perf_counter()
        for thread in start_clients(server, Feed(sentences, args.seconds), args.beam, tally, clients):
            thread.join()
        result = summary(tally, time.perf_counter() - start)
    finally:
        server.stop()
    return {"mode": mode, "clients": clients, **result}


def soak(args, sentences, scratch):
    """One continuous server under --soak-clients clients for --soak seconds, its memory sampled."""
    server = Server(args, "continuous", args.soak_clients, Path(scratch) / "serve-soak.log")
    samples = []
    try:
        warm_up(server, sentences, args.beam)
        tally = Tally()
        start = time.perf_counter()
        threads = start_clients(server, Feed(sentences, args.soak), args.beam, tally, args.soak_clients)
        print(f"## Soak: {args.soak_clients} clients, continuous batching, {args.soak} s\n")
        print("| seconds | requests answered | errors | VmRSS MB | VmHWM MB |\n|---:|---:|---:|---:|---:|", flush=True)
        next_sample = start + args.sample_seconds
        while alive := [thread for thread in threads if thread.is_alive()]:
            alive[0].join(max(0.0, next_sample - time.perf_counter()))
            if time.perf_counter() >= next_sample:
                samples.append(memory_sample(server, tally, time.perf_counter() - start))
                next_sample += args.sample_seconds
        samples.append(memory_sample(server, tally, time.perf_counter() - start))  # after the last answer
        result = summary(tally, time.perf_counter() - start)
    finally:
        server.stop()
    print(f"\nrequests answered: {result['sentences']}, errors: {result['errors']}, "
          f"{fmt(result['sentences_per_s'])} sentences/s, p50 {fmt(result['p50_ms'])} ms, "
          f"p99 {fmt(result['p99_ms'])} ms")
    return {"soak": {**result, "clients": args.soak_clients, "samples": samples}}


def memory_sample(server, tally, seconds):
    rss, hwm = server.memory_mb()
    answered, errors = tally.counts()
    print(f"| {seconds:.0f} | {answered} | {errors} | {rss:.0f} | {hwm:.0f} |", flush=True)
    return {"seconds": seconds, "answered": answered, "errors": errors, "rss_mb": rss, "hwm_mb": hwm}


def fmt(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


def results_table(offline_result, in_process_result, runs):
    rows = ["| way in | batching | clients | sentences | sentences/s | target tokens/s | p50 ms | mean ms | p99 ms "
            "| errors |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    if offline_result:
        rows.append(f"| `tfm translate` (offline) | | | {offline_result['sentences']} | "
                    f"{fmt(offline_result['sentences_per_s'])} | {fmt(offline_result['tokens_per_s'], 0)} "
                    "| | | | |")
    if in_process_result and "skipped" not in in_process_result:
        r = in_process_result
        rows.append(f"| Python `Translator.translate`, one sentence | | 1 | {r['sentences']} | "
                    f"{fmt(r['sentences_per_s'])} | | {fmt(r['p50_ms'])} | {fmt(r['mean_ms'])} | "
                    f"{fmt(r['p99_ms'])} | |")
    for r in runs:
        rows.append(f"| `tfm serve` | {r['mode']} | {r['clients']} | {r['sentences']} | {fmt(r['sentences_per_s'])} "
                    f"| {fmt(r['tokens_per_s'], 0)} | {fmt(r['p50_ms'])} | {fmt(r['mean_ms'])} | {fmt(r['p99_ms'])} "
                    f"| {r['errors']} |")
    return "\n".join(rows)


def goal_ratios(offline_result, in_process_result, runs):
    """[(what, value, goal text, met)] for the ratios whose both sides were measured."""
    def run(mode, clients):
        return next((r for r in runs if r["mode"] == mode and r["clients"] == clients), None)

    def ratio(a, b):
        return a / b if a is not None and b else None

    ratios = []
    most = max((r["clients"] for r in runs), default=None)
    continuous, request, single = run("continuous", most), run("request", most), run("continuous", 1)
    at_most = f"at {most} client{'' if most == 1 else 's'}"
    if continuous and offline_result:
        ratios.append((f"continuous sentences/s {at_most} / offline sentences/s",
                       ratio(continuous["sentences_per_s"], offline_result["sentences_per_s"]), ">=",
                       GOALS["throughput"]))
    if continuous and request:
        ratios.append((f"continuous p99 / request p99 {at_most}",
                       ratio(continuous["p99_ms"], request["p99_ms"]), "<=", GOALS["tail"]))
    if single and in_process_result and "skipped" not in in_process_result:
        ratios.append(("continuous p50 at 1 client / in-process p50",
                       ratio(single["p50_ms"], in_process_result["p50_ms"]), "<=", GOALS["latency"]))
    return [(what, value, f"{sign} {goal:.2f}",
             value is not None and (value >= goal if sign == ">=" else value <= goal))
            for what, value, sign, goal in ratios]


def ratios_table(ratios):
    if not ratios:
        return "no ratio to the goals: none had both of its sides measured"
    rows = ["| ratio | value | goal | met |", "|---|---:|---:|---|"]
    rows += [f"| {what} | {fmt(value, 3)} | {goal} | {'yes' if met else 'no'} |" for what, value, goal, met in ratios]
    return "\n".join(rows)


def modes_list(text):
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(MODES)}, got {text!r}")
    return modes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tfm", default="build/tfm")
    parser.add_argument("--module-dir", default="build/python", help="where `import tfm` finds the Python module")
    parser.add_argument("--model", required=True, help="model directory")
    parser.add_argument("--input", required=True, help="source sentences, one per line, plain or gzip")
    parser.add_argument("--lines", type=int, default=0, help="use the first N lines of the input (0: all)")
    parser.add_argument("--clients", type=positive_int_list, default=[1, 8, 64], help="client counts, e.g. 1,8,64")
    parser.add_argument("--modes", type=modes_list, default=list(MODES), help="batching modes: continuous,request")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="of the server, the offline and in-process runs")
    parser.add_argument("--seconds", type=float, default=20, help="per server run (0: one pass over the input)")
    parser.add_argument("--serve-args", default="", help="more options for every `tfm serve`, e.g. "
                        "'--max-batch-tokens 2048'")
    parser.add_argument("--soak", type=float, default=0, help="seconds of the soak run, instead of the rest")
    parser.add_argument("--soak-clients", type=int, default=16)
    parser.add_argument("--sample-seconds", type=float, default=10, help="between the soak run's memory samples")
    parser.add_argument("--json", action="store_true", help="also print every figure as one JSON line")
    args = parser.parse_args(argv)
    if args.beam < 1 or args.threads < 0 or args.seconds < 0 or args.soak < 0 or args.soak_clients < 1 \
            or args.sample_seconds <= 0:
        parser.error("--beam and --soak-clients must be positive, --sample-seconds above 0, and --threads, "
                     "--seconds and --soak not negative")
    return args


def measure(args, sentences, scratch):
    offline_result = offline(args, sentences, scratch)
    in_process_result = in_process(args, sentences)
    runs = [load_run(args, sentences, mode, clients, scratch) for mode in args.modes for clients in args.clients]
    ratios = goal_ratios(offline_result, in_process_result, runs)
    duration = f"{args.seconds:g} s per server run" if args.seconds else "one pass over the input per server run"
    print(f"{len(sentences)} sentences of {Path(args.input).name}, beam {args.beam}, --threads {args.threads}, "
          f"{duration}\n")
    print(results_table(offline_result, in_process_result, runs))
    if "skipped" in in_process_result:
        print(f"\nin-process latency skipped: {in_process_result['skipped']}")
    print()
    print(ratios_table(ratios))
    return {"offline": offline_result, "in_process": in_process_result, "runs": runs,
            "ratios": [{"ratio": what, "value": value, "goal": goal, "met": met} for what, value, goal, met in ratios]}


def main(argv=None):
    args = parse_args(argv)
    sentences = read_lines(args.input, args.lines)
    if not sentences:
        raise SystemExit(f"{args.input} has no lines")
    with tempfile.TemporaryDirectory() as scratch:
        if args.soak:
            report = soak(args, sentences, scratch)
        else:
            report = measure(args, sentences, scratch)
    if args.json:
        print(json.dumps({"input": str(args.input), "sentences": len(sentences), "beam": args.beam,
                          "threads": args.threads, "seconds": args.seconds, **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
