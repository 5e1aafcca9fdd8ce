"""Tests of serve.py: its pure parts, and whole runs against a fake tfm and a fake Python module (no real model).

Run: python3 -m unittest discover -s bench -p test_serve.py
"""

import contextlib
import gzip
import io
import json
import os
import stat
import sys
import tempfile
import unittest
from pathlib import Path

import serve

# tfm translate: the lines upper-cased, and a summary line as tfm's; tfm serve: an HTTP server that answers
# POST /v1/translate with each sentence upper-cased, its words as pieces, and 503 for a sentence with "fail".
# Every command line goes to $FAKE_LOG.
FAKE_TFM = """#!{python}
import json, os, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
command, options = sys.argv[1], sys.argv[2:]
if command == "translate":
    with open(options[options.index("--input") + 1], encoding="utf-8") as f:
        lines = f.read().splitlines()
    print("\\n".join(line.upper() for line in lines))
    pieces = sum(len(line.split()) for line in lines)
    print(f"tfm translate: {{len(lines)}}.0 lines, 100.0 lines/s, {{100 * pieces / len(lines):.0f}} target pieces/s "
          "in 0:00:00", file=sys.stderr)
else:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
            texts = text if isinstance(text, list) else [text]
            failed = any("fail" in t for t in texts)
            body = json.dumps({{"error": "failed"}} if failed else {{"translations": [
                {{"hypotheses": [{{"text": t.upper(), "pieces": t.split()}}]}} for t in texts]}}).encode()
            self.send_response(503 if failed else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"listening on http://127.0.0.1:{{server.server_port}}", flush=True)
    server.serve_forever(poll_interval=0.05)
"""

FAKE_MODULE = """
class Translator:
    def __init__(self, model_dir, threads=0):
        pass

    def translate(self, sources, beam=4):
        return [s.upper() for s in sources]
"""

INPUT = ["a dog", "two cats run", "this one will fail", "three birds sing loud"]


