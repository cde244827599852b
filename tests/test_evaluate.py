"""Tests of cbafacts.evaluate: the scorer on hand-made gold and predictions,
and the ``evaluate`` command line.

Every expected number was worked out by hand from the cases below; the
arithmetic is in the comments. Gold A (en) has 4 facts, gold B (id) 3.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cbafacts import evaluate as ev
from cbafacts.evaluate import evaluate, main
from cbafacts.model import precision_of

CENTERS = "remote_banking.renamed_centers"
SHARE = "remote_banking.renamed_share"
ANSWER = "service.call_answer_rate"
SATISF = "service.customer_satisfaction"
AGENTS = "staff.customer_service_agents"

TEXT_A = ("Banks: 44% renamed\n"
          "In 2024, 37 banks renamed their centers, 44% of all, a 4% increase compared to 2023. "
          "The answer rate was 94.18%.")
TEXT_B = ("Pada akhir tahun 2023, terdapat 41,700 petugas, turun 4,79% dari tahun sebelumnya. "
          "Tingkat kepuasan mencapai 99,46%.")
BODY = TEXT_A.index("In 2024")


def fact(text: str, surface: str, metric: str | None, value: float | None, *, unit: str = "percent",
         period: str = "2024", kind: str = "level", direction: str | None = None,
         baseline: str | None = None, after: int = 0) -> dict[str, Any]:
    """A gold fact at the first ``surface`` in ``text`` at or after ``after``."""
    start = text.index(surface, after)
    f = {"metric": metric, "period": period, "kind": kind, "value": value, "unit": unit,
         "surface": surface, "start": start, "end": start + len(surface)}
    if kind == "change":
        f["direction"], f["baseline"] = direction, baseline
    return f


G1 = fact(TEXT_A, "37", CENTERS, 37.0, unit="count")
G2 = fact(TEXT_A, "44%", SHARE, 44.0, after=BODY)           # the body mention, not the headline
G3 = fact(TEXT_A, "4%", SHARE, 4.0, kind="change", direction="up", baseline="2023", after=G2["end"])
G4 = fact(TEXT_A, "94.18%", ANSWER, 94.18)
H1 = fact(TEXT_B, "41,700", AGENTS, 41700.0, unit="count", period="2023")
H2 = fact(TEXT_B, "4,79%", AGENTS, 4.79, period="2023", kind="change", direction="down", baseline="2022")
H3 = fact(TEXT_B, "99,46%", SATISF, 99.46, period="2023")

GOLD_A = {"id": "a", "lang": "en", "text": TEXT_A, "facts": [G1, G2, G3, G4]}
GOLD_B = {"id": "b", "lang": "id", "text": TEXT_B, "facts": [H1, H2, H3]}
GOLD = [GOLD_A, GOLD_B]


def claim(f: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The predicted claim record (formats.md) that says what gold fact ``f`` says."""
    c = {"text": f["surface"], "start": f["start"], "end": f["end"], "sentence": [f["start"], f["end"]],
         "value": f["value"], "unit": f["unit"], "kind": f["kind"], "direction": f.get("direction"),
         "baseline": f.get("baseline"), "metric": f["metric"], "period": f["period"],
         "confidence": 0.9, "qualifier": None, "precision": precision_of(f["surface"])}
    c.update(changes)
    return c


def record(gold: dict[str, Any], claims: list[dict[str, Any]], backend: str = "spacy") -> dict[str, Any]:
    """An output record of ``cbafacts extract`` for a gold article."""
    return {"id": gold["id"], "source": None, "lang": gold["lang"], "lang_confidence": 0.99,
            "backend": backend, "published": None, "text": gold["text"],
            "claims": sorted(claims, key=lambda c: c["start"]), "error": None}


def perfect() -> list[dict[str, Any]]:
    return [record(GOLD_A, [claim(f) for f in GOLD_A["facts"]]),
            record(GOLD_B, [claim(f) for f in GOLD_B["facts"]])]


