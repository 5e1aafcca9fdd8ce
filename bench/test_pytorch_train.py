"""Tests of the PyTorch training peer (pytorch_train.py): its recipe, batching, loss, weight files and averaging
against tfm's definitions, and, when build/tfm exists, a run of a few seconds on a toy language pair.

Run: /usr/bin/python3 -m unittest discover -s bench -p test_pytorch_train.py
(needs PyTorch, numpy and sentencepiece; about 10 s, one thread)
"""

import io
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported: OpenBLAS sizes its pool on load
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sentencepiece  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "tests" / "support"))
import pytorch_decode  # noqa: E402
import pytorch_train  # noqa: E402
from tiny_pair import GERMAN, TINY_CONFIG, WORDS  # noqa: E402

TFM = BENCH_DIR.parent / "build" / "tfm"


class RecipeTest(unittest.TestCase):
    def test_recipe_follows_tfm_rules(self):
        cases = {  # steps per epoch, d_model -> warm-up, peak, validation interval (hand-computed)
            (136, 256): (400, 1e-3, 300),                   # 408 -> 400; paper peak (256 * 400)^-0.5 = 3.1e-3, capped
            (175, 256): (500, 1e-3, 400),                   # 525 -> 500, and 350 -> 400: halves round up, as llround
            (1500, 512): (4000, 1 / 2048000 ** 0.5, 1000),  # the paper's 4000 and its peak 6.99e-4; at most 1000
            (3, 256): (100, 1e-3, 100),                     # at least 100 steps
        }
        for (steps_per_epoch, d_model), (warmup, peak, valid_every) in cases.items():
            recipe = pytorch_train.choose_recipe(steps_per_epoch, d_model)
            self.assertEqual((recipe["warmup_steps"], recipe["valid_every"], recipe["keep_checkpoints"]),
                             (warmup, valid_every, 5), steps_per_epoch)
            self.assertAlmostEqual(recipe["peak_lr"], peak, places=12)
            self.assertEqual(recipe["ema_decay"], 0.99)

    def test_moving_average_takes_the_first_weights_whole_then_weighs_new_ones_by_ten_over_u_plus_nine(self):
        average = {"p": torch.zeros(2)}
        for update, value in enumerate([4.0, 8.0, 2.0], start=1):  # as tfm's MovingAverage test, by hand
            pytorch_train.update_moving_average(average, {"p": torch.tensor([value, -1.0])}, update, 0.5)
        self.assertAlmostEqual(float(average["p"][0]), 97 / 33, places=5)
        self.assertAlmostEqual(float(average["p"][1]), -1.0, places=6)

    def test_learning_rate_rises_to_the_peak_then_decays_with_the_inverse_square_root(self):
        lr = pytorch_train.learning_rate
        self.assertAlmostEqual(lr(400, 1e-3, 800), 5e-4)     # half-way up the warm-up
        self.assertAlmostEqual(lr(800, 1e-3, 800), 1e-3)     # the peak
        self.assertAlmostEqual(lr(3200, 1e-3, 800), 5e-4)    # sqrt(800 / 3200)
        self.assertAlmostEqual(lr(0, 1e-3, 800), 1e-3 / 800)  # step 0 counts as 1


