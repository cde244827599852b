"""Tests of cbafacts.crossval on hand-made extraction results.

Every expected number below was worked out by hand; the arithmetic is in
the comments.
"""
from __future__ import annotations

import itertools
import json
import math
import random
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbafacts.crossval import CrossValReport, cross_validate, values_agree
from cbafacts.model import ArticleResult

EN = "000_76fd66fdbd55d08e"
ID = "004_1394d275d59fc066"

RENAMED = "remote_banking.renamed_share"
ANSWER = "service.call_answer_rate"
SATISF = "service.customer_satisfaction"
AGENTS = "staff.customer_service_agents"


def claim(
    metric: str | None,
    value: float,
    *,
    start: int,
    unit: str = "percent",
    period: str | None = "2024",
    precision: float = 1.0,
    kind: str = "level",
    direction: str | None = None,
    baseline: str | None = None,
    sentence: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A claim record as written by ``cbafacts extract``."""
    text = f"{value:g}"
    end = start + len(text)
    return {
        "text": text,
        "start": start,
        "end": end,
        "sentence": list(sentence or (start, end)),
        "value": float(value),
        "unit": unit,
        "kind": kind,
        "direction": direction,
        "baseline": baseline,
        "metric": metric,
        "period": period,
        "confidence": 0.9,
        "qualifier": None,
        "precision": precision,
    }


def change(
    metric: str,
    value: float,
    *,
    start: int,
    direction: str = "up",
    baseline: str = "2023",
    unit: str = "percent",
    period: str = "2024",
    precision: float = 1.0,
    sentence: tuple[int, int] | None = None,
) -> dict[str, Any]:
    return claim(
        metric,
        value,
        start=start,
        unit=unit,
        period=period,
        precision=precision,
        kind="change",
        direction=direction,
        baseline=baseline,
        sentence=sentence,
    )


def article(aid: str, claims: list[dict[str, Any]], lang: str = "en") -> dict[str, Any]:
    """An output record of ``cbafacts extract``."""
    return {
        "id": aid,
        "source": f"corpus/raw/{aid}.txt",
        "lang": lang,
        "lang_confidence": 0.99,
        "backend": "test",
        "published": None,
        "text": "x" * 1000,
        "claims": claims,
        "error": None,
    }


def error_record(aid: str) -> dict[str, Any]:
    return {
        "id": aid,
        "source": aid,
        "lang": None,
        "claims": [],
        "error": {"type": "empty", "message": "empty article"},
    }


def seeds() -> list[dict[str, Any]]:
    """The two seed articles, reduced to the claims that matter here."""
    en = article(
        EN,
        [
            claim(RENAMED, 44, start=221, sentence=(82, 257)),
            change(RENAMED, 4, start=226, sentence=(82, 257)),
            claim(ANSWER, 94.18, start=400, precision=0.01, sentence=(380, 470)),
            change(ANSWER, 1.3, start=420, precision=0.1, sentence=(380, 470)),
            claim(SATISF, 99.46, start=500, precision=0.01),
        ],
    )
    idn = article(
        ID,
        [
            claim(RENAMED, 40, start=100, period="2023"),
            claim(ANSWER, 92.88, start=200, period="2023", precision=0.01),
            claim(SATISF, 99.46, start=300, period="2023", precision=0.01),
            claim(AGENTS, 41700, start=400, unit="count", period="2023", sentence=(390, 480)),
            change(
                AGENTS,
                4.79,
                start=450,
                direction="down",
                baseline="2022",
                period="2023",
                precision=0.01,
                sentence=(390, 480),
            ),
        ],
        lang="id",
    )
    return [en, idn]


def by(items: list[dict[str, Any]], **want: Any) -> list[dict[str, Any]]:
    return [it for it in items if all(it.get(k) == v for k, v in want.items())]


def one(items: list[dict[str, Any]], **want: Any) -> dict[str, Any]:
    found = by(items, **want)
    assert len(found) == 1, (want, found)
    return found[0]


# --------------------------------------------------------------------------
# agreement
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,pa,b,pb,expected",
    [
        (99.46, 0.01, 99.5, 0.1, True),  # 99.5 stands for [99.45, 99.55]
        (98.46, 0.01, 99.46, 0.01, False),
        (92.88, 0.01, 92.9, 0.1, True),
        (92.88, 0.01, 92.89, 0.01, False),
        (44.0, 1.0, 44.4, 0.1, True),
        (44.0, 1.0, 44.6, 0.1, False),
        (723e6, 1e6, 723.4e6, 1e5, True),
    ],
)
def test_values_agree(a: float, pa: float, b: float, pb: float, expected: bool) -> None:
    assert values_agree(a, pa, b, pb) is expected
    assert values_agree(b, pb, a, pa) is expected


# --------------------------------------------------------------------------
# the seeds
# --------------------------------------------------------------------------


def test_seeds_facts_are_single() -> None:
    rep = cross_validate(seeds()).to_dict()
    keys = [(f["metric"], f["period"]) for f in rep["facts"]]
    assert keys == [
        ("remote_banking.renamed_share", "2023"),
        ("remote_banking.renamed_share", "2024"),
        ("service.call_answer_rate", "2023"),
        ("service.call_answer_rate", "2024"),
        ("service.customer_satisfaction", "2023"),
        ("service.customer_satisfaction", "2024"),
        ("staff.customer_service_agents", "2023"),
    ]
    assert all(f["status"] == "single" for f in rep["facts"])
    f = one(rep["facts"], metric=ANSWER, period="2023")
    assert f["value"] == 92.88
    assert f["claims"] == [
        {"id": ID, "lang": "id", "start": 200, "end": 205, "value": 92.88, "precision": 0.01}
    ]
    assert rep["summary"]["facts"] == {"total": 7, "confirmed": 0, "single": 7, "conflict": 0}


def test_seeds_renamed_share_pp_agrees_relative_disagrees() -> None:
    rep = cross_validate(seeds()).to_dict()
    pp = one(rep["derived"], metric=RENAMED, reading="pp")
    rel = one(rep["derived"], metric=RENAMED, reading="relative")
    # pp: 44 - 4 = 40, tolerance 1/2 + 1/2 = 1
    assert pp["period"] == "2023" and pp["value"] == 40.0 and pp["tolerance"] == 1.0
    assert pp["from"] == {"id": EN, "start": 226, "end": 227}
    assert pp["level_from"] == {"id": EN, "start": 221, "end": 223}
    assert pp["level_source"] == "article"
    assert pp["change"] == 4.0 and pp["level"] == 44.0
    # relative: 44 / 1.04 = 42.307692; tolerance 0.5/1.04 + 44*0.005/1.04**2
    #   = 0.480769 + 0.203402 = 0.684172
    assert rel["value"] == pytest.approx(42.307692, abs=1e-6)
    assert rel["tolerance"] == pytest.approx(0.684172, abs=1e-6)

    ck_pp = one(rep["checks"], metric=RENAMED, reading="pp")
    assert ck_pp["status"] == "agrees"
    assert ck_pp["derived"] == 40.0 and ck_pp["reported"] == 40.0
    assert ck_pp["difference"] == 0.0
    assert ck_pp["tolerance"] == 1.5  # 1 + 1/2
    assert ck_pp["reported_by"] == [ID]
    ck_rel = one(rep["checks"], metric=RENAMED, reading="relative")
    # |42.307692 - 40| = 2.307692 > 0.684172 + 0.5
    assert ck_rel["status"] == "disagrees"
    assert ck_rel["difference"] == pytest.approx(2.307692, abs=1e-6)
    assert ck_rel["tolerance"] == pytest.approx(1.184172, abs=1e-6)

    verdict = one(rep["readings"], metric=RENAMED)
    assert verdict == {
        "from": {"id": EN, "start": 226, "end": 227},
        "metric": RENAMED,
        "period": "2023",
        "agrees": ["pp"],
        "disagrees": ["relative"],
        "unchecked": [],
    }


def test_seeds_call_answer_rate() -> None:
    rep = cross_validate(seeds()).to_dict()
    pp = one(rep["derived"], metric=ANSWER, reading="pp")
    # 94.18 - 1.3 = 92.88; tolerance 0.01/2 + 0.1/2 = 0.055
    assert pp["value"] == 92.88
    assert pp["tolerance"] == pytest.approx(0.055, abs=1e-9)
    rel = one(rep["derived"], metric=ANSWER, reading="relative")
    # 94.18 / 1.013 = 92.971372; tolerance 0.005/1.013 + 94.18*0.0005/1.013**2
    #   = 0.004936 + 0.045889 = 0.050825
    assert rel["value"] == pytest.approx(92.971372, abs=1e-6)
    assert rel["tolerance"] == pytest.approx(0.050825, abs=1e-6)
    assert one(rep["checks"], metric=ANSWER, reading="pp")["status"] == "agrees"
    ck = one(rep["checks"], metric=ANSWER, reading="relative")
    # |92.971372 - 92.88| = 0.091372 > 0.050825 + 0.005
    assert ck["status"] == "disagrees"
    verdict = one(rep["readings"], metric=ANSWER)
    assert verdict["agrees"] == ["pp"] and verdict["disagrees"] == ["relative"]


def test_seeds_agents_relative_only_and_unchecked() -> None:
    rep = cross_validate(seeds()).to_dict()
    ds = by(rep["derived"], metric=AGENTS)
    assert [d["reading"] for d in ds] == ["relative"]
    d = ds[0]
    # 41700 / (1 - 0.0479) = 41700 / 0.9521 = 43797.920386
    assert d["period"] == "2022" and d["direction"] == "down"
    assert d["value"] == pytest.approx(43797.920386, abs=1e-5)
    # tolerance 0.5/0.9521 + 41700*0.00005/0.9521**2 = 0.525155 + 2.300071
    assert d["tolerance"] == pytest.approx(2.825226, abs=1e-5)
    assert by(rep["checks"], metric=AGENTS) == []
    verdict = one(rep["readings"], metric=AGENTS)
    assert verdict["agrees"] == [] and verdict["disagrees"] == []
    assert verdict["unchecked"] == ["relative"]


def test_seeds_repeat_and_summary() -> None:
    rep = cross_validate(seeds()).to_dict()
    assert rep["repeats"] == [
        {
            "metric": SATISF,
            "value": 99.46,
            "periods": ["2023", "2024"],
            "articles": [EN, ID],
            "note": "same value reported for several periods; "
            "check whether a figure was carried over",
        }
    ]
    s = rep["summary"]
    assert s["articles"] == 2 and s["skipped"] == 0
    assert s["derived"] == 5  # 2 renamed_share, 2 call_answer_rate, 1 agents
    assert s["checks"] == {"total": 4, "agrees": 2, "disagrees": 2}
    assert s["repeats"] == 1 and s["conflicts"] == []


# --------------------------------------------------------------------------
# statuses
# --------------------------------------------------------------------------


def test_confirmed_across_two_articles() -> None:
    rep = cross_validate(
        [
            article("a", [claim(SATISF, 99.46, start=10, precision=0.01)]),
            article("b", [claim(SATISF, 99.46, start=5, precision=0.01)], lang="zh"),
        ]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "confirmed" and f["value"] == 99.46
    assert f["articles"] == ["a", "b"]
    assert [(c["id"], c["lang"]) for c in f["claims"]] == [("a", "en"), ("b", "zh")]
    assert f["values"] == [
        {"value": 99.46, "precision": 0.01, "articles": ["a", "b"], "mentions": 2, "cluster": 0}
    ]


def test_same_article_twice_is_single() -> None:
    # headline and body repeat the figure: still one article
    rep = cross_validate(
        [article("a", [claim(SATISF, 99.46, start=1, precision=0.01),
                       claim(SATISF, 99.46, start=90, precision=0.01)])]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "single" and len(f["claims"]) == 2


def test_conflict() -> None:
    rep = cross_validate(
        [
            article("a", [claim(SATISF, 99.46, start=10, precision=0.01)]),
            article("b", [claim(SATISF, 98.46, start=10, precision=0.01)]),
            article("c", [claim(SATISF, 99.46, start=10, precision=0.01)]),
        ]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "conflict"
    assert f["value"] == 99.46  # two articles against one
    assert f["articles"] == ["a", "c"]
    assert [(v["value"], v["articles"], v["cluster"]) for v in f["values"]] == [
        (99.46, ["a", "c"], 0),
        (98.46, ["b"], 1),
    ]
    assert rep["summary"]["conflicts"] == [{"metric": SATISF, "period": "2024"}]
    assert rep["summary"]["facts"]["conflict"] == 1


def test_conflict_tie_takes_smaller_value() -> None:
    rep = cross_validate(
        [
            article("a", [claim(SATISF, 99.46, start=10, precision=0.01)]),
            article("b", [claim(SATISF, 98.46, start=10, precision=0.01)]),
        ]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "conflict" and f["value"] == 98.46


def test_agree_at_written_precision() -> None:
    rep = cross_validate(
        [
            article("a", [claim(SATISF, 99.5, start=10, precision=0.1)]),
            article("b", [claim(SATISF, 99.46, start=10, precision=0.01)]),
        ]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "confirmed"
    assert f["value"] == 99.46  # the most precise
    assert f["precision"] == 0.01
    assert [v["cluster"] for v in f["values"]] == [0, 0]


def test_agreement_is_not_transitive() -> None:
    # 99.46 ~ 99.5 ~ 99.54, but |99.54 - 99.46| = 0.08 > 0.005
    rep = cross_validate(
        [
            article("a", [claim(SATISF, 99.46, start=1, precision=0.01)]),
            article("b", [claim(SATISF, 99.5, start=1, precision=0.1)]),
            article("c", [claim(SATISF, 99.54, start=1, precision=0.01)]),
        ]
    ).to_dict()
    (f,) = rep["facts"]
    assert f["status"] == "conflict"
    # clusters {99.46, 99.5} and {99.5, 99.54} tie on 2 articles: the smaller
    # value wins; 99.54 is left on its own
    assert f["value"] == 99.46
    assert [(v["value"], v["cluster"]) for v in f["values"]] == [
        (99.46, 0),
        (99.5, 0),
        (99.54, 1),
    ]


# --------------------------------------------------------------------------
# derived values and checks
# --------------------------------------------------------------------------


def test_pp_change_gives_pp_only() -> None:
    rep = cross_validate(
        [
            article(
                "a",
                [
                    claim(RENAMED, 40, start=10, period="2023"),
                    change(RENAMED, 10, start=20, unit="pp", period="2023", baseline="2022"),
                ],
            ),
            article("b", [claim(RENAMED, 30, start=10, period="2022")]),
        ]
    ).to_dict()
    (d,) = rep["derived"]
    assert d["reading"] == "pp" and d["value"] == 30.0 and d["period"] == "2022"
    (ck,) = rep["checks"]
    assert ck["status"] == "agrees" and ck["reported_by"] == ["b"]
    assert rep["readings"][0]["agrees"] == ["pp"]


def test_level_from_fact_when_article_has_none() -> None:
    # article a states only the change; the 2024 level comes from b and c
    rep = cross_validate(
        [
            article("a", [change(RENAMED, 4, start=50)]),
            article("b", [claim(RENAMED, 44, start=10)]),
            article("c", [claim(RENAMED, 44, start=10), claim(RENAMED, 40, start=30, period="2023")]),
        ]
    ).to_dict()
    pp = one(rep["derived"], reading="pp")
    assert pp["level_source"] == "fact"
    assert pp["level_from"] == {"metric": RENAMED, "period": "2024"}
    assert pp["value"] == 40.0
    assert one(rep["checks"], reading="pp")["status"] == "agrees"


def test_no_level_no_derived() -> None:
    rep = cross_validate([article("a", [change(RENAMED, 4, start=50)])]).to_dict()
    assert rep["derived"] == [] and rep["checks"] == [] and rep["readings"] == []


def test_own_article_level_preferred_over_fact() -> None:
    rep = cross_validate(
        [
            article("a", [claim(RENAMED, 44, start=10), change(RENAMED, 4, start=20, unit="pp")]),
            article("b", [claim(RENAMED, 50, start=10)]),
            article("c", [claim(RENAMED, 50, start=10)]),
        ]
    ).to_dict()
    (d,) = rep["derived"]
    assert d["level"] == 44.0 and d["level_source"] == "article" and d["value"] == 40.0


def test_ontology_units_override_inference() -> None:
    arts = [
        article("a", [claim(RENAMED, 44, start=10), change(RENAMED, 4, start=20)]),
    ]
    inferred = cross_validate(arts).to_dict()
    assert [d["reading"] for d in inferred["derived"]] == ["pp", "relative"]
    forced = cross_validate(arts, ontology_units={RENAMED: "count"}).to_dict()
    assert [d["reading"] for d in forced["derived"]] == ["relative"]


def test_count_change_written_as_count_is_absolute() -> None:
    centers = "remote_banking.renamed_centers"
    rep = cross_validate(
        [
            article(
                "a",
                [
                    claim(centers, 37, start=1, unit="count"),
                    change(centers, 6, start=10, unit="count"),
                    claim(centers, 31, start=30, unit="count", period="2023"),
                ],
            )
        ]
    ).to_dict()
    (d,) = rep["derived"]
    assert d["reading"] == "absolute" and d["value"] == 31.0
    assert rep["checks"][0]["status"] == "agrees"


def test_checks_against_every_cluster_of_a_conflict() -> None:
    # 2023 is reported as 40 by b and 42 by c; 44 - 4pp = 40 fits b only
    rep = cross_validate(
        [
            article("a", [claim(RENAMED, 44, start=10), change(RENAMED, 4, start=20, unit="pp")]),
            article("b", [claim(RENAMED, 40, start=10, period="2023")]),
            article("c", [claim(RENAMED, 42, start=10, period="2023")]),
        ]
    ).to_dict()
    checks = rep["checks"]
    assert [(c["reported"], c["cluster"], c["status"]) for c in checks] == [
        (40.0, 0, "agrees"),
        (42.0, 1, "disagrees"),
    ]
    assert all(c["fact_status"] == "conflict" for c in checks)
    assert rep["readings"][0]["agrees"] == ["pp"]


def test_derived_does_not_confirm() -> None:
    rep = cross_validate(
        [
            article("a", [claim(RENAMED, 44, start=10), change(RENAMED, 4, start=20, unit="pp")]),
            article("b", [claim(RENAMED, 40, start=10, period="2023")]),
        ]
    ).to_dict()
    f = one(rep["facts"], period="2023")
    assert f["status"] == "single"


# --------------------------------------------------------------------------
# input handling and determinism
# --------------------------------------------------------------------------


def test_error_records_skipped() -> None:
    rep = cross_validate([error_record("bad"), *seeds(), error_record("worse")])
    assert rep.summary.skipped == 2 and rep.summary.articles == 2
    assert rep.to_dict()["facts"] == cross_validate(seeds()).to_dict()["facts"]


def test_dict_input_equals_object_input() -> None:
    dicts = [*seeds(), error_record("bad")]
    objs = [ArticleResult.from_dict(d) for d in dicts]
    mixed = [objs[0], dicts[1], dicts[2]]
    expected = cross_validate(dicts).to_json()
    assert cross_validate(objs).to_json() == expected
    assert cross_validate(mixed).to_json() == expected
    assert cross_validate(iter(dicts)).to_json() == expected


def _many() -> list[dict[str, Any]]:
    return [
        *seeds(),
        article("zh1", [claim(RENAMED, 40, start=3, period="2023"),
                        claim(SATISF, 99.5, start=9, precision=0.1)], lang="zh"),
        article("de1", [claim(SATISF, 98.46, start=3, precision=0.01),
                        change(RENAMED, 4, start=40, unit="pp")], lang="de"),
        error_record("bad"),
    ]


def test_output_independent_of_article_order() -> None:
    arts = _many()
    expected = cross_validate(arts).to_json()
    for perm in itertools.permutations(arts):
        assert cross_validate(list(perm)).to_json() == expected


def test_output_independent_of_claim_order() -> None:
    arts = _many()
    expected = cross_validate(arts).to_json()
    rng = random.Random(7)
    for _ in range(10):
        shuffled = []
        for a in arts:
            a = dict(a)
            a["claims"] = rng.sample(a["claims"], len(a["claims"]))
            shuffled.append(a)
        assert cross_validate(shuffled).to_json() == expected


def test_report_is_json_and_stable() -> None:
    rep = cross_validate(_many())
    assert isinstance(rep, CrossValReport)
    text = rep.to_json()
    assert json.loads(text) == rep.to_dict()
    assert json.loads(rep.to_json(indent=None)) == rep.to_dict()
    # one line per part of the report and per record in it
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert lines[1] == '  "facts": ['
    assert len(lines) == 2 + sum(2 + len(v) if isinstance(v, list) and v else 1
                                 for v in rep.to_dict().values())
    for line in lines[2:2 + len(rep.facts)]:
        assert json.loads(line.strip().rstrip(","))["metric"]
    assert list(rep.to_dict()) == ["facts", "derived", "checks", "readings", "repeats", "summary"]
    assert "-0.0" not in text and "NaN" not in text


@pytest.mark.parametrize("n", [1, 3, 2500])
def test_records_written_in_one_call_equal_one_call_each(n) -> None:
    # the raw mark between records must not be confused with any text of a
    # record: ids holding the mark byte, commas, quotes, braces, newlines
    import orjson

    from cbafacts.crossval import _MARK, _dumps_lines

    odd = ["x\x01y", ",\x01,", '"},{"', "a\nb", "\\", "é中文", ""]
    records = [{"id": odd[i % len(odd)] + str(i), "start": i, "value": i / 7, "from": {"id": odd[-i % len(odd)]}}
               for i in range(n)]
    sep = b",\n    "
    got = bytes(_dumps_lines(records, sep))  # a view (no copy) for many records
    assert got == sep.join(orjson.dumps(r) for r in records)
    assert _MARK not in got
    assert [json.loads(line.strip().rstrip(",")) for line in got.decode().split("\n")] == records


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                          st.sampled_from([0.0, -0.0, 1e-7, -1e-7, 0.5e-6, 2.5, -2.5, 1e300])),
                max_size=60))
@settings(max_examples=200, deadline=None)
def test_memo_num_answers_as_num(xs) -> None:
    """The remembering rounding gives what _num gives, repeats included,
    and keeps no -0.0 (a 0.0 met first does not hide the sign rule)."""
    from cbafacts.crossval import _memo_num, _num

    num = _memo_num()
    for x in xs + xs[::-1]:
        got, want = num(x), _num(x)
        assert (got == want or (math.isnan(got) and math.isnan(want)))
        assert math.copysign(1.0, got) == math.copysign(1.0, want)


def test_record_maker_makes_what_make_makes() -> None:
    from cbafacts.crossval import FactClaim, _Row, record_maker

    fields = ("a#1", "en", 3, 9, 41.7, 0.1)
    made = record_maker(FactClaim)(fields)
    assert type(made) is FactClaim and made == FactClaim._make(fields) and made.end == 9
    row = tuple(range(len(_Row._fields)))
    assert record_maker(_Row)(row)._asdict() == _Row._make(row)._asdict()


def test_write_json_writes_to_json_bytes(tmp_path) -> None:
    rep = cross_validate(_many())
    path = tmp_path / "report.json"
    with open(path, "wb") as fh:
        rep.write_json(fh)
    assert path.read_bytes() == rep.to_json_bytes() == rep.to_json().encode()
    with open(path, "wb") as fh:
        rep.write_json(fh, indent=None)
    assert path.read_bytes() == rep.to_json_bytes(indent=None)


def test_claims_without_metric_or_period_ignored() -> None:
    rep = cross_validate(
        [article("a", [claim(None, 12, start=1), claim(SATISF, 99.46, start=5, period=None)])]
    ).to_dict()
    assert rep["facts"] == [] and rep["summary"]["facts"]["total"] == 0


def test_empty_input() -> None:
    rep = cross_validate([]).to_dict()
    assert rep["facts"] == [] and rep["summary"]["articles"] == 0


def test_changes_without_baseline_or_direction_give_nothing() -> None:
    # one usable change (44% in 2024, up 4 points from 2023 -> 40 in 2023)
    # beside changes no value can be derived from: no baseline, a baseline
    # equal to the period, no direction; they may sit in any order
    bad = claim(RENAMED, 2, start=60, kind="change", direction="up", baseline=None)
    same = change(RENAMED, 3, start=70, baseline="2024")
    flat = claim(RENAMED, 5, start=80, kind="change", direction=None, baseline="2023")
    for extra in itertools.permutations([bad, same, flat]):
        rep = cross_validate([article("a", [claim(RENAMED, 44, start=1), change(RENAMED, 4, start=10,
                                                                                unit="pp"), *extra])])
        derived = rep.to_dict()["derived"]
        assert [(d["period"], d["value"], d["reading"], d["from"]["start"]) for d in derived] == [
            ("2023", 40.0, "pp", 10)
        ]


def test_no_garbage_collection_while_building_and_writing() -> None:
    # the records form no cycles; the cyclic collector walking a million of
    # them again and again was a third of the time of a large report
    import gc

    from cbafacts.crossval import _row_of

    arts = [article(f"a{i:04d}", [claim(RENAMED, 44, start=1), change(RENAMED, 4, start=10, unit="pp"),
                                  claim(ANSWER, 90 + i % 7, start=30, period="2023")])
            for i in range(600)]
    rows = [_row_of(a["id"], a["lang"], ArticleResult.from_dict(a).claims[k])
            for a in arts for k in range(3)]
    from cbafacts.crossval import cross_validate_rows

    runs: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        # a collection started from inside cross-validation or writing
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name in ("cross_validate_rows", "_json_chunks", "_build_fact"):
                runs.append(f"{phase} in {frame.f_code.co_name}")
                return
            frame = frame.f_back

    gc.callbacks.append(note)
    try:
        rep = cross_validate_rows(rows, articles=600, skipped=0)
        rep.to_json_bytes()
    finally:
        gc.callbacks.remove(note)
    assert runs == []
    assert len(rep.derived) == 600 and gc.isenabled()


def test_garbage_collector_restored() -> None:
    import gc

    assert gc.isenabled()
    rep = cross_validate(_many())
    rep.to_json_bytes()
    assert gc.isenabled()
    gc.disable()
    try:
        cross_validate(_many())
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
    from cbafacts.crossval import cross_validate_rows

    with pytest.raises(AttributeError):  # fails inside, with the collector off
        cross_validate_rows([("not a row",)], articles=1, skipped=0)  # type: ignore[list-item]
    assert gc.isenabled()


def test_no_gc_nests_and_restores_the_collector() -> None:
    import gc

    from cbafacts.crossval import no_gc

    was = gc.isenabled()
    gc.enable()
    try:
        with no_gc():
            assert not gc.isenabled()
            with no_gc():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner one leaves it off for the outer
        assert gc.isenabled()
        gc.disable()
        with no_gc():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable() if was else gc.disable()
