"""The Python module against the command line, which runs the same C++ code; and what only Python has:
NumPy arrays, exceptions, the GIL released while computing, callbacks."""

import json
import subprocess
import threading
import time

import numpy as np
import pytest

import tfm

SENTENCES = ["the red cat runs", "two small dogs eat", "", "a big green bird sleeps", "the cat"]


def run_tfm(binary, *args, stdin=""):
    completed = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=True)
    return completed.stdout


def test_translations_are_those_of_the_command_line(model_dir, tfm_binary):
    translator = tfm.Translator(model_dir, threads=1)
    for beam in (1, 3):
        expected = run_tfm(tfm_binary, "translate", "--model", model_dir, "--beam", str(beam), "--threads", "1", "-q",
                           stdin="\n".join(SENTENCES) + "\n").splitlines()
        assert translator.translate(SENTENCES, beam=beam) == expected


def test_n_best_with_scores_match_the_command_lines_n_best_lines(model_dir, tfm_binary):
    translator = tfm.Translator(model_dir, threads=1)
    results = translator.translate(SENTENCES, beam=3, n_best=2, return_scores=True)
    lines = run_tfm(tfm_binary, "translate", "--model", model_dir, "--beam", "3", "--n-best", "2", "--threads", "1",
                    "-q", stdin="\n".join(SENTENCES) + "\n").splitlines()
    expected = {}
    for line in lines:
        index, text, score = line.split(" ||| ")
        expected.setdefault(int(index), []).append((text, float(score)))
    for i, result in enumerate(results):
        assert isinstance(result, tfm.Translation)
        assert result.hypotheses == [text for text, _ in expected[i]]
        assert isinstance(result.scores, np.ndarray) and result.scores.dtype == np.float64
        np.testing.assert_allclose(result.scores, [score for _, score in expected[i]], rtol=1e-5)
        assert result.attention is None


def test_scores_are_those_of_tfm_score(model_dir, corpus, tfm_binary):
    sources, targets = corpus["english"][:30], corpus["german"][:30]
    scores = tfm.Scorer(model_dir, threads=1).score(sources, targets)
    assert isinstance(scores, np.ndarray) and scores.shape == (30,)
    expected = [float(x) for x in run_tfm(tfm_binary, "score", "--model", model_dir, "--src", corpus["source"],
                                          "--tgt", corpus["target"], "--threads", "1", "-q").split()[:30]]
    np.testing.assert_allclose(scores, expected, atol=2e-6)


def test_log_probs_of_translations_are_their_scores_under_forced_decoding(model_dir):
    translator = tfm.Translator(model_dir, threads=1)
    sources = [s for s in SENTENCES if s]
    results = translator.translate(sources, beam=2, return_scores=True)
    forced = translator.score(sources, [r.hypotheses[0] for r in results])
    np.testing.assert_allclose([r.log_probs[0] for r in results], forced, rtol=1e-4)


def test_attention_is_a_numpy_array_of_distributions_over_the_source(model_dir):
    result = tfm.Translator(model_dir).translate(["the red cat runs"], return_attention=True)[0]
    layers, heads, rows, columns = result.attention.shape
    assert (layers, heads) == (1, 2)
    assert result.attention.dtype == np.float32
    assert rows == len(result.target_pieces) and columns == len(result.source_pieces)
    assert result.source_pieces[-1] == "</s>" and result.target_pieces[-1] == "</s>"
    assert "".join(result.target_pieces[:-1]).replace("\u2581", " ").strip() == result.hypotheses[0]
    np.testing.assert_allclose(result.attention.sum(axis=-1), 1.0, rtol=1e-5)


def test_bleu_and_chrf_are_those_of_tfm_bleu(corpus, tfm_binary, tmp_path):
    hypotheses = [line.replace("Hund", "Katze") for line in corpus["german"][:50]]
    references = corpus["german"][:50]
    reference_path = tmp_path / "ref.de"
    reference_path.write_text("\n".join(references) + "\n", encoding="utf-8")
    stdin = "\n".join(hypotheses) + "\n"
    for metric, ours in (("bleu", tfm.bleu(hypotheses, references).score),
                         ("chrf", tfm.chrf(hypotheses, references).score),
                         ("chrf++", tfm.chrf(hypotheses, references, word_order=2).score)):
        printed = run_tfm(tfm_binary, "bleu", "-r", str(reference_path), "-m", metric, "-b", "-w", "6", stdin=stdin)
        assert round(ours, 6) == pytest.approx(float(printed), abs=1e-6), metric
    assert tfm.bleu(hypotheses, references).signature.startswith("nrefs:1|case:mixed|eff:no|tok:13a")
    assert tfm.chrf(hypotheses, references, word_order=2).name == "chrF2++"


def test_errors_are_python_exceptions_with_tfms_messages(model_dir, tmp_path):
    with pytest.raises(RuntimeError, match="does not exist"):
        tfm.Translator(str(tmp_path / "missing"))
    translator = tfm.Translator(model_dir)
    with pytest.raises(ValueError, match="beam_size must be at least 1"):
        translator.translate(["x"], beam=0)
    with pytest.raises(ValueError, match="n_best must be between 1 and beam_size"):
        translator.translate(["x"], beam=2, n_best=3)
    with pytest.raises(ValueError, match="as many targets as sources"):
        translator.score(["a", "b"], ["c"])
    with pytest.raises(ValueError, match='lr_decay must be "auto", "inverse-sqrt", "linear" or "inverse-sqrt-to-zero", '
                                         'got "cosine"'):
        tfm.train(["a"], ["b"], str(tmp_path / "m"), lr_decay="cosine")
    with pytest.raises(ValueError, match='matmul_precision must be "auto", "float32" or "bfloat16", got "float16"'):
        tfm.train(["a"], ["b"], str(tmp_path / "m"), matmul_precision="float16")
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1.5$"):
        tfm.train(["a"], ["b"], str(tmp_path / "m"), dropout=1.5)
    with pytest.raises(ValueError, match=r"ema_decay must be in \[0, 1\), got 1$"):
        tfm.train(["a"], ["b"], str(tmp_path / "m"), ema_decay=1.0)
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        tfm.bleu(["a", "b"], ["c"])
    with pytest.raises(TypeError):
        translator.translate("not a list of sentences", beam=1.5)