class BatcherTest(unittest.TestCase):
    # Pair i has (i * 7) % 13 source pieces and (i * 5) % 11 target pieces (25 more when i % 17 == 0), all i + 4.
    SOURCES = [[4 + i] * ((i * 7) % 13) for i in range(60)]
    TARGETS = [[4 + i] * ((i * 5) % 11 + (25 if i % 17 == 0 else 0)) for i in range(60)]
    # The pairs (by i) of each batch of epochs 0 and 1 as tfm's Batcher returns them (max_tokens 40,
    # max_length 20, seed 7, sort_chunk_pairs 25), printed by a C++ program built on src/train/batcher.cpp.
    TFM_EPOCHS = [
        [[15, 43, 30, 4], [54, 28, 2], [58, 19, 6, 21], [40, 27, 42, 29], [20, 7, 48], [23, 10, 25, 14, 1],
         [56, 45, 32, 47, 8], [3, 18, 57], [16, 31, 5], [50, 24, 41], [35, 37], [49, 36, 38, 12, 53], [59, 46, 9]],
        [[30, 4, 58, 19], [35, 37, 24], [20, 59, 9], [25, 12, 40, 27], [57, 7, 46], [48, 50, 56], [3, 31, 5],
         [2, 43, 45], [32, 47, 21, 49, 10], [42, 29, 16, 18], [54, 41, 28, 15], [6, 8, 36, 23], [38, 53, 14, 1]],
    ]

    def test_splitmix64_is_the_reference_generator(self):
        rng = pytorch_train.SplitMix64(0)
        self.assertEqual([rng.next(), rng.next()], [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4])

    def test_batches_are_tfm_batches_in_tfm_order(self):
        batcher = pytorch_train.Batcher(self.SOURCES, self.TARGETS, max_tokens=40, max_length=20, seed=7, sort_chunk=25)
        for epoch, expected in enumerate(self.TFM_EPOCHS):
            self.assertEqual(batcher.epoch, epoch)
            got = [[source[0] - 4 for source, _ in batcher.next()] for _ in range(len(expected))]
            self.assertEqual(got, expected, f"epoch {epoch}")

    def test_every_batch_keeps_the_token_budget_and_every_pair_comes_once(self):
        rng = random.Random(3)
        sources = [[5] * rng.randint(0, 40) for _ in range(500)]
        targets = [[6] * rng.randint(1, 40) for _ in range(500)]
        sources[0], targets[1] = [5] * 200, [6] * 31  # a pair over the budget forms a batch of its own
        batcher = pytorch_train.Batcher(sources, targets, max_tokens=128, max_length=200, seed=1)
        kept = sum(1 for s, t in zip(sources, targets) if s and t)
        self.assertEqual((len(batcher.pairs), batcher.skipped), (kept, 500 - kept))
        for epoch in range(2):
            seen = 0
            for _ in range(len(batcher.batches)):
                batch = batcher.next()
                longest = max(max(len(s), len(t)) + 1 for s, t in batch)
                self.assertTrue(len(batch) * longest <= 128 or len(batch) == 1, (len(batch), longest))
                seen += len(batch)
            self.assertEqual((seen, batcher.epoch), (kept, epoch + 1))
        too_long = pytorch_train.Batcher(sources, targets, max_tokens=128, max_length=39, seed=1)
        self.assertTrue(all(len(s) <= 39 and len(t) <= 39 for s, t in too_long.pairs))

    def test_batch_tensors_frame_as_tfm(self):
        config = {"pad_id": 0, "bos_id": 2, "eos_id": 3}
        src, src_lengths, tgt_in, tgt_out, tgt_lengths = pytorch_train.batch_tensors([([20], [40, 41, 42, 43]),
                                                                                      ([30, 31, 32], [50])], config)
        self.assertEqual(src.tolist(), [[20, 3, 0, 0], [30, 31, 32, 3]])
        self.assertEqual(tgt_in.tolist(), [[2, 40, 41, 42, 43], [2, 50, 0, 0, 0]])
        self.assertEqual(tgt_out.tolist(), [[40, 41, 42, 43, 3], [50, 3, 0, 0, 0]])
        self.assertEqual((src_lengths.tolist(), tgt_lengths.tolist()), ([2, 4], [5, 2]))


