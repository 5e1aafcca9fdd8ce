"""Tests of measure.py: each process's own peak memory and its duration."""

import sys
import tempfile
import unittest
from pathlib import Path

import measure

TOUCH_100_MB = "b = bytearray(100 << 20); b[::4096] = b'\\1' * (100 << 8); print('done')"


class RunMeasuredTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.output = Path(scratch.name) / "measured.txt"

    @unittest.skipUnless(measure.GNU_TIME, "no GNU time")
    def test_reports_each_process_own_peak_memory_and_its_duration(self):
        big = measure.run_measured([sys.executable, "-c", TOUCH_100_MB], self.output)
        self.assertEqual(self.output.read_text(), "done\n")
        small = measure.run_measured([sys.executable, "-c", "import time; time.sleep(0.2)"], self.output)
        self.assertGreater(big.peak_rss_mb, 100)
        self.assertLess(small.peak_rss_mb, 50)  # neither the largest child so far nor this process
        self.assertGreaterEqual(small.seconds, 0.2)

    def test_without_gnu_time_reports_at_least_the_child_peak_memory(self):
        big = measure.run_measured([sys.executable, "-c", TOUCH_100_MB], self.output, gnu_time=None)
        self.assertEqual(self.output.read_text(), "done\n")
        self.assertGreater(big.peak_rss_mb, 100)

    def test_a_failing_command_is_an_error_with_its_message(self):
        with self.assertRaisesRegex(RuntimeError, "exited with 3: oops"):
            measure.run_measured([sys.executable, "-c", "import sys; sys.stderr.write('oops'); sys.exit(3)"], self.output)


if __name__ == "__main__":
    unittest.main()
