"""From numbers to claims: sentences, clauses, and which numbers are figures.

The functions here work on plain text with character offsets, so both
backends (the spaCy components and the transformer tagger) share them. A
number is a claim unless it is a date, a year, a phone or list number, a
reference ("page 5"), a threshold ("above 99%") or a look-back window ("in
the past three years"); its kind (level or change) and direction come from
the language's change words.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Any, Callable

from .cues import LanguageCues, get_cues
from .model import Claim, Mention
from .numbers import parse
from .numbers.spec import TailPattern, data_lang, get_spec

#: led by the characters its branches start with (tested before the branches)
_SENT_END = re.compile(r"(?=[.!?。！？।॥؟\n])(?:(?:[.!?]+[\"'”’)\]」』]*(?=\s|$))|[。！？!?।॥؟]+[\"'”’)\]」』]*|\n+)")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w.]*)\.$")
_NEXT_LOWER = re.compile(r"[ \t\u00a0]+[^\W\d_](?<=[^\W\d_])")
_CLAUSE = re.compile(r"[;；,，、:：،؛]")
_HARD = re.compile(r"[;；؛]")
# a lookahead "(?=\d)" or "(?=[...])" first: that class is tested at each
# place before the lookbehind (the same matches, found sooner)
_ISO_DATE = re.compile(r"(?=\d)(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日|号)?(?!\d)")
_DMY_DATE = re.compile(r"(?=\d)(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d)")
_TIME = re.compile(r"(?=\d)(?<!\d)\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?!\d)")
_PHONE = re.compile(
    r"(?=[+(\d])(?<![0-9A-Za-z.,])(?:\+\d{1,3}[\s\-.]?)?(?:\(\d{2,5}\)[\s\-.]?)?\d{1,8}(?:[\s\-.]\d{2,8}){1,4}(?![0-9A-Za-z])"
)
_LIST_NUM = re.compile(r"(?m)^[ \t]*(?:\(?\d{1,3}[.)．、](?=\s|\D)|\(\d{1,3}\))")
#: the digits of a year a news text may name (1800-2199)
YEAR_DIGITS = r"(?:1[89]|2[01])\d\d"
_YEAR = re.compile(rf"(?=[12])(?<![\d.,])({YEAR_DIGITS})(?![\d.,]\d)")


#: the results of whole-text scans several steps share, for the last text
#: scanned: ``(text, {key: result})``. One tuple, read once per call: a thread
#: scanning another text replaces it and costs a rescan, never a wrong answer.
_SCANS: tuple = (None, {})


def text_scan(text: str, key: Any, make: Callable[[str], Any]) -> Any:
    """``make(text)``, computed once per text and key (the claim finder, the
    linker and the period resolver read the same text in turn)."""
    global _SCANS
    t, memo = _SCANS
    if t is not text:
        memo = {}
        _SCANS = (text, memo)
    if key not in memo:
        memo[key] = make(text)
    return memo[key]


_DIGIT_RUN = re.compile(r"\d+")


def _digit_run_starts(text: str) -> list[int]:
    return [m.start() for m in _DIGIT_RUN.finditer(text)]


def digit_led_matches(rx: re.Pattern, text: str) -> list[re.Match]:
    r"""``list(rx.finditer(text))`` for a pattern whose every match starts
    where a run of digits starts (patterns that open with ``(?=\d)(?<!\d)``
    or ``(?=[12])(?<![\d.,])``), computed once per text: the pattern is
    tried at those places only, found by one scan shared by every such
    pattern, instead of at every character."""
    if not rx.pattern.startswith(_DIGIT_LED):
        raise ValueError(f"not a pattern that starts where digits start: {rx.pattern[:40]!r}")
    return text_scan(text, rx, lambda t: _match_at(rx, t, text_scan(t, _DIGIT_RUN, _digit_run_starts)))


#: the openings of the patterns :func:`digit_led_matches` takes: a digit
#: (or a year's first digit) not after a digit
_DIGIT_LED = ("(?=\\d)(?<!\\d)", "(?=[12])(?<![\\d.,])")


def _match_at(rx: re.Pattern, text: str, places: list[int]) -> list[re.Match]:
    out = []
    end = 0
    for p in places:
        # as finditer: the next match starts where the last one ended or later
        if p >= end and (m := rx.match(text, p)) is not None:
            out.append(m)
            end = m.end()
    return out


def sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)``, surrounding whitespace left out.

    A sentence ends after ., !, ?, 。 (unless the word before the period is
    one of the language's ``abbreviations`` ("Aug. 7") or a lower-case word
    follows), at a blank line, and at a line break unless the next line goes
    on in lower case (hard-wrapped text).
    """
    spans = []
    pos = 0
    for m in _SENT_END.finditer(text):
        mark = m.group(0)
        if mark.startswith("\n"):
            nxt = text[m.end():m.end() + 1]
            if len(mark) == 1 and nxt.islower():
                continue  # a hard-wrapped line
            end = m.start()
        else:
            if mark == ".":
                if _NEXT_LOWER.match(text, m.end()) and text[m.end() + 1:m.end() + 2].islower():
                    continue
                w = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.end())
                if w and w.group(1).lower() in abbreviations:
                    continue
            end = m.end()
        _add_span(text, pos, end, spans)
        pos = m.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, a: int, b: int, out: list) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append((a, b))


