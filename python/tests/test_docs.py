"""docs/python.md's first example runs as written, against a model directory named m30k."""

import contextlib
import io
import os
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def test_the_translation_example_runs_as_written(model_dir, tmp_path, monkeypatch):
    example = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)[0]
    os.symlink(model_dir, tmp_path / "m30k")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, str(DOCS), "exec"), {})
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("[") and "layers x" in out.getvalue()
    assert len(printed) == 7  # translations, 2 hypotheses, shape, pieces, score, BLEU and chrF
