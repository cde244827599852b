"""Linking claims to ontology metrics.

Each alias of the claim's language found in its sentence proposes the metric
that declares it; the metric's family (parent and children: the same concept
as a count, a share, a streak of years) offers the member whose unit fits the
claim. The nearest plausible alias wins, distance counted in words (or
characters in unspaced scripts) plus a penalty for every clause boundary and
every other claim in between. A change with a level figure just before it in
the same clause group ("41,700 petugas ..., turun 4,79%") takes that level's
metric; one that opens a sentence referring back to the figure before
("That is 4 points more ...") takes that figure's metric.

Context aliases (generic words: "employees", "calls") count only for a level
figure in a sentence that names the surveyed population; an article that
never names the population links nothing. Claims with no plausible alias
keep ``metric = None``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .claims import _YEAR, claim_finder, clause_bounds, hard_bounds
from .model import Claim
from .numbers.spec import first_char_lead, get_spec, trie_alternation
from .ontology.kb import APOSTROPHES, Metric, MetricKB, normalize_alias

CLAUSE_PENALTY = 10.0
CLAIM_PENALTY = 6.0
#: added to the score of a context alias (a generic word: "employees")
CONTEXT_PENALTY = 4.0
#: a text of this many sentences is an article (see ``hits``)
ARTICLE_SENTENCES = 3
MAX_SCORE = 45.0
_SPACED_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_UNSPACED_TOKEN = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class AliasHit:
    start: int
    end: int
    metric: str
    #: a context alias, found in a sentence that names the surveyed population
    context: bool = False


#: an apostrophe in an alias matches the typographic ones too
_APOSTROPHE_RX = f"['{APOSTROPHES}]"


def plausible(metric: Metric, claim: Claim) -> bool:
    """Whether ``metric`` can be what ``claim`` measures, by unit and range."""
    years = claim.measure == "years"
    if claim.kind == "level":
        if claim.unit == "percent":
            return metric.unit == "percent" and metric.in_range(claim.value)
        if claim.unit == "count":
            if years:
                return metric.counts == "years" and metric.in_range(claim.value)
            return metric.unit == "count" and metric.counts != "years" and metric.in_range(claim.value)
        return False
    if metric.counts == "years":
        return claim.unit == "count" and years
    if claim.unit == "pp":
        return metric.unit == "percent"
    if claim.unit == "percent":
        return metric.unit in ("percent", "count")
    return metric.unit == "count" and not years


class MetricLinker:
    """Links claims of one language against a :class:`MetricKB`."""

    def __init__(self, kb: MetricKB, lang: str | None) -> None:
        self.kb = kb
        self.lang = (lang or "xx").split("-")[0]
        self.spaced = get_spec(self.lang).spaced
        aliases = kb.aliases(self.lang)
        self._alias_ids = aliases
        self._rx: re.Pattern | None = self._phrases(list(aliases)) if aliases else None
        self._ctx_ids = kb.context_aliases(self.lang)
        population = kb.population.get(self.lang) or ()
        self._ctx_rx = self._phrases(list(self._ctx_ids)) if self._ctx_ids and population else None
        self._pop_rx = self._phrases(list(population)) if population else None
        self._tok = _SPACED_TOKEN if self.spaced else _UNSPACED_TOKEN
        self._clause_words = claim_finder(self.lang).clause_words
        cues = self._cues = claim_finder(self.lang).cues
        self._refers_back = re.compile(rf"\W*{cues.phrase(cues.refers_back)}", re.I) if cues.refers_back else None

    def _phrases(self, phrases: list[str]) -> re.Pattern:
        """Whole-word (spaced scripts) matches of any of ``phrases``, compared
        as normalized aliases; a trie regex (hundreds of aliases)."""
        atoms = {"'": _APOSTROPHE_RX}
        normalized = [normalize_alias(p) for p in phrases]
        alt = trie_alternation(normalized, atoms)
        lead = first_char_lead(normalized, atoms)  # the first characters tested first
        return re.compile(rf"{lead}(?<![^\W_])(?:{alt})(?![^\W_])" if self.spaced else f"{lead}(?:{alt})",
                          re.IGNORECASE)

    def context_hits(self, text: str, sentences: list[tuple[int, int]], hits: list[AliasHit]) -> list[AliasHit]:
        """Context aliases in those of ``sentences`` that name the surveyed
        population (``population`` in metrics.yaml), where no alias stands."""
        if self._ctx_rx is None or self._pop_rx is None:
            return []
        out = []
        # the hits a sentence's context alias may overlap: those starting
        # before the sentence ends, less than the longest hit before it starts
        ordered = sorted(hits, key=lambda h: h.start)
        starts = [h.start for h in ordered]
        reach = max((h.end - h.start for h in ordered), default=0)
        for s0, s1 in sentences:
            pops = [(p.start(), p.end()) for p in self._pop_rx.finditer(text, s0, s1)]
            if not pops:
                continue
            near = ordered[bisect_left(starts, s0 - reach):bisect_left(starts, s1)]
            taken = pops + [(h.start, h.end) for h in near]
            for m in self._ctx_rx.finditer(text, s0, s1):
                mid = self._ctx_ids.get(normalize_alias(m.group(0)))
                # not inside an alias or the population phrase ("콜" of "콜센터")
                if mid is not None and not any(a < m.end() and m.start() < b for a, b in taken):
                    out.append(AliasHit(m.start(), m.end(), mid, context=True))
        return out

    def hits(self, text: str, sentences: int = 1) -> list[AliasHit]:
        """Alias occurrences in ``text``, in order.

        sentences (int): sentences of ``text``. From ``ARTICLE_SENTENCES``
            on, ``text`` is an article, and an article that never names the
            surveyed population (``population`` in metrics.yaml: "customer
            service centers", "客服中心", the China Banking Association) is
            about something else: no alias of it counts (a car maker's "app",
            an airline's "customer satisfaction"). A sentence or two on its
            own, or a language without population phrases, keeps them.
        """
        if self._rx is None:
            return []
        if sentences >= ARTICLE_SENTENCES and self._pop_rx is not None and self._pop_rx.search(text) is None:
            return []
        out = []
        for m in self._rx.finditer(text):
            mid = self._alias_ids.get(normalize_alias(m.group(0)))
            if mid is not None:
                out.append(AliasHit(m.start(), m.end(), mid))
        return out

    def _choose(self, metric_id: str, claim: Claim) -> Metric | None:
        fam = self.kb.family(metric_id)
        for m in fam:
            if plausible(m, claim):
                return m
        return None

    def link(self, text: str, claims: list[Claim]) -> list[Claim]:
        """Return ``claims`` with ``metric`` and ``confidence`` set."""
        if not claims:
            return []
        sentences = sorted({c.sentence for c in claims})
        n_sentences = len(sentences)
        if n_sentences < ARTICLE_SENTENCES:
            n_sentences = len(claim_finder(self.lang).sentences(text))
        hits = self.hits(text, n_sentences)
        extra = self.context_hits(text, sentences, hits)
        if extra:
            hits = sorted(hits + extra, key=lambda h: (h.start, h.end))
        starts = [h.start for h in hits]
        claim_pos = sorted(c.start for c in claims)
        by_start = sorted(claims, key=lambda c: c.start)
        linked: list[Claim] = []
        bounds_of: dict[tuple[int, int], list[int]] = {}
        for c in claims:
            s0, s1 = c.sentence
            if c.sentence not in bounds_of:
                bounds_of[c.sentence] = clause_bounds(text, s0, s1, self._clause_words)
            bounds = bounds_of[c.sentence]
            best: tuple[float, int, int, Metric] | None = None
            lo, hi = bisect_left(starts, s0), bisect_right(starts, s1)
            for h in hits[lo:hi]:
                if h.end > s1 or (h.start < c.end and c.start < h.end) or (h.context and c.kind != "level"):
                    continue  # a context alias names levels; changes follow them
                metric = self._choose(h.metric, c)
                if metric is None:
                    continue
                a, b = (c.end, h.start) if h.start >= c.end else (h.end, c.start)
                clauses = bisect_left(bounds, b) - bisect_left(bounds, a)
                if clauses and self._owned(text, h, c, metric, bounds, by_start, claim_pos):
                    continue
                tokens = len(self._tok.findall(text, a, b))
                between = sum(1 for p in claim_pos[bisect_left(claim_pos, a):bisect_left(claim_pos, b)] if p != c.start)
                score = tokens + CLAUSE_PENALTY * clauses + CLAIM_PENALTY * between + CONTEXT_PENALTY * h.context
                key = (score, b - a, h.start, metric)
                if score <= MAX_SCORE and (best is None or key[:3] < best[:3]):
                    best = key
            if best is None:
                linked.append(c.evolve(metric=None, confidence=0.0))
                continue
            score = best[0]
            conf = max(0.3, min(0.99, 0.98 - 0.012 * score))
            linked.append(c.evolve(metric=best[3].id, confidence=conf))
        linked = self._continue_counts(text, linked, hits)
        linked = self._inherit_changes(text, linked, hits)
        return self._continue_changes(text, linked, hits)

    def _continue_counts(self, text: str, claims: list[Claim], hits: list[AliasHit]) -> list[Claim]:
        """A share that continues the count of the sentence before it.

        A percent level figure in a sentence that names no metric at all,
        right after a sentence whose last linked figure is a count, is that
        count's share when the count's metric family has one ("37 banks
        renamed their centers. That is 44% of the centers surveyed."; "Их
        доля достигла 44%"). Only count -> share: a percentage after a
        percentage is as likely about something else.
        """
        starts = [h.start for h in hits]
        out = list(claims)
        order = sorted(range(len(out)), key=lambda i: out[i].start)
        for pos, i in enumerate(order):
            c = out[i]
            if c.metric is not None or c.kind != "level" or c.unit != "percent":
                continue
            s0, s1 = c.sentence
            if bisect_left(starts, s0) != bisect_left(starts, s1):
                continue  # the sentence names a metric: not a continuation
            prev = next((out[j] for j in reversed(order[:pos]) if out[j].sentence[1] <= s0), None)
            if prev is None or prev.metric is None or prev.unit != "count" or prev.kind != "level":
                continue
            if text[prev.sentence[1]:s0].strip():
                continue  # not the sentence right before
            if any(out[j].sentence[1] <= s0 and out[j].start > prev.start for j in order[:pos]):
                continue
            share = next((m for m in self.kb.family(prev.metric)
                          if m.id != prev.metric and m.unit == "percent" and plausible(m, c)), None)
            if share is not None:
                out[i] = c.evolve(metric=share.id, confidence=round(min(prev.confidence, 0.9) * 0.6, 4))
        return out

    def _continue_changes(self, text: str, claims: list[Claim], hits: list[AliasHit]) -> list[Claim]:
        """A change in a sentence that names no metric and opens with a word
        referring back (``refers_back`` in cues.yaml) continues the last level
        figure of the sentence right before it ("... 44% of the centers
        surveyed. That is 4 points more than in 2023."; "이는 2023년 대비
        4%포인트 증가한 수치다."); "Meanwhile the index rose 0.5%" does not."""
        if self._refers_back is None:
            return claims
        starts = [h.start for h in hits]
        out = list(claims)
        order = sorted(range(len(out)), key=lambda i: out[i].start)
        for pos, i in enumerate(order):
            c = out[i]
            if c.metric is not None or c.kind != "change":
                continue
            s0, s1 = c.sentence
            if bisect_left(starts, s0) != bisect_left(starts, s1):
                continue  # the sentence names a metric
            if pos > 0 and out[order[pos - 1]].sentence == c.sentence:
                continue  # not the first figure of its sentence
            if not self._refers_back.match(text, s0, c.start):
                continue
            prev = [out[j] for j in order[:pos] if out[j].sentence[1] <= s0]
            if not prev or text[prev[-1].sentence[1]:s0].strip():
                continue  # no sentence right before
            level = next((p for p in reversed(prev) if p.sentence == prev[-1].sentence and p.kind == "level"), None)
            if level is None or level.metric is None or not plausible(self.kb[level.metric], c):
                continue
            out[i] = c.evolve(metric=level.metric, confidence=round(min(level.confidence, 0.9) * 0.6, 4))
        return out

    def _owned(self, text: str, h: AliasHit, c: Claim, metric: Metric, bounds: list[int],
               by_start: list[Claim], claim_pos: list[int]) -> bool:
        """Whether the alias's own clause holds another figure that this
        metric fits: then the alias names that figure, not ``c`` ("86%
        WeChat, 85% online": 85% does not borrow WeChat). A figure whose own
        clause names another year is the same metric at another time ("92,88%
        pada 2023 dan 94,18% pada 2024") and may borrow."""

        def clause(pos: int) -> tuple[int, int]:
            k = bisect_right(bounds, pos)
            return (bounds[k - 1] if k > 0 else c.sentence[0], bounds[k] if k < len(bounds) else c.sentence[1])

        if c.kind == "level" and self._cues.period_shift(text, c.start, c.end):
            return False  # another year's figure of the same metric may borrow
        lo, hi = clause(h.start)
        own_years = set(_YEAR.findall(text, *clause(c.start)))
        if own_years and own_years != set(_YEAR.findall(text, lo, hi)):
            return False
        for other in by_start[bisect_left(claim_pos, lo):bisect_left(claim_pos, hi)]:
            if other.start != c.start and other.kind == "level" and plausible(metric, other):
                return True
        return False

    def _inherit_changes(self, text: str, claims: list[Claim], hits: list[AliasHit]) -> list[Claim]:
        starts = [h.start for h in hits]
        """A change right after a level figure, in the same clause group and
        with no other metric named in between, is a change of that figure's
        metric ("41,700 petugas ..., turun 4,79%"; "94.18%，较上年提升1.3个百分点")."""
        out = list(claims)
        for i, c in enumerate(out):
            if c.kind != "change":
                continue
            for j in range(i - 1, -1, -1):
                lvl = out[j]
                if lvl.sentence != c.sentence:
                    break
                if lvl.kind != "level":
                    continue
                if lvl.metric is None or hard_bounds(text, lvl.end, c.start):
                    break
                bounds = clause_bounds(text, lvl.end, c.start, self._clause_words)
                family = {m.id for m in self.kb.family(lvl.metric)}
                named_between = any(
                    h.end <= c.start and h.metric not in family and not h.context
                    for h in hits[bisect_left(starts, lvl.end):bisect_left(starts, c.start)]
                )
                if len(bounds) > 2 or named_between or not plausible(self.kb[lvl.metric], c):
                    break
                conf = round(min(lvl.confidence, 0.95) * (0.95 if not bounds else 0.9), 4)
                out[i] = c.evolve(metric=lvl.metric, confidence=conf)
                break
        return out

