"""A tiny model, trained once per session through tfm.train itself, for the module's tests."""

import json
import os
import random

import pytest

import tfm

WORDS = ["red", "blue", "green", "cat", "dog", "bird", "runs", "sleeps", "eats", "big", "small", "the", "a", "two"]
GERMAN = {"red": "rot", "blue": "blau", "green": "grün", "cat": "Katze", "dog": "Hund", "bird": "Vogel",
          "runs": "rennt", "sleeps": "schläft", "eats": "isst", "big": "groß", "small": "klein", "the": "die",
          "a": "eine", "two": "zwei"}

TINY_CONFIG = {"format_version": 1, "vocab_size": 48, "d_model": 32, "nhead": 2, "num_encoder_layers": 1,
               "num_decoder_layers": 1, "dim_feedforward": 64, "dropout": 0.0, "attention_dropout": 0.0,
               "activation_dropout": 0.0, "activation": "relu", "layer_norm_eps": 1e-05, "norm_first": False,
               "encoder_final_norm": False, "decoder_final_norm": False, "tie_embeddings": True, "pad_id": 0,
               "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 64}


def write_corpus(directory, count, seed):
    rng = random.Random(seed)
    english = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))) for _ in range(count)]
    german = [" ".join(GERMAN[w] for w in line.split()) for line in english]
    source, target = os.path.join(directory, "train.en"), os.path.join(directory, "train.de")
    for path, lines in ((source, english), (target, german)):
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return source, target, english, german


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    source, target, english, german = write_corpus(str(directory), 400, seed=1)
    config = directory / "tiny.json"
    config.write_text(json.dumps(TINY_CONFIG))
    return {"dir": directory, "source": source, "target": target, "english": english, "german": german,
            "config": str(config)}


@pytest.fixture(scope="session")
def model_dir(corpus, tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("model") / "tiny")
    tfm.train(corpus["source"], corpus["target"], directory, valid_source=corpus["source"],
              valid_target=corpus["target"], config=corpus["config"], max_steps=60, warmup_steps=20,
              batch_tokens=512, valid_every=30, log_every=10, threads=2, quiet=True)
    return directory


@pytest.fixture(scope="session")
def tfm_binary():
    path = os.environ.get("TFM_BINARY")
    if not path:
        pytest.skip("TFM_BINARY is not set: the comparisons with the command line need the tfm binary")
    return path