def counts(report: ev.EvalReport) -> tuple[int, int, int]:
    s = report.facts_scores.overall.score
    return s.tp, s.fp, s.fn


# --------------------------------------------------------------------------
# fact level: the matching rule
# --------------------------------------------------------------------------


def test_perfect_predictions():
    r = evaluate(GOLD, perfect())
    assert counts(r) == (7, 0, 0)
    s = r.facts_scores.overall.score
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    by_lang = {k: (v.articles, v.facts, v.score.tp, v.score.fp, v.score.fn)
               for k, v in r.facts_scores.by_lang.items()}
    assert by_lang == {"en": (1, 4, 4, 0, 0), "id": (1, 3, 3, 0, 0)}
    assert list(r.facts_scores.by_backend) == ["spacy"]
    assert r.facts_scores.by_backend["spacy"].articles == 2
    assert r.errors == ()


def test_empty_predictions():
    # no prediction line at all: every fact missed; P is 0/0 with errors -> 0
    r = evaluate(GOLD, [])
    assert counts(r) == (0, 0, 7)
    s = r.facts_scores.overall.score
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    assert list(r.facts_scores.by_backend) == [ev.MISSING]
    # prediction lines without claims: the same counts, under their backend
    r = evaluate(GOLD, [record(GOLD_A, []), record(GOLD_B, [])])
    assert counts(r) == (0, 0, 7)
    assert r.facts_scores.by_backend["spacy"].score == ev.Score(0, 0, 7)
    assert [e.type for e in r.errors] == ["missed"] * 7


def test_one_wrong_value():
    # 94.2 for 94.18: relative difference 0.02/94.2 > 1e-6 -> one fp and one fn
    preds = perfect()
    preds[0]["claims"][-1]["value"] = 94.2
    r = evaluate(GOLD, preds)
    assert counts(r) == (6, 1, 1)
    s = r.facts_scores.overall.score
    assert s.precision == pytest.approx(6 / 7) and s.recall == pytest.approx(6 / 7)
    assert s.f1 == pytest.approx(6 / 7)
    assert r.facts_scores.by_lang["en"].score == ev.Score(3, 1, 1)
    assert r.facts_scores.by_lang["id"].score == ev.Score(3, 0, 0)
    # the missed fact and the false prediction at one place are one error
    [err] = r.errors
    assert (err.type, err.id, err.lang, err.start) == ("wrong_value", "a", "en", G4["start"])
    assert err.expected["value"] == 94.18 and err.predicted["value"] == 94.2
    assert "94.18%" in err.sentence and err.sentence.startswith("The answer rate")


def test_value_tolerance_is_relative_1e6():
    preds = perfect()
    preds[0]["claims"][-1]["value"] = 94.18 * (1 + 5e-7)      # under 1e-6: a match
    assert counts(evaluate(GOLD, preds)) == (7, 0, 0)
    preds[0]["claims"][-1]["value"] = 94.18 * (1 + 2e-6)      # over: no match
    assert counts(evaluate(GOLD, preds)) == (6, 1, 1)
    assert ev.same_value(44, 44.0) and not ev.same_value(92.88, 92.9)


def test_wrong_metric():
    preds = perfect()
    preds[0]["claims"][1]["metric"] = SATISF              # G2: 44% linked to satisfaction
    r = evaluate(GOLD, preds)
    assert counts(r) == (6, 1, 1)
    assert [(e.type, e.start) for e in r.errors] == [("wrong_metric", G2["start"])]


def test_wrong_period():
    preds = perfect()
    preds[0]["claims"][0]["period"] = "2023"              # G1: 37 banks in 2023
    r = evaluate(GOLD, preds)
    assert counts(r) == (6, 1, 1)
    assert [(e.type, e.start) for e in r.errors] == [("wrong_period", G1["start"])]


