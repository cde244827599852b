"""Acceptance on the two seed articles (issue: core pipeline).

Gold facts are the project's contract in ../shared/spec/seeds_gold.jsonl;
each was checked by hand against its sentence there.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import cbafacts

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "spec" / "seeds_gold.jsonl"
RAW = ROOT / "corpus" / "raw"


def _gold() -> dict[str, dict]:
    assert GOLD.is_file(), f"{GOLD} is missing: CI runs with ../shared beside the clone"
    return {r["id"]: r for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())}


@pytest.fixture(scope="module")
def results() -> dict[str, cbafacts.ArticleResult]:
    ex = cbafacts.Extractor()
    out = {}
    for gid in _gold():
        text = (RAW / f"{gid}.txt").read_text(encoding="utf-8")
        out[gid] = ex.extract(text, id=gid)
    return out


def _key(metric, period, kind, direction, value):
    return (metric, str(period), kind, direction, round(float(value), 6))


def test_seed_texts_are_byte_identical_to_shared():
    for p in (ROOT.parent / "shared" / "seeds").glob("*.txt"):
        assert (RAW / p.name).read_bytes() == p.read_bytes()


@pytest.mark.parametrize("gid", sorted(_gold()))
def test_every_gold_fact_is_extracted(results, gid):
    res = results[gid]
    assert res.error is None
    missing = []
    for f in _gold()[gid]["facts"]:
        hits = [
            c for c in res.claims
            if c.metric == f["metric"] and c.period == f["period"] and c.kind == f["kind"]
            and c.direction == f.get("direction")
            and math.isclose(c.value, f["value"], rel_tol=1e-6)
            and (c.unit == f["unit"] or (f["kind"] == "change" and {c.unit, f["unit"]} <= {"percent", "pp"}))
            and (f["kind"] == "level" or c.baseline == f["baseline"])
        ]
        if not hits:
            missing.append((f["metric"], f["period"], f["kind"], f["value"], f["surface"]))
    assert not missing


@pytest.mark.parametrize("gid", sorted(_gold()))
def test_nothing_else_is_linked(results, gid):
    gold = {_key(f["metric"], f["period"], f["kind"], f.get("direction"), f["value"]) for f in _gold()[gid]["facts"]}
    extra = [
        (c.text, c.metric, c.period, c.kind, c.value)
        for c in results[gid].claims
        if c.metric is not None and _key(c.metric, c.period, c.kind, c.direction, c.value) not in gold
    ]
    assert not extra


@pytest.mark.parametrize("gid", sorted(_gold()))
def test_offsets_are_exact(results, gid):
    res = results[gid]
    for c in res.claims:
        assert res.text[c.start:c.end] == c.text
        s0, s1 = c.sentence
        assert s0 <= c.start < c.end <= s1


def test_gold_surfaces_are_claim_spans(results):
    """Each gold surface position is covered by a claim with the gold value."""
    for gid, g in _gold().items():
        for f in g["facts"]:
            covering = [c for c in results[gid].claims if c.start <= f["start"] and f["end"] <= c.end
                        or f["start"] <= c.start and c.end <= f["end"]]
            assert any(math.isclose(c.value, f["value"], rel_tol=1e-6) for c in covering), f["surface"]


def test_bare_percent_of_lost_number_emits_nothing(results):
    res = results["004_1394d275d59fc066"]
    pos = res.text.index("secara otomatis % panggilan") + len("secara otomatis ")
    assert res.text[pos] == "%"
    assert not [c for c in res.claims if c.start <= pos < c.end]
    # and the sentence's only figures are the 60% and the 36%
    sent = [c for c in res.claims if c.sentence[0] <= pos < c.sentence[1]]
    assert [(c.text, c.value) for c in sent] == [("60%", 60.0), ("36%", 36.0)]


def test_dates_thresholds_and_lookbacks_are_not_claims(results):
    en = results["000_76fd66fdbd55d08e"]
    idn = results["004_1394d275d59fc066"]
    for res, surface in [
        (en, "99%"),          # "continuously above 99%"
        (idn, "99%"),         # "lebih tinggi dari 99%"
        (idn, "2024-07-22"),  # the date line
        (idn, "22"),          # "Pada tanggal 22 Juli"
        (en, "7"),            # "August 7th"
    ]:
        assert surface not in {c.text for c in res.claims}, surface
    assert all(c.value not in (2023.0, 2024.0) for r in (en, idn) for c in r.claims)
    look = idn.text.index("tiga tahun terakhir")
    assert not [c for c in idn.claims if c.start <= look < c.end]


def test_languages_and_publication_dates(results):
    en = results["000_76fd66fdbd55d08e"]
    idn = results["004_1394d275d59fc066"]
    assert (en.lang, idn.lang) == ("en", "id")
    assert en.published is None          # the page says only "August 7th"
    assert idn.published == "2024-07-22"


def test_crossval_of_the_seeds(results):
    report = cbafacts.cross_validate(results.values()).to_dict()
    checks = {(c["metric"], c["period"], c["reading"]): c for c in report["checks"]}
    rs = checks[("remote_banking.renamed_share", "2023", "pp")]
    assert rs["derived"] == pytest.approx(40.0) and rs["status"] == "agrees"
    rel = checks[("remote_banking.renamed_share", "2023", "relative")]
    assert rel["derived"] == pytest.approx(44 / 1.04, abs=1e-4) and rel["status"] == "disagrees"
    car = checks[("service.call_answer_rate", "2023", "pp")]
    assert car["derived"] == pytest.approx(92.88) and car["status"] == "agrees"
    car_rel = checks[("service.call_answer_rate", "2023", "relative")]
    assert car_rel["derived"] == pytest.approx(94.18 / 1.013, abs=1e-4) and car_rel["status"] == "disagrees"
    repeats = {(r["metric"], tuple(r["periods"])) for r in report["repeats"]}
    assert ("service.customer_satisfaction", ("2023", "2024")) in repeats
    facts = {(f["metric"], f["period"]): f for f in report["facts"]}
    assert facts[("service.customer_satisfaction", "2023")]["value"] == 99.46
    assert facts[("service.customer_satisfaction", "2024")]["value"] == 99.46
    assert not report["summary"]["conflicts"]
