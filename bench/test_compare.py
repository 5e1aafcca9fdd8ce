"""Tests of compare.py with fake bench programs (no real timing).

Run: python3 -m unittest discover -s bench   (needs no PyTorch)
"""

import contextlib
import io
import stat
import tempfile
import unittest
from pathlib import Path

import compare

# Prints a log line, then JSON echoing the flags; the speed grows by `step` with every call (counted in a file),
# so the rounds give different numbers and the median is the middle one.
FAKE_BENCH = """#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift ;;
    --mode) mode=$2; shift ;;
    --threads) threads=$2; shift ;;
  esac
  shift
done
count=$(cat "{counter}" 2>/dev/null || echo 0); count=$((count + 1)); echo $count > "{counter}"
echo "warming up..."
echo '{{"mode": "'$mode'", "config": "'$config'", "threads": '{threads}', "tgt_tok_per_s": '$((count * {step}))', "peak_rss_mb": {rss}{blas}{mfu}}}'
"""


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def fake(self, name, step, rss, blas="", threads="$threads", mfu=None):
        path = Path(self.directory.name) / name
        path.write_text(FAKE_BENCH.format(counter=path.with_suffix(".count"), step=step, rss=rss,
                                          blas=f', "blas": "{blas}"' if blas else "", threads=threads,
                                          mfu=f', "mfu": {mfu}' if mfu is not None else ""))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    def run_compare(self, *args):
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            compare.main(list(args))
        return stdout.getvalue().splitlines()

    def test_table_has_medians_ratio_memory_and_blas_per_config_and_mode(self):
        tfm = self.fake("tfm", step=1000, rss=50, blas="onednn", mfu=0.6543)
        pytorch = self.fake("pytorch.sh", step=400, rss=300)
        lines = self.run_compare("--tfm", tfm, "--python", "/bin/sh", "--pytorch-bench", pytorch,
                                 "--configs", "S,B", "--modes", "train,forward", "--threads", "2", "--rounds", "3")
        self.assertEqual(len(lines), 2 + 4)
        self.assertTrue(lines[0].startswith("| config | mode | threads | tfm tok/s | PyTorch tok/s | ratio | tfm MFU |"))
        # Calls 1-3 are S/train (tfm 1000, 2000, 3000 -> median 2000; PyTorch 400, 800, 1200 -> 800).
        self.assertEqual(lines[2], "| S | train | 2 | 2000 | 800 | 2.50 | 65.4% | 50 | 300 | onednn | - |")
        self.assertEqual(lines[3], "| S | forward | 2 | 5000 | 2000 | 2.50 | 65.4% | 50 | 300 | onednn | - |")
        self.assertTrue(lines[5].startswith("| B | forward | 2 | 11000 | 4400 | 2.50 |"))

    def test_rejects_a_result_for_other_threads(self):
        tfm = self.fake("tfm", step=1000, rss=50, threads="1")
        with self.assertRaisesRegex(RuntimeError, "expected {'config': 'S', 'mode': 'train', 'threads': 2}"):
            self.run_compare("--tfm", tfm, "--configs", "S", "--modes", "train", "--rounds", "1")

    def test_reports_a_failing_command_with_its_stderr(self):
        tfm = Path(self.directory.name) / "broken"
        tfm.write_text("#!/bin/sh\necho 'unknown subcommand bench' >&2\nexit 3\n")
        tfm.chmod(0o755)
        with self.assertRaisesRegex(RuntimeError, "exited with 3: unknown subcommand bench"):
            self.run_compare("--tfm", str(tfm), "--configs", "S", "--modes", "train", "--rounds", "1")

    def test_reports_a_missing_program(self):
        missing = str(Path(self.directory.name) / "no-tfm")
        with self.assertRaisesRegex(RuntimeError, "cannot run `.*no-tfm bench --config S"):
            self.run_compare("--tfm", missing, "--configs", "S", "--modes", "train", "--rounds", "1")

    def test_parse_result_needs_a_json_object_with_the_required_fields(self):
        with self.assertRaisesRegex(RuntimeError, "not JSON"):
            compare.parse_result("hello\n", "cmd", "S", "train", 2)
        with self.assertRaisesRegex(RuntimeError, r"lacks fields \['peak_rss_mb'\]"):
            compare.parse_result('{"mode": "train", "config": "S", "threads": 2, "tgt_tok_per_s": 1}', "cmd", "S", "train", 2)
        with self.assertRaisesRegex(RuntimeError, "printed nothing"):
            compare.parse_result("\n", "cmd", "S", "train", 2)

    def test_rejects_unknown_config_names(self):
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            compare.main(["--configs", "S,XL"])


if __name__ == "__main__":
    unittest.main()
