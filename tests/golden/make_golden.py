#!/usr/bin/python3
"""Writes the golden fixtures for tfm's Transformer from an independent PyTorch reference.

  make_golden.py [--out DIR]                  write DIR/<variant>/{config.json, model.safetensors, expected.safetensors}
  make_golden.py --verify MODEL_DIR [--expected FILE]
                                              load MODEL_DIR/{config.json, model.safetensors} (e.g. written by tfm)
                                              into PyTorch, recompute the fixture batch, compare with FILE

Conventions (batch, masks, loss, file contents) are documented in tests/golden/README.md.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

import safetensors_io
from reference_model import ReferenceTransformer

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
MODEL_SEED = 20240607
BATCH_SEED = 7
LABEL_SMOOTHING = 0.1
SRC_LENGTHS = [7, 5, 3]
TGT_LENGTHS = [6, 4, 2]

COMMON_CONFIG = {
    "format_version": 1, "vocab_size": 23, "d_model": 16, "nhead": 2,
    "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 32,
    "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
    "activation": None, "layer_norm_eps": 1e-5, "norm_first": None,
    "encoder_final_norm": None, "decoder_final_norm": None, "tie_embeddings": None,
    "pad_id": 0, "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 1024,
}
VARIANTS = {
    "postnorm": {"activation": "relu", "norm_first": False, "encoder_final_norm": False,
                 "decoder_final_norm": False, "tie_embeddings": True},
    "prenorm": {"activation": "gelu", "norm_first": True, "encoder_final_norm": True,
                "decoder_final_norm": True, "tie_embeddings": False},
}
CONFIG_FIELDS = tuple(COMMON_CONFIG)


def variant_config(variant):
    return {**COMMON_CONFIG, **VARIANTS[variant]}


def read_config(path):
    with open(path) as f:
        config = json.load(f)
    missing = [field for field in CONFIG_FIELDS if field not in config]
    unknown = [field for field in config if field not in CONFIG_FIELDS]
    if missing or unknown:
        raise ValueError(f"{path}: missing fields {missing}, unknown fields {unknown}")
    if config["format_version"] != 1:
        raise ValueError(f"{path}: format_version is {config['format_version']}, expected 1")
    return config


def make_batch(config):
    """The fixture batch: B=3, source lengths [7, 5, 3], target lengths [6, 4, 2], padded with pad_id.

    Source = pieces + EOS; decoder input = BOS + pieces; decoder target = pieces + EOS.
    Pieces are random ids in [4, vocab_size)."""
    generator = torch.Generator().manual_seed(BATCH_SEED)
    pad, bos, eos = config["pad_id"], config["bos_id"], config["eos_id"]

    def random_pieces(count):
        return torch.randint(4, config["vocab_size"], (count,), generator=generator).tolist()

    src_ids = torch.full((len(SRC_LENGTHS), max(SRC_LENGTHS)), pad, dtype=torch.int64)  # [B, S]
    for b, length in enumerate(SRC_LENGTHS):
        src_ids[b, :length] = torch.tensor(random_pieces(length - 1) + [eos])
    tgt_in_ids = torch.full((len(TGT_LENGTHS), max(TGT_LENGTHS)), pad, dtype=torch.int64)  # [B, T]
    tgt_out_ids = tgt_in_ids.clone()  # [B, T]
    for b, length in enumerate(TGT_LENGTHS):
        pieces = random_pieces(length - 1)
        tgt_in_ids[b, :length] = torch.tensor([bos] + pieces)
        tgt_out_ids[b, :length] = torch.tensor(pieces + [eos])
    return {
        "src_ids": src_ids, "src_lengths": torch.tensor(SRC_LENGTHS, dtype=torch.int64),
        "tgt_in_ids": tgt_in_ids, "tgt_out_ids": tgt_out_ids,
        "tgt_lengths": torch.tensor(TGT_LENGTHS, dtype=torch.int64),
    }


def randomize_norms_and_biases(model):
    """Default init leaves LayerNorm weights at 1 and most biases at 0; perturb them so every gradient is tested."""
    for name, parameter in model.named_parameters():
        with torch.no_grad():
            if ".norm" in name and name.endswith(".weight"):
                parameter.copy_(1.0 + 0.1 * torch.randn_like(parameter))
            elif name.endswith("bias"):
                parameter.copy_(0.1 * torch.randn_like(parameter))


def build_golden_model(config):
    """float32 init with a fixed seed, then float64 for the computation."""
    torch.manual_seed(MODEL_SEED)
    model = ReferenceTransformer(config)
    randomize_norms_and_biases(model)
    model.double()
    assert not config["tie_embeddings"] or model.generator.weight is model.src_embed.weight
    # train(): dropout is 0, and it keeps torch 1.13 off the eval fast path, which zeroes padded positions.
    model.train()
    return model


def run_batch(model, batch):
    logits, memory = model(batch["src_ids"], batch["tgt_in_ids"], batch["src_lengths"], batch["tgt_lengths"])
    return logits, memory, model.loss(logits, batch["tgt_out_ids"], LABEL_SMOOTHING)


def to_f32(tensor):
    return tensor.detach().to(torch.float32).numpy()


def write_variant(variant, out_dir):
    config = variant_config(variant)
    model = build_golden_model(config)
    batch = make_batch(config)
    logits, memory, loss = run_batch(model, batch)
    loss.backward()

    parameters = model.stored_parameters()
    weights = {name: to_f32(p) for name, p in parameters.items()}
    expected = {name: tensor.numpy() for name, tensor in batch.items()}
    expected.update({"logits": to_f32(logits), "loss": to_f32(loss), "encoder_output": to_f32(memory)})
    expected.update({f"grad.{name}": to_f32(p.grad) for name, p in parameters.items()})

    variant_dir = out_dir / variant
    variant_dir.mkdir(parents=True, exist_ok=True)
    with open(variant_dir / "config.json", "w") as f:
        f.write(json.dumps(config, indent=2) + "\n")
    metadata = {"generator": "tests/golden/make_golden.py", "variant": variant}
    safetensors_io.save(variant_dir / "model.safetensors", weights, metadata)
    safetensors_io.save(variant_dir / "expected.safetensors", expected, metadata)

    parameter_count = sum(p.numel() for p in parameters.values())
    total_bytes = sum(path.stat().st_size for path in variant_dir.iterdir())
    print(f"{variant}: {len(weights)} tensors, {parameter_count} parameters, loss {loss.item():.6f}, "
          f"{total_bytes} bytes written to {variant_dir}")


def compare(name, actual, expected, tolerance):
    """Prints the max difference; returns whether |actual - expected| <= tolerance * (1 + |expected|) everywhere."""
    if actual.shape != expected.shape:
        print(f"{name}: shape {list(actual.shape)}, expected {list(expected.shape)}  FAIL")
        return False
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    within = bool(np.all(difference <= tolerance * (1.0 + np.abs(expected))))
    print(f"{name}: max abs diff {difference.max():.3e}  {'ok' if within else 'FAIL'}")
    return within


def verify(model_dir, expected_path, tolerance):
    """Loads a model directory into the PyTorch reference; returns whether it reproduces expected_path."""
    config = read_config(model_dir / "config.json")
    # Dropout does not change inference; setting it to 0 lets the model run in train() mode (see build_golden_model).
    config.update(dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)
    model = ReferenceTransformer(config)
    weights, _ = safetensors_io.load(model_dir / "model.safetensors")
    model.load_stored_parameters({name: torch.from_numpy(array) for name, array in weights.items()})
    model.double().train()

    expected, _ = safetensors_io.load(expected_path)
    batch = {name: torch.from_numpy(expected[name]) for name in
             ("src_ids", "src_lengths", "tgt_in_ids", "tgt_out_ids", "tgt_lengths")}
    with torch.no_grad():
        logits, memory, loss = run_batch(model, batch)
    print(f"verifying {model_dir} against {expected_path} (tolerance {tolerance:g})")
    ok = compare("logits", to_f32(logits), expected["logits"], tolerance)
    for name, actual in (("encoder_output", memory), ("loss", loss)):
        if name in expected:
            ok = compare(name, to_f32(actual), expected[name], tolerance) and ok
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture root (default: tests/fixtures/golden)")
    parser.add_argument("--verify", type=Path, metavar="MODEL_DIR", help="model directory to load and check")
    parser.add_argument("--expected", type=Path, help="expected.safetensors to compare with (default: MODEL_DIR/expected.safetensors)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="allowed |diff| / (1 + |expected|) (default 1e-4)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: the same reduction order on every machine

    if args.verify is None:
        for variant in VARIANTS:
            write_variant(variant, args.out)
        return 0
    return 0 if verify(args.verify, args.expected or args.verify / "expected.safetensors", args.tolerance) else 1


if __name__ == "__main__":
    sys.exit(main())
