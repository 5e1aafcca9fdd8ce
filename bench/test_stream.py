"""Tests of stream.py with a fake tfm (no real translation or timing).

Run: python3 -m unittest discover -s bench -p test_stream.py
"""

import contextlib
import gzip
import io
import os
import stat
import tempfile
import unittest
from pathlib import Path

import stream

# tfm translate: every input line upper-cased, unless FAKE_DIFFER is set and the window is the default
# (no --maxi-batch), which then lower-cases the last line.
FAKE_TFM = """#!/bin/sh
shift
maxi=""
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift ;;
    --maxi-batch) maxi=$2; shift ;;
  esac
  shift
done
if [ -n "$FAKE_DIFFER" ] && [ -z "$maxi" ]; then sed '$ s/.*/different/' "$input"; else tr a-z A-Z < "$input"; fi
"""


class StreamBenchTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.root = Path(scratch.name)
        self.tfm = self.root / "tfm"
        self.tfm.write_text(FAKE_TFM)
        self.tfm.chmod(self.tfm.stat().st_mode | stat.S_IEXEC)
        self.input = self.root / "in.en.gz"
        with gzip.open(self.input, "wt", encoding="utf-8") as f:
            f.write("a dog\ntwo cats\nthree birds\n")

    def run_stream(self, *extra):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = stream.main(["--tfm", str(self.tfm), "--model", "m", "--input", str(self.input),
                                *(extra or ("--rounds", "1"))])
        return code, out.getvalue()

    def test_tables_for_throughput_window_and_memory(self):
        code, text = self.run_stream("--rounds", "1", "--maxi-batches", "1,100", "--memory-lines", "5,12")
        self.assertEqual(code, 0)
        self.assertIn("3 lines of", text)
        self.assertIn("identical output: yes", text)
        rows = [line for line in text.splitlines() if line.startswith("| ")]
        self.assertEqual([r.split(" | ")[0] for r in rows],
                         ["| mode", "| whole file", "| streaming, default window", "| --maxi-batch", "| 1", "| 100",
                          "| input lines", "| 5", "| 12"])
        self.assertTrue(rows[-2].endswith("| 1.000 |"), rows[-2])

    def test_different_output_is_reported_and_fails(self):
        os.environ["FAKE_DIFFER"] = "1"
        self.addCleanup(os.environ.pop, "FAKE_DIFFER")
        code, text = self.run_stream()
        self.assertEqual(code, 1)
        self.assertIn("identical output: NO", text)

    def test_no_rounds_leaves_the_throughput_table_out(self):
        code, text = self.run_stream("--rounds", "0", "--memory-lines", "4")
        self.assertEqual(code, 0)
        self.assertNotIn("Throughput", text)
        self.assertIn("| 4 |", text)

    def test_translate_args_reach_every_run(self):
        log = self.root / "args.log"
        self.tfm.write_text(FAKE_TFM.replace("shift\n", f"echo \"$@\" >> {log}\nshift\n", 1))
        code, _ = self.run_stream("--rounds", "1", "--memory-lines", "4", "--translate-args", "--max-length-offset 1")
        self.assertEqual(code, 0)
        runs = log.read_text().splitlines()
        self.assertEqual(len(runs), 3)
        self.assertTrue(all("--max-length-offset 1" in run for run in runs), runs)

    def test_cycled_input_repeats_the_lines(self):
        path = self.root / "cycled.txt"
        stream.write_cycled(["x", "y"], 5, path)
        self.assertEqual(path.read_text(), "x\ny\nx\ny\nx\n")


if __name__ == "__main__":
    unittest.main()
