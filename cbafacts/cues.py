"""Per-language cue words around numbers, loaded from ``lang/<code>/cues.yaml``.

Change verbs with their direction, comparison words that turn a year into a
baseline, thresholds, look-back windows, month names, reference words: all
data, compiled once into regexes here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Mapping

from .data import lang_file, load_yaml
from .errors import Errors
from .numbers.spec import WHITESPACE as _WS, FALLBACK_LANG, alternation, first_char_lead, get_spec

_LISTS = ("threshold", "streak", "not_claim_before", "not_claim_after", "report", "counted_after", "clause_words",
          "abbreviations", "refers_back")


@dataclass(frozen=True, eq=False)
class LanguageCues:
    lang: str
    spaced: bool
    change_up: tuple[str, ...]
    change_down: tuple[str, ...]
    fillers: tuple[str, ...]
    target: tuple[str, ...]
    before_year: tuple[str, ...]
    after_year: tuple[str, ...]
    relative: Mapping[str, int]
    threshold: tuple[str, ...]
    lookback_before: tuple[str, ...]
    lookback_after: tuple[str, ...]
    streak: tuple[str, ...]
    not_claim_before: tuple[str, ...]
    not_claim_after: tuple[str, ...]
    months: Mapping[str, int]
    report: tuple[str, ...]
    counted_after: tuple[str, ...]
    clause_words: tuple[str, ...]
    abbreviations: tuple[str, ...] = ()
    #: words that open a sentence about the figure before it ("This is",
    #: "이는", "これは"): a change there continues that figure's metric
    refers_back: tuple[str, ...] = ()
    #: words right before / after a level figure that move its period from
    #: the year of its sentence ("前年の92.88％", "92,88 % im Vorjahr": the
    #: year before's level); offsets in years
    period_before: Mapping[str, int] = field(default_factory=dict)
    period_after: Mapping[str, int] = field(default_factory=dict)
    #: change words that count only right before the number, nothing in
    #: between (pt "mais 4 pontos percentuais"; "mais de 40%" is a bound)
    up_adjacent: tuple[str, ...] = ()
    down_adjacent: tuple[str, ...] = ()
    #: change words that count only after the number ("4 points more than
    #: in 2023"; before a number "more than" is a bound)
    up_after: tuple[str, ...] = ()
    down_after: tuple[str, ...] = ()

    def direction_of(self, word: str) -> str | None:
        return self._directions.get(_WS.sub(" ", word.lower()))

    @cached_property
    def _directions(self) -> dict[str, str]:
        out = {_WS.sub(" ", w.lower()): "down"
               for w in (*self.change_down, *self.down_adjacent, *self.down_after)}
        out.update((_WS.sub(" ", w.lower()), "up")
                   for w in (*self.change_up, *self.up_adjacent, *self.up_after))
        return out

    @cached_property
    def _period_rx(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        sp = r"[ \t\u00a0\u202f]*"
        before = re.compile(rf"{self.phrase(list(self.period_before))}{sp}$", re.I) if self.period_before else None
        after = re.compile(rf"{sp}{self.phrase(list(self.period_after))}", re.I) if self.period_after else None
        return before, after

    def period_shift(self, text: str, start: int, end: int) -> int:
        """Years to move the period of the level figure at ``[start, end)``
        by the words written right beside it (0 when there are none)."""
        before, after = self._period_rx
        m = before.search(text, max(0, start - 24), start) if before is not None else None
        if m is not None:
            return self.period_before.get(_WS.sub(" ", m.group(0).strip().lower()), 0)
        m = after.match(text, end) if after is not None else None
        if m is not None:
            return self.period_after.get(_WS.sub(" ", m.group(0).strip().lower()), 0)
        return 0

    def phrase(self, words) -> str:
        """A regex for any of ``words`` as whole words (or bare, for unspaced
        scripts)."""
        words = list(words)
        # the lookahead on first characters: the same matches, found sooner
        lead, alt = first_char_lead(words), alternation(words)
        if not self.spaced:
            return f"(?:{lead}(?:{alt}))"
        return rf"(?:{lead}(?<![^\W_])(?:{alt})(?![^\W_]))"


def _list(data: Mapping, key: str, source: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ValueError(Errors.E301.format(source=source, field=key, expected="a list"))
    return tuple(str(v) for v in value)


def get_cues(lang: str | None) -> LanguageCues:
    """Cues of ``lang`` (languages without a cue file get empty cues)."""
    code = (lang or FALLBACK_LANG).lower().replace("_", "-").split("-")[0]
    return _get_cues(code if lang_file(code, "cues.yaml") is not None else FALLBACK_LANG)


@lru_cache(maxsize=None)
def _get_cues(code: str) -> LanguageCues:
    path = lang_file(code, "cues.yaml") or lang_file(FALLBACK_LANG, "cues.yaml")
    assert path is not None
    data = load_yaml(path) or {}
    src = str(path)
    change = data.get("change") or {}
    comp = data.get("comparison") or {}
    look = data.get("lookback") or {}
    cues = LanguageCues(
        lang=code,
        spaced=get_spec(code).spaced,
        change_up=_list(change, "up", src),
        change_down=_list(change, "down", src),
        fillers=_list(change, "fillers", src),
        target=_list(change, "target", src),
        up_adjacent=_list(change, "up_adjacent", src),
        down_adjacent=_list(change, "down_adjacent", src),
        up_after=_list(change, "up_after", src),
        down_after=_list(change, "down_after", src),
        before_year=_list(comp, "before_year", src),
        after_year=_list(comp, "after_year", src),
        relative={str(k).lower(): int(v) for k, v in (comp.get("relative") or {}).items()},
        **{key: {_WS.sub(" ", str(k).lower()): int(v) for k, v in (comp.get(key) or {}).items()}
           for key in ("period_before", "period_after")},
        lookback_before=_list(look, "before", src),
        lookback_after=_list(look, "after", src),
        months={str(k).lower(): int(v) for k, v in (data.get("months") or {}).items()},
        **{k: _list(data, k, src) for k in _LISTS},
    )
    return cues
