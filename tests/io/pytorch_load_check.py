"""Runs the PyTorch snippet of docs/model-format.md (its first ```python block) on model
directories written by tests/io/pytorch_interop_test.cpp and checks that PyTorch sees exactly
what tfm wrote.

Usage: pytorch_load_check.py MODEL_FORMAT_DOC MODEL_DIR...
"""
import math
import re
import sys
import warnings

import torch


def written_values(name, shape):
    """The values the C++ test stores in tensor `name`, exact in float32."""
    h = sum((j + 1) * ord(ch) for j, ch in enumerate(name)) % 4096
    i = torch.arange(math.prod(shape), dtype=torch.float64)
    return (h / 4096 + i / 1024).to(torch.float32).reshape(shape)


def check(load_tfm_model, model_dir):
    model = load_tfm_model(model_dir)
    c = model.c
    tied = c["tie_embeddings"]
    for name, tensor in model.state_dict().items():
        stored = "src_embed.weight" if tied and name in ("tgt_embed.weight", "generator.weight") else name
        assert torch.equal(tensor, written_values(stored, tuple(tensor.shape))), name
    if tied:
        assert model.tgt_embed.weight is model.src_embed.weight is model.generator.weight
    assert (model.encoder.norm is not None) == c["encoder_final_norm"]
    assert (model.decoder.norm is not None) == c["decoder_final_norm"]

    pad, bos, eos = c["pad_id"], c["bos_id"], c["eos_id"]
    src = torch.tensor([[5, 6, 7, eos], [8, 9, eos, pad]])
    tgt_in = torch.tensor([[bos, 4, 5], [bos, 6, pad]])
    with torch.no_grad():
        logits = model(src, tgt_in)
        assert logits.shape == (2, 3, c["vocab_size"]) and torch.isfinite(logits).all()
        # Padding is masked: the padded row scores as it does alone and unpadded.
        alone = model(src[1:, :3], tgt_in[1:, :2])
        assert torch.allclose(logits[1, :2], alone[0], atol=1e-5), (logits[1, :2] - alone[0]).abs().max()
        # The decoder is causal: a later input token does not change earlier outputs.
        changed = tgt_in.clone()
        changed[0, 2] = 9
        assert torch.allclose(model(src, changed)[0, :2], logits[0, :2], atol=1e-6)
    print(f"ok: {model_dir}: {len(model.state_dict())} tensors as PyTorch sees them")


def main():
    warnings.filterwarnings("ignore", message=".*nested tensors.*")  # torch's own fast path
    doc, model_dirs = sys.argv[1], sys.argv[2:]
    with open(doc) as f:
        snippet = re.search(r"```python\n(.*?)```", f.read(), re.S).group(1)
    scope = {}
    exec(snippet, scope)
    for model_dir in model_dirs:
        check(scope["load_tfm_model"], model_dir)


if __name__ == "__main__":
    main()