#: qualifiers of a figure that a streak makes a threshold
THRESHOLD_QUALIFIERS = frozenset(("gt", "ge", "lt", "le"))

#: characters after a clause's end that a clause word's lookahead may read
CLAUSE_LOOKAHEAD = 256


def clause_bounds(text: str, start: int, end: int, words: re.Pattern | None = None) -> list[int]:
    """Positions of clause boundaries (commas, semicolons, colons, and the
    language's clause-joining words such as "and" when ``words`` is given)
    inside ``text[start:end]``; a comma between digits ("41,700") is not one."""
    out = _marks(text, start, end)
    if words is not None:
        out.extend(_word_starts(text, start, end, words))
        out.sort()
    return out


def has_clause_bound(text: str, start: int, end: int, words: re.Pattern | None = None) -> bool:
    """Whether :func:`clause_bounds` finds any boundary in ``text[start:end]``
    (without listing them)."""
    if _marks(text, start, end):
        return True
    return words is not None and bool(_word_starts(text, start, end, words))


def _marks(text: str, start: int, end: int) -> list[int]:
    """The punctuation clause bounds in ``text[start:end]``: the text's
    marks are found once (a mark is one character, and whether a comma
    stands between digits depends on its neighbours alone)."""
    marks = text_scan(text, _CLAUSE, _all_marks)
    return marks[bisect_left(marks, start):bisect_left(marks, end)]


def _all_marks(text: str) -> list[int]:
    out = []
    last = len(text) - 1
    for m in _CLAUSE.finditer(text):
        i = m.start()
        if text[i] in ",，:：" and 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit():
            continue
        out.append(i)
    return out


def _word_places(words: re.Pattern) -> Callable[[str], tuple[list[int], list[int]]]:
    def make(text: str) -> tuple[list[int], list[int]]:
        starts, ends = [], []
        for m in words.finditer(text):
            starts.append(m.start())
            ends.append(m.end())
        return starts, ends
    return make


def _word_starts(text: str, start: int, end: int, words: re.Pattern) -> list[int]:
    """Starts of the clause words a search from ``start`` finds before
    ``end``. The words of a text are found once (the linker and the period
    resolver ask about many spans of one text): a search from ``start``
    finds the same matches as the one from the text's start wherever no
    match of that one runs across ``start``; where one does, the span is
    searched on its own, its lookahead reading at most ``CLAUSE_LOOKAHEAD``
    characters past ``end`` (elsewhere it reads on to the text's end: a
    clause word and the spaces and word before a figure, never near that
    many characters)."""
    starts, ends = text_scan(text, words, _word_places(words))
    k = bisect_left(starts, start)
    if k > 0 and ends[k - 1] > start:
        # a word of the whole-text search runs across ``start``
        out = []
        for m in words.finditer(text, start, min(len(text), end + CLAUSE_LOOKAHEAD)):
            if m.start() >= end:
                break
            out.append(m.start())
        return out
    return starts[k:bisect_left(starts, end, k)]


def hard_bounds(text: str, start: int, end: int) -> list[int]:
    return [m.start() for m in _HARD.finditer(text, start, end)]


def year_value(m: Mention) -> int | None:
    """The year a bare four-digit number names, else None."""
    if m.unit is not None or m.words or m.precision != 1 or len(m.surface) != 4:
        return None
    v = int(m.value)
    return v if 1800 <= v <= 2199 and v == m.value else None


_PLUS_BEFORE = re.compile(r"(?<![\w.,])[+＋]\s*$")


def change_value(value: float, kind: str, direction: str | None) -> float:
    """The size of a change: a fall written with a minus ("−4,79%") is a
    change down by 4.79 (metrics.md: the direction carries the sign)."""
    return -value if kind == "change" and direction == "down" and value < 0 else value


def _signed(text: str, m: Mention) -> str | None:
    """``"up"`` for a figure written with a plus sign, ``"down"`` for one read
    negative (the reader keeps the minus in the value), else None."""
    if m.value < 0:
        return "down"
    return "up" if _PLUS_BEFORE.search(text, max(0, m.start - 3), m.start) else None


