"""The metric ontology: the packaged file against the fixed ids of
shared/spec/metrics.md, and the loader's coded validation errors.

The table of metrics.md is parsed here (not copied), so a metric added to the
spec without an ontology entry fails this test.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cbafacts.ontology.kb import DEFAULT_PATH, MetricKB, load_ontology

ROOT = Path(__file__).resolve().parents[1]
METRICS_MD = ROOT.parent / "shared" / "spec" / "metrics.md"

_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def spec_table() -> dict[str, str]:
    """metric id -> unit, from the rows of the table in metrics.md."""
    assert METRICS_MD.is_file(), f"{METRICS_MD} is missing: tests run with ../shared beside the clone"
    rows: dict[str, str] = {}
    for line in METRICS_MD.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not _ID.match(cells[0]):
            continue  # the header row and its rule
        assert cells[0] not in rows, f"metrics.md lists {cells[0]} twice"
        rows[cells[0]] = cells[2]
    return rows


SPEC = spec_table()


def test_spec_table_parsed():
    # 26 rows in the table (counted by hand: 2 renaming, 5 service, 1 staff,
    # 1 calls, 3 ai, 4 data, 7 channels, 3 elderly)
    assert len(SPEC) == 26
    assert SPEC["staff.customer_service_agents"] == "count"
    assert SPEC["service.call_answer_rate"] == "percent"
    assert set(SPEC.values()) == {"count", "percent"}


# --------------------------------------------------------------------------
# the packaged ontology
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb() -> MetricKB:
    return load_ontology()


def test_packaged_ontology_loads(kb):
    assert len(kb) >= len(SPEC)
    assert Path(DEFAULT_PATH).is_file()
    # the same file loaded by path gives the same metrics
    again = MetricKB.from_path(DEFAULT_PATH)
    assert [m.id for m in again] == [m.id for m in kb]


@pytest.mark.parametrize("metric_id", sorted(SPEC))
def test_spec_metric_present_with_its_unit(kb, metric_id):
    assert metric_id in kb, f"{metric_id} (metrics.md) is not in the ontology"
    assert kb[metric_id].unit == SPEC[metric_id]


def test_percent_ranges_within_0_100(kb):
    for m in kb:
        lo, hi = m.range
        assert lo <= hi, m.id
        if m.unit == "percent":
            assert 0 <= lo and hi <= 100, f"{m.id}: {m.range}"


def test_count_ranges_not_negative(kb):
    for m in kb:
        if m.unit == "count":
            assert m.range[0] >= 0, f"{m.id}: {m.range}"


@pytest.mark.parametrize("lang", ["en", "id", "zh"])
def test_aliases_for_every_metric_without_parent(kb, lang):
    missing = [m.id for m in kb if m.parent is None and not m.aliases.get(lang)]
    assert missing == [], f"no {lang} aliases for {missing}"


def test_parents_exist(kb):
    for m in kb:
        if m.parent is not None:
            assert m.parent in kb, f"{m.id} -> {m.parent}"


def test_known_families(kb):
    # metrics.md: renamed_share is "the same, as a share"; the streaks
    # count years of the satisfaction and answer-rate metrics
    fam = {m.id for m in kb.family("remote_banking.renamed_centers")}
    assert "remote_banking.renamed_share" in fam
    fam = {m.id for m in kb.family("service.satisfaction_streak_years")}
    assert "service.customer_satisfaction" in fam


def test_alias_lookup_is_normalized(kb):
    # aliases are compared lower-cased with whitespace collapsed
    assert kb.aliases("id")["petugas layanan pelanggan"] == "staff.customer_service_agents"
    assert kb.aliases("zh")["人工电话平均接通率"] == "service.call_answer_rate"
    for alias in kb.aliases("en"):
        assert alias == alias.lower() and "  " not in alias


def test_to_dict_round_trip(kb):
    again = MetricKB.from_dict(kb.to_dict(), source="round-trip")
    assert again.to_dict() == kb.to_dict()


# --------------------------------------------------------------------------
# validation: coded errors from MetricKB.from_dict
# --------------------------------------------------------------------------


def metric(mid: str, unit: str = "percent", **kw) -> dict:
    d = {"id": mid, "unit": unit}
    d.update(kw)
    return d


def build(*metrics: dict) -> MetricKB:
    return MetricKB.from_dict({"version": 1, "metrics": list(metrics)}, source="test.yaml")


def test_minimal_valid():
    kb = build(metric("a.share", aliases={"en": ["share of a"]}),
               metric("a.count", "count", parent="a.share"))
    assert kb["a.share"].range == (0.0, 100.0)
    assert kb["a.count"].parent == "a.share"
    assert kb.aliases("en") == {"share of a": "a.share"}


def test_duplicate_id_E201():
    with pytest.raises(ValueError, match=r"\[E201\]") as exc:
        build(metric("a.share"), metric("b.share"), metric("a.share"))
    msg = str(exc.value)
    assert "'a.share'" in msg and "test.yaml" in msg


def test_unknown_unit_E202():
    with pytest.raises(ValueError, match=r"\[E202\]") as exc:
        build(metric("a.ratio", "ratio"))
    msg = str(exc.value)
    assert "'a.ratio'" in msg and "'ratio'" in msg and "percent" in msg


def test_alias_on_two_metrics_E203():
    with pytest.raises(ValueError, match=r"\[E203\]") as exc:
        build(metric("a.share", aliases={"en": ["answer rate"]}),
              metric("b.share", aliases={"en": ["pickup rate", "answer rate"]}))
    msg = str(exc.value)
    assert "'a.share'" in msg and "'b.share'" in msg and "answer rate" in msg and "en" in msg


def test_alias_clash_after_normalization_E203():
    # "Answer  Rate" and "answer rate" are the same alias once lower-cased
    # and with whitespace collapsed
    with pytest.raises(ValueError, match=r"\[E203\]") as exc:
        build(metric("a.share", aliases={"en": ["answer rate"]}),
              metric("b.share", aliases={"en": ["Answer  Rate"]}))
    msg = str(exc.value)
    assert "'a.share'" in msg and "'b.share'" in msg


def test_alias_repeated_within_one_metric_is_fine():
    kb = build(metric("a.share", aliases={"en": ["answer rate", "Answer rate"]}))
    assert kb.aliases("en") == {"answer rate": "a.share"}


def test_alias_may_repeat_across_languages():
    # one metric, same alias in two languages
    kb = build(metric("a.ivr", aliases={"en": ["IVR"], "id": ["IVR"], "zh": ["IVR"]}))
    assert kb.aliases("en") == {"ivr": "a.ivr"} == kb.aliases("id")
    # two metrics, same alias in different languages
    kb = build(metric("a.satisfaction", aliases={"en": ["satisfaction"]}),
               metric("b.satisfaction", aliases={"fr": ["satisfaction"]}))
    assert kb.aliases("en")["satisfaction"] == "a.satisfaction"
    assert kb.aliases("fr")["satisfaction"] == "b.satisfaction"


def test_unknown_parent_E204():
    with pytest.raises(ValueError, match=r"\[E204\]") as exc:
        build(metric("a.count", "count", parent="no.such_metric"))
    msg = str(exc.value)
    assert "'a.count'" in msg and "'no.such_metric'" in msg


@pytest.mark.parametrize("rng", [[10, 5], ["low", "high"], [5], "wide"])
def test_bad_range_E205(rng):
    with pytest.raises(ValueError, match=r"\[E205\]") as exc:
        build(metric("a.count", "count", range=rng))
    assert "'a.count'" in str(exc.value)


def test_percent_range_outside_0_100_E207():
    with pytest.raises(ValueError, match=r"\[E207\]") as exc:
        build(metric("a.share", range=[0, 150]))
    assert "'a.share'" in str(exc.value)


def test_missing_id_E206():
    with pytest.raises(ValueError, match=r"\[E206\]") as exc:
        build(metric("a.share"), {"unit": "percent", "aliases": {"en": ["x"]}})
    msg = str(exc.value)
    assert "'id'" in msg and "1" in msg  # entry index 1 (0-based)


def test_missing_unit_E206():
    with pytest.raises(ValueError, match=r"\[E206\]") as exc:
        build({"id": "a.share"})
    assert "'unit'" in str(exc.value)


def test_bad_file_names_its_path(tmp_path):
    bad = tmp_path / "metrics.yaml"
    bad.write_text("version: 1\nmetrics:\n  - {id: a.share, unit: percent}\n"
                   "  - {id: a.share, unit: percent}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[E201\]") as exc:
        MetricKB.from_path(bad)
    assert str(bad) in str(exc.value)


# --------------------------------------------------------------------------
# context aliases and the population
# --------------------------------------------------------------------------


def test_context_alias_that_is_also_an_alias_E208():
    with pytest.raises(ValueError, match=r"\[E208\]") as exc:
        build(metric("a.count", "count", aliases={"en": ["agents"]}),
              metric("b.count", "count", context_aliases={"en": ["agents"]}))
    assert "'agents'" in str(exc.value) and "'a.count'" in str(exc.value)


def test_context_alias_on_two_metrics_E208():
    with pytest.raises(ValueError, match=r"\[E208\]"):
        build(metric("a.count", "count", context_aliases={"en": ["calls"]}),
              metric("b.count", "count", context_aliases={"en": ["Calls"]}))


def test_population_and_context_aliases_survive_to_dict(kb):
    assert kb.population["en"] and kb.context_aliases("ru")["сотрудников"] == "staff.customer_service_agents"
    again = MetricKB.from_dict(kb.to_dict(), source="round-trip")
    assert again.population == kb.population and again.context_to_id == kb.context_to_id


@pytest.mark.parametrize("lang,text,value,metric", [
    # the sentence names the population: the generic word names the metric
    ("ru", "На конец 2023 года в центрах обслуживания клиентов банковских учреждений работали 41 700 сотрудников.",
     41700.0, "staff.customer_service_agents"),
    ("en", "The customer service centers employed 41,700 staff at the end of 2023.",
     41700.0, "staff.customer_service_agents"),
    # no population in the sentence: the same word names nothing
    ("ru", "В конце 2023 года в компании работали 41 700 сотрудников.", 41700.0, None),
    ("en", "The carmaker employed 41,700 staff at the end of 2023.", 41700.0, None),
])
def test_context_aliases_speak_only_beside_the_population(lang, text, value, metric):
    import cbafacts

    res = cbafacts.Extractor().extract(text, lang=lang)
    assert {c.value: c.metric for c in res.claims}[value] == metric


def test_typographic_apostrophes_match_straight_aliases():
    import cbafacts
    from cbafacts.ontology.kb import normalize_alias

    assert normalize_alias("Taux d’appels  aboutis") == normalize_alias("taux d'appels aboutis")
    ex = cbafacts.Extractor()
    for text in ("En 2024, le taux d’appels aboutis était de 94,18 %.", "En 2024, le taux d'appels aboutis était de 94,18 %."):
        assert [c.metric for c in ex.extract(text, lang="fr").claims] == ["service.call_answer_rate"]
