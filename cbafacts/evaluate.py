"""Scoring extraction output against gold annotations: ``cbafacts evaluate``.

Contract: "Gold annotations" and "Matching rule" of ``formats.md``.

The scorer is a set of pure functions over records (gold lines and the
output records of ``cbafacts extract``); the runner around them reads files,
runs :class:`~cbafacts.extract.Extractor` when no predictions are given, and
writes a terminal table, JSON, an HTML page or PNG plots.

What is measured (``evaluate(gold, predictions)``):

- ``facts``: precision, recall and F1 of facts under the matching rule of
  ``formats.md`` (overall, per gold language, per prediction backend). A
  predicted claim matches a gold fact when metric, period, kind and direction
  are equal, the values differ by less than 1e-6 relatively, and the units
  are equal (a change may be ``percent`` on one side and ``pp`` on the
  other). Predicted claims without metric or value are ignored; the rest are
  made unique per article on (metric, period, kind, direction, value).
  Predictions and gold facts are paired one to one (a maximum matching), so
  a unique prediction is counted at most once.
- ``claims``: whether the claims are found at all, linked or not. A gold
  fact is detected when a predicted claim's span overlaps its
  ``[start, end)``; a predicted claim is correct when it overlaps a gold
  fact's span. Gold marks one mention per fact, so a predicted claim that
  overlaps no gold span but repeats a gold fact of its article (same kind,
  same value, compatible unit: a headline repeat) is counted as a
  ``repeat``, neither right nor wrong. On detected gold facts, the
  overlapping prediction (most overlap, then first) is held to the gold
  value (``value``), its metric (``linking``), and, where the metric is
  right, its period (``period``). ``confusion`` counts gold metric against
  predicted metric on detected facts.
- ``crossval``: :func:`cbafacts.crossval.cross_validate` run on the gold
  facts (as claims) and on the predictions; the conflicts of the gold report
  are the expected ones: found, missed, and false conflicts.
- ``errors``: missed gold facts and false predictions. A missed fact and a
  false prediction at the same place are one error (``wrong_metric``,
  ``wrong_value``, ``wrong_period``, ``wrong_other``). The worst come first:
  wrong values (largest relative error first), wrong metrics, wrong periods,
  other wrong attributes, missed facts, false predictions; ties by article
  id and offset.

A ratio with a zero denominator is 1.0 when there is nothing wrong at all
(no gold fact and no prediction) and 0.0 otherwise.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .errors import Errors
from .model import ArticleResult, Claim, precision_of

__all__ = [
    "EvaluateError",
    "Score",
    "FactScores",
    "ClaimScores",
    "CrossvalScores",
    "ErrorCase",
    "EvalReport",
    "load_gold",
    "load_splits",
    "select_split",
    "load_predictions",
    "predict",
    "evaluate",
    "format_table",
    "to_html",
    "plot_f1_by_lang",
    "plot_confusion",
    "figure_png",
    "figure_svg",
    "add_parser",
    "main",
]

#: relative difference under which two values are equal (formats.md)
VALUE_TOLERANCE = 1e-6
#: decimals of ratios in ``to_dict``
DECIMALS = 6
#: how many errors the report lists
N_WORST = 10
#: label of articles that have gold but no prediction line
MISSING = "(missing)"
#: label of articles whose prediction line is an error record
ERROR = "(error)"
#: error types, worst first
ERROR_ORDER = ("wrong_value", "wrong_metric", "wrong_period", "wrong_other", "missed", "false")
#: salt for matplotlib's SVG ids, so the same report gives the same SVG
SVG_SALT = "cbafacts-evaluate"
_SENTENCE_END = re.compile(r"[.!?;](?=\s)|[。！？；]|\n")


class EvaluateError(ValueError):
    """A problem with the evaluation's inputs (gold, split or prediction
    file); the message is coded (``[E6xx] ...``)."""


# --------------------------------------------------------------------------
# scores
# --------------------------------------------------------------------------


def _ratio(num: int, den: int, nothing_wrong: bool) -> float:
    if den:
        return num / den
    return 1.0 if nothing_wrong else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _round(x: float) -> float:
    return round(float(x), DECIMALS) + 0.0


@dataclass(frozen=True)
class Score:
    """Counts of a precision/recall measure.

    tp (int): gold facts matched (each matched to one prediction).
    fp (int): predictions matched to no gold fact.
    fn (int): gold facts matched to no prediction.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, self.fn == 0)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, self.fp == 0)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


@dataclass(frozen=True)
class GroupScore:
    """Fact-level score of a group of articles (a language, a backend).

    articles (int): gold articles in the group.
    facts (int): gold facts in the group (those with metric and value).
    score (Score): the counts.
    """

    articles: int
    facts: int
    score: Score

    def to_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "facts": self.facts, **self.score.to_dict()}


@dataclass(frozen=True)
class FactScores:
    """Fact-level results.

    overall (GroupScore): every gold article.
    by_lang (dict[str, GroupScore]): per gold language, sorted.
    by_backend (dict[str, GroupScore]): per backend of the prediction line
        (``(missing)`` without one, ``(error)`` for an error record), sorted.
    ignored_predictions (int): predicted claims without metric or value.
    duplicate_predictions (int): predicted claims dropped as repeats of the
        same (metric, period, kind, direction, value) in their article.
    ignored_gold (int): gold facts without metric or value (not scored).
    unknown_articles (int): prediction lines for articles without gold.
    """

    overall: GroupScore
    by_lang: dict[str, GroupScore]
    by_backend: dict[str, GroupScore]
    ignored_predictions: int
    duplicate_predictions: int
    ignored_gold: int
    unknown_articles: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_lang": {k: v.to_dict() for k, v in self.by_lang.items()},
            "by_backend": {k: v.to_dict() for k, v in self.by_backend.items()},
            "ignored_predictions": self.ignored_predictions,
            "duplicate_predictions": self.duplicate_predictions,
            "ignored_gold": self.ignored_gold,
            "unknown_articles": self.unknown_articles,
        }


