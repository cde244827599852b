"""The whole-text scans the claim finder, the linker and the period resolver
share: each must find what the plain search it replaces finds."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbafacts import claims as C
from cbafacts.claims import (
    CLAUSE_LOOKAHEAD, claim_finder, clause_bounds, digit_led_matches, has_clause_bound, text_scan,
)
from cbafacts.numbers.spec import TailPattern
from cbafacts.periods import PeriodResolver

_DIGITY = "0123456789٣४๒ -/.:：年月日号,()+"


def _spans(ms) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in ms]


def _digit_led_patterns() -> list[re.Pattern]:
    pats = [C._ISO_DATE, C._DMY_DATE, C._TIME, C._YEAR]
    for lang in ("en", "de", "fr", "id", "es", "pt", "it", "ru", "tr"):
        pats.extend(PeriodResolver(lang)._dates_at_digits)
    return pats


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_DIGITY + "July juli 2nd", max_size=50))
def test_digit_led_matches_equal_finditer(text) -> None:
    for rx in _digit_led_patterns():
        assert _spans(digit_led_matches(rx, text)) == _spans(rx.finditer(text)), rx.pattern


def test_digit_led_matches_on_dates_and_years() -> None:
    text = "On 22 July 2024 (2023-07-01, 5/17/2018 at 10:30) ٣2024 x2024 2024."
    assert [m.group(0) for m in digit_led_matches(C._ISO_DATE, text)] == ["2023-07-01"]
    assert [m.group(0) for m in digit_led_matches(C._DMY_DATE, text)] == ["5/17/2018"]
    assert [m.group(0) for m in digit_led_matches(C._TIME, text)] == ["10:30"]
    # "٣2024": the Arabic-Indic digit before it makes no year start there
    assert [m.group(1) for m in digit_led_matches(C._YEAR, text)] == ["2024", "2023", "2018", "2024", "2024"]
    full = PeriodResolver("en")._dates_at_digits[-1]
    assert [m.group(0) for m in digit_led_matches(full, text)] == ["22 July 2024"]


def test_text_scan_is_per_text_and_key() -> None:
    calls = []

    def make(t: str) -> int:
        calls.append(t)
        return len(t)

    a = "one text"
    b = "".join(["one ", "text"])  # equal, another object
    assert text_scan(a, "k", make) == 8 and text_scan(a, "k", make) == 8
    assert calls == [a]
    assert text_scan(a, "k2", make) == 8 and len(calls) == 2
    assert text_scan(b, "k", make) == 8 and len(calls) == 3
    assert calls[-1] is b


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="sentence. Done! ok? 。！？\n\"')」 a", max_size=50))
def test_sentence_end_lead_changes_no_match(text) -> None:
    plain = re.compile(r"(?:[.!?]+[\"'”’)\]」』]*(?=\s|$))|[。！？!?।॥؟]+[\"'”’)\]」』]*|\n+")
    assert [m.span() for m in C._SENT_END.finditer(text)] == [m.span() for m in plain.finditer(text)]


def _clause_bounds_plain(text: str, start: int, end: int, words) -> list[int]:
    """clause_bounds as it was: each span searched on its own."""
    out = []
    for m in C._CLAUSE.finditer(text, start, end):
        i = m.start()
        if text[i] in ",，:：" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
            continue
        out.append(i)
    if words is not None:
        for m in words.finditer(text, start, min(len(text), end + CLAUSE_LOOKAHEAD)):
            if m.start() >= end:
                break
            out.append(m.start())
        out.sort()
    return out


# a multi-word clause word whose tail is one too: a match of the whole-text
# search can run across a span's start ("as well as" over "well as")
_MULTI = re.compile(r"(?<![^\W_])(?:as well as|well as|and|dan)(?![^\W_])(?=[ ]*(?:[^\W\d_]+[ ]+)?\d)", re.I)


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(st.sampled_from(["and ", "as ", "well ", "dan ", "5 ", "4,5", ", ", "; ", "x ", "AND ", "a"]),
                  max_size=30).map("".join),
    a=st.integers(0, 120), b=st.integers(0, 120),
    which=st.sampled_from(["en", "id", "multi", None]),
)
def test_clause_bounds_equal_a_search_of_each_span(text, a, b, which) -> None:
    words = _MULTI if which == "multi" else (claim_finder(which).clause_words if which else None)
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    expected = _clause_bounds_plain(text, start, end, words)
    assert clause_bounds(text, start, end, words) == expected
    assert has_clause_bound(text, start, end, words) == bool(expected)


def test_clause_word_running_across_the_span_start_is_searched_again() -> None:
    text = "rates as well as 5 points"
    start = text.index("well")
    # the whole-text search finds "as well as" at 6; from `start` on, "well as" is found
    assert [m.start() for m in _MULTI.finditer(text)] == [text.index("as well")]
    assert clause_bounds(text, start, len(text), _MULTI) == [start]


@pytest.mark.parametrize("lang", ["en", "id", "de"])
def test_clause_words_of_a_sentence(lang) -> None:
    words = claim_finder(lang).clause_words
    text = {"en": "Calls rose 5% and 7 banks, or 41,700 agents, joined",
            "id": "Panggilan naik 5% dan 7 bank, atau 41.700 agen, bergabung",
            "de": "Anrufe stiegen um 5% und 7 Banken, oder 41.700 Agenten, kamen"}[lang]
    bounds = clause_bounds(text, 0, len(text), words)
    assert bounds == _clause_bounds_plain(text, 0, len(text), words)
    joiner = {"en": " and ", "id": " dan ", "de": " und "}[lang]
    assert text.index(joiner) + 1 in bounds                 # the clause word before "7"
    assert text.index(",") in bounds                         # the comma after "banks"
    assert all(text[i] != "," or not text[i + 1].isdigit() for i in bounds)  # not the comma of 41,700


_TAIL_ALPHABET = "aAbBsSßẞıİiIſkK中 -.:#,\u00a0\n"


@settings(max_examples=400, deadline=None)
@given(
    phrases=st.lists(st.text(alphabet=_TAIL_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5),
    window=st.text(alphabet=_TAIL_ALPHABET, max_size=30).map(lambda w: w + "#" if len(w) % 3 == 0 else w),
    spaces=st.sampled_from([" \t\u00a0\u202f", " \t\u00a0:：#", " \t\u00a0.,"]),
    spaced=st.booleans(),
)
def test_tail_pattern_finds_what_the_pattern_finds(phrases, window, spaces, spaced) -> None:
    """The cue patterns anchored at the window's end skip windows that end
    with no phrase's last character: the same match everywhere."""
    from cbafacts.cues import get_cues

    ph = get_cues("en" if spaced else "zh").phrase
    rx = re.compile(rf"(?P<cue>{ph(phrases)})[{re.escape(spaces)}]*$", re.I)
    got = TailPattern(rx, phrases, spaces).search(window)
    want = rx.search(window)
    assert (got and got.span()) == (want and want.span())