class PureTest(unittest.TestCase):
    def test_percentile_interpolates_between_ranks(self):
        self.assertEqual(serve.percentile([4, 1, 3, 2], 50), 2.5)
        # p99 of 1..4: position 0.99 * 3 = 2.97, so 3 + 0.97 * (4 - 3).
        self.assertAlmostEqual(serve.percentile([1, 2, 3, 4], 99), 3.97)
        self.assertEqual(serve.percentile(list(range(1, 101)), 50), 50.5)
        self.assertEqual(serve.percentile([7], 99), 7)
        self.assertEqual(serve.percentile([1, 2], 0), 1)
        self.assertEqual(serve.percentile([1, 2], 100), 2)
        self.assertIsNone(serve.percentile([], 50))

    def test_feed_cycles_until_the_deadline(self):
        now = [0.0]
        feed = serve.Feed(["a", "b"], seconds=10, clock=lambda: now[0])
        self.assertEqual([feed.next() for _ in range(5)], ["a", "b", "a", "b", "a"])
        now[0] = 10.0
        self.assertIsNone(feed.next())

    def test_feed_without_a_deadline_goes_through_once(self):
        feed = serve.Feed(["a", "b", "c"], seconds=0)
        self.assertEqual([feed.next() for _ in range(4)], ["a", "b", "c", None])

    def test_summary_of_a_run(self):
        tally = serve.Tally()
        for seconds, pieces in ((0.010, 3), (0.020, 5), (0.030, 0)):
            tally.answered(seconds, pieces)
        tally.failed()
        result = serve.summary(tally, seconds=2.0)
        self.assertEqual(result["sentences"], 3)
        self.assertEqual(result["errors"], 1)
        self.assertEqual(result["sentences_per_s"], 1.5)
        self.assertEqual(result["tokens_per_s"], 4.0)
        self.assertAlmostEqual(result["p50_ms"], 20.0)
        self.assertAlmostEqual(result["mean_ms"], 20.0)
        self.assertAlmostEqual(result["p99_ms"], 29.8)

    def test_memory_from_proc_status(self):
        status = "Name:\ttfm\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t5\n"
        self.assertEqual(serve.memory_mb(status), (100.0, 200.0))

    def test_read_lines_plain_gzip_and_limited(self):
        with tempfile.TemporaryDirectory() as scratch:
            plain, packed = Path(scratch) / "in.txt", Path(scratch) / "in.txt.gz"
            plain.write_text("a dog\nzwei Hunde\n", encoding="utf-8")
            with gzip.open(packed, "wt", encoding="utf-8") as f:
                f.write("a dog\nzwei Hunde\n")
            self.assertEqual(serve.read_lines(plain), ["a dog", "zwei Hunde"])
            self.assertEqual(serve.read_lines(packed), ["a dog", "zwei Hunde"])
            self.assertEqual(serve.read_lines(packed, limit=1), ["a dog"])

    def test_arguments(self):
        args = serve.parse_args(["--model", "m", "--input", "in.txt"])
        self.assertEqual((args.clients, args.modes, args.beam, args.threads, args.seconds, args.soak),
                         ([1, 8, 64], ["continuous", "request"], 4, 2, 20, 0))
        args = serve.parse_args(["--model", "m", "--input", "f", "--clients", "2,16", "--modes", "request"])
        self.assertEqual((args.clients, args.modes), ([2, 16], ["request"]))
        for wrong in (["--clients", "0,8"], ["--clients", "x"], ["--modes", "batch"], ["--beam", "0"],
                      ["--seconds", "-1"], ["--sample-seconds", "0"]):
            with self.subTest(wrong=wrong), contextlib.redirect_stderr(io.StringIO()), \
                    self.assertRaises(SystemExit):
                serve.parse_args(["--model", "m", "--input", "f", *wrong])

    def test_tables_and_goals(self):
        offline = {"sentences": 1000, "sentences_per_s": 200.0, "tokens_per_s": 3000.0}
        in_process = {"sentences": 50, "sentences_per_s": 40.0, "p50_ms": 20.0, "mean_ms": 25.0, "p99_ms": 60.0}

        def run(mode, clients, rate, p50, p99):
            return {"mode": mode, "clients": clients, "sentences": 10, "sentences_per_s": rate, "tokens_per_s": 1.0,
                    "p50_ms": p50, "mean_ms": p50, "p99_ms": p99, "errors": 0}

        runs = [run("continuous", 1, 45.0, 21.0, 30.0), run("continuous", 64, 170.0, 300.0, 400.0),
                run("request", 1, 44.0, 21.0, 31.0), run("request", 64, 150.0, 500.0, 1000.0)]
        table = serve.results_table(offline, in_process, runs).splitlines()
        self.assertEqual(len(table), 2 + 2 + 4)
        self.assertTrue(all(row.count("|") == 11 for row in table), table)
        self.assertIn("| `tfm translate` (offline) | | | 1000 | 200.0 | 3000 |", table[2])
        self.assertIn("| `tfm serve` | request | 64 | 10 | 150.0 | 1 | 500.0 | 500.0 | 1000.0 | 0 |", table[-1])

        ratios = serve.goal_ratios(offline, in_process, runs)
        self.assertEqual([(what, round(value, 3), goal, met) for what, value, goal, met in ratios], [
            ("continuous sentences/s at 64 clients / offline sentences/s", 0.85, ">= 0.80", True),
            ("continuous p99 / request p99 at 64 clients", 0.4, "<= 0.50", True),
            ("continuous p50 at 1 client / in-process p50", 1.05, "<= 1.10", True)])
        self.assertIn("| continuous p99 / request p99 at 64 clients | 0.400 | <= 0.50 | yes |",
                      serve.ratios_table(ratios))

        # A side not measured leaves its ratio out; a goal missed says no.
        slow = [run("continuous", 8, 100.0, 50.0, 90.0)]
        ratios = serve.goal_ratios(offline, {"skipped": "no module"}, slow)
        self.assertEqual([(what, value, met) for what, value, _, met in ratios],
                         [("continuous sentences/s at 8 clients / offline sentences/s", 0.5, False)])
        self.assertIn("no ratio", serve.ratios_table([]))


class WholeRunTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.root = Path(scratch.name)
        self.tfm = self.root / "tfm"
        self.tfm.write_text(FAKE_TFM.format(python=sys.executable))
        self.tfm.chmod(self.tfm.stat().st_mode | stat.S_IEXEC)
        self.module_dir = self.root / "module"
        self.module_dir.mkdir()
        (self.module_dir / "tfm.py").write_text(FAKE_MODULE)
        self.input = self.root / "in.en.gz"
        with gzip.open(self.input, "wt", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in INPUT))
        self.log = self.root / "commands.log"
        os.environ["FAKE_LOG"] = str(self.log)
        self.addCleanup(os.environ.pop, "FAKE_LOG")

    def run_serve(self, *extra):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = serve.main(["--tfm", str(self.tfm), "--model", "m", "--input", str(self.input), "--module-dir",
                               str(self.module_dir), "--beam", "3", "--threads", "1", *extra])
        return code, out.getvalue()

    def test_every_mode_and_client_count_against_offline_and_in_process(self):
        code, text = self.run_serve("--clients", "1,2", "--seconds", "0", "--json", "--serve-args",
                                    "--max-batch-tokens 512")
        self.assertEqual(code, 0)
        self.assertIn("4 sentences of in.en.gz, beam 3, --threads 1, one pass over the input per server run", text)
        rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in text.splitlines()
                if row.startswith("| ")]
        self.assertEqual([row[:3] for row in rows[1:7]], [
            ["`tfm translate` (offline)", "", ""], ["Python `Translator.translate`, one sentence", "", "1"],
            ["`tfm serve`", "continuous", "1"], ["`tfm serve`", "continuous", "2"],
            ["`tfm serve`", "request", "1"], ["`tfm serve`", "request", "2"]])
        report = json.loads(text.splitlines()[-1])
        self.assertEqual(report["offline"]["sentences"], 4)
        self.assertEqual(report["in_process"]["sentences"], 4)
        for run in report["runs"]:
            # One pass: three sentences answered, with 2 + 3 + 4 pieces, and the one with "fail" an error.
            self.assertEqual((run["sentences"], run["errors"]), (3, 1), run)
            self.assertAlmostEqual(run["tokens_per_s"] * run["seconds"], 9)
        self.assertEqual(len(report["ratios"]), 3)

        commands = self.log.read_text().splitlines()
        self.assertIn("--beam 3 --threads 1", commands[0])
        servers = [c for c in commands if c.startswith("serve")]
        self.assertEqual([c.split("--batching ")[1].split()[0] for c in servers], ["continuous"] * 2 + ["request"] * 2)
        self.assertTrue(all("--threads 1" in c and "--port 0" in c and c.endswith("--max-batch-tokens 512")
                            for c in servers), servers)

    def test_without_the_module_the_in_process_latency_is_skipped(self):
        (self.module_dir / "tfm.py").unlink()
        code, text = self.run_serve("--clients", "1", "--modes", "continuous", "--seconds", "0.2")
        self.assertEqual(code, 0)
        self.assertIn("in-process latency skipped: cannot import tfm", text)
        self.assertNotIn("in-process p50", text)
        self.assertIn("continuous sentences/s at 1 client / offline sentences/s", text)

    def test_soak_samples_the_server_s_memory(self):
        code, text = self.run_serve("--soak", "0.5", "--soak-clients", "3", "--sample-seconds", "0.2", "--json")
        self.assertEqual(code, 0)
        self.assertIn("## Soak: 3 clients", text)
        report = json.loads(text.splitlines()[-1])["soak"]
        self.assertGreaterEqual(len(report["samples"]), 2)
        self.assertTrue(all(s["rss_mb"] > 0 and s["hwm_mb"] >= s["rss_mb"] for s in report["samples"]))
        self.assertEqual(report["samples"][-1]["answered"], report["sentences"])
        self.assertGreater(report["errors"], 0)  # the sentence with "fail", each time round
        self.assertNotIn("translate", self.log.read_text())  # no offline run


if __name__ == "__main__":
    unittest.main()
