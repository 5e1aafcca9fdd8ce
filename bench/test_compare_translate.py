"""Tests of compare_translate.py with fake translation programs (no real translation or timing).

Run: python3 -m unittest discover -s bench   (needs sentencepiece, not PyTorch)
"""

import contextlib
import io
import stat
import sys
import tempfile
import unittest
from pathlib import Path

import sentencepiece

import compare_translate

# tfm translate: every source line upper-cased; tfm bleu: the number of hypothesis lines that hold an
# upper-case letter, so each side gets its own, predictable score.
FAKE_TFM = """#!/bin/sh
command=$1; shift
while [ $# -gt 0 ]; do
  case "$1" in
    --input|-i) input=$2; shift ;;
  esac
  shift
done
case "$command" in
  translate) tr a-z A-Z < "$input" ;;
  bleu) echo "$(grep -c '[A-Z]' "$input").50" ;;
  *) echo "unknown command $command" >&2; exit 2 ;;
esac
"""

# pytorch_translate.py: as the fake tfm, except that with a beam above 1 the second line stays lower-case;
# ends its stderr with the JSON report, whose threads can be overridden.
FAKE_PYTORCH = """#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift ;;
    --beam) beam=$2; shift ;;
    --threads) threads=$2; shift ;;
  esac
  shift
done
if [ "$beam" -gt 1 ]; then
  tr a-z A-Z < "$input" | sed '2s/.*/second line/'
else
  tr a-z A-Z < "$input"
fi
lines=$(wc -l < "$input")
echo "loading model" >&2
echo '{{"impl": "pytorch", "beam": '$beam', "threads": '{threads}', "sentences": '$lines', "seconds": 0.01}}' >&2
"""

SOURCES = ["a man sings .", "two dogs play in the snow .", "", "a woman is riding a horse ."]
REFERENCES = ["A MAN SINGS .", "TWO DOGS PLAY IN THE SNOW .", "", "A WOMAN RIDES A HORSE ."]


class CompareTranslateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.root = Path(cls.directory.name)
        cls.model_dir = cls.root / "model"
        cls.model_dir.mkdir()
        spm_bytes = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(SOURCES + REFERENCES), model_writer=spm_bytes, vocab_size=60,
            hard_vocab_limit=False, minloglevel=2)
        (cls.model_dir / "spm.model").write_bytes(spm_bytes.getvalue())
        cls.tokenizer = sentencepiece.SentencePieceProcessor(model_proto=spm_bytes.getvalue())
        cls.source = cls.write("source.txt", SOURCES)
        cls.reference = cls.write("reference.txt", REFERENCES)
        cls.tfm = cls.executable("tfm", FAKE_TFM)
        cls.pytorch = cls.executable("pytorch.sh", FAKE_PYTORCH.format(threads="$threads"))

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    @classmethod
    def write(cls, name, lines):
        path = cls.root / name
        path.write_text("".join(line + "\n" for line in lines))
        return path

    @classmethod
    def executable(cls, name, text):
        path = cls.root / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    def run_compare(self, *extra, tfm=None, pytorch=None, source=None):
        stdout = io.StringIO()
        args = ["--model", str(self.model_dir), "--input", str(source or self.source), "--ref", str(self.reference),
                "--tfm", tfm or self.tfm, "--python", "/bin/sh", "--pytorch-translate", pytorch or self.pytorch,
                "--threads", "3", *extra]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            compare_translate.main(args)
        return [[cell.strip() for cell in line.strip("|").split("|")] for line in stdout.getvalue().splitlines()]

    def test_one_row_per_beam_with_bleu_memory_and_differing_lines(self):
        header, _, *rows = self.run_compare("--beams", "1,4")
        self.assertEqual(header, ["beam", "threads", "sentences", "tfm sent/s", "tfm tok/s", "PyTorch sent/s",
                                  "PyTorch tok/s", "speed ratio", "tfm BLEU", "PyTorch BLEU", "tfm peak MB",
                                  "PyTorch peak MB", "differing lines"])
        self.assertEqual(len(rows), 2)
        columns = [dict(zip(header, row)) for row in rows]
        # Both sides upper-case 3 lines (one source line is empty); with beam 4 PyTorch keeps line 2 lower-case.
        self.assertEqual([(c["beam"], c["threads"], c["sentences"]) for c in columns], [("1", "3", "4"), ("4", "3", "4")])
        self.assertEqual([(c["tfm BLEU"], c["PyTorch BLEU"], c["differing lines"]) for c in columns],
                         [("3.50", "3.50", "0"), ("3.50", "2.50", "1")])
        # PyTorch's time is the 0.01 s it reports; tfm's is measured.
        tokens = sum(len(self.tokenizer.encode(line.upper())) + 1 for line in SOURCES if line)
        self.assertEqual([(c["PyTorch sent/s"], c["PyTorch tok/s"]) for c in columns[:1]], [("400.00", f"{tokens * 100}")])
        for c in columns:
            self.assertGreater(float(c["tfm sent/s"]), 0)
            self.assertGreater(float(c["tfm peak MB"]), 0)
            self.assertGreater(float(c["PyTorch peak MB"]), 0)

    def test_limit_uses_the_first_lines_and_keeps_outputs(self):
        outputs = self.root / "outputs"
        _, _, row = self.run_compare("--beams", "4", "--limit", "2", "--outputs", str(outputs))
        self.assertEqual((row[2], row[8], row[9], row[12]), ("2", "2.50", "1.50", "1"))
        self.assertEqual((outputs / "tfm.beam4.txt").read_text(), "A MAN SINGS .\nTWO DOGS PLAY IN THE SNOW .\n")
        self.assertEqual((outputs / "pytorch.beam4.txt").read_text(), "A MAN SINGS .\nsecond line\n")

    def test_target_tokens_are_pieces_plus_eos_of_translations_of_non_empty_lines(self):
        translations = ["A MAN SINGS .", "x", "ignored: its source line is empty"]
        expected = len(self.tokenizer.encode("A MAN SINGS .")) + 1 + len(self.tokenizer.encode("x")) + 1
        self.assertEqual(compare_translate.target_tokens(translations, ["a", "b", ""], self.tokenizer), expected)

    def test_markdown_table_rates_ratio_and_rounding(self):
        row = {"beam": 4, "threads": 2, "sentences": 1000, "differing_lines": 17,
               "tfm": {"seconds": 20.0, "tgt_tokens": 15000, "bleu": 35.123, "peak_rss_mb": 80.4},
               "pytorch": {"seconds": 400.0, "tgt_tokens": 15100, "bleu": 35.0, "peak_rss_mb": 612.6}}
        self.assertEqual(compare_translate.markdown_table([row]).splitlines()[2],
                         "| 4 | 2 | 1000 | 50.00 | 750 | 2.50 | 38 | 20.00 | 35.12 | 35.00 | 80 | 613 | 17 |")

    def test_rejects_a_pytorch_report_for_other_threads(self):
        pytorch = self.executable("pytorch-1-thread.sh", FAKE_PYTORCH.format(threads="1"))
        with self.assertRaisesRegex(RuntimeError, "ran {'beam': 1, 'threads': 1, 'sentences': 4}, expected .*'threads': 3"):
            self.run_compare("--beams", "1", pytorch=pytorch)

    def test_rejects_a_pytorch_report_without_a_duration(self):
        fake = FAKE_PYTORCH.format(threads="$threads").replace('"seconds": 0.01', '"seconds": 0.0')
        pytorch = self.executable("pytorch-no-time.sh", fake)
        with self.assertRaisesRegex(RuntimeError, "reported seconds 0.0, expected a positive number"):
            self.run_compare("--beams", "1", pytorch=pytorch)

    def test_rejects_an_output_with_missing_lines(self):
        tfm = self.executable("tfm-short", FAKE_TFM.replace('tr a-z A-Z < "$input"', 'head -n 1 "$input"'))
        with self.assertRaisesRegex(RuntimeError, "wrote 1 lines for 4 source lines"):
            self.run_compare("--beams", "1", tfm=tfm)

    def test_rejects_source_and_reference_of_different_lengths(self):
        source = self.write("short-source.txt", SOURCES[:3])
        with self.assertRaisesRegex(RuntimeError, "has 3 lines but .*reference.txt has 4"):
            self.run_compare(source=source)

    def test_reports_a_failing_command_with_its_stderr(self):
        tfm = self.executable("tfm-broken", "#!/bin/sh\necho 'cannot load model' >&2\nexit 3\n")
        with self.assertRaisesRegex(RuntimeError, "tfm-broken translate --model .* exited with 3: cannot load model"):
            self.run_compare("--beams", "1", tfm=tfm)

    def test_reports_a_missing_program(self):
        with self.assertRaisesRegex(RuntimeError, "cannot run `.*no-tfm translate .*`: no such program"):
            self.run_compare("--beams", "1", tfm=str(self.root / "no-tfm"))

    def test_rejects_a_missing_input_file(self):
        missing = self.root / "no-source.txt"
        with contextlib.redirect_stderr(io.StringIO()) as stderr, self.assertRaises(SystemExit):
            compare_translate.main(["--model", str(self.model_dir), "--input", str(missing), "--ref", str(self.reference)])
        self.assertIn(f"no file {missing}", stderr.getvalue())

    def test_rejects_bad_beam_lists(self):
        for beams in ("0,4", "a", ""):
            with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
                compare_translate.main(["--model", "m", "--input", "i", "--ref", "r", "--beams", beams])


if __name__ == "__main__":
    unittest.main()
