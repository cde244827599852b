"""Which year a figure describes, and which year a change is measured from.

Rules of ``metrics.md``: a time expression in the figure's own sentence
wins; otherwise the report edition the article names ("Report (2024)");
a year after a comparison word ("compared to 2023", "较2023年") is a
change's baseline and never a period; dates and publication dates never are.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache

from .claims import _DMY_DATE, _ISO_DATE, _YEAR, YEAR_DIGITS, claim_finder, digit_led_matches, has_clause_bound
from .cues import LanguageCues, get_cues
from .model import Claim
from .numbers.spec import WHITESPACE as _WS, data_lang

_PAREN_YEAR = re.compile(rf"[(（]\s*({YEAR_DIGITS})\s*(?:年)?\s*[)）]")


@dataclass(frozen=True)
class YearMention:
    start: int
    end: int
    year: int
    role: str  # period | baseline | title | date


class PeriodResolver:
    """Resolves periods and baselines for one language."""

    def __init__(self, lang: str | None) -> None:
        self.cues: LanguageCues = get_cues(lang)
        self._clause_words = claim_finder(lang).clause_words
        c = self.cues
        sp = r"[ \t\u00a0\u202f]"
        self._before_year = re.compile(
            rf"{c.phrase(c.before_year)}{sp}*(?:[^\W\d_]{{1,12}}{sp}*)?$", re.I
        ) if c.before_year else None
        # comparison words written after the year ("2023年比", "2023년 대비", "2023'e göre")
        self._after_year = re.compile(
            rf"(?:\S{{0,4}}?){sp}*{c.phrase(c.after_year)}", re.I
        ) if c.after_year else None
        self._relative = re.compile(c.phrase(list(c.relative)), re.I) if c.relative else None
        self._report = re.compile(c.phrase(c.report), re.I) if c.report else None
        months = c.phrase(list(c.months)) if c.months else None
        if months:
            self._full_dates = [
                re.compile(rf"(?=\d)(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?[ \t\u00a0.]*(?:{months})[ \t\u00a0.,]*(\d{{4}})(?!\d)", re.I),
                re.compile(rf"(?:{months})[ \t\u00a0.]*(\d{{1,2}})(?:st|nd|rd|th)?[ \t\u00a0.,]+(\d{{4}})(?!\d)", re.I),
            ]
        else:
            self._full_dates = []
        # "22 July 2024" opens with its day, "July 22, 2024" with its month
        self._dates_at_digits = (_ISO_DATE, _DMY_DATE, *self._full_dates[:1])
        self._dates_elsewhere = tuple(self._full_dates[1:])

    # -- years ---------------------------------------------------------------
    def years(self, text: str) -> list[YearMention]:
        """Every year written in ``text`` with its role."""
        dated = []
        for rx in self._dates_at_digits:
            dated.extend(m.span() for m in digit_led_matches(rx, text))
        for rx in self._dates_elsewhere:
            dated.extend(m.span() for m in rx.finditer(text))
        dated.sort()
        date_starts = [x for x, _ in dated]
        # the furthest end of the dates starting at or before each one
        reach = list(accumulate((y for _, y in dated), max))
        titles = {(m.start(1), m.end(1)) for m in _PAREN_YEAR.finditer(text)}
        out = []
        for m in digit_led_matches(_YEAR, text):
            a, b = m.start(1), m.end(1)
            k = bisect_right(date_starts, a) - 1
            if k >= 0 and reach[k] >= b:
                role = "date"
            elif (a, b) in titles:
                role = "title"
            elif (self._before_year is not None and self._before_year.search(text, max(0, a - 40), a)) or (
                    self._after_year is not None and self._after_year.match(text, b)):
                role = "baseline"
            else:
                role = "period"
            out.append(YearMention(a, b, int(m.group(1)), role))
        return out

    def report_year(self, text: str, years: list[YearMention]) -> int | None:
        """The year of the report edition the article names, else the year
        most often named as a period."""
        titles = [y for y in years if y.role == "title"]
        for y in titles:
            lo = max(0, y.start - 200)
            if self._report is not None and self._report.search(text, text.rfind("\n", lo, y.start) + 1 or lo, y.start):
                return y.year
        if titles:
            return titles[0].year
        periods = Counter(y.year for y in years if y.role == "period")
        if periods:
            return max(periods.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return None

    def published(self, text: str, head: int = 600) -> str | None:
        """The publication date when the page states it in full near the top
        (ISO "2024-07-22", "22 Juli 2024", "July 22, 2024", "2024年7月22日")."""
        window = text[:head]
        best = None
        m = _ISO_DATE.search(window)
        if m:
            best = (m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3)))
        for rx in self._full_dates:
            for fm in rx.finditer(window):
                month = self._month_in(fm.group(0))
                if month is None:
                    continue
                g = [x for x in fm.groups() if x]
                day, year = (int(g[0]), int(g[1]))
                cand = (fm.start(), year, month, day)
                if best is None or cand[0] < best[0]:
                    best = cand
                break
        if best is None:
            return None
        _, y, mo, d = best
        if not (1 <= mo <= 12 and 1 <= d <= 31 and 1800 <= y <= 2199):
            return None
        return f"{y:04d}-{mo:02d}-{d:02d}"

    def _month_in(self, s: str) -> int | None:
        low = s.lower()
        for name, num in sorted(self.cues.months.items(), key=lambda kv: -len(kv[0])):
            if re.search(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", low):
                return num
        return None

    # -- claims --------------------------------------------------------------
    def resolve(self, text: str, claims: list[Claim]) -> list[Claim]:
        """Set ``period`` on every claim and ``baseline`` on changes."""
        years = self.years(text)
        default = self.report_year(text, years)
        starts = [y.start for y in years]
        changes_in = {c.sentence for c in claims if c.kind == "change"}
        out = []
        for c in claims:
            s0, s1 = c.sentence
            in_sent = years[bisect_left(starts, s0):bisect_left(starts, s1)]
            # a year after a comparison word is a baseline only where the
            # sentence states a change ("data from the 2024 survey" is a period)
            roles = ("period",) if c.sentence in changes_in else ("period", "baseline")
            periods = [y for y in in_sent if y.role in roles and y.end <= s1]
            before = [y for y in periods if y.end <= c.start]
            after = [y for y in periods if y.start >= c.end]
            own = [y for y in periods if not has_clause_bound(text, min(y.end, c.end), max(y.start, c.start),
                                                              self._clause_words)]
            if own:
                # a year in the figure's own clause: the nearest; on a tie the one
                # after it ("from 92.88% in 2023 to 94.18% in 2024")
                period = min(own, key=lambda y: (min(abs(y.start - c.end), abs(c.start - y.end)),
                                                  y.start < c.start)).year
            elif before:
                period = before[-1].year
            elif after:
                period = after[0].year
            else:
                period = default
            if c.kind == "level" and period is not None:
                # "前年の92.88％", "92,88 % im Vorjahr": the year before's level
                period += self.cues.period_shift(text, c.start, c.end)
            baseline = None
            if c.kind == "change":
                baseline = self._baseline(text, c, in_sent, period)
            out.append(c.evolve(
                period=None if period is None else str(period),
                baseline=None if baseline is None else str(baseline),
            ))
        return out

    def _baseline(self, text: str, c: Claim, in_sent: list[YearMention], period: int | None) -> int | None:
        s0, s1 = c.sentence
        cands: list[tuple[int, int]] = []  # (distance, year)
        for y in in_sent:
            if y.role == "baseline":
                cands.append((min(abs(y.start - c.end), abs(c.start - y.end)), y.year))
        if self._relative is not None and period is not None:
            for m in self._relative.finditer(text, s0, s1):
                off = self.cues.relative.get(_WS.sub(" ", m.group(0).lower()))
                if off is not None:
                    cands.append((min(abs(m.start() - c.end), abs(c.start - m.end())), period + off))
        if cands:
            return min(cands)[1]
        return None if period is None else period - 1


def period_resolver(lang: str | None) -> PeriodResolver:
    """The (cached) resolver of ``lang``'s data language."""
    return _period_resolver(data_lang(lang))


@lru_cache(maxsize=None)
def _period_resolver(code: str) -> PeriodResolver:
    return PeriodResolver(code)
