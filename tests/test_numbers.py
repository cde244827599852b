"""Tests of cbafacts.numbers.parse.

The per-language example corpora ``cbafacts/lang/<code>/examples.yaml`` are
the specification (Duckling style: examples grouped by expected reading,
plus negatives); one generic parametrized test reads them all, with ids like
``id:723 juta``. Property tests check robustness and round trips through
Python's own number formatting.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cbafacts.data import LANG_DIR
from cbafacts.numbers import parse
from cbafacts.numbers.spec import get_spec

LANGS = ("en", "id", "zh", "xx")


# --- the example corpora ---------------------------------------------------------

def _corpus_files() -> list[Path]:
    return sorted(LANG_DIR.glob("*/examples.yaml"))


def _expect(src: dict, surface: str) -> dict:
    """The expected reading from a group or mention entry: value, unit (null
    when not given), and qualifier / value_max only when given."""
    out = {"value": float(src["value"]), "unit": src.get("unit"), "surface": surface}
    for key in ("qualifier", "value_max"):
        if key in src:
            out[key] = src[key]
    return out


def _cases() -> Iterator[Any]:
    for path in _corpus_files():
        lang = path.parent.name
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in data.get("examples") or []:
            group_xfail = group.get("xfail")
            if "mentions" in group:
                text = group["text"]
                expected = [_expect(m, m["surface"]) for m in group["mentions"]]
                yield _param(lang, text, expected, group_xfail)
                continue
            for item in group["texts"]:
                if isinstance(item, dict):
                    text, surface, xf = item["text"], item.get("surface"), item.get("xfail", group_xfail)
                else:
                    text, surface, xf = item, None, group_xfail
                expected = [_expect(group, surface if surface is not None else text)]
                yield _param(lang, text, expected, xf)
        for item in data.get("negatives") or []:
            if isinstance(item, dict):
                yield _param(lang, item["text"], [], item.get("xfail"))
            else:
                yield _param(lang, item, [], None)


def _param(lang: str, text: str, expected: list[dict], xfail: str | None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    short = text if len(text) <= 40 else text[:37] + "..."
    return pytest.param(lang, text, expected, marks=marks, id=f"{lang}:{short}")


CASES = list(_cases())


def test_every_language_has_a_corpus() -> None:
    langs = {p.parent.name for p in _corpus_files()}
    assert {"en", "id", "zh"} <= langs


@pytest.mark.parametrize("lang,text,expected", CASES)
def test_corpus(lang: str, text: str, expected: list[dict]) -> None:
    got = parse(text, lang)
    found = [(m.surface, m.value, m.unit, m.qualifier) for m in got]
    assert len(got) == len(expected), f"{text!r}: expected {len(expected)} mention(s), got {found}"
    pos = 0
    for m, exp in zip(got, expected):
        start = text.index(exp["surface"], pos)
        end = start + len(exp["surface"])
        assert (m.start, m.end) == (start, end), f"{text!r}: {m.surface!r} is not {exp['surface']!r}"
        assert math.isclose(m.value, exp["value"], rel_tol=1e-9, abs_tol=1e-12), f"{text!r}: {found}"
        assert m.unit == exp["unit"], f"{text!r}: {found}"
        if "qualifier" in exp:
            assert m.qualifier == exp["qualifier"], f"{text!r}: {found}"
        if "value_max" in exp:
            assert m.value_max is not None and math.isclose(m.value_max, exp["value_max"], rel_tol=1e-9), found
        pos = end


def test_surfaces_slice_the_text() -> None:
    for param in CASES:
        lang, text, _ = param.values
        for m in parse(text, lang):
            assert text[m.start:m.end] == m.surface


# --- properties -----------------------------------------------------------------

def _check_offsets(text: str, mentions) -> None:
    last = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.start >= last, "mentions overlap or are out of order"
        assert text[m.start:m.end] == m.surface
        assert math.isfinite(m.value)
        last = m.end


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_parse_never_raises(lang: str, text: str) -> None:
    _check_offsets(text, parse(text, lang))


_NUMBERISH = st.text(alphabet="0123456789０１２３.,，、%％ -−万亿百分之个点年tahunjutapersen", max_size=30)


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=300, deadline=None)
@given(text=_NUMBERISH)
def test_parse_never_raises_on_number_like_text(lang: str, text: str) -> None:
    _check_offsets(text, parse(text, lang))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=999_999_999))
def test_en_grouped_integers_round_trip(n: int) -> None:
    text = f"{n:,}"
    got = parse(text, "en")
    assert [(m.surface, m.value) for m in got] == [(text, float(n))]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=-(10**9) + 1, max_value=10**9 - 1),
    places=st.integers(min_value=1, max_value=4),
)
def test_en_grouped_decimals_round_trip(n: int, places: int) -> None:
    d = Decimal(n).scaleb(-places)
    text = f"{d:,}"
    got = parse(text, "en")
    assert len(got) == 1 and got[0].surface == text, (text, got)
    assert math.isclose(got[0].value, float(d), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=999_999_999))
def test_id_dot_grouped_integers_round_trip(n: int) -> None:
    number = f"{n:,}".replace(",", ".")
    text = f"{number} orang"
    got = parse(text, "id")
    assert [(m.surface, m.value) for m in got] == [(number, float(n))]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=999_999_999), places=st.integers(min_value=1, max_value=4))
def test_id_comma_decimals_with_percent_round_trip(n: int, places: int) -> None:
    d = Decimal(n).scaleb(-places)
    number = f"{d:,}".translate(str.maketrans(",.", ".,"))
    text = f"{number}%"
    got = parse(text, "id")
    assert [(m.surface, m.unit) for m in got] == [(text, "percent")]
    assert math.isclose(got[0].value, float(d), rel_tol=1e-9, abs_tol=1e-9)


# --- data sanity -----------------------------------------------------------------

def _number_langs() -> list[str]:
    return sorted(p.parent.name for p in LANG_DIR.glob("*/numbers.yaml"))


@pytest.mark.parametrize("lang", _number_langs())
def test_scale_words_are_powers_of_ten(lang: str) -> None:
    spec = get_spec(lang)
    assert spec.lang == lang
    for word, (role, value) in spec.words.items():
        if role in ("scale", "scale_abbr"):
            assert value > 1, (lang, word, value)
            assert value == Decimal(10) ** (len(str(int(value))) - 1), (lang, word, value)


@pytest.mark.parametrize("lang", _number_langs())
def test_number_words_have_sane_values(lang: str) -> None:
    spec = get_spec(lang)
    for word, (role, value) in spec.words.items():
        if role == "unit":
            # units run to 999: "doscientos", "двести", "quatre-vingt-dix" are single
            # words; one-and-a-half and two-and-a-half words are the only
            # halves ("anderthalb", Hindi डेढ़ and ढाई)
            assert 0 <= value < 1000 and (value == value.to_integral_value()
                                          or value in (Decimal("1.5"), Decimal("2.5"))), (
                lang, word, value)
        elif role in ("mult", "cmult"):
            # powers of ten, or counting units that multiply like them (dozen = 12,
            # half a dozen = 6, score = 20)
            power = value == Decimal(10) ** (len(str(int(value))) - 1)
            assert (value >= 10 and power) or value in (6, 12, 20, 144), (lang, word, value)


@pytest.mark.parametrize("text,lang", [("un pourcentage élevé", "fr"), ("una percentuale elevata", "it")])
def test_article_before_a_percent_noun_is_no_percentage(text, lang):
    # percent.after_digits: the noun makes a percentage only after digits
    assert [m for m in parse(text, lang) if m.unit == "percent"] == []
    assert [(m.value, m.unit) for m in parse("100 " + text.split()[1], lang)] == [(100.0, "percent")]


@pytest.mark.parametrize("text,lang,article", [("eine Bank", "de", "eine"), ("tirate un paso", "es", "un"),
                                               ("een rapport", "nl", "een"), ("bir banka", "tr", "bir")])
def test_lone_article_is_one_only_when_asked(text, lang, article):
    # the default: an article that counts nothing is no number
    assert parse(text, lang) == []
    got = parse(text, lang, lone_articles=True)
    assert [(m.surface, m.value, m.unit) for m in got] == [(article, 1.0, None)]


def test_lone_articles_is_a_no_op_where_the_article_is_no_numeral():
    # English "a" is an article, never the numeral; German numbers are read the same either way
    assert parse("a bank", "en", lone_articles=True) == []
    text = "eine Million Kunden, 4,6 Prozent mehr"
    assert parse(text, "de", lone_articles=True) == parse(text, "de")


# --- the trie alternation is the same language as the flat one -----------------

_WORDS = st.text(alphabet="abcé'", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(phrases=st.lists(st.lists(_WORDS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=12),
       text=st.text(alphabet="abcé' .\n", max_size=60))
def test_trie_alternation_matches_what_the_flat_alternation_matches(phrases, text):
    import re

    from cbafacts.numbers.spec import alternation, trie_alternation

    def hits(alt: str) -> list[tuple[int, int]]:
        rx = re.compile(rf"(?<![^\W_])(?:{alt})(?![^\W_])", re.I)
        return [m.span() for m in rx.finditer(text)]

    assert hits(trie_alternation(phrases)) == hits(alternation(phrases))


def test_canonical_variants_of_composition_exclusions() -> None:
    from cbafacts.numbers.spec import canonical_variants

    decomposed, precomposed = "\u0921\u0947\u0922\u093c", "\u0921\u0947\u095d"  # डेढ़
    assert canonical_variants(decomposed) == [decomposed, precomposed]
    assert canonical_variants(precomposed) == [precomposed, decomposed]
    # letters that NFC composes have one encoding in NFC text: nothing added
    assert canonical_variants("café") == ["café"]
    assert canonical_variants("percent") == ["percent"]
    # and a text in either encoding reads the same
    assert [float(m.value) for m in parse(f"{precomposed} लाख", "hi")] == [150000.0]
    assert [float(m.value) for m in parse(f"{decomposed} लाख", "hi")] == [150000.0]


# --------------------------------------------------------------------------
# the first-character lookahead put before searched alternations
# --------------------------------------------------------------------------

_LEAD_ALPHABET = "aAbBsSßẞıİiIſkK中文 -.%,\u00a0\n"


#: a few short phrases of letters that fold case oddly, spaces and punctuation
_LEAD_PHRASES = st.lists(st.text(alphabet=_LEAD_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(phrases=_LEAD_PHRASES, text=st.text(alphabet=_LEAD_ALPHABET, max_size=40), ignorecase=st.booleans())
def test_first_char_lead_changes_no_match(phrases, text, ignorecase) -> None:
    import re

    from cbafacts.numbers.spec import alternation, first_char_lead

    flags = re.IGNORECASE if ignorecase else 0
    plain = re.compile(f"(?:{alternation(phrases)})", flags)
    led = re.compile(f"{first_char_lead(phrases)}(?:{alternation(phrases)})", flags)
    assert [m.span() for m in led.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_first_char_lead_is_a_class_of_first_characters() -> None:
    from cbafacts.numbers.spec import first_char_lead

    assert first_char_lead(["per cent", "pct", " ]x", "-"]) == r"(?=[\-\]p])"
    assert first_char_lead([]) == first_char_lead(["  "]) == ""
    # an atom stands for other characters too: no lead
    assert first_char_lead(["'s", "x"], {"'": "['’]"}) == "" and first_char_lead(["s", "x"], {"'": "['’]"})


# --------------------------------------------------------------------------
# shortcuts of the reader: the same numbers as the general path
# --------------------------------------------------------------------------

_NUMBER_LANGS = ("ar", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "ms", "nl", "pt", "ru", "sv", "tr", "zh")
_RUN_ALPHABET = "0123456789０１２٣ -−.,/%年万十二三mila due cento twenty one dua puluh 答えは"


def _parse_module():
    import importlib

    return importlib.import_module("cbafacts.numbers.parse")


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=_RUN_ALPHABET, max_size=60), lang=st.sampled_from(_NUMBER_LANGS))
def test_plain_digit_runs_read_as_the_builder_reads_them(text, lang) -> None:
    """A run of ASCII digits is read without items and a builder; wherever
    that shortcut answers, the general reading gives the same numbers."""
    from cbafacts.numbers.spec import get_spec

    P = _parse_module()
    spec = get_spec(lang)
    rx = P._regexes(spec)
    text = "x " + text + " (2024) 37, 1990年 -5 答えは-1 2mila"

    def masked(a: int, b: int) -> bool:
        return False

    pos, shortcuts = 0, 0
    while (run := rx["run"].search(text, pos)) is not None:
        found = P._plain_digits(text, run.start(), run.end(), spec.compound and spec.spaced, masked)
        slow, slow_articles, slow_pos = P._read_run(text, run.start(), run.end(), spec, rx, masked)
        if found is not None:
            shortcuts += 1
            assert list(found) == list(slow) and not slow_articles and slow_pos == run.end()
        pos = slow_pos
    assert shortcuts >= 1  # "2024" at least


def test_plain_digit_shortcut_declines_runs_it_cannot_read() -> None:
    P = _parse_module()

    def never(a: int, b: int) -> bool:
        return False

    assert P._plain_digits("in 2024 they", 3, 7, False, never) == ((3, 7, Decimal(2024), Decimal(1), False, False),)
    assert P._plain_digits("in 2024 they", 3, 7, False, lambda a, b: True) is None  # masked
    assert P._plain_digits("答えは-1", 4, 5, False, never) is None          # a sign before it
    assert P._plain_digits("2mila", 0, 1, True, never) is None              # a compound word goes on
    assert P._plain_digits("2mila", 0, 1, False, never) is not None
    assert P._plain_digits("٣٤", 0, 2, False, never) is None                # not ASCII digits
    assert P._plain_digits("4.5", 0, 3, False, never) is None
    assert P._plain_digits("1" + "0" * 28, 0, 29, False, never) is None   # rounded by the builder


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=_RUN_ALPHABET + "¾½e^x×abKMBk", max_size=60), lang=st.sampled_from(_NUMBER_LANGS))
def test_item_leads_change_no_match(text, lang) -> None:
    """The digit branches of a number run are led by the characters they
    start with, the word branch (where words stand apart) by the words'
    first characters: the same matches as without the leads."""
    import re

    from cbafacts.numbers.spec import first_chars, get_spec

    P = _parse_module()
    spec = get_spec(lang)
    rx = P._regexes(spec)
    digit_lead = f"(?=[-−{re.escape(spec.decimal)}{P._VULGAR}\\d])"
    leads = [digit_lead]
    if spec.spaced and not spec.compound:
        firsts = first_chars([*spec.words, *spec.glued_connectors])
        if firsts:
            leads.append(f"(?=[{firsts}])(?<![^\\W\\d_])")
    for key in ("run", "item"):
        pattern = rx[key].pattern
        plain = pattern
        for lead in leads:
            assert lead in pattern
            plain = plain.replace(lead, "(?<![^\\W\\d_])" if lead.endswith("(?<![^\\W\\d_])") else "")
        unled = re.compile(plain, rx[key].flags)
        assert [m.span() for m in rx[key].finditer(text)] == [m.span() for m in unled.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="htps:/w.?=& \nabx%2D", max_size=40))
def test_url_mask_finds_what_the_plain_pattern_finds(text) -> None:
    """URLs are masked with a query word tried at word starts only, and not
    searched for in texts without "://", "www." or "?"."""
    import re

    P = _parse_module()
    plain = re.compile(r"(?:https?://|www\.)\S+|\S+\?\S*=\S*")
    expected = [m.span() for m in plain.finditer(text)]
    if not any(mark in text for mark in P._URL_MARKS):
        assert expected == []
    assert [m.span() for m in P._URL.finditer(text)] == expected


@settings(max_examples=300, deadline=None)
@given(phrases=_LEAD_PHRASES, text=st.text(alphabet=_LEAD_ALPHABET, max_size=30), ignorecase=st.booleans())
def test_last_char_precheck_skips_no_phrase_that_ends_the_window(phrases, text, ignorecase) -> None:
    """The qualifier before a number is searched only where the text before
    it (spaces left out) ends with a qualifier's last character: never where
    a phrase ends right there."""
    import re

    from cbafacts.numbers.spec import TailPattern, alternation

    flags = re.IGNORECASE if ignorecase else 0
    hs = "[ \t\u00a0\u202f]"
    rx = re.compile(f"(?:{alternation(phrases)}){hs}*$", flags)
    tail = TailPattern(rx, phrases, " \t\u00a0\u202f")
    for hi in range(len(text) + 1):
        lo = max(0, hi - 24)
        q = rx.search(text, lo, hi)
        if q is not None and q.end() == hi:
            assert tail.search(text, lo, hi) is not None


def test_last_chars() -> None:
    from cbafacts.numbers.spec import last_chars

    assert last_chars(["more than", "about", "up to "]) == "not"
    assert last_chars([]) is None and last_chars(["x", " "]) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="第令和 \t\n\u00a0ke-12三x", max_size=40), lang=st.sampled_from(["zh", "ja", "id", "ms"]))
def test_ordinal_prefix_is_searched_from_where_it_can_start(text, lang) -> None:
    """An ordinal prefix before a number ("第3", "ke-3") is looked for just
    before the number's spaces, not from the text's start: the same answer."""
    from cbafacts.numbers.spec import get_spec

    P = _parse_module()
    spec = get_spec(lang)
    rx = P._regexes(spec)["ord_prefix"]
    for start in range(len(text) + 1):
        assert bool(rx.search(text, P._prefix_from(text, start, spec), start)) == bool(rx.search(text, 0, start))
