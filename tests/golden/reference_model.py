"""tfm's Transformer written with stock PyTorch modules: the independent reference for golden tests and benchmarks.

Definition (the same as tfm's; see tests/golden/README.md):
  x      = src_embed(src_ids) * sqrt(d_model) + PE[:S]                       # [B, S, d]
  y      = tgt_embed(tgt_in_ids) * sqrt(d_model) + PE[:T]                    # [B, T, d]
  memory = encoder(x, src_key_padding_mask=src_pad)                          # [B, S, d]
  out    = decoder(y, memory, tgt_mask=causal, tgt_key_padding_mask=tgt_pad,
                   memory_key_padding_mask=src_pad)                          # [B, T, d]
  logits = generator(out)                                                    # [B, T, V]
encoder/decoder are nn.Transformer's (batch_first), the pad masks are True at positions >= the length.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# Parameters that alias src_embed.weight when the config ties embeddings; files store only src_embed.weight.
TIED_ALIASES = ("tgt_embed.weight", "generator.weight")
TIED_SOURCE = "src_embed.weight"


def sinusoidal_positions(length, d_model):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same); float64, shape [length, d_model]."""
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # [length, 1]
    even = torch.arange(0, d_model, 2, dtype=torch.float64)  # 2i
    angle = position / torch.pow(torch.tensor(10000.0, dtype=torch.float64), even / d_model)  # [length, d/2]
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe


def padding_mask(lengths, max_len):
    """[B, max_len] bool, True where the position is padding (position >= length)."""
    return torch.arange(max_len, device=lengths.device).unsqueeze(0) >= lengths.unsqueeze(1)


class ReferenceTransformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        d_model = config["d_model"]
        vocab_size = config["vocab_size"]
        # nn.Transformer has a single dropout probability for attention, activation and residual dropout.
        dropouts = {config["dropout"], config["attention_dropout"], config["activation_dropout"]}
        if len(dropouts) != 1:
            raise ValueError(f"PyTorch reference needs equal dropout, attention_dropout and activation_dropout; got {dropouts}")
        transformer = nn.Transformer(
            d_model, config["nhead"], config["num_encoder_layers"], config["num_decoder_layers"],
            config["dim_feedforward"], dropout=config["dropout"], activation=config["activation"],
            layer_norm_eps=config["layer_norm_eps"], batch_first=True, norm_first=config["norm_first"])
        self.d_model = d_model
        self.pad_id = config["pad_id"]
        self.encoder = transformer.encoder
        self.decoder = transformer.decoder
        if not config["encoder_final_norm"]:
            self.encoder.norm = None
        if not config["decoder_final_norm"]:
            self.decoder.norm = None
        self.src_embed = nn.Embedding(vocab_size, d_model)
        self.tgt_embed = nn.Embedding(vocab_size, d_model)
        self.generator = nn.Linear(d_model, vocab_size)
        for embedding in (self.src_embed, self.tgt_embed):
            nn.init.normal_(embedding.weight, mean=0.0, std=d_model ** -0.5)
        self.tied = config["tie_embeddings"]
        if self.tied:
            self.tgt_embed.weight = self.src_embed.weight
            self.generator.weight = self.src_embed.weight

    def embed(self, embedding, ids):
        positions = sinusoidal_positions(ids.shape[1], self.d_model).to(embedding.weight.dtype)
        return embedding(ids) * math.sqrt(self.d_model) + positions

    def encode(self, src_ids, src_lengths=None):
        """src_ids [B, S] -> memory [B, S, d]. Lengths None means no padding."""
        src_pad = None if src_lengths is None else padding_mask(src_lengths, src_ids.shape[1])
        return self.encoder(self.embed(self.src_embed, src_ids), src_key_padding_mask=src_pad)

    def forward(self, src_ids, tgt_in_ids, src_lengths=None, tgt_lengths=None):
        """Returns (logits [B, T, V], memory [B, S, d]). Lengths None means no padding."""
        memory = self.encode(src_ids, src_lengths)
        target_len = tgt_in_ids.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(target_len).to(memory.dtype)
        src_pad = None if src_lengths is None else padding_mask(src_lengths, src_ids.shape[1])
        tgt_pad = None if tgt_lengths is None else padding_mask(tgt_lengths, target_len)
        out = self.decoder(self.embed(self.tgt_embed, tgt_in_ids), memory, tgt_mask=causal,
                           tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)
        return self.generator(out), memory

    def loss(self, logits, tgt_out_ids, label_smoothing=0.1):
        """Label-smoothed cross-entropy, mean over the non-pad target tokens."""
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out_ids.reshape(-1),
                               ignore_index=self.pad_id, label_smoothing=label_smoothing)

    def stored_parameters(self):
        """{name: Parameter} as a model file stores them: torch state_dict names, tied aliases left out."""
        named = self.state_dict(keep_vars=True)  # every name, aliases included (the model has no buffers)
        return {name: p for name, p in named.items() if not (self.tied and name in TIED_ALIASES)}

    def load_stored_parameters(self, tensors):
        """Loads {name: tensor} as a model file stores them, strictly (every parameter, nothing else)."""
        state = dict(tensors)
        if self.tied:
            for alias in TIED_ALIASES:
                if alias in state:
                    raise ValueError(f"tied model stores only '{TIED_SOURCE}', but found '{alias}'")
                if TIED_SOURCE in state:
                    state[alias] = state[TIED_SOURCE]
        self.load_state_dict(state, strict=True)
