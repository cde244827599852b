"""Training spans for the tagger, from the project's own data.

``NUM`` spans are given (gold facts, the spaCy path's claims); the other
types are found around them with the same data the rule path reads:

- ``CHANGE``: the change word of each change claim (``cues.yaml`` change
  words, matched as :class:`cbafacts.claims.ClaimFinder` matches them);
- ``METRIC``: metric aliases of ``metrics.yaml`` found by
  :meth:`cbafacts.linking.MetricLinker.hits`;
- ``PERIOD``: years that :class:`cbafacts.periods.PeriodResolver` reads as a
  period or a report edition (not dates, not comparison baselines).

Where two spans overlap the earlier type of ``NUM, CHANGE, PERIOD, METRIC``
wins.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

from ..claims import claim_finder
from ..linking import MetricLinker
from ..model import Claim
from ..ontology.kb import load_ontology
from ..periods import period_resolver
from .labels import Span

PRIORITY = ("NUM", "CHANGE", "PERIOD", "METRIC")


@lru_cache(maxsize=None)
def _linker(lang: str) -> MetricLinker:
    return MetricLinker(load_ontology(None), lang)


def change_cue(text: str, lang: str, start: int, end: int, sentence: tuple[int, int]) -> tuple[int, int] | None:
    """Where the change word of the figure at ``[start, end)`` is written."""
    f = claim_finder(lang)
    s0, s1 = sentence
    if f._change_before is not None:  # noqa: SLF001 - the rule path's own pattern
        lo = max(s0, start - 80)
        hit = f._change_before.search(text[lo:start])  # noqa: SLF001
        if hit:
            return (lo + hit.start("cue"), lo + hit.end("cue"))
    if f._change_after is not None:  # noqa: SLF001
        hit = f._change_after.match(text, end, max(end, s1))  # noqa: SLF001
        if hit:
            return (hit.start("cue"), hit.end("cue"))
    return None


def derive_spans(text: str, lang: str, nums: Iterable[tuple[int, int]],
                 changes: Iterable[tuple[int, int, tuple[int, int]]] = ()) -> list[Span]:
    """All training spans of ``text``.

    nums: ``(start, end)`` of the figures that are claims.
    changes: ``(start, end, sentence)`` of the figures that are changes.
    RETURNS (list[Span]): non-overlapping spans in text order.
    """
    code = claim_finder(lang).lang
    cands: list[Span] = [("NUM", a, b) for a, b in nums]
    for a, b, sent in changes:
        cue = change_cue(text, code, a, b, sent)
        if cue is not None:
            cands.append(("CHANGE", *cue))
    for y in period_resolver(code).years(text):
        if y.role in ("period", "title"):
            cands.append(("PERIOD", y.start, y.end))
    for h in _linker(code).hits(text):
        cands.append(("METRIC", h.start, h.end))
    taken: list[Span] = []
    for typ in PRIORITY:
        for s in sorted(c for c in cands if c[0] == typ):
            if s[2] > s[1] and not any(s[1] < t[2] and t[1] < s[2] for t in taken):
                taken.append(s)
    return sorted(taken, key=lambda s: (s[1], s[2]))


def spans_from_claims(text: str, lang: str, claims: Sequence[Claim],
                      gold: Sequence[dict] = ()) -> list[Span]:
    """Training spans from the spaCy path's claims, plus the gold facts it
    missed (a gold span overlapping no claim is added as a figure)."""
    nums = [(c.start, c.end) for c in claims]
    changes = [(c.start, c.end, c.sentence) for c in claims if c.kind == "change"]
    sents = claim_finder(lang).sentences(text) if gold else []
    for g in gold:
        a, b = int(g["start"]), int(g["end"])
        if any(a < e and s < b for s, e in nums):
            continue
        nums.append((a, b))
        if g.get("kind") == "change":
            sent = next(((s0, s1) for s0, s1 in sents if s0 <= a < s1), (a, b))
            changes.append((a, b, sent))
    return derive_spans(text, lang, nums, changes)