@dataclass(frozen=True)
class Accuracy:
    """correct (int) out of total (int)."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return _ratio(self.correct, self.total, True)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": _round(self.accuracy)}


@dataclass(frozen=True)
class ClaimScores:
    """Claim detection (span overlap) and the attributes of detected claims.

    gold (int): gold facts with a span.
    detected (int): gold facts overlapped by a predicted claim (tp).
    predicted (int): predicted claims, linked or not.
    correct (int): predicted claims overlapping a gold fact.
    repeats (int): predicted claims overlapping no gold fact but repeating
        one (same kind and value, compatible unit); not counted.
    value (Accuracy): detected facts whose overlapping claim has the gold value.
    linking (Accuracy): detected facts whose overlapping claim has the gold metric.
    period (Accuracy): among those with the right metric, the right period.
    confusion (tuple[tuple[str, str | None, int], ...]): (gold metric,
        predicted metric, count) over detected facts, sorted.
    """

    gold: int
    detected: int
    predicted: int
    correct: int
    repeats: int
    value: Accuracy
    linking: Accuracy
    period: Accuracy
    confusion: tuple[tuple[str, str | None, int], ...]

    @property
    def fp(self) -> int:
        return self.predicted - self.correct - self.repeats

    @property
    def fn(self) -> int:
        return self.gold - self.detected

    @property
    def precision(self) -> float:
        return _ratio(self.correct, self.correct + self.fp, self.fn == 0)

    @property
    def recall(self) -> float:
        return _ratio(self.detected, self.gold, self.fp == 0)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "detection": {
                "tp": self.detected,
                "fp": self.fp,
                "fn": self.fn,
                "gold": self.gold,
                "predicted": self.predicted,
                "correct": self.correct,
                "repeats": self.repeats,
                "precision": _round(self.precision),
                "recall": _round(self.recall),
                "f1": _round(self.f1),
            },
            "value": self.value.to_dict(),
            "linking": self.linking.to_dict(),
            "period": self.period.to_dict(),
            "confusion": [{"gold": g, "predicted": p, "count": n} for g, p, n in self.confusion],
        }


@dataclass(frozen=True)
class CrossvalScores:
    """Conflicts of the gold cross-validation against the predicted one.

    expected (tuple[tuple[str, str], ...]): (metric, period) of each
        conflict in the gold report.
    predicted (tuple[tuple[str, str], ...]): the same, in the report over
        the predictions.
    gold_summary (dict): ``summary`` of the gold report.
    predicted_summary (dict): ``summary`` of the predicted report.
    """

    expected: tuple[tuple[str, str], ...]
    predicted: tuple[tuple[str, str], ...]
    gold_summary: Mapping[str, Any] = field(default_factory=dict)
    predicted_summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> list[tuple[str, str]]:
        return sorted(set(self.expected) & set(self.predicted))

    @property
    def missed(self) -> list[tuple[str, str]]:
        return sorted(set(self.expected) - set(self.predicted))

    @property
    def false(self) -> list[tuple[str, str]]:
        return sorted(set(self.predicted) - set(self.expected))

    def to_dict(self) -> dict[str, Any]:
        def pairs(xs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
            return [{"metric": m, "period": p} for m, p in xs]

        return {
            "expected": len(self.expected),
            "found": len(self.found),
            "missed": len(self.missed),
            "false": len(self.false),
            "conflicts": {
                "expected": pairs(self.expected),
                "found": pairs(self.found),
                "missed": pairs(self.missed),
                "false": pairs(self.false),
            },
            "gold_summary": dict(self.gold_summary),
            "predicted_summary": dict(self.predicted_summary),
        }


@dataclass(frozen=True)
class ErrorCase:
    """A missed gold fact, a false prediction, or both at one place.

    type (str): one of ``ERROR_ORDER``.
    id (str): article id.
    lang (str): gold language of the article.
    start (int): offset of the gold fact (else of the prediction).
    end (int): its end.
    expected (dict | None): the gold fact (metric, period, kind, direction,
        value, unit, surface); None for a false prediction.
    predicted (dict | None): the predicted claim (same fields, ``text`` for
        the surface); None for a missed fact.
    sentence (str): the sentence around it, whitespace collapsed.
    magnitude (float): relative value error of a ``wrong_value``, else 0.
    """

    type: str
    id: str
    lang: str
    start: int
    end: int
    expected: Mapping[str, Any] | None
    predicted: Mapping[str, Any] | None
    sentence: str
    magnitude: float = 0.0

    def sort_key(self) -> tuple[Any, ...]:
        return (ERROR_ORDER.index(self.type), -self.magnitude, self.id, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "lang": self.lang,
            "start": self.start,
            "end": self.end,
            "expected": None if self.expected is None else dict(self.expected),
            "predicted": None if self.predicted is None else dict(self.predicted),
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class EvalReport:
    """Everything ``evaluate`` measures.

    articles (int): gold articles evaluated.
    facts (int): gold facts scored.
    facts_scores (FactScores): fact-level P/R/F1.
    claims (ClaimScores): claim detection and attribute accuracy.
    crossval (CrossvalScores): expected and predicted conflicts.
    errors (tuple[ErrorCase, ...]): every error, worst first.
    """

    articles: int
    facts: int
    facts_scores: FactScores
    claims: ClaimScores
    crossval: CrossvalScores
    errors: tuple[ErrorCase, ...]

    def worst(self, n: int = N_WORST) -> list[ErrorCase]:
        return list(self.errors[:n])

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-able dict, keys in a fixed order.

        RETURNS (dict[str, Any]): the report.
        """
        counts = {t: sum(1 for e in self.errors if e.type == t) for t in ERROR_ORDER}
        return {
            "articles": self.articles,
            "gold_facts": self.facts,
            "facts": self.facts_scores.to_dict(),
            "claims": self.claims.to_dict(),
            "crossval": self.crossval.to_dict(),
            "errors": {
                "total": len(self.errors),
                "by_type": counts,
                "worst": [e.to_dict() for e in self.worst()],
            },
        }


# --------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------


@dataclass
class _Gold:
    id: str
    lang: str
    text: str
    facts: list[dict[str, Any]]  # scored facts (metric and value present)
    spans: list[dict[str, Any]]  # every fact with a span (claim detection)
    ignored: int


@dataclass
class _Pred:
    id: str
    backend: str
    lang: str | None
    text: str | None
    claims: list[dict[str, Any]]
    error: bool