def test_wrong_direction_and_kind():
    preds = perfect()
    preds[0]["claims"][2]["direction"] = "down"           # G3 went up
    preds[1]["claims"][0]["kind"] = "change"              # H1 is a level
    preds[1]["claims"][0]["direction"] = "down"
    r = evaluate(GOLD, preds)
    assert counts(r) == (5, 2, 2)
    assert [e.type for e in r.errors] == ["wrong_other", "wrong_other"]


def test_unit_leniency_for_changes_only():
    # a change written "%" in gold and predicted in points matches, both ways
    preds = perfect()
    preds[0]["claims"][2]["unit"] = "pp"                  # G3 (change, percent)
    preds[1]["claims"][1]["unit"] = "pp"                  # H2 (change, percent)
    assert counts(evaluate(GOLD, preds)) == (7, 0, 0)
    gold_pp = [dict(GOLD_A, facts=[G1, G2, dict(G3, unit="pp"), G4]), GOLD_B]
    assert counts(evaluate(gold_pp, perfect())) == (7, 0, 0)
    # a level does not get it: 44 pp is not 44%, 37% is not 37 banks
    preds = perfect()
    preds[0]["claims"][1]["unit"] = "pp"                  # G2 (level, percent)
    preds[0]["claims"][0]["unit"] = "percent"             # G1 (level, count)
    r = evaluate(GOLD, preds)
    assert counts(r) == (5, 2, 2)
    # nor any other pair of units on a change
    preds = perfect()
    preds[0]["claims"][2]["unit"] = "count"               # G3 (change, percent)
    assert counts(evaluate(GOLD, preds)) == (6, 1, 1)


def test_duplicates_counted_once():
    # the headline repeats 44%: same (metric, period, kind, direction, value) -> one prediction
    headline = claim(G2, start=TEXT_A.index("44%"), end=TEXT_A.index("44%") + 3)
    preds = perfect()
    preds[0]["claims"].insert(0, headline)
    r = evaluate(GOLD, preds)
    assert counts(r) == (7, 0, 0)
    assert r.facts_scores.duplicate_predictions == 1
    # a wrong value written twice is one false prediction, even with another unit
    preds = perfect()
    wrong = claim(G4, value=90.0)
    preds[0]["claims"][-1] = wrong
    preds[0]["claims"].append(dict(wrong, start=0, end=3, unit="pp"))
    r = evaluate(GOLD, preds)
    assert counts(r) == (6, 1, 1)
    assert r.facts_scores.duplicate_predictions == 1


def test_article_without_prediction_line():
    # only A predicted: B's 3 facts are missed; P = 4/4, R = 4/7, F1 = 2*(4/7)/(1+4/7) = 8/11
    r = evaluate(GOLD, perfect()[:1])
    assert counts(r) == (4, 0, 3)
    s = r.facts_scores.overall.score
    assert s.precision == 1.0
    assert s.recall == pytest.approx(4 / 7)
    assert s.f1 == pytest.approx(8 / 11)
    by_backend = {k: (v.articles, v.facts, v.score.tp, v.score.fp, v.score.fn)
                  for k, v in r.facts_scores.by_backend.items()}
    assert by_backend == {ev.MISSING: (1, 3, 0, 0, 3), "spacy": (1, 4, 4, 0, 0)}
    assert r.facts_scores.by_lang["id"].score == ev.Score(0, 0, 3)


def test_error_record_counts_as_no_claims():
    preds = perfect()
    preds[1] = {"id": "b", "source": None, "lang": None, "claims": [],
                "error": {"type": "internal", "message": "boom"}}
    r = evaluate(GOLD, preds)
    assert counts(r) == (4, 0, 3)
    assert r.facts_scores.by_backend[ev.ERROR].score == ev.Score(0, 0, 3)


def test_predictions_for_unknown_articles_ignored():
    stray = record({"id": "zz", "lang": "en", "text": TEXT_A}, [claim(G1), claim(G2, value=1.0)])
    r = evaluate(GOLD, perfect() + [stray])
    assert counts(r) == (7, 0, 0)
    assert r.facts_scores.unknown_articles == 1
    assert r.claims.predicted == 7                      # the stray claims are not looked at