def test_text_that_cannot_be_utf8_is_refused_with_an_exception(model_dir):
    # A lone surrogate (what os.fsdecode makes of undecodable bytes) has no UTF-8 form.
    with pytest.raises((TypeError, UnicodeError)):
        tfm.Translator(model_dir).translate(["the cat \udcff"])


def test_threads_share_one_translator_and_others_run_meanwhile(model_dir):
    translator = tfm.Translator(model_dir, threads=1)
    batch = SENTENCES * 40
    expected = translator.translate(batch, beam=3)
    results, ticks, done = [None] * 4, [], threading.Event()

    def work(slot):
        results[slot] = translator.translate(batch, beam=3)

    def tick():  # runs only when the translating threads have let go of the GIL
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    done.set()
    ticker.join()
    assert all(r == expected for r in results)
    # Had the calls held the GIL, the ticker would have run only between them: a few ticks.
    assert elapsed > 0.05 and len(ticks) > 20, (len(ticks), elapsed)


def test_train_reports_progress_and_stops_when_the_callback_raises(corpus, tmp_path):
    seen = []

    def progress(p):
        seen.append(p)
        if p.step >= 20:
            raise KeyboardInterrupt

    directory = str(tmp_path / "model")
    with pytest.raises(KeyboardInterrupt):
        tfm.train(corpus["source"], corpus["target"], directory, config=corpus["config"], max_steps=1000,
                  warmup_steps=20, batch_tokens=512, log_every=10, valid_every=1000, threads=1, progress=progress,
                  quiet=True)
    assert [p.step for p in seen] == [10, 20]
    assert all(p.valid_bleu is None and p.train_loss > 0 and p.learning_rate > 0 for p in seen)
    # It stopped after a checkpoint, from which it resumes.
    summary = tfm.train(corpus["source"], corpus["target"], directory, resume=True, max_steps=25, batch_tokens=512,
                        warmup_steps=20, log_every=10, valid_every=1000, threads=1, quiet=True)
    assert summary.steps == 25 and summary.stop_reason == "reached --max-steps"


def test_validation_progress_carries_bleu(corpus, tmp_path):
    seen = []
    summary = tfm.train(corpus["source"], corpus["target"], str(tmp_path / "m"), valid_source=corpus["source"],
                        valid_target=corpus["target"], config=corpus["config"], max_steps=20, warmup_steps=10,
                        batch_tokens=512, log_every=10, valid_every=10, threads=1, progress=seen.append, quiet=True)
    assert summary.steps == 20
    validations = [p for p in seen if p.valid_bleu is not None]
    assert [p.step for p in validations] == [10, 20]
    assert all(p.valid_loss > 0 for p in validations)


def test_trains_from_sentences_in_memory_as_from_the_same_files(corpus, tmp_path):
    common = dict(config=corpus["config"], max_steps=10, warmup_steps=5, batch_tokens=512, log_every=5,
                  valid_every=10, threads=1, quiet=True)
    from_files = tfm.train(corpus["source"], corpus["target"], str(tmp_path / "files"), **common)
    from_memory = tfm.train(corpus["english"], corpus["german"], str(tmp_path / "memory"), **common)
    assert from_files.steps == from_memory.steps == 10
    assert (tmp_path / "files" / "model.safetensors").read_bytes() == (tmp_path / "memory" / "model.safetensors").read_bytes()
    with pytest.raises(ValueError, match="training: 2 source lines but 1 target lines"):
        tfm.train(["a", "b"], ["c"], str(tmp_path / "bad"), **common)


def test_dropout_replaces_the_configurations_and_is_written_to_the_model(corpus, tmp_path):
    common = dict(config=corpus["config"], max_steps=2, warmup_steps=5, batch_tokens=512, threads=1, quiet=True)
    tfm.train(corpus["source"], corpus["target"], str(tmp_path / "m"), dropout=0.25, **common)
    assert json.loads((tmp_path / "m" / "config.json").read_text())["dropout"] == 0.25
    assert json.loads((tmp_path / "m" / "training.json").read_text())["dropout"] == {"value": 0.25, "why": "given"}


def test_a_moving_average_of_the_weights_becomes_the_model(corpus, tmp_path):
    common = dict(config=corpus["config"], max_steps=2, warmup_steps=5, batch_tokens=512, threads=1, quiet=True)
    tfm.train(corpus["source"], corpus["target"], str(tmp_path / "m"), ema_decay=0.9, **common)
    assert json.loads((tmp_path / "m" / "training.json").read_text())["ema_decay"] == {"value": 0.9, "why": "given"}
    header = (tmp_path / "m" / "model.safetensors").read_bytes()
    assert b'"ema_decay":"0.9"' in header[:int.from_bytes(header[:8], "little") + 8]


def test_everything_has_a_docstring():
    for name in ("Translator", "Scorer", "Translation", "train", "bleu", "chrf", "TrainingProgress",
                 "TrainingSummary", "BleuResult", "ChrfResult"):
        assert getattr(tfm, name).__doc__, name
    for method in ("translate", "score"):
        assert getattr(tfm.Translator, method).__doc__, method
