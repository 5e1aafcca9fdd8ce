"""Tests of scaling.py with a fake tfm (no real timing).

Run: python3 -m unittest discover -s bench -p "test_scaling.py"   (needs no PyTorch)
"""

import contextlib
import io
import stat
import tempfile
import unittest
from pathlib import Path

import scaling

# Echoes the flags as `tfm bench --json` does; time and memory grow with the length, translation
# at 3 ms and 2 MB per token, training at 1 ms and 1 MB.
FAKE_TFM = """#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift ;;
    --mode) mode=$2; shift ;;
    --threads) threads=$2; shift ;;
    --tgt-len) len=$2; shift ;;
  esac
  shift
done
if [ "$mode" = translate ]; then per=3; else per=1; fi
echo "config $config, mode $mode: some text first"
echo '{"mode": "'$mode'", "config": "'$config'", "threads": '$threads', "tgt_tok_per_s": 1, "step_ms": '$((len * per))', "peak_rss_mb": '$((len * per / 3 * 2 + 1))'}'
"""


class ScalingTest(unittest.TestCase):
    def test_one_row_per_length_with_both_modes(self):
        with tempfile.TemporaryDirectory() as directory:
            tfm = Path(directory) / "tfm"
            tfm.write_text(FAKE_TFM)
            tfm.chmod(tfm.stat().st_mode | stat.S_IXUSR)
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
                scaling.main(["--tfm", str(tfm), "--lengths", "16,64", "--threads", "2"])
        lines = stdout.getvalue().splitlines()
        self.assertEqual(len(lines), 2 + 2)
        self.assertTrue(lines[0].startswith("| tokens | train step ms (S) |"))
        # 16 tokens: training 16 ms and 11 MB (16 / 3 * 2 + 1 in shell integers); translation 48 ms, 33 MB.
        self.assertEqual(lines[2], "| 16 | 16.0 | 11 | 48.0 | 3.00 | 33 |")
        self.assertEqual(lines[3], "| 64 | 64.0 | 43 | 192.0 | 3.00 | 129 |")

    def test_rejects_bad_lengths(self):
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            scaling.main(["--lengths", "16,0"])


if __name__ == "__main__":
    unittest.main()