class ModelTest(unittest.TestCase):
    def setUp(self):
        torch.set_num_threads(1)
        torch.manual_seed(0)

    def test_loss_is_pytorchs_label_smoothed_cross_entropy_per_target_token(self):
        logits = torch.randn(3, 5, 11)
        targets = torch.randint(1, 11, (3, 5))
        targets[0, 3:] = targets[2, 1:] = 0  # padding
        loss, nll, tokens = pytorch_train.cross_entropy_sums(logits, targets, 0, 0.1)
        self.assertEqual(tokens, 9)
        flat = (logits.reshape(-1, 11), targets.reshape(-1))
        torch.testing.assert_close(loss / tokens, F.cross_entropy(*flat, ignore_index=0, label_smoothing=0.1))
        torch.testing.assert_close(nll / tokens, F.cross_entropy(*flat, ignore_index=0))

    def test_bfloat16_loss_is_close_to_float32s_and_not_equal(self):
        config = {**TINY_CONFIG, "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0}
        model = pytorch_train.TrainingTransformer(config)
        pairs = [([5, 6, 7], [8, 9]), ([10, 11], [12, 13, 14])]
        tensors = pytorch_train.batch_tensors(pairs, config)
        full, _, tokens = pytorch_train.training_loss(model, tensors, config, bfloat16=False)
        half, _, half_tokens = pytorch_train.training_loss(model, tensors, config, bfloat16=True)
        self.assertEqual(tokens, half_tokens)
        self.assertEqual(half.dtype, torch.float32)
        self.assertNotEqual(float(half), float(full))
        self.assertAlmostEqual(float(half) / float(full), 1.0, delta=0.02)

    def test_initialisation_is_tfms(self):
        model = pytorch_train.TrainingTransformer({**TINY_CONFIG, "dropout": 0.1, "attention_dropout": 0.1,
                                                   "activation_dropout": 0.1})
        for name, p in model.stored_parameters().items():
            if p.dim() == 1:
                expected = 1.0 if ".norm" in name and name.endswith(".weight") else 0.0
                self.assertTrue(bool((p == expected).all()), name)
        bound = (6 / (32 + 64)) ** 0.5  # linear1: [64, 32]
        self.assertLessEqual(float(model.encoder.layers[0].linear1.weight.abs().max()), bound)
        self.assertGreater(float(model.encoder.layers[0].linear1.weight.abs().max()), 0.9 * bound)

    def test_saved_weights_load_back_identically(self):
        for tied in (True, False):
            config = {**TINY_CONFIG, "tie_embeddings": tied}
            model = pytorch_train.TrainingTransformer(config)
            with tempfile.TemporaryDirectory() as directory:
                (Path(directory) / "config.json").write_text(json.dumps(config))
                pytorch_train.save_weights(Path(directory) / "model.safetensors", model.stored_parameters(), {})
                loaded, _ = pytorch_decode.load_model(directory)
            saved, got = model.stored_parameters(), loaded.stored_parameters()
            self.assertEqual(sorted(saved), sorted(got))
            self.assertEqual("tgt_embed.weight" in got, not tied)
            for name in saved:
                self.assertTrue(torch.equal(saved[name], got[name]), name)

    def test_average_is_the_element_wise_mean(self):
        checkpoints = [{"a": torch.tensor([1.0, 2.0]), "b": torch.tensor([[0.5]])},
                       {"a": torch.tensor([3.0, 4.0]), "b": torch.tensor([[1.0]])},
                       {"a": torch.tensor([2.0, 3.0]), "b": torch.tensor([[0.0]])}]
        mean = pytorch_train.average_weights(checkpoints)
        self.assertEqual((mean["a"].tolist(), mean["b"].tolist()), ([2.0, 3.0], [[0.5]]))
        self.assertEqual(mean["a"].dtype, torch.float32)


@unittest.skipUnless(TFM.exists(), f"{TFM} not built")
class TrainingRunTest(unittest.TestCase):
    def test_a_short_run_writes_a_model_directory_that_tfm_translates(self):
        rng = random.Random(0)
        english = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))) for _ in range(48)]
        german = [" ".join(GERMAN[word] for word in line.split()) for line in english]
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            for name, lines in (("train.en", english[:40]), ("train.de", german[:40]),
                                ("val.en", english[40:]), ("val.de", german[40:])):
                (root / name).write_text("".join(line + "\n" for line in lines))
            spm = io.BytesIO()
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(english + german), model_writer=spm, vocab_size=TINY_CONFIG["vocab_size"],
                pad_id=0, unk_id=1, bos_id=2, eos_id=3, hard_vocab_limit=False, num_threads=1, minloglevel=2)
            (root / "spm.model").write_bytes(spm.getvalue())
            (root / "tiny.json").write_text(json.dumps(TINY_CONFIG))
            model_dir = root / "model"
            completed = subprocess.run(
                [sys.executable, str(BENCH_DIR / "pytorch_train.py"), "--src", root / "train.en", "--tgt",
                 root / "train.de", "--valid-src", root / "val.en", "--valid-tgt", root / "val.de", "--spm",
                 root / "spm.model", "--model", model_dir, "--time-limit", "0.05", "--threads", "1", "--tfm", TFM,
                 "--config", root / "tiny.json", "--batch-tokens", "48", "--log-every", "20", "--json"],
                capture_output=True, timeout=120)
            self.assertEqual(completed.returncode, 0, completed.stderr.decode())
            summary = json.loads(completed.stdout)
            self.assertGreaterEqual(summary["training_seconds"], 3.0)
            self.assertGreater(summary["steps"], 0)
            self.assertGreater(summary["tgt_tok_per_s"], 0)
            self.assertEqual(sorted(p.name for p in model_dir.iterdir()),
                             ["config.json", "metrics.jsonl", "model.safetensors", "spm.model"])
            self.assertEqual((model_dir / "spm.model").read_bytes(), spm.getvalue())
            config = json.loads((model_dir / "config.json").read_text())
            self.assertEqual(list(config), list(pytorch_train.CONFIG_FIELDS))
            vocab = sentencepiece.SentencePieceProcessor(model_proto=spm.getvalue()).get_piece_size()
            self.assertEqual({**TINY_CONFIG, "vocab_size": vocab}, config)

            records = [json.loads(line) for line in (model_dir / "metrics.jsonl").read_text().splitlines()]
            valid = [r for r in records if r["type"] == "valid"]
            average = [r for r in records if r["type"] == "average"]
            self.assertTrue(valid)
            self.assertEqual(valid[-1]["step"], summary["steps"])  # the last step is validated
            self.assertEqual(summary["best_valid_bleu"], max(r["bleu"] for r in valid))
            if len(valid) >= 2:
                self.assertEqual(len(average), 1)
                self.assertEqual(average[0]["steps"], [r["step"] for r in valid[-5:]])
                self.assertEqual(summary["averaged"], average[0]["kept"])
            self.assertEqual(summary["final_valid_bleu"],
                             average[0]["bleu"] if summary["averaged"] else summary["best_valid_bleu"])

            translated = subprocess.run([str(TFM), "translate", "--model", str(model_dir), "--input",
                                         str(root / "val.en"), "--beam", "1", "--threads", "1", "--quiet"],
                                        capture_output=True, check=True)
            self.assertEqual(len(translated.stdout.decode().split("\n")) - 1, 8)


if __name__ == "__main__":
    unittest.main()
