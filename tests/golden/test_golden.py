"""Tests of the golden fixtures and the scripts that make them.

Run: /usr/bin/python3 -m unittest discover -s tests/golden   (needs PyTorch and numpy)
"""

import contextlib
import io
import json
import math
import shutil
import struct
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

import make_golden
import safetensors_io

FIXTURES = make_golden.DEFAULT_OUT


def quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


class SafetensorsIoTest(unittest.TestCase):
    def test_round_trip_keeps_names_dtypes_shapes_values_and_metadata(self):
        tensors = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3), "loss": np.array(1.5, dtype=np.float32),
                   "ids": np.array([[1, -2]], dtype=np.int64), "flags": np.array([1, 0, 1], dtype=np.uint8)}
        loaded, metadata = safetensors_io.decode(safetensors_io.encode(tensors, {"k": "v"}))
        self.assertEqual(metadata, {"k": "v"})
        self.assertEqual(sorted(loaded), sorted(tensors))
        for name, array in tensors.items():
            self.assertEqual(loaded[name].dtype, array.dtype, name)
            self.assertEqual(loaded[name].shape, array.shape, name)
            np.testing.assert_array_equal(loaded[name], array)

    def test_layout_is_padded_header_then_contiguous_naturally_aligned_data(self):
        blob = safetensors_io.encode({"a": np.ones(3, np.float32), "b": np.ones(1, np.int64), "c": np.ones(1, np.uint8)})
        (header_len,) = struct.unpack("<Q", blob[:8])
        self.assertEqual(header_len % 8, 0)
        header = json.loads(blob[8:8 + header_len])
        self.assertEqual(header.pop("__metadata__"), {})
        spans = sorted(info["data_offsets"] for info in header.values())
        self.assertEqual(spans, [[0, 8], [8, 20], [20, 21]])  # I64 first, then F32, then U8: no holes
        self.assertEqual(len(blob), 8 + header_len + 21)

    def test_decode_rejects_a_hole_between_tensors(self):
        header = json.dumps({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}).encode()
        header += b" " * (-len(header) % 8)
        blob = struct.pack("<Q", len(header)) + header + bytes(8)
        with self.assertRaisesRegex(ValueError, "'a' has data_offsets"):
            safetensors_io.decode(blob)

    def test_rejects_unsupported_dtype(self):
        with self.assertRaisesRegex(TypeError, "unsupported dtype"):
            safetensors_io.encode({"x": np.ones(2, np.float16)})


