"""Tests of the PyTorch translation peer (pytorch_decode.py, pytorch_translate.py) on tiny random models.

Run: /usr/bin/python3 -m unittest discover -s bench   (needs PyTorch, numpy and sentencepiece; a few seconds)

The searches are checked against independent computations: every hypothesis is rescored with one
full forward pass of the reference model (teacher forcing), a beam wide enough to keep everything
must find the best of all outputs enumerated by brute force, and, when build/tfm exists, tfm's
translations of the same model directory must be identical.
"""

import io
import itertools
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import sentencepiece
import torch

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "tests" / "golden"))
import pytorch_decode  # noqa: E402
import safetensors_io  # noqa: E402
from reference_model import ReferenceTransformer  # noqa: E402

TFM = BENCH_DIR.parent / "build" / "tfm"

TINY_CONFIG = {
    "format_version": 1, "d_model": 16, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2,
    "dim_feedforward": 32, "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
    "activation": "relu", "layer_norm_eps": 1e-5, "norm_first": False, "encoder_final_norm": False,
    "decoder_final_norm": False, "tie_embeddings": False, "pad_id": 0, "unk_id": 1, "bos_id": 2, "eos_id": 3,
    "max_positions": 64,
}
TRAINING_LINES = [
    "a man is riding a horse .", "two dogs play in the snow .", "a woman sings on a stage .",
    "the children are running in the park .", "a man in a red shirt is cooking .",
]
# The last line has more pieces than the positions table (64) allows: both sides cut it to 63.
INPUT_LINES = ["a man sings .", "two children in the snow .", "", "a woman is riding a red horse in the park .",
               " ".join(["two dogs sing ."] * 12)]