def test_tail_pattern_of_the_claim_finder() -> None:
    f = claim_finder("en")
    assert f._threshold.search("the rate stayed above ") is not None
    assert f._threshold.search("the rate stayed above 5 and") is None
    assert f._before_ref.search("see table ") is not None
    assert f._before_ref.search("call # ") is not None and f._before_ref.bare  # "#" is all trailing characters
    assert f._before_ref.search("rose by ") is None
    assert f._month_before.search("on 5 Sept. ") is not None                   # "sept." ends with "."


def test_tail_pattern_reads_ascii_last_words_as_ignorecase_does() -> None:
    """A window whose last word is ASCII is searched only where that word
    ends with a phrase's last word as ASCII spells it under IGNORECASE:
    "ı" matches "i" and "I", "ſ" "s", the Kelvin sign "k"."""
    phrases = ["kısa", "\u212aey", "ſet", "rose by"]
    rx = re.compile(r"(?:kısa|\u212aey|ſet|rose\s+by)[ ]*$", re.I)
    tail = TailPattern(rx, phrases, " ")
    assert tail.ascii_ends == ("by", "key", "kisa", "set")
    for window in ("the KISA ", "a key ", "reset ", "it rose  by ", "none ", "kısa ", "in 2024 "):
        assert bool(tail.search(window)) == bool(rx.search(window)), window


def test_digit_led_matches_refuses_other_patterns() -> None:
    # a pattern that may start inside a run of digits would lose matches there
    with pytest.raises(ValueError):
        digit_led_matches(re.compile(r"\d{2}"), "in 2024")
