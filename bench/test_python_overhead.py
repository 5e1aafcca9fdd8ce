"""Tests of python_overhead.py with a fake tfm binary and a fake tfm module (no real translation or timing)."""

import contextlib
import io
import stat
import tempfile
import unittest
from pathlib import Path

import python_overhead

FAKE_TFM = """#!/bin/sh
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift ;;
  esac
  shift
done
tr a-z A-Z < "$input"
"""

FAKE_MODULE = """
class Translator:
    def __init__(self, model, threads):
        pass
    def translate(self, lines, beam):
        return [line.upper() if UPPER else line for line in lines]
UPPER = True
"""


class PythonOverheadTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.root = Path(scratch.name)
        self.tfm = self.root / "tfm"
        self.tfm.write_text(FAKE_TFM)
        self.tfm.chmod(self.tfm.stat().st_mode | stat.S_IEXEC)
        self.modules = self.root / "modules"
        self.modules.mkdir()
        self.input = self.root / "in.en"
        self.input.write_text("a dog\ntwo cats\n")

    def run_overhead(self, module_source):
        (self.modules / "tfm.py").write_text(module_source)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = python_overhead.main(["--tfm", str(self.tfm), "--module-dir", str(self.modules), "--model", "m",
                                         "--input", str(self.input), "--rounds", "1"])
        return code, out.getvalue()

    def test_table_of_both_ways_in(self):
        code, text = self.run_overhead(FAKE_MODULE)
        self.assertEqual(code, 0)
        self.assertIn("2 lines of", text)
        self.assertIn("| `tfm translate` |", text)
        self.assertIn("| Python `Translator.translate` |", text)
        self.assertIn("identical output: yes", text)

    def test_different_translations_fail(self):
        code, text = self.run_overhead(FAKE_MODULE.replace("UPPER = True", "UPPER = False"))
        self.assertEqual(code, 1)
        self.assertIn("identical output: NO", text)


if __name__ == "__main__":
    unittest.main()