def test_first_prediction_line_of_an_id_counts():
    r = evaluate(GOLD, perfect() + [record(GOLD_A, [])])
    assert counts(r) == (7, 0, 0)


def test_null_metric_and_null_value_ignored():
    preds = perfect()
    preds[0]["claims"].append(claim(G4, metric=None, value=12.0, start=BODY, end=BODY + 2))
    preds[0]["claims"].append(claim(G4, value=None, start=BODY + 3, end=BODY + 7))
    r = evaluate(GOLD, preds)
    assert counts(r) == (7, 0, 0)
    assert r.facts_scores.ignored_predictions == 2
    # a gold fact predicted only without a metric is missed; the unscored claim is shown
    preds = perfect()
    preds[0]["claims"][-1]["metric"] = None
    r = evaluate(GOLD, preds)
    assert counts(r) == (6, 0, 1)
    [err] = r.errors
    assert err.type == "missed" and err.predicted["metric"] is None and err.predicted["value"] == 94.18


def test_matching_is_one_to_one():
    # gold lists the same fact twice: one prediction matches one of them
    gold = [dict(GOLD_A, facts=[G1, G1])]
    r = evaluate(gold, [record(GOLD_A, [claim(G1)])])
    assert counts(r) == (1, 0, 1)


def test_gold_facts_without_metric_are_not_scored():
    gold = [dict(GOLD_A, facts=[G1, dict(G2, metric=None)])]
    r = evaluate(gold, [record(GOLD_A, [claim(G1)])])
    assert counts(r) == (1, 0, 0)
    assert r.facts_scores.ignored_gold == 1
    assert r.claims.gold == 2                            # its span still counts for detection


# --------------------------------------------------------------------------
# claim detection
# --------------------------------------------------------------------------


def test_claim_detection_overlap():
    year = TEXT_A.index("2024")
    headline = TEXT_A.index("44%")
    preds = [record(GOLD_A, [
        claim(G1, end=G1["end"] + 6, value=38.0),                    # p1 "37 banks": wrong value
        claim(G2, metric=SATISF),                                   # p2 "44%": wrong metric
        claim(G3, period="2023"),                                   # p3 "4%": wrong period
        claim(G1, start=year, end=year + 4, value=2024.0, metric=None, unit="count"),  # p4 the year
        claim(G2, start=headline, end=headline + 3, metric=None),   # p5 headline repeat, unlinked
        claim(G2, start=G2["start"] - 4, end=G2["start"] + 1, value=4.0),  # p6 overlaps G2 by 1
    ])]                                                              # G4 not predicted
    c = evaluate([GOLD_A], preds).claims
    # p1, p2, p3, p6 overlap gold; p5 repeats G2 (44, percent, level); p4 overlaps and repeats nothing
    assert (c.predicted, c.correct, c.repeats, c.fp) == (6, 4, 1, 1)
    # G1, G2, G3 detected; G4 not
    assert (c.gold, c.detected, c.fn) == (4, 3, 1)
    assert c.precision == pytest.approx(4 / 5) and c.recall == pytest.approx(3 / 4)
    assert c.f1 == pytest.approx(24 / 31)                  # 2 * (4/5) * (3/4) / (4/5 + 3/4)
    # G1 <- p1 (38: wrong), G2 <- p2 (overlap 3 beats p6's 1; 44: right), G3 <- p3 (4: right)
    assert (c.value.correct, c.value.total) == (2, 3)
    # metric: p1 right, p2 wrong, p3 right
    assert (c.linking.correct, c.linking.total) == (2, 3)
    # period, among p1 and p3: p1 right, p3 wrong
    assert (c.period.correct, c.period.total) == (1, 2)
    assert c.confusion == ((CENTERS, CENTERS, 1), (SHARE, SHARE, 1), (SHARE, SATISF, 1))