def _opt_str(x: Any) -> str | None:
    return None if x is None else str(x)


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


def _gold_record(rec: Mapping[str, Any]) -> _Gold:
    text = rec.get("text") or ""
    facts, spans, ignored = [], [], 0
    for f in rec.get("facts") or ():
        f = dict(f)
        f["period"] = _opt_str(f.get("period"))
        f["baseline"] = _opt_str(f.get("baseline"))
        f.setdefault("direction", None)
        f.setdefault("kind", "level")
        if isinstance(f.get("start"), int) and isinstance(f.get("end"), int):
            spans.append(f)
        if f.get("metric") is None or _num(f.get("value")) is None:
            ignored += 1
            continue
        f["value"] = _num(f["value"])
        facts.append(f)
    return _Gold(str(rec["id"]), str(rec.get("lang") or "und"), text, facts, spans, ignored)


def _pred_record(rec: ArticleResult | Mapping[str, Any]) -> _Pred:
    d = rec.to_dict() if isinstance(rec, ArticleResult) else rec
    error = d.get("error") is not None
    claims = []
    for c in d.get("claims") or ():
        c = dict(c)
        c["period"] = _opt_str(c.get("period"))
        c["baseline"] = _opt_str(c.get("baseline"))
        c.setdefault("direction", None)
        c.setdefault("kind", "level")
        c["value"] = _num(c.get("value"))
        claims.append(c)
    backend = ERROR if error else str(d.get("backend") or MISSING)
    return _Pred(str(d["id"]), backend, d.get("lang"), d.get("text"), claims, error)


# --------------------------------------------------------------------------
# the matching rule
# --------------------------------------------------------------------------


def same_value(a: float | None, b: float | None) -> bool:
    """Whether two values are equal under the matching rule.

    a (float | None): one value.
    b (float | None): the other.
    RETURNS (bool): the relative difference is under 1e-6 (44 and 44.0
        match; 92.88 and 92.9 do not); None matches nothing.
    """
    if a is None or b is None:
        return False
    if a == b:
        return True
    return abs(a - b) < VALUE_TOLERANCE * max(abs(a), abs(b))


def same_unit(pred_unit: Any, gold_unit: Any, kind: Any) -> bool:
    """Whether units match: equal, or ``percent``/``pp`` on a change.

    pred_unit (Any): the predicted unit.
    gold_unit (Any): the gold unit.
    kind (Any): the (common) kind.
    RETURNS (bool): whether they match.
    """
    if pred_unit == gold_unit:
        return True
    return kind == "change" and {pred_unit, gold_unit} == {"percent", "pp"}


