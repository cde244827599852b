"""The spaCy components ``numeric_claims``, ``metric_linker`` and
``period_resolver``.

Every expected claim below was read off its sentence by hand, following
shared/spec/metrics.md (values and units, decimal comma vs group separator,
period and baseline rules).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import spacy

import cbafacts.pipeline  # noqa: F401 - registers the extensions
from cbafacts.ontology import kb as kb_module

COMPONENTS = ("numeric_claims", "metric_linker", "period_resolver")
ATTRS = ("value", "unit", "kind", "direction", "baseline", "metric", "period")


def exp(surface, value, unit, kind, metric, period, direction=None, baseline=None):
    return {"surface": surface, "value": value, "unit": unit, "kind": kind, "direction": direction,
            "baseline": baseline, "metric": metric, "period": period}


EN = "In 2024, the average answer rate was 94.18%, a 1.3% increase compared to 2023."
ID = ("Pada akhir tahun 2023, terdapat 41,700 petugas layanan pelanggan, "
      "turun 4,79% dari tahun sebelumnya.")
ZH = "2024年，人工电话平均接通率为94.18%，较2023年提升1.3个百分点。"
ZH_COUNT = "2023年末，客服从业人员4.17万人。"
# Vietnamese: no language data, so the "xx" fallback reads the digits; no
# alias matches, so the figure links to no metric (metrics.md: never the
# nearest id); "Năm 2024" ("year 2024") is the figure's own time expression
XX = "Năm 2024, tỷ lệ trả lời cuộc gọi đạt 94.18%."

CASES = {
    "en": (EN, [
        # "In 2024" is the sentence's time expression; "compared to 2023" the baseline
        exp("94.18%", 94.18, "percent", "level", "service.call_answer_rate", "2024"),
        exp("1.3%", 1.3, "percent", "change", "service.call_answer_rate", "2024", "up", "2023"),
    ]),
    "id": (ID, [
        # "41,700" + counted noun -> thousands; "4,79%" -> decimal comma;
        # "dari tahun sebelumnya" (than the year before) -> baseline 2022
        exp("41,700", 41700.0, "count", "level", "staff.customer_service_agents", "2023"),
        exp("4,79%", 4.79, "percent", "change", "staff.customer_service_agents", "2023", "down", "2022"),
    ]),
    "zh": (ZH, [
        # 较2023年 = compared with 2023; 提升 = rose; 个百分点 = percentage points
        exp("94.18%", 94.18, "percent", "level", "service.call_answer_rate", "2024"),
        exp("1.3个百分点", 1.3, "pp", "change", "service.call_answer_rate", "2024", "up", "2023"),
    ]),
    "zh-count": (ZH_COUNT, [
        # 4.17万 = 4.17 x 10^4 = 41700; 客服从业人员 = customer service staff
        exp("4.17万", 41700.0, "count", "level", "staff.customer_service_agents", "2023"),
    ]),
    "xx": (XX, [
        exp("94.18%", 94.18, "percent", "level", None, "2024"),
    ]),
}


def blank(nlp_lang: str, ontology: str | None = None, **config):
    nlp = spacy.blank(nlp_lang)
    for name in COMPONENTS:
        cfg = dict(config)
        if name == "metric_linker" and ontology is not None:
            cfg["ontology"] = ontology
        nlp.add_pipe(name, config=cfg)
    return nlp


@pytest.fixture(scope="module")
def nlps():
    """One pipeline per language (spacy.blank("id") alone takes seconds)."""
    return {lang: blank(lang) for lang in ("en", "id", "zh", "xx")}


def check_claims(doc, expected):
    text = doc.text
    claims = doc._.claims
    assert claims is not None
    assert len(claims) == len(expected), [c.text for c in claims]
    for c in claims:
        assert text[c.start:c.end] == c.text
        s0, s1 = c.sentence
        assert s0 <= c.start < c.end <= s1
    # in text order
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c, e in zip(claims, expected):
        pos = text.index(e["surface"])
        assert c.start <= pos and pos + len(e["surface"]) <= c.end, (c.text, e["surface"])
        got = {a: getattr(c, a) for a in ATTRS}
        want = {a: e[a] for a in ATTRS}
        assert got["value"] == pytest.approx(want["value"], rel=1e-9)
        got["value"] = want["value"]
        assert got == want, c.text


def check_spans(doc, expected, key="claims"):
    spans = list(doc.spans[key])
    claims = doc._.claims
    assert len(spans) == len(claims) == len(expected)
    for span, c, e in zip(spans, claims, expected):
        assert span._.claim == c
        # spans may be expanded to token boundaries, never shrunk
        assert span.start_char <= c.start and c.end <= span.end_char
        assert span._.value == pytest.approx(e["value"], rel=1e-9)
        assert (span._.unit, span._.kind, span._.metric, span._.period) == (
            e["unit"], e["kind"], e["metric"], e["period"])
        assert (span._.direction, span._.baseline) == (e["direction"], e["baseline"])
        assert span.label_ == (e["metric"] or "CLAIM")


@pytest.mark.parametrize("case", sorted(CASES))
def test_blank_pipeline_claims(nlps, case):
    text, expected = CASES[case]
    doc = nlps[case.split("-")[0]](text)
    check_claims(doc, expected)
    check_spans(doc, expected)


def test_offsets_exact_with_astral_and_combining_characters(nlps):
    # code points, not UTF-16 units or bytes: an emoji (1 code point, 2 UTF-16
    # units, 4 bytes) and a combining accent before the figures
    prefix = "\U0001F4CA Cafe\u0301 — "
    doc = nlps["en"](prefix + EN)
    shifted = [dict(e) for e in CASES["en"][1]]
    check_claims(doc, shifted)
    assert doc._.claims[0].start == len(prefix) + EN.index("94.18%")


def test_several_sentences_sentence_offsets(nlps):
    text = EN + "\n" + "With a client satisfaction rate of 99.46% in 2024."
    doc = nlps["en"](text)
    claims = doc._.claims
    assert [c.text for c in claims][-1] == "99.46%"
    last = claims[-1]
    assert last.metric == "service.customer_satisfaction" and last.period == "2024"
    s0, s1 = last.sentence
    assert s0 == len(EN) + 1
    assert text[s0:s1].rstrip() == text[len(EN) + 1:].rstrip()
    first = claims[0]
    assert first.sentence[1] <= len(EN) + 1


def test_component_lang_config_on_xx_reads_indonesian():
    # the data language comes from the component config, not from nlp.lang
    nlp = blank("xx", lang="id")
    assert nlp.lang == "xx"
    doc = nlp(ID)
    check_claims(doc, CASES["id"][1])
    check_spans(doc, CASES["id"][1])
    # "juta" is an Indonesian scale word: 723 juta = 723 000 000
    doc = nlp("Sepanjang tahun 2023, 723 juta panggilan masuk diproses secara manual.")
    (c,) = doc._.claims
    assert c.text == "723 juta"
    assert (c.value, c.unit, c.kind, c.metric, c.period) == (
        723_000_000.0, "count", "level", "calls.manual_inbound_volume", "2023")


def test_spans_key_config(nlps):
    nlp = blank("en", spans_key="figures")
    doc = nlp(EN)
    assert "figures" in doc.spans and "claims" not in doc.spans
    check_spans(doc, CASES["en"][1], key="figures")


def test_not_claims_in_sentence(nlps):
    # a threshold ("above 99%") and years are not claims; "four years" is
    doc = nlps["en"]("In 2024, the client satisfaction rate was 99.46%, "
                     "continuously above 99% for four years.")
    texts = [c.text for c in doc._.claims]
    assert "99%" not in texts
    assert texts[0] == "99.46%"
    assert doc._.claims[-1].text == "four years"
    assert doc._.claims[-1].value == 4.0 and doc._.claims[-1].unit == "count"
    assert len(texts) == 2


def test_to_disk_and_load_give_same_claims(tmp_path):
    nlp = blank("en")
    before = nlp(EN)._.claims
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "metric_linker" / "ontology.json").is_file()
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == list(COMPONENTS)
    doc = loaded(EN)
    assert doc._.claims == before
    check_claims(doc, CASES["en"][1])
    check_spans(doc, CASES["en"][1])


WIDGET_YAML = """\
version: 1
metrics:
  - id: {mid}
    unit: percent
    range: [0, 100]
    aliases:
      en: ["widget share"]
