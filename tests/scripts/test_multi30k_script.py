"""scripts/multi30k.sh, which makes the README's Multi30k results rows, on a tiny corpus in
Multi30k's file layout: the row it prints matches the model directory and the translations it
scored, --resume goes on with a run and covers all of it, and bad arguments are refused before
anything is written."""

import gzip
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from tiny_pair import GERMAN, WORDS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "multi30k.sh"
# Config S (the script's) with a vocabulary that fits the toy language, a few steps, one thread.
TINY_RUN = ["--vocab-size", "48", "--valid-every", "2", "--log-every", "1", "--threads", "1"]


def write_corpus(directory, name, count, seed):
    rng = random.Random(seed)
    english = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) for _ in range(count)]
    german = [" ".join(GERMAN[w] for w in line.split()) for line in english]
    for language, lines in (("en", english), ("de", german)):
        with gzip.open(directory / f"{name}.{language}.gz", "wt", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def table_row(stdout):
    """The last line, the results row, as its cells."""
    return [cell.strip() for cell in stdout.strip().splitlines()[-1].strip("|").split("|")]


@unittest.skipUnless(os.environ.get("TFM_BINARY"), "TFM_BINARY is not set: these tests start the tfm binary")
class Multi30kScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tfm = os.environ["TFM_BINARY"]
        cls.work = Path(tempfile.mkdtemp())
        cls.data = cls.work / "data"
        cls.data.mkdir()
        write_corpus(cls.data, "train", 300, seed=1)
        write_corpus(cls.data, "val", 12, seed=2)
        write_corpus(cls.data, "test_2016_flickr", 8, seed=3)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work)

    def run_script(self, *args):
        return subprocess.run(["bash", str(SCRIPT), "--data", str(self.data), "--tfm", self.tfm, *args],
                              capture_output=True, text=True, timeout=600)

    def bleu(self, hypotheses, metric):
        return subprocess.run([self.tfm, "bleu", "-r", str(self.data / "test_2016_flickr.de.gz"), "-i", str(hypotheses),
                               "-m", metric, "-b", "-w", "2"], capture_output=True, text=True, check=True).stdout.strip()

    def test_row_describes_the_run_and_resume_goes_on_with_it(self):
        model = self.work / "run"
        first = self.run_script("--minutes", "30", "--model", str(model), "--", *TINY_RUN, "--max-steps", "4")
        self.assertEqual(first.returncode, 0, first.stderr)
        row = table_row(first.stdout)
        self.assertEqual(len(row), 9, first.stdout)
        self.assertEqual(row[0], "30 min")
        self.assertEqual(row[2], "4")
        for beam, (bleu, chrf) in ((1, row[5:7]), (4, row[7:9])):
            translations = model / f"test.beam{beam}.de"
            self.assertEqual(len(translations.read_text(encoding="utf-8").splitlines()), 8)
            self.assertEqual(bleu, self.bleu(translations, "bleu"))
            self.assertEqual(chrf, self.bleu(translations, "chrf"))
        # The final model as the trainer's last line names it (checkpoints at steps 2 and 4).
        final = re.search(r"the model: (?:the average of the last (\d+) checkpoints|the moving average of the "
                          r"weights at step (\d+)[^(]*) \(validation BLEU ([0-9.]+)\)", first.stdout + first.stderr)
        self.assertIsNotNone(final, first.stderr)
        count, step, bleu = final.groups()
        self.assertEqual(row[4], f"{bleu} (mean of steps {6 - 2 * int(count)}-4)" if count
                         else f"{bleu} (moving average at step {step})")

        refused = self.run_script("--minutes", "30", "--model", str(model), "--", *TINY_RUN, "--max-steps", "6")
        self.assertEqual(refused.returncode, 2)
        self.assertIn(f"{model} exists; pass --model NEW_DIR, or --resume", refused.stderr)

        resumed = self.run_script("--minutes", "30", "--model", str(model), "--resume", "--", *TINY_RUN,
                                  "--max-steps", "6")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("resumed from", resumed.stderr + resumed.stdout)
        self.assertEqual(table_row(resumed.stdout)[2], "6")
        train_steps = [r["step"] for r in map(json.loads, (model / "metrics.jsonl").read_text().splitlines())
                       if r["type"] == "train"]
        self.assertEqual(train_steps, sorted(set(train_steps)))
        self.assertEqual(max(train_steps), 6)

    def test_refusals_name_what_is_wrong_and_write_nothing(self):
        missing_model = self.work / "never"
        cases = [
            (["--model", str(missing_model), "--resume"], f"--resume: {missing_model} is not a model directory"),
            (["--model", str(missing_model), "--minuets", "5"], "unknown argument --minuets"),
            (["--model", str(missing_model), "--data", str(self.work / "nowhere")],
             f"{self.work / 'nowhere'}/train.en.gz is missing"),
            (["--model", str(missing_model), "--tfm", str(self.work / "no-tfm")], f"{self.work / 'no-tfm'} is not built"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                result = self.run_script(*args)
                self.assertEqual(result.returncode, 2, result.stdout)
                self.assertIn(message, result.stderr)
                self.assertFalse(missing_model.exists())


if __name__ == "__main__":
    unittest.main()
