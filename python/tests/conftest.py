"""A tiny model, trained once per session through tfm.train itself, for the module's tests."""

import json
import os
import random

import pytest

import tfm
from tiny_pair import GERMAN, TINY_CONFIG, WORDS


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
              lr_factor=1.0, keep_checkpoints=1,  # the paper's peak: the tiny model learns the pair in 60 steps
              batch_tokens=512, valid_every=30, log_every=10, threads=2, quiet=True)
    return directory


@pytest.fixture(scope="session")
def tfm_binary():
    path = os.environ.get("TFM_BINARY")
    if not path:
        pytest.skip("TFM_BINARY is not set: the comparisons with the command line need the tfm binary")
    return path
