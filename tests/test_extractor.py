"""The Python API: ``Extractor.extract``, ``Extractor.extract_many`` and
``cbafacts.cross_validate`` over the results.

Expected values were read off the texts by hand (shared/spec/metrics.md).
"""
from __future__ import annotations

import json

import pytest

import cbafacts
from cbafacts import ArticleResult, Claim

# formats.md, "Output": the record's keys, in order
ARTICLE_KEYS = ["id", "source", "lang", "lang_confidence", "backend", "published", "text", "claims", "error"]
ERROR_KEYS = ["id", "source", "lang", "claims", "error"]
# formats.md example claims (a change has direction and baseline; they are
# null for levels)
CLAIM_KEYS = ["text", "start", "end", "sentence", "value", "unit", "kind", "direction", "baseline",
              "metric", "period", "confidence"]
ERROR_TYPES = {"empty", "binary", "encoding", "too_large", "bad_json", "missing_text", "duplicate_id",
               "internal"}

EN = "In 2024, the average answer rate was 94.18%, a 1.3% increase compared to 2023."
EN_SATISF = "In 2024, the client satisfaction rate was 99.46%."
ID_ANSWER = "Pada tahun 2023, tingkat penyelesaian panggilan untuk panggilan manual mencapai 92,88%."
ZH_SATISF = "2024年，人工电话客户满意度为99.46%。"


def ordered_subset(keys, wanted):
    """The keys of ``wanted`` as they occur in ``keys``."""
    return [k for k in keys if k in wanted]


def test_extract_returns_article_result(extractor):
    res = extractor.extract(EN, id="a1")
    assert isinstance(res, ArticleResult)
    assert res.ok and res.error is None
    assert res.id == "a1" and res.text == EN and res.lang == "en"
    assert all(isinstance(c, Claim) for c in res.claims)
    d = res.to_dict()
    # the formats.md keys in the formats.md order; extra fields allowed after
    assert ordered_subset(list(d), ARTICLE_KEYS) == ARTICLE_KEYS
    assert list(d)[:len(ARTICLE_KEYS)] == ARTICLE_KEYS
    assert d["error"] is None and d["text"] == EN and d["source"] is None
    # JSON-able as is
    assert json.loads(json.dumps(d)) == d


def test_claim_dict_keys_and_values(extractor):
    d = extractor.extract(EN, id="a1").to_dict()
    assert len(d["claims"]) == 2
    for c in d["claims"]:
        assert ordered_subset(list(c), CLAIM_KEYS) == CLAIM_KEYS
        assert EN[c["start"]:c["end"]] == c["text"]
        assert isinstance(c["sentence"], list) and len(c["sentence"]) == 2
        assert 0.0 <= c["confidence"] <= 1.0
    level, change = d["claims"]
    # "94.18%" is the 2024 answer rate; "a 1.3% increase compared to 2023"
    assert level["text"] == "94.18%" and level["start"] == EN.index("94.18%")
    assert (level["value"], level["unit"], level["kind"], level["direction"], level["baseline"],
            level["metric"], level["period"]) == (
        94.18, "percent", "level", None, None, "service.call_answer_rate", "2024")
    assert "1.3%" in change["text"]
    assert (change["value"], change["unit"], change["kind"], change["direction"], change["baseline"],
            change["metric"], change["period"]) == (
        1.3, "percent", "change", "up", "2023", "service.call_answer_rate", "2024")


def test_lang_argument_overrides_detection(extractor):
    res = extractor.extract(ID_ANSWER, id="x", lang="id")
    assert res.lang == "id"
    (c,) = res.claims
    # decimal comma: 92,88% -> 92.88
    assert (c.text, c.value, c.metric, c.period) == ("92,88%", 92.88, "service.call_answer_rate", "2023")
    # region subtags are dropped: ISO 639-1 codes in the output
    assert extractor.extract(ID_ANSWER, id="x", lang="id-ID").lang == "id"


def test_source_and_meta_carried(extractor):
    res = extractor.extract(EN, id="a1", source="feed/a1.txt", meta={"url": "http://example.org/a1"})
    d = res.to_dict()
    assert d["source"] == "feed/a1.txt"
    assert d["meta"] == {"url": "http://example.org/a1"}


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_is_error_record(extractor, text):
    res = extractor.extract(text, id="e")
    assert not res.ok
    d = res.to_dict()
    assert list(d) == ERROR_KEYS
    assert d["id"] == "e" and d["lang"] is None and d["claims"] == []
    assert d["error"]["type"] == "empty" and d["error"]["message"]


def test_non_string_text_is_error_record(extractor):
    res = extractor.extract(None, id="n")  # type: ignore[arg-type]
    assert res.error is not None and res.error.type == "missing_text"


def test_too_large_text():
    ex = cbafacts.Extractor(max_chars=10)
    res = ex.extract("In 2024, the answer rate was 94.18%.", id="big")
    assert res.error is not None and res.error.type == "too_large"
    assert res.to_dict()["claims"] == []


def test_digits_only_text_is_und(extractor):
    res = extractor.extract("2024 94.18 37 44 12345", id="d")
    assert res.error is None
    assert res.lang == "und"
    for c in res.claims:
        assert res.text[c.start:c.end] == c.text