"""


def test_saved_ontology_wins_over_a_changed_file(tmp_path):
    onto = tmp_path / "onto.yaml"
    onto.write_text(WIDGET_YAML.format(mid="test.widget_share"), encoding="utf-8")
    kb_module.load_ontology.cache_clear()
    nlp = blank("en", ontology=str(onto))
    text = "In 2024, the widget share was 55%."
    (c,) = nlp(text)._.claims
    assert (c.value, c.metric, c.period) == (55.0, "test.widget_share", "2024")
    nlp.to_disk(tmp_path / "pipe")
    # the file the pipeline was built from now says something else
    onto.write_text(WIDGET_YAML.format(mid="test.other_share"), encoding="utf-8")
    kb_module.load_ontology.cache_clear()
    try:
        loaded = spacy.load(tmp_path / "pipe")
        (c2,) = loaded(text)._.claims
    finally:
        kb_module.load_ontology.cache_clear()
    assert c2.metric == "test.widget_share"


def test_saved_pipeline_needs_no_ontology_file(tmp_path):
    # a saved pipeline carries its ontology: it loads where the file it was
    # built from does not exist (copied to another machine)
    onto = tmp_path / "onto.yaml"
    onto.write_text(WIDGET_YAML.format(mid="test.widget_share"), encoding="utf-8")
    kb_module.load_ontology.cache_clear()
    nlp = blank("en", ontology=str(onto))
    nlp.to_disk(tmp_path / "pipe")
    onto.unlink()
    kb_module.load_ontology.cache_clear()
    try:
        loaded = spacy.load(tmp_path / "pipe")
        (c,) = loaded("In 2024, the widget share was 55%.")._.claims
    finally:
        kb_module.load_ontology.cache_clear()
    assert c.metric == "test.widget_share"


def test_pipe_batches_same_as_call(nlps):
    nlp = nlps["en"]
    texts = [EN, "In 2024, the client satisfaction rate was 99.46%.", EN]
    piped = [d._.claims for d in nlp.pipe(texts)]
    assert piped == [nlp(t)._.claims for t in texts]


ENTRY_POINT_SCRIPT = textwrap.dedent("""
    import json, sys
    import spacy
    before = sorted(m for m in sys.modules if m == "cbafacts" or m.startswith("cbafacts."))
    nlp = spacy.blank("en")
    for name in ("numeric_claims", "metric_linker", "period_resolver"):
        nlp.add_pipe(name)
    doc = nlp(sys.argv[1])
    out = {
        "before": before,
        "pipe_names": nlp.pipe_names,
        "spans": [
            [s.text, s._.value, s._.unit, s._.kind, s._.direction, s._.baseline, s._.metric, s._.period]
            for s in doc.spans["claims"]
        ],
        "claims": [[c.text, c.start, c.end] for c in doc._.claims],
    }
    print(json.dumps(out))