def fact_matches(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    """Whether a predicted claim matches a gold fact (``formats.md``).

    pred (Mapping[str, Any]): the predicted claim record.
    gold (Mapping[str, Any]): the gold fact.
    RETURNS (bool): metric, period, kind, direction equal; values equal;
        units equal or a change in ``percent`` vs ``pp``.
    """
    if pred.get("metric") is None or pred.get("metric") != gold.get("metric"):
        return False
    if _opt_str(pred.get("period")) != _opt_str(gold.get("period")):
        return False
    if pred.get("kind", "level") != gold.get("kind", "level"):
        return False
    if pred.get("direction") != gold.get("direction"):
        return False
    if not same_value(_num(pred.get("value")), _num(gold.get("value"))):
        return False
    return same_unit(pred.get("unit"), gold.get("unit"), gold.get("kind", "level"))


@dataclass
class _Unique:
    """A unique prediction: its first claim and every claim with its key."""

    claim: dict[str, Any]
    mentions: list[dict[str, Any]]


def _unique(claims: Sequence[Mapping[str, Any]]) -> tuple[list[_Unique], int, int]:
    """Usable claims made unique on (metric, period, kind, direction, value),
    in text order; also the counts of ignored and duplicate claims."""
    order = sorted(claims, key=lambda c: (c.get("start", 0), c.get("end", 0)))
    seen: dict[tuple[Any, ...], _Unique] = {}
    ignored = dupes = 0
    for c in order:
        if c.get("metric") is None or c.get("value") is None:
            ignored += 1
            continue
        key = (c["metric"], c.get("period"), c.get("kind"), c.get("direction"), float(c["value"]))
        if key in seen:
            seen[key].mentions.append(dict(c))
            dupes += 1
        else:
            seen[key] = _Unique(dict(c), [dict(c)])
    return list(seen.values()), ignored, dupes


def _max_matching(n_left: int, edges: Sequence[Sequence[int]]) -> list[int | None]:
    """Maximum bipartite matching (Kuhn's augmenting paths), deterministic.

    n_left (int): number of left nodes (gold facts).
    edges (Sequence[Sequence[int]]): per left node, the right nodes it may
        pair with, in order of preference.
    RETURNS (list[int | None]): per left node, its right node or None.
    """
    owner: dict[int, int] = {}

    def augment(u: int, seen: set[int]) -> bool:
        for v in edges[u]:
            if v in seen:
                continue
            seen.add(v)
            if v not in owner or augment(owner[v], seen):
                owner[v] = u
                return True
        return False

    for u in range(n_left):
        augment(u, set())
    pairs: list[int | None] = [None] * n_left
    for v, u in owner.items():
        pairs[u] = v
    return pairs


@dataclass
class _ArticleMatch:
    score: Score
    missed: list[dict[str, Any]]
    false: list[_Unique]
    ignored: int
    dupes: int


def _match_article(gold_facts: Sequence[dict[str, Any]], claims: Sequence[Mapping[str, Any]]) -> _ArticleMatch:
    uniq, ignored, dupes = _unique(claims)
    edges = []
    for g in gold_facts:
        exact = [j for j, u in enumerate(uniq) if fact_matches(u.claim, g) and u.claim.get("unit") == g.get("unit")]
        loose = [j for j, u in enumerate(uniq) if fact_matches(u.claim, g) and j not in exact]
        edges.append(exact + loose)
    pairs = _max_matching(len(gold_facts), edges)
    used = {p for p in pairs if p is not None}
    tp = len(used)
    missed = [g for g, p in zip(gold_facts, pairs) if p is None]
    false = [u for j, u in enumerate(uniq) if j not in used]
    return _ArticleMatch(Score(tp, len(false), len(missed)), missed, false, ignored, dupes)


# --------------------------------------------------------------------------
# claim detection
# --------------------------------------------------------------------------


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _overlaps(c: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    try:
        return int(c["start"]) < int(g["end"]) and int(g["start"]) < int(c["end"])
    except (KeyError, TypeError, ValueError):
        return False


def _best_overlap(g: Mapping[str, Any], claims: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    hits = [c for c in claims if _overlaps(c, g)]
    if not hits:
        return None
    return min(hits, key=lambda c: (-_overlap(c["start"], c["end"], g["start"], g["end"]), c["start"], c["end"]))


def _repeats_gold(c: Mapping[str, Any], facts: Sequence[Mapping[str, Any]]) -> bool:
    kind = c.get("kind", "level")
    return any(
        f.get("kind", "level") == kind
        and same_value(_num(c.get("value")), _num(f.get("value")))
        and same_unit(c.get("unit"), f.get("unit"), kind)
        for f in facts
    )


# --------------------------------------------------------------------------
# sentences and error cases
# --------------------------------------------------------------------------


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``: from after the previous
    sentence end (``. `` ``! `` ``? `` ``; `` ``。`` ``！`` ``？`` or a line
    break) to the next one, inclusive of its punctuation.

    text (str): the article text.
    start (int): first code point of the span.
    end (int): one past its last code point.
    RETURNS (tuple[int, int]): ``[start, end)`` of the sentence.
    """
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, max(0, start)):
        left = m.end()
    m = _SENTENCE_END.search(text, max(end, start))
    right = m.end() if m else len(text)
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def _snippet(text: str | None, start: int, end: int, sentence: Sequence[int] | None = None,
             limit: int = 320) -> str:
    if not text:
        return ""
    if sentence and len(sentence) == 2 and 0 <= sentence[0] <= start and end <= sentence[1] <= len(text):
        s0, s1 = int(sentence[0]), int(sentence[1])
    else:
        s0, s1 = sentence_bounds(text, start, end)
    if s1 - s0 > limit:  # keep the figure in the middle of the window
        half = limit // 2
        lo, hi = max(s0, start - half), min(s1, end + half)
        out = ("…" if lo > s0 else "") + text[lo:hi] + ("…" if hi < s1 else "")
    else:
        out = text[s0:s1]
    return " ".join(out.split())


_FIELDS = ("metric", "period", "kind", "direction", "value", "unit")


def _view(rec: Mapping[str, Any], surface_key: str) -> dict[str, Any]:
    d = {k: rec.get(k) for k in _FIELDS}
    if rec.get("kind") == "change":
        d["baseline"] = rec.get("baseline")
    d["surface"] = rec.get(surface_key)
    return d


def _wrong_type(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> tuple[str, float]:
    if pred.get("metric") != gold.get("metric"):
        return "wrong_metric", 0.0
    pv, gv = _num(pred.get("value")), _num(gold.get("value"))
    if not same_value(pv, gv):
        if pv is None or gv is None:
            return "wrong_value", float("inf")
        return "wrong_value", abs(pv - gv) / max(abs(pv), abs(gv))
    if _opt_str(pred.get("period")) != _opt_str(gold.get("period")):
        return "wrong_period", 0.0
    return "wrong_other", 0.0


def _errors(g: _Gold, p: _Pred | None, m: _ArticleMatch) -> list[ErrorCase]:
    text = p.text if p is not None and p.text else g.text
    unscored = [c for c in (p.claims if p is not None else ()) if c.get("metric") is None or c.get("value") is None]
    false = list(m.false)
    out: list[ErrorCase] = []
    for fact in sorted(m.missed, key=lambda f: (f.get("start", -1), f.get("end", -1))):
        start, end = int(fact.get("start", 0)), int(fact.get("end", 0))
        pair = None
        if "start" in fact:
            cands = [(min(c["start"] for c in u.mentions if _overlaps(c, fact)), k)
                     for k, u in enumerate(false) if any(_overlaps(c, fact) for c in u.mentions)]
            if cands:
                pair = false.pop(min(cands)[1])
        if pair is None:  # shown: a claim at the place that is not scored (no metric or value)
            near = _best_overlap(fact, unscored) if "start" in fact else None
            out.append(ErrorCase("missed", g.id, g.lang, start, end, _view(fact, "surface"),
                                 None if near is None else _view(near, "text"), _snippet(g.text, start, end)))
            continue
        mention = next(c for c in pair.mentions if _overlaps(c, fact))
        kind, magnitude = _wrong_type(pair.claim, fact)
        out.append(ErrorCase(kind, g.id, g.lang, start, end, _view(fact, "surface"), _view(mention, "text"),
                             _snippet(g.text, start, end), magnitude))
    for u in false:
        c = u.claim
        start, end = int(c.get("start", 0)), int(c.get("end", 0))
        out.append(ErrorCase("false", g.id, g.lang, start, end, None, _view(c, "text"),
                             _snippet(text, start, end, c.get("sentence"))))
    return out


# --------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------


def _fact_precision(fact: Mapping[str, Any], lang: str) -> float:
    if _num(fact.get("precision")) is not None:
        return float(fact["precision"])
    surface = fact.get("surface") or ""
    try:
        from .numbers import parse

        for mention in parse(surface, lang):
            if same_value(mention.value, _num(fact.get("value"))):
                return float(mention.precision)
    except Exception:  # noqa: BLE001 - the fallback below is always defined
        pass
    return precision_of(surface)


def gold_as_results(gold: Iterable[Mapping[str, Any]]) -> list[ArticleResult]:
    """Gold lines as extraction results, their facts as claims, for
    cross-validation. A fact's precision is its ``precision`` field, else
    that of its surface as read by :func:`cbafacts.numbers.parse`.

    gold (Iterable[Mapping[str, Any]]): gold lines.
    RETURNS (list[ArticleResult]): one result per line, backend ``gold``.
    """
    out = []
    for rec in gold:
        g = _gold_record(rec)
        claims = []
        for f in g.facts:
            start = int(f.get("start", 0))
            end = int(f.get("end", start))
            claims.append(Claim(
                text=str(f.get("surface") or g.text[start:end]),
                start=start,
                end=end,
                sentence=sentence_bounds(g.text, start, end),
                value=float(f["value"]),
                unit=f.get("unit") or "count",
                kind=f.get("kind") or "level",
                direction=f.get("direction"),
                baseline=f.get("baseline"),
                metric=f["metric"],
                period=f.get("period"),
                confidence=1.0,
                precision=_fact_precision(f, g.lang),
            ))
        claims.sort(key=lambda c: (c.start, c.end))
        out.append(ArticleResult(id=g.id, source=None, text=g.text, lang=g.lang, lang_confidence=1.0,
                                 backend="gold", claims=tuple(claims)))
    return out


def _pred_as_result(p: _Pred) -> ArticleResult:
    claims = []
    for c in p.claims:
        if c.get("value") is None:
            continue
        try:
            claims.append(Claim.from_dict({**c, "text": c.get("text") or ""}))
        except (KeyError, TypeError, ValueError):
            continue
    return ArticleResult(id=p.id, source=None, text=p.text, lang=p.lang, backend=p.backend,
                         claims=tuple(claims))


def _crossval(gold: Sequence[Mapping[str, Any]], preds: Sequence[_Pred]) -> CrossvalScores:
    from .crossval import cross_validate

    g_report = cross_validate(gold_as_results(gold))
    p_report = cross_validate([_pred_as_result(p) for p in preds if not p.error])
    return CrossvalScores(
        expected=tuple(g_report.summary.conflicts),
        predicted=tuple(p_report.summary.conflicts),
        gold_summary=g_report.summary.to_dict(),
        predicted_summary=p_report.summary.to_dict(),
    )


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def evaluate(gold: Iterable[Mapping[str, Any]],
             predictions: Iterable[ArticleResult | Mapping[str, Any]]) -> EvalReport:
    """Score predictions against gold (pure: reads and runs nothing).

    gold (Iterable[Mapping[str, Any]]): gold lines (``formats.md``): ``id``,
        ``lang``, ``text``, ``facts``.
    predictions (Iterable[ArticleResult | Mapping[str, Any]]): extraction
        results or their JSON records, any order; the first line of an id
        counts, lines for ids without gold are ignored.
    RETURNS (EvalReport): the scores.
    """
    gold_lines = [dict(r) for r in gold]
    golds = [_gold_record(r) for r in gold_lines]
    gold_ids = {g.id for g in golds}
    preds: dict[str, _Pred] = {}
    unknown = set()
    for rec in predictions:
        p = _pred_record(rec)
        if p.id not in gold_ids:
            unknown.add(p.id)
        elif p.id not in preds:
            preds[p.id] = p

    total = Score()
    by_lang: dict[str, list[Any]] = {}
    by_backend: dict[str, list[Any]] = {}
    ignored = dupes = ignored_gold = 0
    errors: list[ErrorCase] = []
    n_gold_spans = detected = predicted = correct = repeats = 0
    value_ok = link_ok = period_ok = 0
    confusion: dict[tuple[str, str | None], int] = {}

    for g in golds:
        p = preds.get(g.id)
        claims = p.claims if p is not None else []
        m = _match_article(g.facts, claims)
        total += m.score
        ignored += m.ignored
        dupes += m.dupes
        ignored_gold += g.ignored
        backend = p.backend if p is not None else MISSING
        for groups, key in ((by_lang, g.lang), (by_backend, backend)):
            acc = groups.setdefault(key, [0, 0, Score()])
            acc[0] += 1
            acc[1] += len(g.facts)
            acc[2] += m.score
        errors.extend(_errors(g, p, m))

        # claim detection
        n_gold_spans += len(g.spans)
        for f in g.spans:
            c = _best_overlap(f, claims)
            if c is None:
                continue
            detected += 1
            value_ok += same_value(_num(c.get("value")), _num(f.get("value")))
            cell = (str(f.get("metric") or "(none)"), c.get("metric"))
            confusion[cell] = confusion.get(cell, 0) + 1
            if c.get("metric") == f.get("metric"):
                link_ok += 1
                period_ok += c.get("period") == f.get("period")
        for c in claims:
            predicted += 1
            if any(_overlaps(c, f) for f in g.spans):
                correct += 1
            elif _repeats_gold(c, g.facts):
                repeats += 1

    def groups_out(groups: dict[str, list[Any]]) -> dict[str, GroupScore]:
        return {k: GroupScore(v[0], v[1], v[2]) for k, v in sorted(groups.items())}

    facts = FactScores(
        overall=GroupScore(len(golds), sum(len(g.facts) for g in golds), total),
        by_lang=groups_out(by_lang),
        by_backend=groups_out(by_backend),
        ignored_predictions=ignored,
        duplicate_predictions=dupes,
        ignored_gold=ignored_gold,
        unknown_articles=len(unknown),
    )
    claim_scores = ClaimScores(
        gold=n_gold_spans,
        detected=detected,
        predicted=predicted,
        correct=correct,
        repeats=repeats,
        value=Accuracy(value_ok, detected),
        linking=Accuracy(link_ok, detected),
        period=Accuracy(period_ok, link_ok),
        confusion=tuple(sorted(((gm, pm, n) for (gm, pm), n in confusion.items()),
                               key=lambda t: (t[0], t[1] is None, t[1] or ""))),
    )
    errors.sort(key=ErrorCase.sort_key)
    return EvalReport(
        articles=len(golds),
        facts=facts.overall.facts,
        facts_scores=facts,
        claims=claim_scores,
        crossval=_crossval(gold_lines, [preds[g.id] for g in golds if g.id in preds]),
        errors=tuple(errors),
    )


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------


def _read_jsonl(path: str | Path, missing: str, bad: str) -> list[dict[str, Any]]:
    p = Path(path)
    if not p.is_file():
        raise EvaluateError(getattr(Errors, missing).format(path=str(path)))
    out = []
    with p.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as exc:
                raise EvaluateError(getattr(Errors, bad).format(path=path, line=lineno,
                                                                reason=f"not JSON ({exc})")) from None
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not rec["id"]:
                raise EvaluateError(getattr(Errors, bad).format(path=path, line=lineno,
                                                                reason="not an object with a string 'id'"))
            out.append(rec)
    return out


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read a gold file (JSONL, ``formats.md``).

    path (str | Path): the file.
    RETURNS (list[dict[str, Any]]): the lines, in file order.
    RAISES (EvaluateError): missing file, bad JSON, a line without id,
        text or facts list, or an id twice.
    """
    out = _read_jsonl(path, "E601", "E602")
    seen: set[str] = set()
    for lineno, rec in enumerate(out, 1):
        if not isinstance(rec.get("text"), str) or not isinstance(rec.get("facts"), list):
            raise EvaluateError(Errors.E602.format(path=path, line=lineno,
                                                   reason=f"article {rec['id']!r} needs 'text' and a 'facts' list"))
        if rec["id"] in seen:
            raise EvaluateError(Errors.E602.format(path=path, line=lineno, reason=f"id {rec['id']!r} appears twice"))
        seen.add(rec["id"])
    return out


def load_splits(path: str | Path, split: str) -> list[str]:
    """The article ids of one split.

    path (str | Path): split file ``{"dev": [ids], "test": [ids]}``.
    split (str): the split's name.
    RETURNS (list[str]): its ids.
    RAISES (EvaluateError): no file, bad JSON, no such split.
    """
    p = Path(path)
    if not p.is_file():
        raise EvaluateError(Errors.E603.format(split=split, path=str(path)))
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise EvaluateError(Errors.E604.format(path=path, reason=f"not JSON ({exc})")) from None
    if not isinstance(data, dict):
        raise EvaluateError(Errors.E604.format(path=path, reason="not an object of splits"))
    if split not in data:
        raise EvaluateError(Errors.E604.format(path=path, reason=f"no split {split!r}; it has {sorted(data)}"))
    ids = data[split]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise EvaluateError(Errors.E604.format(path=path, reason=f"split {split!r} is not a list of ids"))
    return ids


def select_split(gold: Sequence[Mapping[str, Any]], ids: Sequence[str], *, split: str = "",
                 path: str | Path = "") -> list[dict[str, Any]]:
    """The gold lines of a split, in gold order.

    gold (Sequence[Mapping[str, Any]]): every gold line.
    ids (Sequence[str]): the split's ids.
    split (str): its name (for messages).
    path (str | Path): the split file (for messages).
    RETURNS (list[dict[str, Any]]): the selected lines.
    RAISES (EvaluateError): when the split names ids with no gold line.
    """
    have = {str(r["id"]) for r in gold}
    unknown = sorted(set(ids) - have)
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise EvaluateError(Errors.E605.format(split=split, path=path, n=len(unknown), ids=shown))
    wanted = set(ids)
    return [dict(r) for r in gold if r["id"] in wanted]


def load_predictions(path: str | Path) -> list[dict[str, Any]]:
    """Read ``cbafacts extract`` output (JSONL).

    path (str | Path): the file.
    RETURNS (list[dict[str, Any]]): the records, in file order.
    RAISES (EvaluateError): missing file, a line that is not a JSON object
        with an id.
    """
    return _read_jsonl(path, "E607", "E606")


def predict(gold: Iterable[Mapping[str, Any]], *, extractor: Any = None, backend: str | None = None,
            lang_from_gold: bool = False) -> list[ArticleResult]:
    """Run the extractor over the gold articles' texts.

    gold (Iterable[Mapping[str, Any]]): gold lines (``id`` and ``text`` are used).
    extractor (Extractor | None): the extractor; default
        ``Extractor(backend=backend)``.
    backend (str | None): backend for every language; None = routing table.
    lang_from_gold (bool): pass the gold ``lang`` instead of detecting it.
    RETURNS (list[ArticleResult]): one result per gold line, in order.
    RAISES (ValueError): an unknown backend (``[E402]``).
    """
    if extractor is None:
        from .extract import Extractor

        extractor = Extractor(backend=backend)
    return [
        extractor.extract(rec["text"], str(rec["id"]), lang=rec.get("lang") if lang_from_gold else None)
        for rec in gold
    ]


# --------------------------------------------------------------------------
# output: table, HTML, plots
# --------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x:.3f}"


def _fmt_fact(d: Mapping[str, Any] | None) -> str:
    if not d:
        return "-"
    v = d.get("value")
    value = f"{v:g}" if isinstance(v, (int, float)) else str(v)
    extra = f" {d['direction']}" if d.get("direction") else ""
    return (f"{d.get('metric')} {d.get('period')} {d.get('kind')}{extra} {value} {d.get('unit')}"
            f" \"{d.get('surface') or ''}\"")


def _score_rows(report: EvalReport) -> list[tuple[str, GroupScore]]:
    fs = report.facts_scores
    rows = [("overall", fs.overall)]
    rows += [(f"lang {k}", v) for k, v in fs.by_lang.items()]
    rows += [(f"backend {k}", v) for k, v in fs.by_backend.items()]
    return rows


def format_table(report: EvalReport) -> str:
    """The report as plain-text tables, for people.

    report (EvalReport): the report.
    RETURNS (str): the text (no trailing newline).
    """
    head = ("", "articles", "facts", "tp", "fp", "fn", "P", "R", "F1")
    rows = [head]
    for name, gs in _score_rows(report):
        s = gs.score
        rows.append((name, str(gs.articles), str(gs.facts), str(s.tp), str(s.fp), str(s.fn),
                     _pct(s.precision), _pct(s.recall), _pct(s.f1)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["facts (matching rule of formats.md)"]
    for k, r in enumerate(rows):
        lines.append("  " + r[0].ljust(widths[0]) + "  " + "  ".join(c.rjust(w) for c, w in zip(r[1:], widths[1:])))
        if k == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    fs = report.facts_scores
    lines.append(f"  ignored: {fs.ignored_predictions} claims without metric or value, "
                 f"{fs.duplicate_predictions} repeated claims, {fs.unknown_articles} articles without gold")
    c = report.claims
    lines += [
        "",
        "claims (span overlap, linked or not)",
        f"  detection  P {_pct(c.precision)}  R {_pct(c.recall)}  F1 {_pct(c.f1)}  "
        f"(tp {c.detected}, fp {c.fp}, fn {c.fn}; {c.correct} of {c.predicted} predicted claims on a gold "
        f"fact, {c.repeats} repeats)",
        f"  value      {_pct(c.value.accuracy)}  ({c.value.correct}/{c.value.total} detected facts)",
        f"  linking    {_pct(c.linking.accuracy)}  ({c.linking.correct}/{c.linking.total} detected facts)",
        f"  period     {_pct(c.period.accuracy)}  ({c.period.correct}/{c.period.total} with the right metric)",
    ]
    x = report.crossval
    lines += ["", f"cross-validation conflicts: {len(x.expected)} expected, {len(x.found)} found, "
                  f"{len(x.missed)} missed, {len(x.false)} false"]
    for label, items in (("missed", x.missed), ("false", x.false)):
        for m, p in items:
            lines.append(f"  {label}: {m} {p}")
    worst = report.worst()
    lines += ["", f"worst errors ({len(worst)} of {len(report.errors)})"]
    for i, e in enumerate(worst, 1):
        lines.append(f"  {i:2}. {e.type:12} {e.id} [{e.lang}] {e.start}-{e.end}")
        lines.append(f"      expected:  {_fmt_fact(e.expected)}")
        lines.append(f"      predicted: {_fmt_fact(e.predicted)}")
        lines.append(f"      sentence:  {e.sentence}")
    return "\n".join(lines)


def _require_matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is in the eval extra
        raise EvaluateError(Errors.E608) from None
    return matplotlib


def plot_f1_by_lang(report: EvalReport) -> Any:
    """Bar chart of fact-level F1 per gold language (and overall).

    report (EvalReport): the report.
    RETURNS (matplotlib.figure.Figure): the figure (no pyplot state).
    """
    _require_matplotlib()
    from matplotlib.figure import Figure

    fs = report.facts_scores
    items = [(k, v) for k, v in fs.by_lang.items()] + [("overall", fs.overall)]
    fig = Figure(figsize=(max(4.0, 0.9 * len(items) + 2), 3.4))
    ax = fig.add_subplot()
    xs = list(range(len(items)))
    f1s = [v.score.f1 for _, v in items]
    colors = ["#4c72b0"] * (len(items) - 1) + ["#55a868"]
    ax.bar(xs, f1s, color=colors)
    for x, (_, v) in zip(xs, items):
        ax.text(x, v.score.f1 + 0.02, f"{v.score.f1:.2f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, [f"{k}\n{v.facts} facts" for k, v in items], fontsize=8)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("fact F1")
    ax.set_title("Fact-level F1 per language")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_confusion(report: EvalReport) -> Any:
    """Heat map of gold metric (rows) against predicted metric (columns) on
    detected gold facts; ``(none)`` for claims linked to no metric.

    report (EvalReport): the report.
    RETURNS (matplotlib.figure.Figure): the figure (no pyplot state).
    """
    _require_matplotlib()
    from matplotlib.figure import Figure

    conf = report.claims.confusion
    # one order on both axes, so right links lie on the diagonal
    rows = sorted({g for g, _, _ in conf} | {p for _, p, _ in conf if p is not None})
    cols = rows + (["(none)"] if any(p is None for _, p, _ in conf) else [])
    n, k = max(1, len(rows)), max(1, len(cols))
    fig = Figure(figsize=(min(3 + 0.45 * k, 24), min(2.2 + 0.35 * n, 20)))
    ax = fig.add_subplot()
    if not conf:
        ax.text(0.5, 0.5, "no detected claims", ha="center", va="center")
        ax.set_axis_off()
        return fig
    grid = [[0] * len(cols) for _ in rows]
    for g, p, c in conf:
        grid[rows.index(g)][cols.index(p if p is not None else "(none)")] = c
    ax.imshow(grid, cmap="Blues", aspect="auto")
    top = max(max(r) for r in grid)
    for i, r in enumerate(grid):
        for j, c in enumerate(r):
            if c:
                ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                        color="white" if c > top / 2 else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    ax.set_xlabel("predicted metric")
    ax.set_ylabel("gold metric")
    ax.set_title("Metric linking on detected claims")
    fig.tight_layout()
    return fig


def figure_png(fig: Any) -> bytes:
    """A figure as PNG bytes, without a software or date stamp.

    fig (matplotlib.figure.Figure): the figure.
    RETURNS (bytes): the PNG.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def figure_svg(fig: Any) -> str:
    """A figure as an inline ``<svg>`` element (no XML header, no DOCTYPE,
    no date); the same figure gives the same text.

    fig (matplotlib.figure.Figure): the figure.
    RETURNS (str): the SVG element.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.S)
    return svg.strip()


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}
th:first-child,td:first-child{text-align:left}
td.text{text-align:left;max-width:40em}
h2{margin-top:1.6em}
.fig{margin:1em 0}
"""


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], text_cols: Sequence[int] = ()) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in head) + "</tr>"]
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cls = ' class="text"' if i in text_cols else ""
            cells.append(f"<td{cls}>{html.escape(str(c))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_html(report: EvalReport, *, title: str = "cbafacts evaluation", plots: bool = True) -> str:
    """A self-contained HTML page: the tables and the plots inline (SVG);
    nothing is loaded from elsewhere.

    report (EvalReport): the report.
    title (str): the page title.
    plots (bool): include the plots (needs matplotlib).
    RETURNS (str): the page.
    """
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p>{report.articles} articles, {report.facts} gold facts.</p>",
             "<h2>Facts</h2>"]
    parts.append(_table(
        ("", "articles", "facts", "tp", "fp", "fn", "P", "R", "F1"),
        [(name, gs.articles, gs.facts, gs.score.tp, gs.score.fp, gs.score.fn, _pct(gs.score.precision),
          _pct(gs.score.recall), _pct(gs.score.f1)) for name, gs in _score_rows(report)]))
    if plots:
        _require_matplotlib()
        parts.append(f'<div class="fig">{figure_svg(plot_f1_by_lang(report))}</div>')
    c = report.claims
    parts.append("<h2>Claims</h2>")
    parts.append(_table(("measure", "score", "counts"), [
        ("detection P", _pct(c.precision), f"{c.correct} of {c.correct + c.fp} ({c.repeats} repeats not counted)"),
        ("detection R", _pct(c.recall), f"{c.detected} of {c.gold}"),
        ("detection F1", _pct(c.f1), ""),
        ("value", _pct(c.value.accuracy), f"{c.value.correct} of {c.value.total}"),
        ("linking", _pct(c.linking.accuracy), f"{c.linking.correct} of {c.linking.total}"),
        ("period", _pct(c.period.accuracy), f"{c.period.correct} of {c.period.total}"),
    ]))
    if plots:
        parts.append(f'<div class="fig">{figure_svg(plot_confusion(report))}</div>')
    x = report.crossval
    parts.append("<h2>Cross-validation conflicts</h2>")
    parts.append(_table(("", "count", "(metric, period)"), [
        (label, len(items), "; ".join(f"{m} {p}" for m, p in items))
        for label, items in (("expected", list(x.expected)), ("found", x.found), ("missed", x.missed),
                             ("false", x.false))], text_cols=(2,)))
    parts.append(f"<h2>Worst errors ({len(report.worst())} of {len(report.errors)})</h2>")
    parts.append(_table(("#", "type", "article", "lang", "expected", "predicted", "sentence"), [
        (i, e.type, e.id, e.lang, _fmt_fact(e.expected), _fmt_fact(e.predicted), e.sentence)
        for i, e in enumerate(report.worst(), 1)], text_cols=(1, 2, 3, 4, 5, 6)))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _confusion_path(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.stem + ".confusion" + (p.suffix or ".png"))


def write_pngs(report: EvalReport, path: str | Path) -> list[Path]:
    """Write the per-language F1 chart to ``path`` and the metric confusion
    matrix next to it (``NAME.confusion.png``).

    report (EvalReport): the report.
    path (str | Path): the chart's file.
    RETURNS (list[Path]): the files written.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    second = _confusion_path(p)
    p.write_bytes(figure_png(plot_f1_by_lang(report)))
    second.write_bytes(figure_png(plot_confusion(report)))
    return [p, second]


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------

EPILOG = """\
gold: JSONL, one article a line (formats.md, "Gold annotations");
split file: {"dev": [ids], "test": [ids]}, default splits.json next to the gold file.
Without --pred the extractor runs over the gold texts (language detected,
unless --lang-from-gold).

examples:
  cbafacts evaluate --split dev
  cbafacts evaluate --pred out.jsonl --json > scores.json
  cbafacts evaluate --backend spacy --html report.html --png f1.png -o pred.jsonl
"""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gold", default="corpus/gold.jsonl", metavar="FILE",
                   help="gold annotations, JSONL (default: corpus/gold.jsonl)")
    p.add_argument("--pred", metavar="FILE", help="score these extraction results instead of running the extractor")
    p.add_argument("--split", metavar="NAME", help="evaluate only this split (dev or test)")
    p.add_argument("--splits", metavar="FILE", help="split file (default: splits.json next to the gold file)")
    p.add_argument("--backend", default="auto", metavar="NAME",
                   help="spacy, transformer, or auto (the routing table; default)")
    p.add_argument("--lang-from-gold", action="store_true", help="give the extractor the gold language")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="print the scores as JSON instead of the table (or write them to FILE)")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--png", metavar="FILE",
                   help="write the per-language F1 chart; the metric confusion matrix goes to NAME.confusion.png")
    p.add_argument("-o", "--output", metavar="FILE", help="save the predictions made (JSONL)")
    p.set_defaults(func=cmd_evaluate)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``evaluate`` subcommand.

    subparsers (argparse._SubParsersAction): from ``add_subparsers``.
    RETURNS (argparse.ArgumentParser): the subcommand's parser (``func`` set).
    """
    p = subparsers.add_parser(
        "evaluate", help="score extraction against gold annotations",
        description="Score extracted facts against gold annotations: fact P/R/F1 (overall, per "
                    "language, per backend), claim detection, cross-validation conflicts, worst errors.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(p)
    return p


def _dumps(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def _write_text(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8", newline="\n")


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Run ``cbafacts evaluate``.

    args (argparse.Namespace): parsed options.
    RETURNS (int): 0, or 2 on a problem with the inputs or the backend.
    """
    name = "cbafacts evaluate"
    try:
        extractor = None
        if not args.pred:
            from .extract import Extractor

            try:
                extractor = Extractor(backend=None if args.backend in (None, "auto") else args.backend)
            except ValueError as exc:  # unknown backend: the Extractor's own message
                print(f"{name}: error: {exc}", file=sys.stderr)
                return 2
        gold = load_gold(args.gold)
        if args.split:
            splits = args.splits or str(Path(args.gold).parent / "splits.json")
            gold = select_split(gold, load_splits(splits, args.split), split=args.split, path=splits)
        elif args.splits:
            print(f"{name}: note: --splits without --split; evaluating every gold article", file=sys.stderr)
        if args.pred:
            preds: list[Any] = load_predictions(args.pred)
        else:
            started = time.perf_counter()
            results = predict(gold, extractor=extractor, lang_from_gold=args.lang_from_gold)
            print(f"{name}: extracted {len(results)} articles in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            if args.output:
                _write_text(args.output, "".join(_dumps(r.to_dict()) + "\n" for r in results))
            preds = results
        report = evaluate(gold, preds)
        data = {"gold": str(args.gold), "split": args.split, "predictions": args.pred,
                "backend": None if args.pred else args.backend, **report.to_dict()}
        if args.html:
            _write_text(args.html, to_html(report))
            print(f"{name}: wrote {args.html}", file=sys.stderr)
        if args.png:
            for p in write_pngs(report, args.png):
                print(f"{name}: wrote {p}", file=sys.stderr)
    except EvaluateError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
            return 0
        _write_text(args.json, text)
        print(f"{name}: wrote {args.json}", file=sys.stderr)
    where = f", split {args.split}" if args.split else ""
    print(f"{args.gold}{where}: {report.articles} articles, {report.facts} gold facts\n")
    print(format_table(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``cbafacts evaluate`` on its own (``python -m cbafacts.evaluate``).

    argv (Sequence[str] | None): the options (default: ``sys.argv[1:]``).
    RETURNS (int): the exit status.
    """
    p = argparse.ArgumentParser(prog="cbafacts evaluate", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Score extracted facts against gold annotations.")
    _add_arguments(p)
    args = p.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