def test_claim_detection_perfect_with_headline_repeat():
    preds = perfect()
    preds[0]["claims"].insert(0, claim(G2, start=TEXT_A.index("44%"), end=TEXT_A.index("44%") + 3))
    c = evaluate(GOLD, preds).claims
    assert (c.predicted, c.correct, c.repeats, c.fp, c.detected, c.fn) == (8, 7, 1, 0, 7, 0)
    assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------

TEXT_C = "In 2024 the answer rate was 94.18% and satisfaction was 99.46%."
TEXT_D = "In 2024 the answer rate was 94.18% and satisfaction was 98.46%."
C1 = fact(TEXT_C, "94.18%", ANSWER, 94.18)
C2 = fact(TEXT_C, "99.46%", SATISF, 99.46)
D1 = fact(TEXT_D, "94.18%", ANSWER, 94.18)
D2 = fact(TEXT_D, "98.46%", SATISF, 98.46)
GOLD_C = {"id": "c", "lang": "en", "text": TEXT_C, "facts": [C1, C2]}
GOLD_D = {"id": "d", "lang": "en", "text": TEXT_D, "facts": [D1, D2]}


def test_crossval_conflict_found():
    # gold: satisfaction 2024 is 99.46 in c and 98.46 in d: |1.0| > 0.01/2 -> conflict;
    # the answer rate agrees (94.18 twice) -> confirmed
    preds = [record(GOLD_C, [claim(C1), claim(C2)]), record(GOLD_D, [claim(D1), claim(D2)])]
    x = evaluate([GOLD_C, GOLD_D], preds).crossval
    assert x.expected == ((SATISF, "2024"),)
    assert (x.found, x.missed, x.false) == ([(SATISF, "2024")], [], [])
    assert x.gold_summary["facts"] == {"total": 2, "confirmed": 1, "single": 0, "conflict": 1}


def test_crossval_conflict_missed_and_false():
    # d predicted 99.46 (no conflict left: missed) and an answer rate of 93.18
    # (|94.18 - 93.18| = 1 > 0.005: a conflict gold does not have: false)
    preds = [record(GOLD_C, [claim(C1), claim(C2)]),
             record(GOLD_D, [claim(D1, value=93.18), claim(D2, value=99.46)])]
    x = evaluate([GOLD_C, GOLD_D], preds).crossval
    assert x.found == [] and x.missed == [(SATISF, "2024")] and x.false == [(ANSWER, "2024")]
    d = x.to_dict()
    assert (d["expected"], d["found"], d["missed"], d["false"]) == (1, 0, 1, 1)


def test_crossval_precision_of_gold_from_surface():
    # 99.46 and 99.5 agree at the precision written (|0.04| <= 0.1/2): no conflict
    d2 = fact("satisfaction was 99.5%", "99.5%", SATISF, 99.5)
    gold = [GOLD_C, {"id": "e", "lang": "en", "text": "satisfaction was 99.5%", "facts": [d2]}]
    assert evaluate(gold, []).crossval.expected == ()


# --------------------------------------------------------------------------
# errors: the ten worst
# --------------------------------------------------------------------------


def test_worst_errors_order():
    preds = [record(GOLD_A, [
        claim(G1, value=36.0),                    # wrong value, relative error 1/37
        claim(G2, metric=SATISF),                 # wrong metric
        claim(G4, value=50.0),                    # wrong value, relative error 44.18/94.18
        claim(G4, start=0, end=5, value=12.0, metric=ANSWER),   # false: nothing expected at 0-5
    ])]                                           # G3 missed
    r = evaluate([GOLD_A], preds)
    assert counts(r) == (0, 4, 4)
    assert [(e.type, e.start) for e in r.errors] == [
        ("wrong_value", G4["start"]), ("wrong_value", G1["start"]), ("wrong_metric", G2["start"]),
        ("missed", G3["start"]), ("false", 0)]
    assert r.errors[3].predicted is None and r.errors[4].expected is None
    assert r.errors[4].sentence == "Banks: 44% renamed"
    d = r.to_dict()["errors"]
    assert d["total"] == 5
    assert d["by_type"] == {"wrong_value": 2, "wrong_metric": 1, "wrong_period": 0, "wrong_other": 0,
                            "missed": 1, "false": 1}