#: the characters of ``sp`` in the cue patterns
_SP = " \t\u00a0\u202f"


class ClaimFinder:
    """Finds claims in text for one language (cues and number data bound once)."""

    def __init__(self, lang: str | None) -> None:
        self.cues: LanguageCues = get_cues(lang)
        self.lang = self.cues.lang
        self.spec = get_spec(lang)
        c = self.cues
        ph = c.phrase
        sp = r"[ \t\u00a0\u202f]"
        fill = rf"(?:{sp}*{ph(c.fillers)})*" if c.fillers else ""
        self._change_before = TailPattern(re.compile(
            rf"(?P<cue>{ph(c.change_up + c.change_down)}){fill}{sp}*$", re.I
        ), c.change_up + c.change_down + c.fillers, _SP) if (c.change_up or c.change_down) else None
        after = c.change_up + c.change_down + c.up_after + c.down_after
        self._change_after = re.compile(rf"{sp}*(?P<cue>{ph(after)})", re.I) if after else None
        self._target = TailPattern(re.compile(rf"{ph(c.target)}{sp}*$", re.I), c.target, _SP) if c.target else None
        adjacent = c.up_adjacent + c.down_adjacent
        self._change_adjacent = TailPattern(re.compile(rf"(?P<cue>{ph(adjacent)}){sp}*$", re.I), adjacent,
                                      _SP) if adjacent else None
        self._threshold = TailPattern(re.compile(rf"{ph(c.threshold)}{sp}*$", re.I), c.threshold,
                                _SP) if c.threshold else None
        self._before_ref = TailPattern(re.compile(rf"{ph(c.not_claim_before)}[ \t\u00a0:：#]*$", re.I), c.not_claim_before,
                                 " \t\u00a0:：#") if c.not_claim_before else None
        self._after_ref = re.compile(rf"{sp}*{ph(c.not_claim_after)}", re.I) if c.not_claim_after else None
        self._lookback_before = re.compile(
            rf"{ph(c.lookback_before)}(?:{sp}+[^\W\d_]+){{0,2}}{sp}*$", re.I
        ) if c.lookback_before else None
        self._lookback_after = re.compile(rf"{sp}*{ph(c.lookback_after)}", re.I) if c.lookback_after else None
        self._month_before = TailPattern(re.compile(rf"{ph(list(c.months))}[ \t\u00a0.,]*$", re.I), list(c.months),
                                   " \t\u00a0.,") if c.months else None
        self._month_after = re.compile(rf"(?:[ \t\u00a0]*(?:st|nd|rd|th)?[ \t\u00a0.,]*){ph(list(c.months))}", re.I) if c.months else None
        self._counted_after = re.compile(rf"{sp}*{ph(c.counted_after)}") if c.counted_after else None
        self._streak = re.compile(ph(c.streak), re.I) if c.streak else None
        # a figure right after a change word (a year there is its baseline:
        # "4,6 Prozent mehr als 2022")
        self._number_next = re.compile(rf"{fill}{sp}*[-−]?(?!{YEAR_DIGITS}(?!\d|[.,]\d))\d", re.I)
        self.abbreviations = frozenset(a.lower().rstrip(".") for a in c.abbreviations)
        #: clause-joining words ("and", "dan"): clause boundaries for the linker
        # only where a new figure follows ("... email dan 19% ..."): "establish
        # and apply data dashboards" stays one clause
        self.clause_words = re.compile(
            rf"{ph(c.clause_words)}(?=[ \t\u00a0]*(?:[^\W\d_]+[ \t\u00a0]+)?\d)", re.I
        ) if c.clause_words else None

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """:func:`sentences` with this language's abbreviations."""
        return sentences(text, self.abbreviations)

    # -- which mentions are claims ------------------------------------------
    def _excluded_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for rx in (_ISO_DATE, _DMY_DATE, _TIME):
            spans.extend(m.span() for m in digit_led_matches(rx, text))
        spans.extend(m.span() for m in _LIST_NUM.finditer(text))
        for m in _PHONE.finditer(text):
            digits = sum(map(str.isdigit, m.group(0)))
            if digits >= 8 and not re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})+", m.group(0)):
                spans.append((m.start(), m.end()))
        return spans

    def is_streak(self, text: str, m: Mention, sent_start: int) -> bool:
        """A duration with a streak word beside it ("four years in a row", "4년 연속")."""
        # the duration's own surface may hold the streak word ("quatro anos consecutivos")
        return m.unit == "years" and self._streak is not None and bool(
            self._streak.search(text, max(sent_start, m.start - 30), m.end + 30))

    def is_claim(self, text: str, m: Mention, sent_start: int, excluded) -> bool:
        if m.unit is None and not m.words and year_value(m) is not None:
            return False
        if "/" in m.surface or "／" in m.surface:
            return False  # "24/7", "3/4": a ratio or a date, not a figure of news
        if not m.words and len(m.surface) > 1 and m.surface[0] == "0" and m.surface[1].isdigit():
            return False  # "021", "010": codes and phone parts, not quantities
        if any(a <= m.start and m.end <= b for a, b in excluded):
            return False
        # the line's last 60 characters before the figure (a newline looked
        # for there only: a text without one is not read back to its start
        # at every figure)
        lo = max(0, m.start - 60)
        before = text[text.rfind("\n", lo, m.start) + 1 or lo:m.start]
        if self._before_ref is not None and self._before_ref.search(before):
            return False
        if self._after_ref is not None and m.unit is None and self._after_ref.match(text, m.end):
            return False
        if m.unit is None and self._month_before is not None and self._month_before.search(before):
            return False
        if m.unit is None and self._month_after is not None and self._month_after.match(text, m.end):
            return False
        if self._threshold is not None and self._threshold.search(before):
            return False
        if m.unit == "years" and not self.is_streak(text, m, sent_start):
            if self._lookback_before is not None and self._lookback_before.search(before):
                return False
            if self._lookback_after is not None and self._lookback_after.match(text, m.end):
                return False
        if m.words and m.unit is None:
            if m.value <= 1:
                return False
            if not self.spec.spaced and (self._counted_after is None or not self._counted_after.match(text, m.end)):
                return False
        return True

    def change_of(self, text: str, m: Mention, sent_start: int, sent_end: int) -> tuple[str, str | None]:
        """(kind, direction) of a mention from the change words around it."""
        before = text[max(sent_start, m.start - 80):m.start]
        if self._target is not None and self._target.search(before):
            return "level", None
        if self._change_before is not None:
            hit = self._change_before.search(before)
            if hit:
                return "change", self.cues.direction_of(hit.group("cue"))
        if self._change_adjacent is not None:
            hit = self._change_adjacent.search(before)
            if hit:
                return "change", self.cues.direction_of(hit.group("cue"))
        if self._change_after is not None:
            hit = self._change_after.match(text, m.end, sent_end)
            # "94.18% up 1.3 points": a change word followed by a number is that number's
            if hit and not self._number_next.match(text, hit.end(), sent_end):
                return "change", self.cues.direction_of(hit.group("cue"))
        signed = _signed(text, m)
        if signed is not None and m.unit in ("percent", "pp"):
            # "(+1,3 pontos percentuais)", "41.700 (−4,79%)": a signed share is a change
            return "change", signed
        if m.unit == "pp":
            return "change", None
        return "level", None

    def find(self, text: str, sents: list[tuple[int, int]] | None = None) -> list[Claim]:
        """Every claim in ``text``, in text order, with value, unit, kind and
        direction; metric, period and baseline are left for the linker and the
        period resolver."""
        sents = sents if sents is not None else self.sentences(text)
        excluded = self._excluded_spans(text)
        out: list[Claim] = []
        mentions = parse(text, self.lang)
        streak_sents: set[tuple[int, int]] = set()
        si = 0
        for m in mentions:
            while si < len(sents) - 1 and sents[si][1] <= m.start:
                si += 1
            s0, s1 = sents[si] if sents else (0, len(text))
            if not (s0 <= m.start < s1):
                s0, s1 = m.start, m.end
            if not self.is_claim(text, m, s0, excluded):
                continue
            if self.is_streak(text, m, s0):
                streak_sents.add((s0, s1))
            kind, direction = self.change_of(text, m, s0, s1)
            unit = {"percent": "percent", "pp": "pp"}.get(m.unit or "", "count")
            out.append(
                Claim(
                    text=m.surface, start=m.start, end=m.end, sentence=(s0, s1),
                    value=change_value(m.value, kind, direction),
                    unit=unit, kind=kind, direction=direction, qualifier=m.qualifier,
                    precision=m.precision, confidence=0.0,
                    measure="years" if m.unit == "years" else None, value_max=m.value_max,
                )
            )
        if streak_sents:
            # a bound beside a streak is the threshold the streak is about,
            # wherever the language writes the bound word ("4년 연속 99%를
            # 웃돌았다", "4年連続で99％を上回った"; metrics.md: not claims)
            out = [c for c in out if not (c.sentence in streak_sents and c.kind == "level"
                                          and c.qualifier in THRESHOLD_QUALIFIERS)]
        return out


def claim_finder(lang: str | None) -> ClaimFinder:
    """The (cached) finder of ``lang``'s data language."""
    return _claim_finder(data_lang(lang))


@lru_cache(maxsize=None)
def _claim_finder(code: str) -> ClaimFinder:
    return ClaimFinder(code)
