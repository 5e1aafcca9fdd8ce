"""A toy English-German pair, word for word, and a model config small enough to learn it in seconds:
shared by the Python module's tests and the server's HTTP and web-page tests (the scripts in
tests/support that run them put this folder on PYTHONPATH)."""

WORDS = ["red", "blue", "green", "cat", "dog", "bird", "runs", "sleeps", "eats", "big", "small", "the", "a", "two"]
GERMAN = {"red": "rot", "blue": "blau", "green": "grün", "cat": "Katze", "dog": "Hund", "bird": "Vogel",
          "runs": "rennt", "sleeps": "schläft", "eats": "isst", "big": "groß", "small": "klein", "the": "die",
          "a": "eine", "two": "zwei"}

# 1 + 1 layers, 2 heads: trains in about a second, reads at most 63 pieces.
TINY_CONFIG = {"format_version": 1, "vocab_size": 48, "d_model": 32, "nhead": 2, "num_encoder_layers": 1,
               "num_decoder_layers": 1, "dim_feedforward": 64, "dropout": 0.0, "attention_dropout": 0.0,
               "activation_dropout": 0.0, "activation": "relu", "layer_norm_eps": 1e-05, "norm_first": False,
               "encoder_final_norm": False, "decoder_final_norm": False, "tie_embeddings": True, "pad_id": 0,
               "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 64}