def test_punctuation_only_text_does_not_raise(extractor):
    res = extractor.extract("%%% ... --- ###", id="p")
    assert res.error is None and res.lang == "und" and res.claims == ()


def test_extract_many_dicts(extractor):
    records = [
        {"id": "a", "text": EN},
        {"id": "b", "text": EN_SATISF, "lang": "en", "url": "http://x"},
        {"text": ID_ANSWER, "lang": "id"},
    ]
    out = list(extractor.extract_many(records))
    assert [r.id for r in out] == ["a", "b", "2"]
    assert all(r.ok for r in out)
    assert out[1].meta == {"url": "http://x"}
    assert [c.value for c in out[1].claims] == [99.46]
    assert out[2].lang == "id" and [c.value for c in out[2].claims] == [92.88]
    # the same as extracting each alone
    assert out[0] == extractor.extract(EN, id="a")


def test_extract_many_strings(extractor):
    out = list(extractor.extract_many([EN, EN_SATISF]))
    assert [r.id for r in out] == ["0", "1"]
    assert [[c.value for c in r.claims] for r in out] == [[94.18, 1.3], [99.46]]


def test_extract_many_mixed_with_missing_text(extractor):
    records = [EN, {"id": "no-text", "title": "headline only"}, {"id": "z", "text": ZH_SATISF}, "", 42]
    out = list(extractor.extract_many(records))
    assert len(out) == 5
    assert [r.id for r in out][:3] == ["0", "no-text", "z"]
    assert out[0].ok and out[2].ok
    assert out[1].error is not None and out[1].error.type == "missing_text"
    assert out[1].to_dict()["claims"] == [] and out[1].to_dict()["lang"] is None
    assert out[2].lang == "zh"
    (c,) = out[2].claims
    assert (c.value, c.metric, c.period) == (99.46, "service.customer_satisfaction", "2024")
    assert out[3].error is not None and out[3].error.type == "empty"
    assert out[4].error is not None and out[4].error.type in ERROR_TYPES


def test_extract_many_is_lazy(extractor):
    def gen():
        yield EN
        raise AssertionError("read past the first record")

    it = extractor.extract_many(gen())
    first = next(it)
    assert first.id == "0" and first.ok


def test_result_round_trip(extractor):
    res = extractor.extract(EN, id="a1")
    assert ArticleResult.from_dict(res.to_dict()).to_dict() == res.to_dict()


def test_seed_extraction_offsets(extractor, seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        res = extractor.extract(text, id=path.stem)
        assert res.ok, res.error
        assert res.claims
        for c in res.claims:
            assert text[c.start:c.end] == c.text
        assert [c.start for c in res.claims] == sorted(c.start for c in res.claims)


# --------------------------------------------------------------------------
# cross_validate over Extractor results
# --------------------------------------------------------------------------


def test_cross_validate_results(extractor):
    results = [
        extractor.extract(EN, id="en1"),
        extractor.extract(ID_ANSWER, id="id1", lang="id"),
        extractor.extract(EN_SATISF, id="en2"),
        extractor.extract(ZH_SATISF, id="zh1"),
        extractor.extract("", id="bad"),
    ]
    report = cbafacts.cross_validate(results)
    assert isinstance(report, cbafacts.CrossValReport)
    d = report.to_dict()
    facts = {(f["metric"], f["period"]): f for f in d["facts"]}
    # 99.46% satisfaction in 2024, from an English and a Chinese article
    sat = facts[("service.customer_satisfaction", "2024")]
    assert sat["status"] == "confirmed" and sat["value"] == 99.46
    assert sorted(sat["articles"]) == ["en2", "zh1"]
    # one article each
    assert facts[("service.call_answer_rate", "2024")]["status"] == "single"
    assert facts[("service.call_answer_rate", "2024")]["value"] == 94.18
    ans23 = facts[("service.call_answer_rate", "2023")]
    assert ans23["status"] == "single" and ans23["value"] == 92.88
    # the 1.3% change on a percent metric implies 2023 values:
    # pp: 94.18 - 1.3 = 92.88; relative: 94.18 / 1.013 = 92.971...
    derived = {d_["reading"]: d_ for d_ in d["derived"]
               if d_["metric"] == "service.call_answer_rate" and d_["period"] == "2023"}
    assert set(derived) == {"pp", "relative"}
    assert derived["pp"]["value"] == pytest.approx(92.88, abs=1e-6)
    assert derived["relative"]["value"] == pytest.approx(94.18 / 1.013, abs=1e-4)
    assert derived["pp"]["from"]["id"] == "en1"
    checks = {c["reading"]: c for c in d["checks"]
              if c["metric"] == "service.call_answer_rate" and c["period"] == "2023"}
    assert checks["pp"]["status"] == "agrees" and checks["pp"]["reported"] == 92.88
    assert checks["relative"]["status"] == "disagrees"
    # derived values do not confirm a fact
    assert ans23["status"] == "single"
    # the error record is skipped, and the input order does not matter
    assert d["summary"]["skipped"] == 1
    assert cbafacts.cross_validate(list(reversed(results))).to_dict() == d
    # records as dicts (the JSONL lines) give the same report
    assert cbafacts.cross_validate([r.to_dict() for r in results]).to_dict() == d
