"""Greedy and beam search written the way a PyTorch user writes them: the decoder of
tests/golden/reference_model.py re-run on the whole growing prefix at every step, no key/value cache.

The search rules are tfm's (src/decode/beam_search.cpp), so that both sides search alike:
- a translation has at most max_output_length() tokens, EOS included;
- a finished hypothesis of n tokens (EOS included) scores log P / ((5 + n) / 6)^alpha (GNMT);
- each step takes the 2 * beam best (hypothesis, token) extensions; an EOS among the first `beam`
  of them ends that hypothesis, an EOS further down is dropped, the rest continue (fairseq's rule);
- at the length limit the first `beam` extensions end as they are, scored without EOS;
- a sentence is done when it has `beam` finished hypotheses, or when the best open one, even
  divided by the largest length penalty, cannot beat the best finished one.
Import this after setting the thread environment variables: it imports torch.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "golden"))
import safetensors_io  # noqa: E402
from reference_model import ReferenceTransformer  # noqa: E402


@dataclass
class Hypothesis:
    tokens: list      # without BOS and EOS
    log_prob: float   # sum of the tokens' log-probabilities, EOS included
    score: float      # log_prob / length_penalty(generated tokens)


def length_penalty(length, alpha):
    return ((5.0 + length) / 6.0) ** alpha


def max_output_length(source_len, ratio, offset, max_positions):
    """Most tokens a translation of source_len tokens (EOS included) may have: tfm's rule, and at least 1."""
    return max(1, min(max_positions - 1, int(ratio * source_len) + offset))


class PrefixDecoder:
    """Next-token log-probabilities of one source sentence's hypotheses, recomputed from the whole prefix."""

    def __init__(self, model, source_ids):
        self.model = model
        self.memory = model.encode(torch.tensor([source_ids]))  # [1, S, d]

    def __call__(self, prefixes):
        """prefixes: [rows, t] ids starting with BOS -> log-probabilities of the next token, [rows, V]."""
        rows, length = prefixes.shape
        causal = nn.Transformer.generate_square_subsequent_mask(length).to(self.memory.dtype)
        out = self.model.decoder(self.model.embed(self.model.tgt_embed, prefixes),
                                 self.memory.expand(rows, -1, -1), tgt_mask=causal)  # [rows, t, d]
        return torch.log_softmax(self.model.generator(out[:, -1]), dim=-1)


def greedy_search(next_log_probs, bos_id, eos_id, max_length, alpha):
    """The most probable token at every step until EOS or max_length tokens."""
    prefix = torch.tensor([[bos_id]])
    tokens, log_prob = [], 0.0
    for step in range(max_length):
        log_probs = next_log_probs(prefix)[0]
        token = int(log_probs.argmax())
        log_prob += float(log_probs[token])
        if token == eos_id:
            break
        tokens.append(token)
        prefix = torch.cat([prefix, torch.tensor([[token]])], dim=1)
    return Hypothesis(tokens, log_prob, log_prob / length_penalty(step + 1, alpha))


def beam_search(next_log_probs, bos_id, eos_id, max_length, alpha, beam):
    """The best finished hypothesis by normalised score; the open hypotheses are the rows of one batch."""
    prefixes = torch.tensor([[bos_id]])  # [open, t]
    scores = torch.zeros(1)              # [open] log-probabilities of the open hypotheses
    finished = []
    for step in range(max_length):
        at_limit = step + 1 >= max_length
        log_probs = next_log_probs(prefixes)  # [open, V]
        vocab = log_probs.shape[1]
        extended = (scores.unsqueeze(1) + log_probs).view(-1)
        top_scores, top_index = extended.topk(min(2 * beam, extended.numel()))
        rows, next_tokens, next_scores = [], [], []
        for rank, (score, index) in enumerate(zip(top_scores.tolist(), top_index.tolist())):
            if len(rows) == beam:
                break
            row, token = divmod(index, vocab)
            if token == eos_id or at_limit:
                if rank < beam:
                    history = prefixes[row, 1:].tolist()
                    tokens = history if token == eos_id else history + [token]
                    finished.append(Hypothesis(tokens, score, score / length_penalty(len(history) + 1, alpha)))
                continue
            rows.append(row)
            next_tokens.append(token)
            next_scores.append(score)
        finished.sort(key=lambda h: h.score, reverse=True)
        if at_limit or not rows or len(finished) >= beam:
            break
        if finished and finished[0].score >= next_scores[0] / length_penalty(max_length, alpha):
            break
        prefixes = torch.cat([prefixes[rows], torch.tensor(next_tokens).unsqueeze(1)], dim=1)
        scores = torch.tensor(next_scores)
    return finished[0]


def load_model(model_dir):
    """(ReferenceTransformer in eval mode, config) from a tfm model directory's config.json and model.safetensors."""
    model_dir = Path(model_dir)
    with open(model_dir / "config.json") as f:
        config = json.load(f)
    # nn.Transformer has one dropout probability for everything, and eval() switches dropout off anyway.
    model = ReferenceTransformer({**config, "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0})
    tensors, _ = safetensors_io.load(model_dir / "model.safetensors")
    model.load_stored_parameters({name: torch.from_numpy(array.astype("float32")) for name, array in tensors.items()})
    return model.eval(), config


def translate_ids(model, config, source_ids, beam, alpha=0.6, max_length_ratio=1.5, max_length_offset=10):
    """The best Hypothesis for source_ids (pieces + EOS): greedy when beam is 1, else beam search."""
    max_length = max_output_length(len(source_ids), max_length_ratio, max_length_offset, config["max_positions"])
    decoder = PrefixDecoder(model, source_ids)
    bos, eos = config["bos_id"], config["eos_id"]
    if beam == 1:
        return greedy_search(decoder, bos, eos, max_length, alpha)
    return beam_search(decoder, bos, eos, max_length, alpha, beam)