class FixturesTest(unittest.TestCase):
    def test_regenerating_gives_the_committed_fixtures(self):
        # Seeded weights and the config are byte-identical on every machine; the values PyTorch
        # computes from them differ in the last bits between CPUs (its kernels pick vector widths at
        # run time), so those are compared to float32 precision.
        with tempfile.TemporaryDirectory() as out:
            torch.set_num_threads(1)
            for variant in make_golden.VARIANTS:
                quiet(make_golden.write_variant, variant, Path(out))
                for name in ("config.json", "model.safetensors"):
                    fresh = (Path(out) / variant / name).read_bytes()
                    committed = (FIXTURES / variant / name).read_bytes()
                    self.assertEqual(fresh, committed, f"{variant}/{name} is stale: rerun make_golden.py")
                fresh, fresh_metadata = safetensors_io.load(Path(out) / variant / "expected.safetensors")
                committed, committed_metadata = safetensors_io.load(FIXTURES / variant / "expected.safetensors")
                self.assertEqual(fresh_metadata, committed_metadata, f"{variant}/expected.safetensors is stale")
                self.assertEqual(sorted(fresh), sorted(committed), f"{variant}/expected.safetensors is stale")
                for tensor, value in committed.items():
                    where = f"{variant}/expected.safetensors {tensor} is stale: rerun make_golden.py"
                    self.assertEqual((fresh[tensor].dtype, fresh[tensor].shape), (value.dtype, value.shape), where)
                    if value.dtype.kind == "f":
                        scale = max(float(np.abs(value).max(initial=0.0)), 1e-3)
                        np.testing.assert_allclose(fresh[tensor], value, rtol=1e-5, atol=1e-6 * scale, err_msg=where)
                    else:
                        np.testing.assert_array_equal(fresh[tensor], value, err_msg=where)

    def test_tied_model_stores_only_src_embed(self):
        weights, _ = safetensors_io.load(FIXTURES / "postnorm" / "model.safetensors")
        self.assertIn("src_embed.weight", weights)
        self.assertNotIn("tgt_embed.weight", weights)
        self.assertNotIn("generator.weight", weights)
        self.assertIn("generator.bias", weights)
        self.assertNotIn("encoder.norm.weight", weights)

    def test_untied_prenorm_model_stores_all_embeddings_and_final_norms(self):
        weights, _ = safetensors_io.load(FIXTURES / "prenorm" / "model.safetensors")
        for name in ("src_embed.weight", "tgt_embed.weight", "generator.weight", "encoder.norm.bias", "decoder.norm.weight"):
            self.assertIn(name, weights)

    def test_batch_follows_the_documented_conventions(self):
        expected, _ = safetensors_io.load(FIXTURES / "postnorm" / "expected.safetensors")
        # bos 2, eos 3, pad 0; decoder input = BOS + pieces, target = pieces + EOS.
        np.testing.assert_array_equal(expected["src_lengths"], [7, 5, 3])
        np.testing.assert_array_equal(expected["tgt_lengths"], [6, 4, 2])
        for b, length in enumerate(expected["src_lengths"]):
            self.assertEqual(expected["src_ids"][b, length - 1], 3)
            self.assertTrue(np.all(expected["src_ids"][b, length:] == 0))
            self.assertTrue(np.all(expected["src_ids"][b, :length - 1] >= 4))
        for b, length in enumerate(expected["tgt_lengths"]):
            tgt_in, tgt_out = expected["tgt_in_ids"][b], expected["tgt_out_ids"][b]
            self.assertEqual(tgt_in[0], 2)
            np.testing.assert_array_equal(tgt_in[1:length], tgt_out[:length - 1])
            self.assertEqual(tgt_out[length - 1], 3)
            self.assertTrue(np.all(tgt_in[length:] == 0) and np.all(tgt_out[length:] == 0))