""")


def test_factories_through_entry_points_alone(tmp_path):
    # a fresh interpreter that never imports cbafacts itself: spaCy finds the
    # factories through the spacy_factories entry points
    proc = subprocess.run([sys.executable, "-c", ENTRY_POINT_SCRIPT, EN], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["before"] == []
    assert out["pipe_names"] == list(COMPONENTS)
    spans = out["spans"]
    assert len(spans) == 2
    assert spans[0][1:] == [94.18, "percent", "level", None, None, "service.call_answer_rate", "2024"]
    assert spans[1][1:] == [1.3, "percent", "change", "up", "2023", "service.call_answer_rate", "2024"]
    for text, start, end in out["claims"]:
        assert EN[start:end] == text


def test_claims_survive_doc_serialization_and_multiprocessing():
    """Claims are plain data in user_data: to_bytes, DocBin and n_process work."""
    from spacy.tokens import Doc, DocBin

    nlp = spacy.blank("en")
    for name in ("numeric_claims", "metric_linker", "period_resolver"):
        nlp.add_pipe(name)
    text = "In 2024, the average answer rate was 94.18%, up 1.3 percentage points."
    doc = nlp(text)
    assert [(c.text, c.metric) for c in doc._.claims] == [
        ("94.18%", "service.call_answer_rate"), ("1.3 percentage points", "service.call_answer_rate")]
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert restored._.claims == doc._.claims
    assert [s._.value for s in restored.spans["claims"]] == [94.18, 1.3]
    db = DocBin(store_user_data=True)
    db.add(doc)
    (again,) = DocBin().from_bytes(db.to_bytes()).get_docs(nlp.vocab)
    assert again._.claims == doc._.claims
    texts = ["It was 44% in 2024.", "It was 31% in 2023."]
    piped = [[(c.value, c.period) for c in d._.claims] for d in nlp.pipe(texts, n_process=2)]
    assert piped == [[(44.0, "2024")], [(31.0, "2023")]]


def test_claims_read_back_from_the_records_a_doc_holds():
    # the claims last set are handed back without rebuilding them; claims
    # of another doc, or records put in user_data anew, are read from the dicts
    from cbafacts.pipeline import USER_DATA_KEY

    nlp = spacy.blank("en")
    for name in ("numeric_claims", "metric_linker", "period_resolver"):
        nlp.add_pipe(name)
    first = nlp("It was 44% in 2024.")
    second = nlp("It was 31% in 2023.")
    assert [(c.value, c.period) for c in first._.claims] == [(44.0, "2024")]
    assert [(c.value, c.period) for c in second._.claims] == [(31.0, "2023")]
    records = [dict(r) for r in second.user_data[USER_DATA_KEY]]
    records[0]["value"] = 32.0
    second.user_data[USER_DATA_KEY] = records
    assert [c.value for c in second._.claims] == [32.0]
    got = first._.claims
    got.clear()  # the caller's own list
    assert len(first._.claims) == 1
    first._.claims = [first._.claims[0].evolve(metric=None)]
    assert first._.claims[0].metric is None and first.user_data[USER_DATA_KEY][0]["metric"] is None


def test_claim_evolve_is_replace() -> None:
    import dataclasses

    from cbafacts.model import Claim

    c = Claim(text="44%", start=7, end=10, sentence=(0, 19), value=44.0, unit="percent")
    assert c.evolve(metric="m", period="2024") == dataclasses.replace(c, metric="m", period="2024")
    assert c.evolve() == c and c.evolve() is not c
    with pytest.raises(TypeError):
        c.evolve(metirc="m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.evolve(metric="m").metric = "x"  # type: ignore[misc]


def test_claim_records_hold_every_field_in_field_order() -> None:
    """doc._.claims stores one dict per claim: every field, in field order,
    for claims made by __init__, evolve, from_dict and pickle alike."""
    import pickle

    import spacy

    from cbafacts.model import CLAIM_FIELDS, Claim
    from cbafacts.pipeline import USER_DATA_KEY

    made = Claim(text="44%", start=3, end=6, sentence=(0, 10), value=44.0, unit="percent")
    claims = [made, made.evolve(metric="m", period="2024"), Claim.from_dict(made.to_dict()),
              pickle.loads(pickle.dumps(made.evolve(baseline="2023")))]
    doc = spacy.blank("en")("in 2024 44% of calls")
    doc._.claims = claims
    records = doc.user_data[USER_DATA_KEY]
    for c, r in zip(claims, records):
        assert list(r) == list(CLAIM_FIELDS)
        assert r == {f: getattr(c, f) for f in CLAIM_FIELDS}