def test_at_most_ten_errors_listed():
    gold = [{"id": f"x{i:02}", "lang": "en", "text": TEXT_A, "facts": [G1, G2, G3, G4]} for i in range(3)]
    r = evaluate(gold, [])
    assert len(r.errors) == 12
    worst = r.to_dict()["errors"]["worst"]
    assert len(worst) == 10
    # all missed: by article id, then offset
    assert [(w["id"], w["start"]) for w in worst[:5]] == [
        ("x00", G1["start"]), ("x00", G2["start"]), ("x00", G3["start"]), ("x00", G4["start"]),
        ("x01", G1["start"])]


def test_sentence_bounds():
    assert ev.sentence_bounds(TEXT_A, G4["start"], G4["end"]) == (TEXT_A.index("The answer"), len(TEXT_A))
    s, e = ev.sentence_bounds(TEXT_A, G1["start"], G1["end"])
    assert TEXT_A[s:e] == "In 2024, 37 banks renamed their centers, 44% of all, a 4% increase compared to 2023."
    zh = "2024年满意度为99.46%。接通率为94.18%。"
    s, e = ev.sentence_bounds(zh, zh.index("94.18"), zh.index("94.18") + 6)
    assert zh[s:e] == "接通率为94.18%。"


def test_report_is_independent_of_prediction_order():
    preds = perfect()
    preds[0]["claims"][-1]["value"] = 1.0
    a = evaluate(GOLD, preds).to_dict()
    b = evaluate(GOLD, list(reversed(preds))).to_dict()
    assert json.dumps(a) == json.dumps(b)


# --------------------------------------------------------------------------
# running the extractor
# --------------------------------------------------------------------------


class FakeExtractor:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def extract(self, text, id, *, lang=None):
        from cbafacts.model import ArticleResult

        self.calls.append((id, lang))
        return ArticleResult(id=id, source=None, text=text, lang=lang or "en", backend="fake")


def test_predict_detects_language_unless_told():
    fake = FakeExtractor()
    out = ev.predict(GOLD, extractor=fake)
    assert fake.calls == [("a", None), ("b", None)] and [r.id for r in out] == ["a", "b"]
    fake = FakeExtractor()
    ev.predict(GOLD, extractor=fake, lang_from_gold=True)
    assert fake.calls == [("a", "en"), ("b", "id")]


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in GOLD), encoding="utf-8")
    preds = perfect()
    preds[0]["claims"][-1]["value"] = 94.2             # the wrong-value case: tp 6, fp 1, fn 1
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), encoding="utf-8")
    return {"gold": gold, "pred": pred, "dir": tmp_path}


def test_cli_json(files, capsys):
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert list(data) == ["gold", "split", "predictions", "backend", "articles", "gold_facts", "facts",
                          "claims", "crossval", "errors"]
    assert (data["articles"], data["gold_facts"]) == (2, 7)
    assert data["facts"]["overall"] == {"articles": 2, "facts": 7, "tp": 6, "fp": 1, "fn": 1,
                                        "precision": 0.857143, "recall": 0.857143, "f1": 0.857143}
    assert data["facts"]["by_lang"]["en"]["tp"] == 3 and data["facts"]["by_lang"]["en"]["fp"] == 1
    assert data["errors"]["worst"][0]["type"] == "wrong_value"
    # stable: the same input gives the same bytes
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--json"]) == 0
    assert capsys.readouterr().out == out
    # --json FILE writes the same document and prints the table
    path = files["dir"] / "scores.json"
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--json", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == out
    assert "facts (matching rule of formats.md)" in capsys.readouterr().out