# An independent re-statement of the model in numpy, written from tests/golden/README.md, not from nn.Transformer.
def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def attention(w, prefix, query_in, key_value_in, blocked, nhead):
    """query_in [B, Tq, d], key_value_in [B, Tk, d], blocked [B, Tq, Tk] True = may not attend."""
    d = query_in.shape[-1]
    in_w, in_b = w[prefix + "in_proj_weight"], w[prefix + "in_proj_bias"]
    q, k, v = (x @ in_w[i * d:(i + 1) * d].T + in_b[i * d:(i + 1) * d]
               for i, x in enumerate((query_in, key_value_in, key_value_in)))

    def heads(x):  # [B, T, d] -> [B, H, T, d/H]
        return x.reshape(x.shape[0], x.shape[1], nhead, d // nhead).transpose(0, 2, 1, 3)

    scores = heads(q) @ heads(k).transpose(0, 1, 3, 2) / math.sqrt(d // nhead)  # [B, H, Tq, Tk]
    scores = np.where(blocked[:, None], -np.inf, scores)
    probs = np.exp(scores - scores.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    out = (probs @ heads(v)).transpose(0, 2, 1, 3).reshape(query_in.shape)
    return out @ w[prefix + "out_proj.weight"].T + w[prefix + "out_proj.bias"]


def feed_forward(w, prefix, x, activation):
    hidden = x @ w[prefix + "linear1.weight"].T + w[prefix + "linear1.bias"]
    if activation == "relu":
        hidden = np.maximum(hidden, 0.0)
    else:
        hidden = 0.5 * hidden * (1.0 + np.vectorize(math.erf)(hidden / math.sqrt(2.0)))
    return hidden @ w[prefix + "linear2.weight"].T + w[prefix + "linear2.bias"]


def sublayer(w, config, prefix, norm, x, function):
    """Post-norm: LN(x + f(x)); pre-norm: x + f(LN(x))."""
    eps = config["layer_norm_eps"]
    weight, bias = w[prefix + norm + ".weight"], w[prefix + norm + ".bias"]
    if config["norm_first"]:
        return x + function(layer_norm(x, weight, bias, eps))
    return layer_norm(x + function(x), weight, bias, eps)


def numpy_forward(config, w, batch):
    """Returns (logits [B, T, V], memory [B, S, d], loss) in float64."""
    w = {name: array.astype(np.float64) for name, array in w.items()}
    if config["tie_embeddings"]:
        w["tgt_embed.weight"] = w["generator.weight"] = w["src_embed.weight"]
    d, nhead, eps = config["d_model"], config["nhead"], config["layer_norm_eps"]
    src_ids, tgt_in_ids = batch["src_ids"], batch["tgt_in_ids"]
    source_len, target_len = src_ids.shape[1], tgt_in_ids.shape[1]
    position = np.arange(max(source_len, target_len))[:, None]
    dimension = np.arange(d)[None, :]
    angle = position / 10000.0 ** ((dimension - dimension % 2) / d)  # column 2i and 2i+1 share 10000^(2i/d)
    positions = np.where(dimension % 2 == 0, np.sin(angle), np.cos(angle))  # [max(S, T), d]
    src_pad = np.arange(source_len)[None, :] >= batch["src_lengths"][:, None]  # [B, S]
    tgt_pad = np.arange(target_len)[None, :] >= batch["tgt_lengths"][:, None]  # [B, T]
    future = np.triu(np.ones((target_len, target_len), dtype=bool), k=1)  # [T, T]

    x = w["src_embed.weight"][src_ids] * math.sqrt(d) + positions[:source_len]
    encoder_blocked = np.broadcast_to(src_pad[:, None, :], (len(src_ids), source_len, source_len))
    for i in range(config["num_encoder_layers"]):
        p = f"encoder.layers.{i}."
        x = sublayer(w, config, p, "norm1", x, lambda h: attention(w, p + "self_attn.", h, h, encoder_blocked, nhead))
        x = sublayer(w, config, p, "norm2", x, lambda h: feed_forward(w, p, h, config["activation"]))
    if config["encoder_final_norm"]:
        x = layer_norm(x, w["encoder.norm.weight"], w["encoder.norm.bias"], eps)
    memory = x

    y = w["tgt_embed.weight"][tgt_in_ids] * math.sqrt(d) + positions[:target_len]
    self_blocked = future[None] | tgt_pad[:, None, :]
    cross_blocked = np.broadcast_to(src_pad[:, None, :], (len(src_ids), target_len, source_len))
    for i in range(config["num_decoder_layers"]):
        p = f"decoder.layers.{i}."
        y = sublayer(w, config, p, "norm1", y, lambda h: attention(w, p + "self_attn.", h, h, self_blocked, nhead))
        y = sublayer(w, config, p, "norm2", y, lambda h: attention(w, p + "multihead_attn.", h, memory, cross_blocked, nhead))
        y = sublayer(w, config, p, "norm3", y, lambda h: feed_forward(w, p, h, config["activation"]))
    if config["decoder_final_norm"]:
        y = layer_norm(y, w["decoder.norm.weight"], w["decoder.norm.bias"], eps)
    logits = y @ w["generator.weight"].T + w["generator.bias"]

    # Label smoothing 0.1: target distribution (1 - 0.1) on the gold token + 0.1 / V on every token (pad included).
    log_probs = logits - logits.max(-1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(-1, keepdims=True))
    gold = np.take_along_axis(log_probs, batch["tgt_out_ids"][..., None], -1)[..., 0]
    token_loss = -(0.9 * gold + 0.1 * log_probs.mean(-1))
    real = batch["tgt_out_ids"] != config["pad_id"]
    return logits, memory, token_loss[real].mean()


class IndependentReferenceTest(unittest.TestCase):
    def test_numpy_restatement_reproduces_logits_encoder_output_and_loss(self):
        for variant in make_golden.VARIANTS:
            with self.subTest(variant=variant):
                config = make_golden.read_config(FIXTURES / variant / "config.json")
                weights, _ = safetensors_io.load(FIXTURES / variant / "model.safetensors")
                expected, _ = safetensors_io.load(FIXTURES / variant / "expected.safetensors")
                logits, memory, loss = numpy_forward(config, weights, expected)
                np.testing.assert_allclose(logits, expected["logits"], rtol=1e-5, atol=1e-5)
                np.testing.assert_allclose(memory, expected["encoder_output"], rtol=1e-5, atol=1e-5)
                np.testing.assert_allclose(loss, expected["loss"], rtol=1e-6)

    def test_stored_gradients_match_finite_differences(self):
        # Includes the tied embedding (three uses summed) and LayerNorm/bias entries.
        probes = {"postnorm": ["src_embed.weight", "generator.bias", "decoder.layers.1.norm3.weight",
                               "encoder.layers.0.self_attn.in_proj_weight"],
                  "prenorm": ["tgt_embed.weight", "generator.weight", "encoder.norm.bias",
                              "decoder.layers.0.multihead_attn.out_proj.bias"]}
        torch.set_num_threads(1)
        for variant, names in probes.items():
            config = make_golden.variant_config(variant)
            model = make_golden.build_golden_model(config)
            batch = make_golden.make_batch(config)
            expected, _ = safetensors_io.load(FIXTURES / variant / "expected.safetensors")
            parameters = model.stored_parameters()
            for name in names:
                flat = parameters[name].data.view(-1)
                # An entry that the batch really uses: the largest stored gradient.
                index = int(np.argmax(np.abs(expected[f"grad.{name}"]).reshape(-1)))
                step = 1e-6
                with torch.no_grad():
                    flat[index] += step
                    loss_plus = make_golden.run_batch(model, batch)[2].item()
                    flat[index] -= 2 * step
                    loss_minus = make_golden.run_batch(model, batch)[2].item()
                    flat[index] += step
                numeric = (loss_plus - loss_minus) / (2 * step)
                stored = float(expected[f"grad.{name}"].reshape(-1)[index])
                with self.subTest(variant=variant, name=name):
                    self.assertAlmostEqual(stored, numeric, delta=1e-5 * (1 + abs(numeric)))


class VerifyTest(unittest.TestCase):
    def setUp(self):
        self.directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.directory)
        for name in ("config.json", "model.safetensors"):
            shutil.copy(FIXTURES / "postnorm" / name, self.directory / name)
        self.expected = FIXTURES / "postnorm" / "expected.safetensors"

    def test_accepts_the_fixture_model(self):
        self.assertTrue(quiet(make_golden.verify, self.directory, self.expected, 1e-4))

    def test_rejects_a_perturbed_weight(self):
        weights, metadata = safetensors_io.load(self.directory / "model.safetensors")
        weights["decoder.layers.1.linear2.bias"][0] += 1e-2
        safetensors_io.save(self.directory / "model.safetensors", weights, metadata)
        self.assertFalse(quiet(make_golden.verify, self.directory, self.expected, 1e-4))

    def test_rejects_a_tied_model_that_stores_the_aliases(self):
        weights, metadata = safetensors_io.load(self.directory / "model.safetensors")
        weights["generator.weight"] = weights["src_embed.weight"]
        safetensors_io.save(self.directory / "model.safetensors", weights, metadata)
        with self.assertRaisesRegex(ValueError, "stores only 'src_embed.weight'"):
            quiet(make_golden.verify, self.directory, self.expected, 1e-4)

    def test_rejects_a_missing_weight(self):
        weights, metadata = safetensors_io.load(self.directory / "model.safetensors")
        del weights["encoder.layers.0.norm1.bias"]
        safetensors_io.save(self.directory / "model.safetensors", weights, metadata)
        with self.assertRaisesRegex(RuntimeError, "encoder.layers.0.norm1.bias"):
            quiet(make_golden.verify, self.directory, self.expected, 1e-4)

    def test_rejects_a_config_without_a_field(self):
        config = json.loads((self.directory / "config.json").read_text())
        del config["tie_embeddings"]
        (self.directory / "config.json").write_text(json.dumps(config))
        with self.assertRaisesRegex(ValueError, "missing fields \\['tie_embeddings'\\]"):
            quiet(make_golden.verify, self.directory, self.expected, 1e-4)


if __name__ == "__main__":
    unittest.main()
