"""benchmarks/make_corpus.py: the synthetic corpus generator for benchmarks."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import make_corpus  # noqa: E402


def _cli(tmp_path: Path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    subprocess.run([sys.executable, "-m", "benchmarks.make_corpus", *args, "-o", str(out), "-q"],
                   cwd=ROOT, check=True, timeout=60)
    return out.read_bytes()


def _corpus(n: int, **kw) -> list[dict]:
    buf = io.StringIO()
    make_corpus.write_corpus(buf, n, **kw)
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_cli_is_deterministic_by_seed(tmp_path):
    a = _cli(tmp_path, "a.jsonl", "40", "--seed", "5")
    b = _cli(tmp_path, "b.jsonl", "40", "--seed", "5")
    c = _cli(tmp_path, "c.jsonl", "40", "--seed", "6")
    assert a == b
    assert a != c
    assert len(a.splitlines()) == 40


def test_lines_are_articles_with_the_keys():
    rows = _corpus(60, seed=1)
    assert len(rows) == 60
    assert all(set(r) == {"id", "text", "lang"} for r in rows)
    assert len({r["id"] for r in rows}) == 60
    for r in rows:
        assert r["text"].strip()
        assert make_corpus.MIN_WORDS <= make_corpus.word_units(r["text"]) <= make_corpus.MAX_WORDS


def test_no_lang_leaves_lang_out_and_keeps_the_text():
    with_lang = _corpus(10, seed=2)
    without = _corpus(10, seed=2, no_lang=True)
    assert all(set(r) == {"id", "text"} for r in without)
    assert [r["text"] for r in with_lang] == [r["text"] for r in without]


def test_covers_the_requested_languages():
    langs = ["en", "id", "zh", "ja", "ko", "fr", "de", "es", "pt", "ru", "it", "ms"]
    rows = _corpus(120, seed=3, langs=langs)
    assert set(Counter(r["lang"] for r in rows)) == set(langs)
    only = _corpus(20, seed=3, langs=["de", "zh"])
    assert {r["lang"] for r in only} == {"de", "zh"}


def test_lang_mix_weights_the_languages():
    rows = _corpus(200, seed=4, mix=make_corpus.parse_mix("en=0.8,zh=0.2"))
    counts = Counter(r["lang"] for r in rows)
    assert set(counts) == {"en", "zh"}
    assert counts["en"] > counts["zh"]
    with pytest.raises(ValueError):
        make_corpus.parse_mix("en")
    with pytest.raises(ValueError):
        make_corpus.load_languages(["xx-no-such"])


def test_every_language_with_templates_has_data_and_writes_its_numbers():
    langs = make_corpus.load_languages()
    assert {"en", "id", "zh", "ja", "ko", "fr", "de", "es", "pt", "ru", "it", "ms"} <= set(langs)
    # the separators come from numbers.yaml: German and Indonesian write
    # decimal commas, English and Chinese decimal points
    text = {r["lang"]: r["text"] for r in _corpus(80, seed=9, langs=["de", "en"])}
    assert any(ch.isdigit() for ch in text["de"])
    assert langs["de"].decimal == "," and langs["en"].decimal == "."


def test_sample_is_detected_as_its_language():
    from cbafacts.detect import detect_language

    for lang in ("en", "id", "zh", "de"):
        rows = _corpus(5, seed=7, langs=[lang], no_lang=True)
        hits = sum(detect_language(r["text"])[0] == lang for r in rows)
        assert hits >= 4, (lang, hits)