def test_cli_table(files, capsys):
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"])]) == 0
    out = capsys.readouterr().out
    assert re.search(r"overall\s+2\s+7\s+6\s+1\s+1\s+0\.857\s+0\.857\s+0\.857", out)
    assert re.search(r"lang id\s+1\s+3\s+3\s+0\s+0\s+1\.000", out)
    assert re.search(r"backend spacy\s+2\s+7", out)
    assert "wrong_value" in out and "The answer rate was 94.18%." in out


def test_cli_split(files, capsys):
    (files["dir"] / "splits.json").write_text(json.dumps({"dev": ["b"], "test": ["a"]}))
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--split", "dev", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["split"] == "dev" and data["articles"] == 1
    assert data["facts"]["overall"]["tp"] == 3 and data["facts"]["overall"]["fp"] == 0
    other = files["dir"] / "other.json"
    other.write_text(json.dumps({"dev": ["a"], "test": ["b", "nope"]}))
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--splits", str(other),
                 "--split", "dev", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["facts"]["overall"]["fp"] == 1
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--splits", str(other),
                 "--split", "test"]) == 2
    assert "[E605]" in capsys.readouterr().err


def test_cli_split_without_split_file(files, capsys):
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--split", "dev"]) == 2
    err = capsys.readouterr().err
    assert "[E603]" in err and "splits.json" in err and "Traceback" not in err


def test_cli_missing_gold(tmp_path, capsys):
    assert main(["--gold", str(tmp_path / "none.jsonl"), "--pred", str(tmp_path / "p.jsonl")]) == 2
    assert "[E601]" in capsys.readouterr().err


def test_cli_html_is_self_contained(files, capsys):
    page = files["dir"] / "out" / "report.html"
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 2
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert "<script" not in text and "<link" not in text
    assert "lang en" in text and "lang id" in text and "0.857" in text
    # deterministic: a second run writes the same page
    again = files["dir"] / "again.html"
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--html", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == text


def test_cli_png(files, capsys):
    png = files["dir"] / "f1.png"
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--png", str(png)]) == 0
    confusion = files["dir"] / "f1.confusion.png"
    for path in (png, confusion):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    first = png.read_bytes()
    assert main(["--gold", str(files["gold"]), "--pred", str(files["pred"]), "--png", str(png)]) == 0
    assert png.read_bytes() == first


def test_cli_unknown_backend(files, capsys):
    assert main(["--gold", str(files["gold"]), "--backend", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "[E402]" in err and "'nosuch'" in err and "spacy" in err and "Traceback" not in err


def test_add_parser_registers_evaluate(files, capsys):
    parser = argparse.ArgumentParser(prog="cbafacts")
    sub = parser.add_subparsers(dest="command", required=True)
    ev.add_parser(sub)
    args = parser.parse_args(["evaluate", "--gold", str(files["gold"]), "--pred", str(files["pred"]), "--json"])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["facts"]["overall"]["tp"] == 6
    args = parser.parse_args(["evaluate", "--gold", str(files["gold"]), "--backend", "nosuch"])
    assert args.func(args) == 2


def test_cli_runs_the_extractor_and_saves_predictions(files, capsys):
    gold = files["dir"] / "seed.jsonl"
    seeds = Path(__file__).resolve().parents[2] / "shared" / "spec" / "seeds_gold.jsonl"
    if not seeds.is_file():
        pytest.skip(f"{seeds} not present")
    gold.write_text(seeds.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    out = files["dir"] / "made.jsonl"
    assert main(["--gold", str(gold), "--backend", "spacy", "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["articles"] == 1 and data["backend"] == "spacy"
    assert list(data["facts"]["by_backend"]) == ["spacy"]
    [rec] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rec["id"] == "000_76fd66fdbd55d08e" and rec["backend"] == "spacy" and rec["lang"] == "en"
    # scoring the saved file gives the same report
    assert main(["--gold", str(gold), "--pred", str(out), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in again.items() if k not in ("predictions", "backend")} == \
           {k: v for k, v in data.items() if k not in ("predictions", "backend")}