def tiny_model(vocab_size, seed, eos_bias, tie_embeddings=False):
    """A random ReferenceTransformer in eval mode. Its generator is scaled up so that the next token
    depends clearly on the source and the prefix (plain random weights repeat one token whatever the
    input), and its EOS logit raised by eos_bias so that hypotheses also end before the length limit."""
    config = {**TINY_CONFIG, "vocab_size": vocab_size, "tie_embeddings": tie_embeddings}
    torch.manual_seed(seed)
    model = ReferenceTransformer(config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.copy_(0.1 * torch.randn_like(parameter))
            elif ".norm" in name:
                parameter.copy_(1.0 + 0.2 * torch.randn_like(parameter))
        model.generator.weight.mul_(3.0)
        model.generator.bias[config["eos_id"]] += eos_bias
    return model.eval(), config


def teacher_forced_log_probs(model, config, source, targets):
    """log P(target | source) of each target (ids, EOS included where it ends one; all of one length),
    from one full forward pass of the reference model over the batch."""
    target_ids = torch.tensor(targets)  # [N, T]
    decoder_input = torch.cat([torch.full((len(targets), 1), config["bos_id"]), target_ids[:, :-1]], dim=1)
    with torch.inference_mode():
        logits, _ = model(torch.tensor([source] * len(targets)), decoder_input)
        log_probs = torch.log_softmax(logits.double(), dim=-1)  # [N, T, V]
    return log_probs.gather(2, target_ids.unsqueeze(2)).sum(dim=(1, 2)).tolist()


def rescored(model, config, source, hypothesis, max_length, alpha):
    """(log_prob, score) of a returned hypothesis recomputed independently: it ended with EOS unless it
    has max_length tokens, in which case it was cut at the limit and is scored without EOS."""
    target = hypothesis.tokens + ([config["eos_id"]] if len(hypothesis.tokens) < max_length else [])
    (log_prob,) = teacher_forced_log_probs(model, config, source, [target])
    return log_prob, log_prob / pytorch_decode.length_penalty(len(target), alpha)


class SearchTest(unittest.TestCase):
    SOURCES = [[4, 5, 3], [1, 0, 2, 3], [4, 3], [5, 4, 5, 4, 5, 3], [0, 0, 0, 3]]

    def setUp(self):
        torch.set_num_threads(1)

    def search(self, model, config, source, beam, alpha, max_length):
        decoder = pytorch_decode.PrefixDecoder(model, source)
        with torch.inference_mode():
            if beam == 0:
                return pytorch_decode.greedy_search(decoder, config["bos_id"], config["eos_id"], max_length, alpha)
            return pytorch_decode.beam_search(decoder, config["bos_id"], config["eos_id"], max_length, alpha, beam)

    def test_greedy_takes_the_argmax_of_a_full_forward_pass_at_every_step(self):
        model, config = tiny_model(vocab_size=12, seed=0, eos_bias=1.0)
        for source in self.SOURCES:
            greedy = self.search(model, config, source, beam=0, alpha=0.6, max_length=8)
            prefix = [config["bos_id"]]
            for token in greedy.tokens + ([config["eos_id"]] if len(greedy.tokens) < 8 else []):
                with torch.inference_mode():
                    logits, _ = model(torch.tensor([source]), torch.tensor([prefix]))
                self.assertEqual(int(logits[0, -1].argmax()), token, f"source {source}, prefix {prefix}")
                prefix.append(token)

    def test_greedy_equals_beam_1(self):
        model, config = tiny_model(vocab_size=12, seed=0, eos_bias=1.0)
        for source, max_length in itertools.product(self.SOURCES, (1, 4, 12)):
            greedy = self.search(model, config, source, beam=0, alpha=0.6, max_length=max_length)
            beam_1 = self.search(model, config, source, beam=1, alpha=0.6, max_length=max_length)
            self.assertEqual(greedy.tokens, beam_1.tokens, f"source {source}, max length {max_length}")
            self.assertAlmostEqual(greedy.score, beam_1.score, places=5)

    def test_every_returned_hypothesis_has_its_teacher_forced_score(self):
        for seed in (0, 3):
            model, config = tiny_model(vocab_size=12, seed=seed, eos_bias=1.0)
            for source, beam, alpha in itertools.product(self.SOURCES, (0, 1, 2, 4), (0.0, 0.6, 2.0)):
                hypothesis = self.search(model, config, source, beam, alpha, max_length=6)
                log_prob, score = rescored(model, config, source, hypothesis, 6, alpha)
                where = f"seed {seed}, source {source}, beam {beam}, alpha {alpha}"
                self.assertAlmostEqual(hypothesis.log_prob, log_prob, places=4, msg=where)
                self.assertAlmostEqual(hypothesis.score, score, places=4, msg=where)

    def test_a_beam_that_keeps_everything_finds_the_brute_force_best(self):
        # 6 ids, at most 3 output tokens: [EOS], [a, EOS], [a, b, EOS] and [a, b, c] cut at the limit,
        # with a, b, c not EOS: 1 + 5 + 25 + 125 outputs. A beam of 150 never drops a candidate
        # (the last step has 25 open hypotheses x 6 ids) and never fills up before the limit.
        eos = TINY_CONFIG["eos_id"]
        others = [token for token in range(6) if token != eos]
        targets_by_length = [[[eos]], [[a, eos] for a in others],
                             [[a, b, eos] for a, b in itertools.product(others, others)]
                             + [[a, b, c] for a, b, c in itertools.product(others, others, others)]]
        for seed, eos_bias in ((4, 3.0), (0, 1.0)):
            model, config = tiny_model(vocab_size=6, seed=seed, eos_bias=eos_bias)
            for source in self.SOURCES:
                outputs = []  # (log P, tokens without EOS, length counted by the penalty)
                for targets in targets_by_length:
                    for target, log_prob in zip(targets, teacher_forced_log_probs(model, config, source, targets)):
                        outputs.append((log_prob, [t for t in target if t != eos], len(target)))
                self.assertEqual(len(outputs), 156)
                for alpha in (0.0, 0.6, 2.0):
                    best_score, best_tokens = max((log_prob / pytorch_decode.length_penalty(n, alpha), tokens)
                                                  for log_prob, tokens, n in outputs)
                    found = self.search(model, config, source, beam=150, alpha=alpha, max_length=3)
                    self.assertEqual(found.tokens, best_tokens, f"seed {seed}, source {source}, alpha {alpha}")
                    self.assertAlmostEqual(found.score, best_score, places=4)

    def test_max_output_length_follows_tfm(self):
        self.assertEqual(pytorch_decode.max_output_length(10, 1.5, 10, 1024), 25)
        self.assertEqual(pytorch_decode.max_output_length(7, 1.5, 0, 1024), 10)  # int() rounds down
        self.assertEqual(pytorch_decode.max_output_length(100, 1.5, 10, 64), 63)  # the positions table
        self.assertEqual(pytorch_decode.max_output_length(3, 0.0, -5, 64), 1)


class TableDecoder:
    """Next-token probabilities looked up by prefix (without BOS); a prefix not in the table ends almost surely."""
    ENDS = [0.01, 0.01, 0.01, 0.97]  # ids 0, 1, 2 and EOS (3)

    def __init__(self, table):
        self.table = table
        self.calls = 0

    def __call__(self, prefixes):
        self.calls += 1
        return torch.tensor([self.table.get(tuple(p[1:].tolist()), self.ENDS) for p in prefixes]).log()


class SearchRuleTest(unittest.TestCase):
    """The rules that decide which hypotheses end, on hand-made distributions (alpha 0: scores are log-probabilities)."""
    BOS, EOS = 2, 3

    def test_eos_below_the_first_beam_candidates_does_not_end_a_hypothesis(self):
        # Beam 2, alpha 1. Step 2's candidates: [0 EOS] (.3, ends), [0 0] (.276), [1 EOS] (.2, third: dropped),
        # [1 0] (.18). Had [1] ended, two hypotheses would have ended and [0] won; instead step 3
        # ends [0 0] (.276 x .99, log / lp(3) = -0.973), which beats [0] (log .3 / lp(2) = -1.032).
        table = {(): [0.6, 0.4, 0.0, 0.0], (0,): [0.46, 0.02, 0.02, 0.5], (1,): [0.45, 0.0, 0.05, 0.5],
                 (0, 0): [0.01, 0.0, 0.0, 0.99]}
        best = pytorch_decode.beam_search(TableDecoder(table), self.BOS, self.EOS, max_length=5, alpha=1.0, beam=2)
        self.assertEqual(best.tokens, [0, 0])
        self.assertAlmostEqual(best.log_prob, math.log(0.6 * 0.46 * 0.99), places=5)

    def test_at_the_limit_hypotheses_end_without_eos(self):
        table = {(): [0.5, 0.3, 0.05, 0.15], (0,): [0.28, 0.26, 0.24, 0.22], (1,): [0.25, 0.25, 0.25, 0.25]}
        best = pytorch_decode.beam_search(TableDecoder(table), self.BOS, self.EOS, max_length=2, alpha=0.0, beam=2)
        self.assertEqual(best.tokens, [0, 0])
        self.assertAlmostEqual(best.log_prob, math.log(0.5 * 0.28), places=5)

    def test_a_sentence_ends_when_beam_hypotheses_have_ended(self):
        # Beam 2: step 1 ends [] (.29) and keeps 0 and 1; step 2 ends [1] (.2 x .9) and keeps [0, 0] (.45),
        # which would end at .45 x .97 = .4365 but is never extended: two hypotheses have ended.
        table = {(): [0.5, 0.2, 0.01, 0.29], (0,): [0.9, 0.03, 0.02, 0.05], (1,): [0.04, 0.03, 0.03, 0.9]}
        best = pytorch_decode.beam_search(TableDecoder(table), self.BOS, self.EOS, max_length=10, alpha=0.0, beam=2)
        self.assertEqual(best.tokens, [])
        self.assertAlmostEqual(best.log_prob, math.log(0.29), places=5)

    def test_the_search_stops_when_no_open_hypothesis_can_win(self):
        # [] ends at .9; the open [0] (.06) cannot beat it even divided by lp(max_length): tfm stops here too.
        decoder = TableDecoder({(): [0.06, 0.04, 0.0, 0.9]})
        best = pytorch_decode.beam_search(decoder, self.BOS, self.EOS, max_length=5, alpha=0.6, beam=2)
        self.assertEqual((best.tokens, decoder.calls), ([], 1))

    def test_the_length_penalty_decides_between_finished_hypotheses(self):
        # Beam 2 ends [] (.35, n = 1) and [0] (.6 x .55 = .33, n = 2): [] wins with alpha 0, but
        # log .33 / (7/6)^0.6 > log .35 / 1.
        table = {(): [0.6, 0.05, 0.0, 0.35], (0,): [0.45, 0.0, 0.0, 0.55]}
        for alpha, expected, log_prob, length in ((0.0, [], math.log(0.35), 1), (0.6, [0], math.log(0.33), 2)):
            best = pytorch_decode.beam_search(TableDecoder(table), self.BOS, self.EOS, max_length=5, alpha=alpha, beam=2)
            self.assertEqual(best.tokens, expected)
            self.assertAlmostEqual(best.score, log_prob / pytorch_decode.length_penalty(length, alpha), places=5)


def write_model_directory(directory, seed, eos_bias, tie_embeddings):
    """config.json, model.safetensors (tied embeddings stored once) and spm.model of a tiny random model."""
    spm_bytes = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(TRAINING_LINES), model_writer=spm_bytes, vocab_size=40, pad_id=0, unk_id=1,
        bos_id=2, eos_id=3, hard_vocab_limit=False, minloglevel=2)
    (directory / "spm.model").write_bytes(spm_bytes.getvalue())
    vocab_size = sentencepiece.SentencePieceProcessor(model_proto=spm_bytes.getvalue()).get_piece_size()
    model, config = tiny_model(vocab_size, seed, eos_bias, tie_embeddings)
    (directory / "config.json").write_text(json.dumps(config))
    safetensors_io.save(directory / "model.safetensors",
                        {name: p.detach().numpy() for name, p in model.stored_parameters().items()})
    return model, config


class TranslateScriptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        root = Path(cls.directory.name)
        # Seed and EOS bias chosen so that some translations end with EOS, others at the length limit,
        # and beam 4 differs from greedy on most lines.
        cls.model_dir = root / "model"
        cls.model_dir.mkdir()
        cls.model, cls.config = write_model_directory(cls.model_dir, seed=2, eos_bias=2.0, tie_embeddings=False)
        cls.input = root / "input.txt"
        cls.input.write_text("".join(line + "\n" for line in INPUT_LINES))

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def translate(self, beam):
        """(output lines, stderr lines) of pytorch_translate.py run as a program."""
        completed = subprocess.run(
            [sys.executable, str(BENCH_DIR / "pytorch_translate.py"), "--model", str(self.model_dir),
             "--input", str(self.input), "--beam", str(beam), "--threads", "1", "--json"],
            capture_output=True, check=True)
        return completed.stdout.decode("utf-8").split("\n")[:-1], completed.stderr.decode("utf-8").splitlines()

    def test_loaded_model_computes_what_was_saved(self):
        source, target = torch.tensor([[4, 9, 7, 3]]), torch.tensor([[2, 5, 6]])
        with tempfile.TemporaryDirectory() as tied_dir:
            tied, tied_config = write_model_directory(Path(tied_dir), seed=1, eos_bias=0.0, tie_embeddings=True)
            for model_dir, saved, saved_config in ((self.model_dir, self.model, self.config),
                                                   (Path(tied_dir), tied, tied_config)):
                loaded, config = pytorch_decode.load_model(model_dir)
                self.assertEqual(config, saved_config)
                self.assertEqual(loaded.generator.weight is loaded.src_embed.weight, config["tie_embeddings"])
                with torch.inference_mode():
                    torch.testing.assert_close(loaded(source, target)[0], saved(source, target)[0])

    def test_translates_every_line_and_reports_timing(self):
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(self.model_dir / "spm.model"))
        lines, log = self.translate(beam=1)
        result = json.loads(log[-1])
        self.assertEqual(len(lines), len(INPUT_LINES))
        self.assertEqual(lines[2], "")  # an empty input line gives an empty line
        pieces = [tokenizer.encode(line) for line in INPUT_LINES if line]
        self.assertGreater(len(pieces[-1]), 63)
        self.assertEqual(log[:-1], [f"pytorch_translate.py: warning: {self.input} line 5 has {len(pieces[-1])} pieces, "
                                    "truncated to 63"])
        with torch.inference_mode():
            expected = [pytorch_decode.translate_ids(self.model, self.config, ids[:63] + [self.config["eos_id"]], beam=1)
                        for ids in pieces]
        self.assertEqual(lines[:2] + lines[3:], [tokenizer.decode(h.tokens) for h in expected])
        self.assertEqual({key: result[key] for key in ("impl", "beam", "threads", "sentences")},
                         {"impl": "pytorch", "beam": 1, "threads": 1, "sentences": len(INPUT_LINES)})
        self.assertEqual(result["tgt_tokens"], sum(len(h.tokens) + 1 for h in expected))
        # seconds is rounded to milliseconds, the rates to 0.1 and 0.001.
        self.assertAlmostEqual(result["tgt_tokens"] / result["tgt_tok_per_s"], result["seconds"], delta=0.001)
        self.assertAlmostEqual(result["sentences"] / result["sent_per_s"], result["seconds"], delta=0.001)
        self.assertGreater(result["peak_rss_mb"], 0)

    @unittest.skipUnless(TFM.exists(), f"{TFM} not built")
    def test_tfm_translates_the_model_directory_identically(self):
        outputs = {}
        for beam in (1, 4):
            tfm = subprocess.run([str(TFM), "translate", "--model", str(self.model_dir), "--input", str(self.input),
                                  "--beam", str(beam), "--threads", "1"], capture_output=True, check=True)
            outputs[beam], _ = self.translate(beam)
            self.assertEqual(tfm.stdout.decode("utf-8").split("\n")[:-1], outputs[beam], f"beam {beam}")
        # The beam rules are only compared if the beam finds other translations than greedy search.
        self.assertGreater(sum(g != b for g, b in zip(outputs[1], outputs[4])), 2)


if __name__ == "__main__":
    unittest.main()
