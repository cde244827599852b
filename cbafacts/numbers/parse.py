"""One locale-agnostic number reader.

``parse(text, lang)`` finds every number written in ``text`` the way the
language writes it (digits with that locale's separators, full-width and
other Unicode digits, number words with their grammar, scale words, percent
and percentage-point forms, durations in years, qualifiers) and returns
:class:`~cbafacts.model.Mention` objects with exact code-point offsets.

Everything language-specific comes from :class:`LocaleNumberSpec`; this
module holds no per-language branches.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from bisect import bisect_left
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from ..model import Mention
from .spec import WHITESPACE as _WS
from .spec import LocaleNumberSpec, TailPattern, _has_upper, alternation, first_chars, get_spec, led, trie_alternation

_SIGN_APART = re.compile(r"[-−][ ]+")
_SLASH = re.compile(r"([-−]?)(?:(\d+) {1,2})?(\d+)[/／](\d+)")

# Separators seen between digit groups, with their ASCII reading.
# "٫" (Arabic decimal) and "٬" (Arabic thousands) carry their role with them.
_SEP_MAP = {
    ".": ".", ",": ",", "，": ",", "．": ".", "、": ",", "・": ".",
    "'": "'", "’": "'", "٬": "'", "٫": "٫",
    " ": " ", "\u00a0": " ", "\u202f": " ",
}
_ALWAYS_GROUP = {"'", " "}
_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
#: a URL, or a word holding a query string ("page?id=9114"). A query word is
#: tried at word starts only: where one matches inside a word, it matches
#: from the word's start too, and a search reaches that start first
_URL = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)\S+\?\S*=\S*")
#: texts without these hold no URL (a query word needs "?")
_URL_MARKS = ("://", "www.", "?")
_EXPONENT = re.compile(r"(?:[eE]([+\-－−]?\d+)|\^([+-]?\d+)|[ ]?[x×][ ]?10\^([+-]?\d+))$")
_ALWAYS_DECIMAL = {"٫"}
_HSPACE_CHARS = " \t\u00a0\u202f"
_HSPACE = f"[{_HSPACE_CHARS}]"
#: kana, CJK ideographs and Hangul (whose particles glue to numbers): a sign
#: after them is still a sign ("答えは-1")
_UNSPACED_RX = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _is_spaced_letter(ch: str) -> bool:
    """A letter of a script that separates words with spaces (Latin, Greek,
    Cyrillic, ...): digits glued to one are part of an identifier ("A4", "5G")."""
    return ch.isalpha() and ord(ch) < 0x0590


@dataclass
class _Item:
    start: int
    end: int
    role: str  # num | unit | mult | scale | scale_abbr | add | conn | den | over | ...
    value: Decimal
    precision: Decimal = Decimal(1)
    #: a scale word that counts one on its own (numbers.yaml standalone_scales)
    standalone: bool = False
    #: a numeral glued to the one before it in Hangul: if it does not combine
    #: with it, it is part of a word ("쉰둘이": 이 is a particle)
    glued: bool = False
    #: a denominator joined to the ten before it the way the language writes
    #: compound ordinals ("twenty-fifth"; numbers.yaml fractions.compound_ordinals)
    compound: bool = False
    #: how many a standalone scale word counts: 2 for a dual ("ألفان" = 2,000)
    count: int = 1
    #: a numeral written in hiragana: never read digit by digit ("にご" is no 25)
    kana: bool = False
    #: a singular denominator ("tercio"): no fraction with a numerator above one
    singular: bool = False


def _regexes(spec: LocaleNumberSpec) -> dict[str, re.Pattern]:
    if spec.regexes:
        return spec.regexes
    # separators this locale writes between digit groups: "." and "," everywhere,
    # the rest ("、", "，", "'", spaces) only where numbers.yaml lists them
    known = {".", ",", "٫", "٬", spec.decimal, *spec.group, *spec.ambiguous_group}
    seps = "".join(re.escape(s) for s in _SEP_MAP if s.strip() and s in known)
    spaces = "".join(s for s in (" ", "\u00a0", "\u202f") if s in known)
    space_group = rf"|[{spaces}](?=\d{{3}}(?!\d))\d{{3}}" if spaces else ""
    # full-width "．" and "，" separate full-width digits ("９２．８８％", "１，１２３");
    # between ASCII digits they are punctuation ("37，31" is a list)
    # a leading sign, digits with separators, then an exponent: "1.3e6",
    # "12.32e+14", "1.1^23", "6.23x10^-4"; or a bare decimal ".08"; or a
    # vulgar fraction "¾"
    # slash fractions first: "3/4", "-4/5", "1 4/5", "３／５" (not dates: "5/17/2018")
    dec = re.escape(spec.decimal)
    # a sign touches the digits, after anything but a letter or a digit ("-5";
    # after kana, ideographs and Hangul see _items); at the start of a line it
    # may stand apart ("- 10 k")
    apart = r"(?:^|(?<=^ )|(?<=\n))[-−][ ]+"
    digits = (
        rf"(?:(?:{apart}|(?<![\w./／])(?<!\d[-‐])[-−]?)(?:\d+[ ]{{1,2}})?\d+[/／]\d+(?![/／]?\d)(?![.,]\d)"
        rf"|(?:{apart}|(?<![\w.,])[-−])?\d+"
        rf"(?:[{seps}](?=\d)\d+|(?<=[０-９])[．，](?=[０-９])[０-９]+{space_group})*"
        rf"(?:[eE][+\-－−]?\d+(?![\w])|\^[+-]?\d+|[ ]?[x×][ ]?10\^[+-]?\d+)?"
        rf"|(?<![\w.,])[-−]?{dec}\d+(?![.,]?\d)|[{_VULGAR}])"
    )
    # every branch starts with a sign, a digit, the decimal mark or a vulgar
    # fraction: tested first, a letter fails the branches at one class
    digits = rf"(?=[-−{dec}{_VULGAR}\d]){digits}"
    words = _word_alternation(list(spec.words))
    if not spec.spaced:
        # fraction words may be spaced out in unspaced scripts: "三分  之一"
        spread = [w for w, (role, _) in spec.words.items() if role in ("under", "over") and len(w) > 1]
        if spread:
            words = alternation(spread, loose=True) + "|" + words
    if spec.spaced and not spec.compound:
        # a connector may be glued to the word after it: Arabic "وعشرون"
        glued_conn = rf"(?:{alternation(spec.glued_connectors)})?" if spec.glued_connectors else ""
        firsts = first_chars([*spec.words, *spec.glued_connectors])
        word = rf"{f'(?=[{firsts}])' if firsts else ''}(?<![^\W\d_]){glued_conn}(?:{words})(?![^\W\d_])"
    else:
        word = rf"(?:{words})"
    conns = [c for c in spec.connectors if c.strip() and c != "-"]
    conn_alt = alternation(conns) if conns else None
    if spec.spaced:
        sep = rf"(?:{_HSPACE}*-{_HSPACE}*|{_HSPACE}+"
        if spec.comma_after_scale:
            # "one thousand, one hundred": the builder decides whether it continues
            sep = rf"(?:,{_HSPACE}+|{sep[3:]}"
        if conn_alt:
            sep += rf"(?:(?:{conn_alt}){_HSPACE}+)?"
        sep += ")"
        if spec.compound and conn_alt:
            sep = rf"(?:{sep}|(?:{conn_alt})|)"
        elif spec.compound:
            sep = rf"(?:{sep}|)"
        else:
            # digits glued to a scale abbreviation: "4.2bn", "10rb"
            sep = rf"(?:{sep}|(?<=\d)(?=[^\W\d_]))"
    else:
        sep = rf"{_HSPACE}*"
    # a glued number word with an ordinal suffix is a denominator
    # ("veintiunavos", "venticinquesimi"): tried first, checked in _items
    ordw = (rf"(?<![^\W\d_])[^\W\d_]+?(?:{alternation(spec.ordinal_suffixes)})(?![^\W\d_])"
            if spec.ordinal_suffixes else None)
    item = rf"(?:{ordw}|{digits}|{word})" if ordw else rf"(?:{digits}|{word})"
    flags = re.IGNORECASE
    # in scripts without spaces between words a space may stand anywhere in a
    # percent form ("百 分 之 2", "六 个 百 分点")
    loose = not spec.spaced
    fraction_words = [w for w, (role, _) in spec.words.items() if role in ("under", "over")]
    # where a run may start, tested before the run's alternatives at each
    # place (the same matches, found sooner): never at a space; where number
    # words stand apart, only at a digit, a sign, a decimal mark, a vulgar
    # fraction or a word's first character
    if spec.spaced and not spec.compound:
        # a word's first character, or any where a glued ordinal may start
        word_first = None if ordw else first_chars([*spec.words, *spec.glued_connectors])
        word_lead = f"[{word_first}]" if word_first else r"\S"
        lead = rf"(?=[-−{re.escape(spec.decimal)}{_VULGAR}\d]|(?<![^\W\d_]){word_lead})"
    else:
        lead = r"(?=\S)"
    rx = {
        "run": re.compile(rf"{lead}{item}(?:{sep}{item})*", flags),
        "run_tail": re.compile(rf"(?:{sep}{item})*", flags),
        "item": re.compile((rf"(?P<ord>{ordw})|" if ordw else "") + rf"(?P<num>{digits})|(?P<word>{word})", flags),
        "conn": re.compile(rf"(?:{conn_alt})", flags) if conn_alt else None,
        "points": re.compile(rf"{_HSPACE}*(?:{alternation(spec.points_after, loose)})", flags),
        "pct_after": re.compile(rf"{_HSPACE}*(?:{alternation(spec.percent_after, loose)})", flags),
        "pct_after_digits": re.compile(rf"{_HSPACE}*(?:{alternation(spec.percent_after_digits, loose)})", flags)
        if spec.percent_after_digits else None,
        "pct_before": re.compile(rf"{led(spec.percent_before, alternation(spec.percent_before, loose))}{_HSPACE}*$",
                                 flags),
        "duration": re.compile(rf"{_HSPACE}*(?:{alternation(list(spec.duration_after))})", flags),
        # searched only where the text before a number can end a qualifier
        "qual": TailPattern(re.compile(rf"{led(spec.qualifiers, alternation(list(spec.qualifiers)))}{_HSPACE}*$",
                                       flags), spec.qualifiers, _HSPACE_CHARS),
        "qual_after": re.compile(rf"{_HSPACE}*(?:{alternation(list(spec.qualifiers_after))})", flags),
        "range": re.compile(rf"{_HSPACE}*(?:{alternation(spec.range_words)}){_HSPACE}*", flags)
        if spec.range_words else None,
        "glued": re.compile(rf"(?:{alternation(spec.glued_prefixes)})$") if spec.glued_prefixes else None,
        # percent and point phrases that contain number words ("百分之", "个百分点"):
        # their characters must not start numbers of their own
        "mask_pct": re.compile(
            alternation(
                [p for p in (*spec.percent_before, *spec.points_after, *spec.percent_after)
                 if any(_is_numeral(spec, ch) for ch in p) or any(_is_numeral(spec, w) for w in p.split())],
                loose,
            ),
            flags,
        ),
        "mask": re.compile(led(spec.not_numbers, _word_alternation(list(spec.not_numbers))), flags),
        # after a fraction word a number follows: "삼분의 이를" is 2/3 (이를 is no
        # word there)
        "fraction_before": re.compile(rf"(?:{alternation(fraction_words, loose)}){_HSPACE}*$", flags)
        if fraction_words else None,
        "ordinal": re.compile(rf"(?:{alternation(spec.ordinal_suffix)})(?![^\W\d_])", flags)
        if spec.ordinal_suffix else None,
        "ord_prefix": re.compile(rf"{led(spec.ordinal_prefix, alternation(spec.ordinal_prefix))}{_HSPACE}*$")
        if spec.ordinal_prefix else None,
    }
    spec.regexes.update(rx)
    return spec.regexes


def _word_alternation(words: list[str]) -> str:
    """:func:`alternation` of words, the lower-case ones as a trie (one
    branch per next character instead of one per word: number words and
    ``not_numbers`` run to hundreds, tried at every position of a text);
    words with capitals ("M", "MM") stay case-sensitive, after them."""
    lower = [w for w in words if not _has_upper(w)]
    upper = [w for w in words if _has_upper(w)]
    alt = "|".join(x for x in (trie_alternation(lower) if lower else "", alternation(upper) if upper else "") if x)
    return alt or r"(?!x)x"


def _is_numeral(spec: LocaleNumberSpec, word: str) -> bool:
    hit = spec.word(word)
    return hit is not None and hit[0] in ("unit", "mult", "cmult", "scale", "add")


def _digit_value(s: str) -> str:
    return "".join(str(unicodedata.digit(ch)) for ch in s)


def _counted_word_follows(text: str, end: int, spec: LocaleNumberSpec, rx: dict) -> bool:
    """True when a word that is not a unit, percent or scale follows ``end``:
    the number counts something ("41,700 petugas")."""
    m = re.compile(r"[ \t\u00a0\u202f]*([^\W\d_]+)").match(text, end)
    if not m:
        return False
    word = m.group(1)
    if spec.word(word) is not None:
        return False
    for key in ("pct_after", "pct_after_digits", "points", "duration"):
        if rx[key] is not None and rx[key].match(text, end):
            return False
    return True


#: words after a number on its line (a dash before it is then a bullet)
_BULLET_WORDS = re.compile(r"[^\W\d_]{2,}")


def _read_digits(text: str, start: int, end: int, spec: LocaleNumberSpec, rx: dict) -> list[_Item]:
    """Read one run of digits and separators; split it where it cannot be one
    number (``192.168.1.2`` gives four)."""
    raw = text[start:end]
    if raw.isdigit() and raw.isascii():  # the common case: "2024", "37"
        return [_Item(start, end, "num", Decimal(raw), Decimal(1))]
    apart = _SIGN_APART.match(raw)
    if apart is not None:
        # a sign standing apart at the start of a line: "- 10 k", "- 1 4/5";
        # but a dash before a number that a text follows is a bullet
        # ("- 31 % der Zentren", "- 41,700 agents"): a minus on its own line
        # is followed by one word at most (a unit)
        items = _read_digits(text, start + apart.end(), end, spec, rx)
        line_end = text.find("\n", end)
        words_after = _BULLET_WORDS.finditer(text, end, len(text) if line_end < 0 else line_end)
        if items and sum(1 for _ in zip(range(2), words_after)) <= 1:  # one word at most
            items[0].start, items[0].value = start, -items[0].value
        return items
    if len(raw) == 1 and raw in _VULGAR:
        return [_Item(start, end, "num", Decimal(str(unicodedata.numeric(raw))), Decimal(0))]
    slash = _SLASH.fullmatch(raw)
    if slash is not None:
        sign_s, whole, num, den = slash.groups()
        d = Decimal(_digit_value(den))
        if d == 0:
            return []
        v = Decimal(_digit_value(whole)) if whole else Decimal(0)
        v += Decimal(_digit_value(num)) / d
        return [_Item(start, end, "num", -v if sign_s else v, Decimal(0))]
    if raw.lstrip("-−")[:1] in (".", spec.decimal) and not raw.lstrip("-−")[:1].isdigit():
        frac = _digit_value(raw.lstrip("-−")[1:])
        sign = -1 if raw[0] in "-−" else 1
        return [_Item(start, end, "num", sign * Decimal(f"0.{frac}"), Decimal(1).scaleb(-len(frac)))]
    exp = _EXPONENT.search(raw)
    if exp is not None:
        items = _read_digits(text, start, start + exp.start(), spec, rx)
        if len(items) != 1:
            return items
        base = items[0]
        e = int(_digit_value((exp.group(1) or exp.group(2) or exp.group(3)).lstrip("+-－−")))
        if (exp.group(1) or exp.group(2) or exp.group(3))[0] in "-－−":
            e = -e  # a full-width or typographic minus too: "２.７８９０e－１"
        if exp.group(2):  # a power: 1.1^23
            try:
                value = Decimal(str(float(base.value) ** e))
            except (OverflowError, ZeroDivisionError):
                return items
        else:             # a power of ten: 1.3e6, 6.23x10^-4
            value = base.value.scaleb(e)
        return [_Item(start, end, "num", value, base.precision.scaleb(e) if not exp.group(2) else Decimal(0))]
    sign = Decimal(1)
    off = 0
    if raw[0] in "-−":
        sign, off = Decimal(-1), 1
    groups: list[tuple[int, int]] = []  # absolute spans of digit groups
    seps: list[str] = []
    i = start + off
    while i < end:
        j = i
        while j < end and text[j].isdigit():
            j += 1
        groups.append((i, j))
        if j < end:
            seps.append(_SEP_MAP.get(text[j], text[j]))
        i = j + 1

    def literal(a: int, b: int, value: Decimal, prec: Decimal) -> _Item:
        return _Item(a, b, "num", value, prec)

    def whole(g0: int, dec_idx: int | None) -> _Item:
        ints = "".join(_digit_value(text[a:b]) for a, b in (groups if dec_idx is None else groups[:dec_idx]))
        if dec_idx is None:
            return literal(start, end, sign * Decimal(ints), Decimal(1))
        frac = _digit_value(text[groups[dec_idx][0]:groups[dec_idx][1]])
        return literal(start, end, sign * Decimal(f"{ints}.{frac}"), Decimal(1).scaleb(-len(frac)))

    def split() -> list[_Item]:
        out = []
        for k, (a, b) in enumerate(groups):
            a0 = start if k == 0 else a
            v = Decimal(_digit_value(text[a:b])) * (sign if k == 0 else 1)
            out.append(literal(a0, b, v, Decimal(1)))
        return out

    if not seps:
        return [whole(0, None)]
    lens = [b - a for a, b in groups]
    grouped_ok = _grouped(lens, spec)
    distinct = set(seps)
    if len(distinct) > 2 or (" " in distinct and len(distinct) > 1 and seps[-1] == " "):
        return split()
    if len(distinct) == 2:
        dec = seps[-1]
        if seps.count(dec) != 1 or dec in _ALWAYS_GROUP:
            return split()
        if _grouped(lens[:-1], spec):
            return [whole(0, len(groups) - 1)]
        return split()
    s = seps[0]
    if s in _ALWAYS_DECIMAL:
        return [whole(0, 1)] if len(seps) == 1 else split()
    if s in _ALWAYS_GROUP:
        return [whole(0, None)] if grouped_ok else split()
    if len(seps) > 1:
        return [whole(0, None)] if grouped_ok else split()
    # a single "." or ",": decide per mention (metrics.md, "Reading numbers")
    if lens[1] != 3 or _digit_value(text[groups[0][0]:groups[0][1]]) == "0" or lens[0] > 3:
        return [whole(0, 1)]
    if s in spec.group and spec.decimal == "." and s == ",":
        # where the decimal mark is a point, a comma groups, before a percent
        # too ("1,123%", "15,123个百分点")
        return [whole(0, None)]
    if rx["pct_after"].match(text, end) or rx["points"].match(text, end):
        return [whole(0, 1)]
    if s in spec.group and s != spec.decimal:
        return [whole(0, None)]
    if s in spec.ambiguous_group and _counted_word_follows(text, end, spec, rx):
        return [whole(0, None)]
    if s == spec.decimal or s in spec.ambiguous_group:
        return [whole(0, 1)]
    # a separator the locale does not use at all: read it as grouping
    return [whole(0, None)]


def _grouped(lens: list[int], spec: LocaleNumberSpec) -> bool:
    """Whether digit groups of these lengths are one grouped number: "41,700",
    "1.234.567"; with Indian grouping also "1,00,000", "12,34,567"."""
    if 1 <= lens[0] <= 3 and all(n == 3 for n in lens[1:]):
        return True
    return (spec.indian_grouping and len(lens) >= 3 and 1 <= lens[0] <= 2
            and all(n == 2 for n in lens[1:-1]) and lens[-1] == 3)


_VALUE_ROLES = frozenset(("unit", "mult", "scale", "add", "cmult"))
_KANA = re.compile("[\u3040-\u309f]")  # hiragana
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def _singular(word: str, spec: LocaleNumberSpec) -> bool:
    """A denominator without a plural ending, where the language checks agreement."""
    return bool(spec.plural_denominator_endings) and not word.lower().endswith(spec.plural_denominator_endings)


def _scripts_differ(text: str, a: int, b: int) -> bool:
    """Whether the words starting at ``a`` and ``b`` are one kana, one kanji."""
    x, y = text[a], text[b]
    return bool((_KANA.match(x) and _HAN.match(y)) or (_HAN.match(x) and _KANA.match(y)))


def _items(text: str, start: int, end: int, spec: LocaleNumberSpec, rx: dict, masked) -> list[_Item]:
    out: list[_Item] = []
    pos = start
    for m in rx["item"].finditer(text, start, end):
        if masked(m.start(), m.end()):
            # a percent form or a non-number word in the way: numbers end here
            out.append(_Item(m.start(), m.end(), "break", Decimal(0)))
            continue
        if spec.comma_after_scale and out and "," in text[pos:m.start()]:
            out.append(_Item(pos, m.start(), "comma", Decimal(0)))
        if rx["conn"] is not None and out and rx["conn"].search(text, pos, m.start()):
            gap = _WS.sub(" ", text[pos:m.start()].strip(" \t\u00a0\u202f-").lower())
            out.append(_Item(pos, m.start(), "conn", Decimal(gap in spec.mixed_connectors)))
        if spec.ordinal_suffixes and m.group("ord"):
            den = _ordinal_denominator(m.group("ord"), spec, rx)
            if den is not None:
                out.append(_Item(m.start(), m.end(), "den", den, singular=_singular(m.group("ord"), spec)))
            else:
                # not a number with a suffix: the number word it is ("octavos"),
                # or a word that ends numbers ("minste")
                hit = spec.word(m.group("ord"))
                if hit is not None:
                    out.append(_Item(m.start(), m.end(), hit[0], hit[1],
                                     singular=hit[0] == "den" and _singular(m.group("ord"), spec)))
                else:
                    out.append(_Item(m.start(), m.end(), "break", Decimal(0)))
        elif m.group("num"):
            n = len(out)
            out.extend(_read_digits(text, m.start(), m.end(), spec, rx))
            a = m.start()
            if (len(out) > n and out[n].start == a and a >= 2 and text[a - 1] in "-−" and spec.word(text[a - 1]) is None
                    and _UNSPACED_RX.match(text[a - 2]) and not (a >= 3 and text[a - 3].isdigit())):
                # a sign after kana, an ideograph or Hangul: "答えは-1" (not "2019年-2020年")
                out[n].start, out[n].value = a - 1, -out[n].value
        else:
            hit = spec.word(m.group("word"))
            a = m.start()
            if hit is None and spec.glued_connectors:
                # "وعشرون": the connector, then the word
                w = m.group("word")
                for c in spec.glued_connectors:
                    if w.startswith(c) and spec.word(w[len(c):]) is not None:
                        if out:
                            out.append(_Item(a, a + len(c), "conn", Decimal(c in spec.mixed_connectors)))
                        a, hit = a + len(c), spec.word(w[len(c):])
                        break
            if hit is None:
                continue
            after_hangul = a > 0 and "\uac00" <= text[a - 1] <= "\ud7af"
            if after_hangul and not (out and out[-1].end == a):
                # Hangul is written with spaces: a numeral glued to the end of
                # another word is part of it ("반이", "예산이", "생일")
                out.append(_Item(a, m.end(), "break", Decimal(0)))
                pos = m.end()
                continue
            role, value = hit
            if (out and out[-1].role in _VALUE_ROLES and role in _VALUE_ROLES
                    and _scripts_differ(text, out[-1].start, a)):
                # kana and kanji numerals do not make one number: "あなたに一千万"
                # is the particle に and 一千万
                out.append(_Item(out[-1].end, a, "break", Decimal(0)))
            if role == "article" and spec.compound and out and out[-1].end == a and out[-1].role in ("unit", "mult", "scale"):
                # glued to a number word the article is the number one: "förtioett" = 41
                role, value = "unit", Decimal(1)
            if role == "den" and spec.plural_denominator_endings:
                out.append(_Item(a, m.end(), role, value, singular=_singular(text[a:m.end()], spec)))
                pos = m.end()
                continue
            if role == "den" and spec.compound_ordinals and out:
                gap = text[out[-1].end:a]
                compound = (gap.strip(" \t\u00a0\u202f") or " ") in spec.compound_ordinals
                out.append(_Item(a, m.end(), role, value, compound=compound))
                pos = m.end()
                continue
            if role == "dual":
                # two of a scale: "ألفان" = 2,000, "مليونان" = 2,000,000
                out.append(_Item(a, m.end(), "scale", value, standalone=True, count=2))
            else:
                out.append(_Item(a, m.end(), role, value,
                                 standalone=role == "scale" and text[a:m.end()].lower() in spec.standalone_scales,
                                 glued=after_hangul, kana=bool(_KANA.match(text[a]))))
        pos = m.end()
    return out


def _apply_shifts(text: str, items: list[_Item]) -> list[_Item]:
    """Fold a shift word into the number it modifies (numbers.yaml
    ``words.shifts``): before a unit it adds to it (Hindi "सवा दो" = 2.25,
    "साढ़े तीन सौ" = 3.5 x 100, "पौने दो" = 1.75); before a multiplier or a
    scale it adds to one (सवा सौ = 125, "पौने सौ" = 75, "सवा लाख" = 125,000).
    Anywhere else it is no number and ends the one before it."""
    out: list[_Item] = []
    i, n = 0, len(items)
    while i < n:
        it = items[i]
        i += 1
        if it.role != "shift":
            out.append(it)
            continue
        nxt = items[i] if i < n else None
        near = nxt is not None and not text[it.end:nxt.start].strip()
        if near and nxt.role == "unit" and nxt.value + it.value > 0:
            out.append(_Item(it.start, nxt.end, "unit", nxt.value + it.value))
            i += 1  # the unit is taken
        elif near and nxt.role in ("mult", "scale"):
            out.append(_Item(it.start, it.end, "unit", 1 + it.value))
        else:
            out.append(_Item(it.start, it.end, "break", Decimal(0)))
    return out


def _resegment(text: str, inside: int, items: list[_Item], spec: LocaleNumberSpec,
               rx: dict) -> tuple[list[_Item], int]:
    """A run of glued number words that ends inside a word took a longest
    word that does not fit ("cento|tto"): read that word again, trying
    shorter words ("cent-otto" = 108, "duecentottanta" = 280). Returns the
    items and the end of that word (0 when it is no number)."""
    ws = inside
    while ws > 0 and text[ws - 1].isalpha():
        ws -= 1
    we = inside
    while we < len(text) and text[we].isalpha():
        we += 1
    parts = _segment(text[ws:we].lower(), spec, rx)
    if parts is None:
        return items, 0
    return [it for it in items if it.end <= ws] + [
        _Item(ws + a, ws + b, role, value) for a, b, role, value in parts], we


def _segment(word: str, spec: LocaleNumberSpec, rx: dict) -> list[tuple[int, int, str, Decimal]] | None:
    """Split a glued word into number words and connectors, or None."""
    cache = rx.setdefault("segment_cache", {})
    if word in cache:
        return cache[word]
    longest = rx.get("longest_word") or max(len(w) for w in spec.words)
    rx["longest_word"] = longest
    conns = {c.lower() for c in spec.connectors if c.strip() and c != "-"}
    memo: dict[int, list | None] = {}

    def rest(i: int) -> list | None:
        if i == len(word):
            return []
        if i in memo:
            return memo[i]
        memo[i] = None
        for k in range(min(len(word), i + longest), i, -1):
            piece = word[i:k]
            hit = spec.word(piece)
            role = hit[0] if hit else ("conn" if piece in conns and i else None)
            if role in ("unit", "mult", "scale", "conn"):
                tail = rest(k)
                if tail is not None:
                    memo[i] = [(i, k, role, hit[1] if hit else Decimal(0))] + tail
                    break
        return memo[i]

    parts = rest(0)
    cache[word] = parts if parts and parts[-1][2] != "conn" else None
    return cache[word]


def _ordinal_denominator(word: str, spec: LocaleNumberSpec, rx: dict) -> Decimal | None:
    """The denominator a number word with an ordinal suffix names:
    "veintiunavos" -> 21, "dosmilesimos" -> 2000, "venticinquesimi" -> 25
    (numbers.yaml fractions.ordinal_suffixes, stem_endings); None when the
    word is a listed word or its stem is no number."""
    w = word.lower()
    cache = rx.setdefault("ordinal_cache", {})
    if w not in cache:
        cache[w] = None if spec.word(w) is not None else _ordinal_stem_value(w, spec)
    return cache[w]


def _ordinal_stem_value(w: str, spec: LocaleNumberSpec) -> Decimal | None:
    for suf in sorted(spec.ordinal_suffixes, key=len, reverse=True):
        if not w.endswith(suf) or len(w) <= len(suf):
            continue
        stem = w[: -len(suf)]
        for cand in (stem, *(stem + e for e in spec.stem_endings)):
            value = _glued_value(cand, spec)
            if value is not None:
                return value
    return None


def _glued_value(stem: str, spec: LocaleNumberSpec) -> Decimal | None:
    """The value of number words glued into one word ("doscientos", "dosmil",
    "centocinque"), or None unless they cover ``stem`` and make one number."""
    rx = _regexes(spec)
    if "glued_word" not in rx:
        rx["glued_word"] = re.compile(alternation(list(spec.words)), re.IGNORECASE)
    items: list[_Item] = []
    pos = 0
    while pos < len(stem):
        m = rx["glued_word"].match(stem, pos)
        hit = spec.word(m.group(0)) if m else None
        if hit is None or hit[0] not in ("unit", "mult", "scale") or m.end() == pos:
            return None
        items.append(_Item(m.start(), m.end(), hit[0], hit[1], standalone=m.group(0).lower() in spec.standalone_scales))
        pos = m.end()
    if items and items[0].role == "scale":
        items[0].standalone = True  # "biljoen-sten": an ordinal of a bare scale counts one
    builder = _Builder(spec.digit_sequences, spec.reverse_tens, spec.abbreviated_tail, spec.article_alone_one)
    for it in items:
        builder.add(it)
    builder.flush()
    if len(builder.done) != 1 or builder.done[0][0] != 0 or builder.done[0][1] != len(stem):
        return None
    value = builder.done[0][2]
    return value if value > 1 and value == value.to_integral_value() else None


def _additive(u: Decimal, v: Decimal) -> bool:
    """Whether unit word ``v`` after ``u`` adds to it: "twenty three",
    "duzentos e trinta", "soixante dix-sept" (``u`` ends in zeros where ``v``
    has digits)."""
    if v <= 0 or u <= v or u != u.to_integral_value() or v != v.to_integral_value():
        return False
    return u % (10 ** len(str(int(v)))) == 0 or (u >= 20 and u % 10 == 0 and v < 20 and u < 100)


class _Builder:
    """Folds a sequence of items into numbers, starting a new number wherever
    the grammar says the last one ended ("2024 37" is two numbers)."""

    def __init__(self, digitwise: bool = False, reverse_conn: bool = False, tail: bool = False,
                 article_one: bool = False) -> None:
        self.done: list[tuple[int, int, Decimal, Decimal, bool, bool]] = []
        self.tail = tail
        #: an article that counts nothing is the number one on its own
        self.article_one = article_one
        #: (start, end) of the lone articles read as one
        self.articles: set[tuple[int, int]] = set()
        self.digitwise = digitwise
        #: the language's connector joins a unit before a ten ("vierundzwanzig")
        self.reverse_conn = reverse_conn
        self._reset()

    def _reset(self) -> None:
        # one dict update instead of ~30 assignments (parse calls this per number)
        self.__dict__.update(_Builder._STATE)
        self.parts = []

    def _init_state(self) -> None:
        """The state of a number being read (copied by _reset)."""
        self.start: int | None = None
        self.end = 0
        self.total = Decimal(0)
        self.seg = Decimal(0)
        self.u = Decimal(0)
        self.has_u = False
        self.prec = Decimal(1)
        self.last_scale: Decimal | None = None
        #: (scale, value) of each group a scale word closed, larger scales first
        self.parts: list[tuple[Decimal, Decimal]] = []
        self.last_mult: Decimal | None = None
        self.prev: str | None = None
        self.words = False
        self.after_conn = False
        #: digits read after a decimal word ("九十四点一八", "one point five")
        self.frac: str | None = None
        self.point_end = 0
        #: digits read one word each so far ("二〇二四"), 0 when not in such a run
        self.ndigits = 0
        #: "a"/"an" waiting for what it counts ("a half", "a million")
        self.article: _Item | None = None
        #: the value before "and" (for "three and a half", "two and fifty-four hundredths")
        self.before_conn: tuple[Decimal, Decimal | None] | None = None
        #: numerator and its end, waiting for the denominator after "over" / "out of"
        self.over: tuple[Decimal, int] | None = None
        self.under = False
        #: the number before "and" while the part after it may still turn out a fraction
        self.pending: tuple[int, int, Decimal, Decimal, bool] | None = None
        #: a fraction was completed: nothing but a scale may follow ("half million")
        self.fraction = False
        self.negative = False
        self.lone_den: _Item | None = None
        self.approx = False
        #: an article before a mixed connector ("ein-und-halb"): one, if a fraction follows
        self.lead_article: _Item | None = None
        #: where the last unit began: (its start, the end before it, words so far)
        self.u_from: tuple[int, int, bool] | None = None
        #: a comma after a scale word: only number words may go on
        self.comma = False
        #: the place a last lone digit stands for ("四百五": 五 after 百 -> tail_of 100)
        self.tail_of: Decimal | None = None
        #: the whole number before a mixed-fraction word or a decimal word that
        #: did not start decimals ("三又三分之一", "veinte con tres quintos",
        #: "siete con cincuenta"): (start, end, value, prec, words, scale, point, approx)
        self.mixed: tuple | None = None
        #: the value and last scale before the last mixed connector ("twenty and three fifths")
        self.mixed_conn: tuple[Decimal, Decimal | None] | None = None
        #: the number is a fraction ("two thirds", "三分之一", "y medio")
        self.is_frac = False
        #: whole, fraction and the scale before it when a fraction was added to a
        #: whole number ("one billion and a half (million)")
        self.frac_mix: tuple[Decimal, Decimal, Decimal | None] | None = None
        #: an article dropped before a unit: the numerator one of "um vinte avos"
        self.dropped_article: _Item | None = None

    def _article_alone(self, it: _Item | None) -> None:
        """An article that counted nothing after it: one, where the
        language's article is its numeral (``article_alone_one``)."""
        if it is not None and self.article_one:
            self.done.append((it.start, it.end, Decimal(1), Decimal(1), True, False))
            self.articles.add((it.start, it.end))

    def _take_back_article(self, it: _Item) -> None:
        """The dropped article became a numerator after all ("um vinte avos")."""
        if self.done and self.done[-1][0] == it.start and self.done[-1][1] == it.end:
            self.done.pop()

    def value(self) -> Decimal:
        u = self.u
        if self.tail and self.has_u and self.tail_of and u < 10:
            # "四百五" = 450, "一万三" = 13,000: a last digit after 百/千/万 counts the next place down
            u = u * self.tail_of / 10
        return self.total + self.seg + u

    def flush(self) -> None:
        if self.pending is not None:
            self.done.append(self.pending + (False,))
            self.pending = None
        if (self.article is not None and self.start is not None and self.after_conn
                and self.prev in ("scale", "mult") and not self.has_u and self.frac is None):
            # "mil e um", "cento e uma": after the connector the article is the number one
            self.u, self.has_u, self.end, self.article = Decimal(1), True, self.article.end, None
        left = self.article
        mixed = self.mixed
        if self.start is not None and (self.has_u or self.seg or self.total or self.over):
            value = self.value()
            start, end, prec, is_frac = self.start, self.end, self.prec, self.is_frac
            if self.frac:
                value += Decimal(f"0.{self.frac}")
                prec = Decimal(1).scaleb(-len(self.frac))
            if self.over is not None:
                numerator, num_end = self.over
                if self.under:  # "三分之二": the denominator came first
                    value, prec, is_frac = (value / numerator if numerator else value), Decimal(0), bool(numerator)
                elif value:
                    value, prec, is_frac = numerator / value, Decimal(0), True
                else:  # "over" with nothing after it is not part of the number
                    value, end = numerator, num_end
            if self.negative:
                value = -value
            if mixed is not None and value > 0:
                m_start, _, m_value, _, _, m_scale, m_point, _ = mixed
                sign = -1 if m_value < 0 else 1
                if is_frac:
                    # a whole number and a fraction: "三又三分之一", "veinte con
                    # tres quintos", "seis millones con dos tercios"
                    value = m_value + sign * value * (m_scale or 1)
                    start, prec, mixed = m_start, Decimal(0), None
                elif (m_point and m_scale is None and self.words and not self.frac
                      and value == value.to_integral_value()):
                    # decimals read as a whole number after the decimal word:
                    # "cuarenta y siete coma veintiocho" = 47,28
                    digits = str(int(value))
                    value = m_value + sign * Decimal(f"0.{digits}")
                    start, prec, mixed = m_start, Decimal(1).scaleb(-len(digits)), None
            if mixed is not None:
                self.done.append(mixed[:5] + mixed[7:])
            self.done.append((start, end, value, prec, self.words, self.approx))
        elif mixed is not None:
            self.done.append(mixed[:5] + mixed[7:])
        self._article_alone(left)
        self._reset()

    def _to_mixed(self, point: bool) -> None:
        """Set the number so far aside as the whole part of a mixed number."""
        if self.pending is not None:
            self.done.append(self.pending + (False,))
            self.pending = None
        value = -self.value() if self.negative else self.value()
        scale = self.last_scale if self.prev == "scale" else None
        mixed = (self.start, self.end, value, self.prec, self.words, scale, point, self.approx)
        self._reset()
        self.mixed = mixed

    def _add_fraction(self, base: Decimal, fraction: Decimal, scale: Decimal | None) -> None:
        """``base`` plus ``fraction`` of ``scale``: "three and a half", "2 millones y medio"."""
        self.total, self.seg, self.u = base + fraction * (scale or Decimal(1)), Decimal(0), Decimal(0)
        self.frac_mix = (base, fraction, scale)

    def _fraction(self, it: _Item) -> None:
        """A denominator word: "two thirds", "a half", "three and a fifth",
        "half (a) million"."""
        d = it.value
        lead = self.lead_article
        if lead is not None and self.start is None:
            self.lead_article = None
            self.start = lead.start
            self._add_fraction(Decimal(1), Decimal(1) / d, None)
            self.article = None
            self._fraction_done(it)
            return
        if (it.compound and d < 10 and self.start is not None and self.prev == "unit" and self.has_u
                and not self.after_conn
                and 20 <= self.u < 100 and self.u % 10 == 0):
            # a ten before an ordinal unit makes one denominator: "one hundred
            # thirty fifths" = 100/35, "three twenty-firsts" = 3/21, "un vingt-cinquième"
            numerator, start = self.value() - self.u, self.start
            if not numerator and self.done and self.done[-1][2] > 0 and self.pending is None:
                start, _, numerator, _, _, _ = self.done.pop()
            elif not numerator and self.dropped_article is not None:
                start, numerator = self.dropped_article.start, Decimal(1)
                self._take_back_article(self.dropped_article)
            if numerator:
                den = self.u + d
                negative = self.negative
                self._reset()
                self.start, self.negative, self.total = start, negative, numerator / den
                self._fraction_done(it)
                return
        if d <= 1:
            # "first" is a denominator only after a ten ("twenty-first")
            self.flush()
            return
        if self.article is not None and (self.start is None or self.after_conn):
            num = Decimal(1)
            if self.start is None:
                self.start = self.article.start
            self.article = None
            base = self.value() if self.after_conn else Decimal(0)
            scale = self.before_conn[1] if self.after_conn and self.before_conn else None
            if self.after_conn and self.mixed_conn is not None:
                scale = self.mixed_conn[1]
            self._add_fraction(base, num / d, scale)
        elif self.start is not None and self.pending is not None and self.prev in ("unit", "num"):
            # "three and one fourth" = 3 + 1/4
            start, _, before, _, _ = self.pending
            self.pending = None
            self._add_fraction(before, self.value() / d, None)
            self.start = start
        elif self.start is not None and self.after_conn and self.mixed_conn is not None:
            # "un million et demi", "uno e mezzo": one of the denominator
            base, scale = self.mixed_conn
            self._add_fraction(base, Decimal(1) / d, scale)
        elif self.start is not None and self.prev in ("unit", "num", "mult", "scale"):
            value = self.value()
            if it.singular and value != 1 and self.mixed_conn is None:
                # "dos millonésimo": an ordinal ("the two-millionth"), no fraction
                self.flush()
                self.lone_den = it
                return
            if self.mixed_conn is not None and value > self.mixed_conn[0]:
                # a mixed connector ends the whole part: "twenty and three fifths"
                # = 20 + 3/5, "trois millions et deux tiers" = (3 + 2/3) million
                base, scale = self.mixed_conn
                self._add_fraction(base, (value - base) / d, scale)
            else:
                self.total, self.seg, self.u = value / d, Decimal(0), Decimal(0)
        else:
            # a denominator alone ("the first half", "the 3rd quarter") is a
            # number only before a scale: "half million", "quarter million"
            self.flush()
            self.lone_den = it
            return
        self._fraction_done(it)

    def _fraction_done(self, it: _Item) -> None:
        self.has_u, self.fraction, self.words, self.prec = True, True, True, Decimal(0)
        self.is_frac = True
        self.before_conn, self.after_conn, self.mixed_conn = None, False, None
        self.last_scale = self.last_mult = None
        self.parts = []
        self.end, self.prev = it.end, "den"

    def _denominator_after(self, it: _Item) -> None:
        """A word after a number that makes it a denominator (Portuguese "avos"):
        the number before that one is the numerator ("dois onze avos" = 2/11,
        "um vinte e cinco avos" = 1/25)."""
        if (self.start is None or self.prev not in ("unit", "num", "mult", "scale") or self.over is not None
                or self.fraction or self.frac is not None or self.mixed is not None or self.pending is not None):
            self.flush()
            return
        d = self.value()
        if self.done and self.done[-1][2] > 0 and d > 0:
            start, _, numerator, _, _, _ = self.done.pop()
        elif self.dropped_article is not None and d > 0:
            start, numerator = self.dropped_article.start, Decimal(1)
            self._take_back_article(self.dropped_article)
        else:
            self.flush()
            return
        negative = self.negative
        self._reset()
        self.start, self.negative = start, negative
        self.total = numerator / d
        self._fraction_done(it)

    def _reverse(self, it: _Item) -> bool:
        """Whether a connector joins the unit before it to the ten ``it``
        ("vierundzwanzig", "ثلاثمائة و خمسة و عشرون" = 325)."""
        last = self.u % 100
        return self.reverse_conn and 0 < last < 10 and last < it.value < 100 and it.value % 10 == 0 \
            if self.u >= 100 else self.reverse_conn and self.u < 10 and it.value > self.u

    def _begin(self, it: _Item) -> None:
        if self.start is None:
            self.start = it.start

    def add(self, it: _Item) -> None:
        role = it.role
        if role == "break":
            self.flush()
            return
        if role == "comma":
            # a comma goes on only after a scale word: "one thousand, one hundred"
            if not (self.prev == "scale" and self.words and self.frac is None and not self.fraction):
                self.flush()
            else:
                self.comma = True
            return
        if role == "approx":
            # "十余万", "500多万": an approximation inside the number
            if self.start is not None:
                self.approx = True
            return
        if self.frac is not None:
            near = it.start - self.point_end <= 1
            if role == "unit" and it.value < 10 and near:
                self.frac += str(int(it.value))
                self.end = self.point_end = it.end
                return
            if role == "den" and self.frac and near:
                # "veinte con tres quintos": the digits after the word are a numerator
                self._add_fraction(self.value(), Decimal(int(self.frac)) / it.value, None)
                self.frac = None
                self._fraction_done(it)
                return
            if not self.frac and role in ("unit", "mult", "article", "scale"):
                # more than a digit after the decimal word: the whole number
                # after it gives the decimals ("cuarenta y siete coma
                # veintiocho"), or a fraction follows ("uno con un cuarto")
                self.frac = None
                self._to_mixed(point=True)
            elif self.frac and role in ("scale", "scale_abbr"):
                # "三点五亿", "one point five million": the scale multiplies the decimal
                self.u += Decimal(f"0.{self.frac}")
                self.prec = Decimal(1).scaleb(-len(self.frac))
                self.has_u, self.frac, self.prev = True, None, "num"
            else:
                self.flush()
        if role == "point":
            if (self.start is not None and self.prev in ("unit", "mult") and self.over is None
                    and not self.fraction and self.mixed is None):
                self.frac = ""
                self.point_end = it.end
            elif self.start is not None and self.prev == "scale" and self.mixed is None and not self.fraction:
                # only a fraction may follow: "seis millones con dos tercios"
                self._to_mixed(point=True)
            else:
                self.flush()
            return
        if role == "mixed":
            # "三又三分之一", "일과 이분의 일": a fraction must follow
            if (self.start is not None and self.prev in ("unit", "num", "mult", "scale")
                    and self.over is None and not self.fraction and self.mixed is None):
                self._to_mixed(point=False)
            else:
                self.flush()
            return
        if role == "wden":
            # "dos y medio", "2 millones y medio", "et demi" after a whole number
            if self.start is not None and self.prev in ("unit", "num", "mult", "scale") \
                    and self.over is None and not self.fraction:
                scale = self.last_scale if self.prev == "scale" else None
                self._add_fraction(self.value(), Decimal(1) / it.value, scale)
                self._fraction_done(it)
            else:
                self.flush()
            return
        if role == "conn":
            if self.start is None and self.article is not None and it.value:
                # "einundhalb", "en och en halv": an article before a mixed
                # connector is the whole one if a fraction follows
                self.lead_article, self.article = self.article, None
                return
            self.after_conn = self.start is not None
            if self.after_conn and self.before_conn is None:
                self.before_conn = (self.value(), self.last_scale if self.prev == "scale" else None)
            if self.after_conn and it.value:
                self.mixed_conn = (self.value(), self.last_scale if self.prev == "scale" else None)
            return
        if role == "article":
            if self.prev in ("neg", "over", "under") and self.start is not None:
                # "minus ett", "negativt ett", "2 av ett": after a sign or a
                # fraction word the article is the number one
                role, it = "unit", replace(it, role="unit", value=Decimal(1))
            else:
                if self.start is not None and not self.after_conn and self.prev != "scale":
                    self.flush()
                elif self.start is None:
                    self._article_alone(self.article)  # "ein ein": the first counted nothing
                self.article = it
                return
        if role == "neg":
            if self.prev in ("over", "under"):
                # the sign of the part after the fraction word: 五分之负九千五 = -1900,
                # 负三分之负一百 = 100/3
                self.negative = not self.negative
                self.end = it.end
                return
            self.flush()
            self.negative, self.start, self.end, self.prev = True, it.start, it.end, "neg"
            return
        if role == "den":
            self._fraction(it)
            return
        if role == "ord":
            self._denominator_after(it)
            return
        if role in ("over", "under"):
            if self.start is None and self.article is not None and role == "over":
                # "um sobre tres", "one over three": the article counts one
                self.start, self.end = self.article.start, self.article.end
                self.u, self.has_u, self.words, self.prev, self.article = Decimal(1), True, True, "unit", None
            if self.start is not None and self.over is None and (self.has_u or self.seg or self.total):
                self.over = (self.value(), self.end)
                self.under = role == "under"
                self.total = self.seg = self.u = Decimal(0)
                self.has_u, self.last_scale, self.last_mult, self.prev = False, None, None, "over"
                self.parts = []
            else:
                self.flush()
            return
        if role == "cmult":
            # "tres docenas", "3 dz", "une douzaine": a count must come first
            # ("docenas de heridos" is no number)
            if self.start is not None and self.prev == "mult" and not self.has_u and self.seg and self.frac is None:
                # the whole count before multiplies: 五十ダース = 600
                self.seg *= it.value
                self.end, self.last_mult = it.end, it.value
                return
            if ((self.start is not None and self.prev in ("unit", "num") and self.frac is None)
                    or (self.start is None and (self.article is not None or self.lone_den is not None))):
                role = "mult"
            else:
                self.flush()
                self.prev = None
                return
        self.lead_article = None
        if self.lone_den is not None:
            if role == "scale":
                self.start, self.total, self.fraction = self.lone_den.start, Decimal(1) / self.lone_den.value, True
                self.has_u, self.words, self.prev = True, True, "den"
            elif role == "mult" and self.start is None:
                # "half a dozen" = 6, 半百 = 50
                self.start, self.total = self.lone_den.start, it.value / self.lone_den.value
                self.has_u, self.words, self.article, self.lone_den = True, True, None, None
                self.end, self.prev, self.fraction = it.end, "den", True
                return
            self.lone_den = None
        if self.article is not None:
            if role in ("unit", "num") and self.start is None:
                self.dropped_article = self.article
                self._article_alone(self.article)  # "eine 8 Bit": one, and then eight
            if role in ("scale", "mult"):
                # "a million", "a hundred": the article counts one
                if self.start is None:
                    self.start = self.article.start
                if not self.has_u and not self.seg:
                    self.u, self.has_u, self.prev, self.words = Decimal(1), True, "unit", True
            self.article = None
        if self.fraction and role not in ("scale",):
            self.flush()
        if self.start is not None and self.prev == "neg" and role not in ("num", "unit", "mult"):
            self._reset()
        if role == "num":
            # digits continue a number only in a lower place: "4万1700", "3 hundred and 21"
            # (but "4 thousand 3 hundred and 0" is two numbers)
            continues = (
                self.prev in ("scale", "mult", "zero") and not self.has_u and it.value != 0
                and it.value < (self.last_mult or self.last_scale or 0)
            )
            if self.start is not None and self.prev not in ("over", "under", "neg") and (not continues or self.comma):
                self.flush()
            self.u_from = (it.start, self.end, self.words)
            self._begin(it)
            self.u, self.has_u, self.prec = it.value, True, it.precision
        elif role == "unit":
            if it.value == 0 and self.prev in ("mult", "scale") and not self.has_u:
                self.end, self.prev = it.end, "zero"  # a placeholder zero: "一百零五", "三千零二"
                return
            if (self.digitwise and self.prev == "unit" and self.has_u and self.ndigits
                    and it.value < 10 and it.end - it.start == 1 and not it.kana and not self.seg and not self.total):
                # digit by digit: 二〇二四 = 2024
                self.u = self.u * 10 + it.value
                self.ndigits += 1
                self.end, self.prev = it.end, "unit"
                return
            if self.start is not None and self.has_u and self.after_conn \
                    and not self._reverse(it) \
                    and self.prev in ("unit", "num") and self.pending is None and not _additive(self.u, it.value):
                # "two and fifty-four hundredths": the part after "and" may be a
                # fraction of its own; until a denominator says so, two numbers
                self.pending = (self.start, self.end, self.value(), self.prec, self.words)
                self.total = self.seg = Decimal(0)
                self.last_scale = self.last_mult = None
                self.parts = []
                self.start, self.u, self.has_u = it.start, it.value, True
                self.words, self.prec, self.ndigits = True, Decimal(1), 0
                self.end, self.prev, self.after_conn = it.end, "unit", False
                return
            if self.start is not None and self.has_u:
                reverse = self.after_conn and self._reverse(it)
                joinable = self.prev == "unit" and (reverse or _additive(self.u, it.value))
                if joinable and reverse:
                    self.mixed_conn = None  # "drei-und-zwanzig": the connector is inside the number
                if joinable:
                    self.u += it.value
                elif it.glued:
                    self.flush()
                    self.prev = None
                    return
                else:
                    self.flush()
                    self._begin(it)
                    self.u = it.value
                    self.ndigits = 1 if it.value < 10 and it.end - it.start == 1 and not it.kana else 0
            else:
                limit = self.last_mult or self.last_scale
                if self.start is not None and limit is not None and it.value >= limit:
                    self.flush()
                    if it.glued:
                        self.prev = None
                        return
                after = self.prev if self.start is not None and it.start - self.end <= 1 else None
                self.tail_of = (self.last_mult if after == "mult" else self.last_scale if after == "scale" else None)
                if self.tail_of is not None and self.tail_of < 100:
                    self.tail_of = None   # "二十五" is 25, not 20 + 50
                self.u_from = (it.start, self.end, self.words)
                self._begin(it)
                self.u = it.value
                self.ndigits = (1 if it.value < 10 and it.end - it.start == 1 and not it.kana
                                and not self.seg and not self.total else 0)
            self.has_u, self.words, self.prec = True, True, Decimal(1)
        elif role == "add":
            if self.prev == "unit" and self.has_u and self.u < 10:
                self.u += it.value
            else:
                self.flush()
                self.prev = None
                return
        elif role == "mult":
            if self.last_mult is not None and it.value >= self.last_mult and self.seg and not self.has_u:
                self.flush()
            elif (self.last_mult is not None and it.value >= self.last_mult and self.seg and self.has_u
                    and self.u_from is not None and self.u_from[0] > self.start):
                # "3 hundred and 2 hundred": the multiplier again starts a new number
                u, (u_start, end_before, words) = self.u, self.u_from
                self.u, self.has_u, self.end, self.words = Decimal(0), False, end_before, words
                self.flush()
                self.start, self.u, self.has_u, self.words = u_start, u, True, it.role == "mult"
            if self.start is None and self.prev is None:
                self._begin(it)
            elif self.start is None:
                return
            # a leading zero is a placeholder: 零十三 = 13
            self.seg += (self.u if self.has_u and self.u else Decimal(1)) * it.value
            self.u, self.has_u, self.last_mult = Decimal(0), False, it.value
            self.prec = Decimal(1)
            self.words = True
        elif role in ("scale", "scale_abbr"):
            if self.start is None and role == "scale" and it.standalone:
                # the word for a thousand stands alone: "mil quinientos", "tausend Mitarbeiter", "bin dokuz yüz"
                self._begin(it)
                self.u, self.has_u, self.words = Decimal(it.count), True, True
            elif self.start is None or (role == "scale_abbr" and self.prev != "num"):
                self.flush()
                self.prev = None
                return
            if self.fraction:
                if self.frac_mix is not None and self.frac_mix[2] and it.value < self.frac_mix[2]:
                    # "one billion and a half million": the scale counts the fraction only
                    base, fraction, _ = self.frac_mix
                    self.total = base + fraction * it.value
                else:
                    self.total *= it.value
                self.fraction, self.last_scale = False, it.value
                self.parts = [(it.value, self.total)]
                self.end, self.prev = it.end, "scale"
                self.prec = Decimal(0)
                return
            stacked = (self.prev == "scale" and not self.has_u and not self.seg
                       and self.last_scale is not None and it.value >= self.last_scale)
            group = Decimal(0) if stacked else (self.seg + self.u or Decimal(1))
            if stacked or (self.last_scale is not None and it.value > self.last_scale):
                # a larger scale multiplies the groups closed by smaller ones since
                # the last larger one: "mil millones" = 10^9, 万亿 = 10^12,
                # "tres billones cuatrocientos mil millones" = 3.0004 * 10^12;
                # right after the same scale it multiplies too: 万万 = 10^8
                low = sum((v for sc, v in self.parts if sc < it.value or (stacked and sc == it.value)), Decimal(0))
                self.parts = [(sc, v) for sc, v in self.parts if sc > it.value or (sc == it.value and not stacked)]
                part = (group + low) * it.value
                self.total += part - low
            else:
                # a smaller (or first) scale closes a group of its own: "dos
                # millones mil" = 2,001,000, not 2 * 10^9
                part = group * it.value
                self.total += part
            self.parts.append((it.value, part))
            if stacked:
                self.prec *= it.value
                self.last_scale, self.end = it.value, it.end
                return
            self.prec = self.prec * it.value if self.prev == "num" else it.value
            self.seg, self.u, self.has_u = Decimal(0), Decimal(0), False
            self.last_scale, self.last_mult = it.value, None
        self.end = it.end
        if role != "unit":
            self.tail_of = None
        self.prev = "unit" if role == "add" else role
        self.after_conn = self.comma = False


_proto = object.__new__(_Builder)
_proto._init_state()
_Builder._STATE = dict(vars(_proto))
del _proto


def parse(text: str, lang: str | None = None, *, lone_articles: bool = False) -> list[Mention]:
    """Find and resolve every number in ``text``.

    text (str): any Unicode text; never raises on odd input.
    lang (str | None): ISO 639-1 code (or culture code) whose number writing
        applies; languages without data use a digits-only fallback.
    lone_articles (bool): in languages whose indefinite article is also the
        numeral one (``fractions.article_alone_one``: de "ein", es "un", tr
        "bir"), read an article that counts nothing after it as one ("eine
        Bank" = 1), as Recognizers-Text does. By default such an article is
        one only where a percent or point form follows ("ein Prozentpunkt",
        "un punto porcentual", "yüzde bir").
    RETURNS (list[Mention]): mentions in text order, non-overlapping.
    """
    if not text:
        return []
    spec = get_spec(lang)
    rx = _regexes(spec)
    spans = [(m.start(), m.end()) for m in rx["mask"].finditer(text)
             if rx["fraction_before"] is None or not rx["fraction_before"].search(text, max(0, m.start() - 8), m.start())]
    # a percent form right after a numeral is the denominator of a fraction:
    # 一百分之二 = 2/100, 一千分之一 = 1/1000 (not 一 and 百分之二)
    spans += [(m.start(), m.end()) for m in rx["mask_pct"].finditer(text)
              if not (m.start() > 0 and (text[m.start() - 1].isdigit() or _is_numeral(spec, text[m.start() - 1])))]
    # nothing inside a URL is a number of the text ("%2D9114%29")
    if any(mark in text for mark in _URL_MARKS):
        spans += [(m.start(), m.end()) for m in _URL.finditer(text)]
    mask_spans: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if mask_spans and a < mask_spans[-1][1]:
            mask_spans[-1] = (mask_spans[-1][0], max(b, mask_spans[-1][1]))
        else:
            mask_spans.append((a, b))
    mask_starts = [a for a, _ in mask_spans]

    def masked(a: int, b: int) -> bool:
        # spans do not overlap: only the last one starting before b can reach a
        i = bisect_left(mask_starts, b) - 1
        return i >= 0 and mask_spans[i][1] > a

    mentions: list[Mention] = []
    last_end = 0
    pos = 0
    resegments = spec.compound and spec.spaced
    while (run := rx["run"].search(text, pos)) is not None:
        pos = run.end()
        found, articles = _plain_digits(text, run.start(), pos, resegments, masked), _NO_ARTICLES
        if found is None:
            found, articles, pos = _read_run(text, run.start(), pos, spec, rx, masked)
        for start, end, value, prec, words, approx in found:
            if spec.not_alone and text[start:end].lower() in spec.not_alone:
                continue  # "이 가방" (this bag), "오월": not a number on its own
            m = _finish(text, start, end, value, prec, words, spec, rx)
            if (m is not None and not lone_articles and (start, end) in articles
                    and m.unit not in ("percent", "pp")):
                continue  # an article, not the number one
            if m is not None and approx and m.qualifier is None:
                m = replace(m, qualifier="approx")
            if m is not None and m.start >= last_end:
                mentions.append(m)
                last_end = m.end
    return _join_ranges(text, mentions, rx) if rx["range"] is not None else mentions


_Found = tuple[int, int, Decimal, Decimal, bool, bool]


def _read_run(text: str, start: int, end: int, spec: LocaleNumberSpec, rx: dict,
              masked) -> tuple[list[_Found], set[tuple[int, int]], int]:
    """The numbers of the run ``text[start:end]`` found by ``rx["run"]``:
    ``(start, end, value, precision, words, approx)`` each, the spans of lone
    articles read as one, and where the search goes on."""
    pos = end
    builder = _Builder(spec.digit_sequences, spec.reverse_tens, spec.abbreviated_tail, spec.article_alone_one)
    items = _items(text, start, end, spec, rx, masked)
    while spec.compound and spec.spaced and end < len(text) and text[end].isalpha():
        items, word_end = _resegment(text, end, items, spec, rx)
        if not word_end:
            break
        # the run goes on after the word read again: "trecentottanta milioni"
        tail = rx["run_tail"].match(text, word_end)
        items += _items(text, word_end, tail.end(), spec, rx, masked)
        end = tail.end()
        pos = max(pos, end)
    if spec.has_shifts:
        items = _apply_shifts(text, items)
    for it in items:
        builder.add(it)
    builder.flush()
    return builder.done, builder.articles, pos


_NO_ARTICLES: frozenset[tuple[int, int]] = frozenset()
_ONE = Decimal(1)
#: the longest run the shortcut reads: the builder adds in the decimal
#: context (28 digits), which rounds longer numbers
_PLAIN_DIGITS = 18


def _plain_digits(text: str, start: int, end: int, resegments: bool, masked) -> tuple[_Found, ...] | None:
    """:func:`_read_run` for a run of ASCII digits alone ("2024", "37"), the
    most common run, read without items and a builder: one number, its
    value the digits (no lone articles); None for any other run
    (tests/test_numbers.py checks that both readings agree on every run of
    random texts)."""
    raw = text[start:end]
    if not (raw.isdigit() and raw.isascii()) or len(raw) > _PLAIN_DIGITS or masked(start, end):
        return None
    if start > 0 and text[start - 1] in "-−":
        return None  # a sign the run may take ("答えは-1")
    if resegments and end < len(text) and text[end].isalpha():
        return None  # a compound number word may go on ("2mila")
    return ((start, end, Decimal(raw), _ONE, False, False),)


def _join_ranges(text: str, mentions: list[Mention], rx: dict) -> list[Mention]:
    """Join "3-5%", "3 hingga 5 persen", "3至5%" into one mention: value 3,
    value_max 5, the unit written once at the end."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None and m.unit is not None and prev.unit is None
            and prev.value_max is None and prev.value < m.value
            and (j := rx["range"].fullmatch(text, prev.end, m.start)) is not None
        ):
            out[-1] = Mention(
                start=prev.start, end=m.end, value=prev.value, unit=m.unit,
                qualifier=prev.qualifier or m.qualifier, precision=min(prev.precision, m.precision),
                surface=text[prev.start:m.end], words=prev.words and m.words, value_max=m.value,
                num_start=prev.num_start, num_end=prev.num_end,
            )
        else:
            out.append(m)
    return out


def _factor(spec: LocaleNumberSpec, form: str) -> Decimal:
    """The factor of a percent form before the number (千分之 = 0.1), spaced or not."""
    form = _WS.sub(" ", form.strip().lower())
    return spec.percent_factors.get(form) or spec.percent_factors.get(form.replace(" ", ""), Decimal(1))


@lru_cache(maxsize=None)
def _prefix_reach(prefixes: tuple[str, ...]) -> int | None:
    """The longest of ``prefixes``; None when one holds a space."""
    if any(ch.isspace() for p in prefixes for ch in p):
        return None
    return max(map(len, prefixes))


def _prefix_from(text: str, start: int, spec: LocaleNumberSpec) -> int:
    """Where a search for an ordinal prefix ending at ``start`` ("第",
    "ke-") must begin: the longest prefix before the spaces before
    ``start``, or the text's start where a prefix holds a space or a
    newline stands before ``start`` (a match may end before it)."""
    reach = _prefix_reach(spec.ordinal_prefix)
    if reach is None:
        return 0
    k = start
    while k > 0 and text[k - 1] in " \t\u00a0\u202f":
        k -= 1
    if k > 0 and text[k - 1] == "\n":
        return 0
    return max(0, k - reach)


def _finish(
    text: str, start: int, end: int, value: Decimal, prec: Decimal, words: bool,
    spec: LocaleNumberSpec, rx: dict,
) -> Mention | None:
    """Attach units, qualifiers and boundaries to a resolved number."""
    num_start, num_end = start, end
    if start > 0 and (_is_spaced_letter(text[start - 1]) or text[start - 1].isdigit()):
        # glued to a word: an identifier ("A4"), unless a currency sign ("Rp3,2 triliun")
        if rx["glued"] is None or not rx["glued"].search(text, max(0, start - 8), start):
            return None
    if start > 1 and text[start - 1] in "-‐" and _is_spaced_letter(text[start - 2]):
        return None  # "COVID-19"
    if rx["ord_prefix"] is not None and rx["ord_prefix"].search(text, _prefix_from(text, start, spec), start):
        return None
    if rx["ordinal"] is not None and not words and rx["ordinal"].match(text, end):
        return None
    unit: str | None = None
    m = rx["points"].match(text, end)
    if m and m.end() > end:
        unit, end = "pp", m.end()
    else:
        m = rx["pct_after"].match(text, end)
        if not words and rx["pct_after_digits"] is not None:
            # the longer form wins ("pourcentage" over "pourcent")
            m2 = rx["pct_after_digits"].match(text, end)
            if m2 and m2.end() > (m.end() if m else end):
                m = m2
        if m and m.end() > end:
            unit, end = "percent", m.end()
            form = _WS.sub(" ", m.group(0).strip().lower())
            if form not in spec.percent_factors:
                form = form.replace(" ", "")  # "十 成", "百 分 点" in unspaced scripts
            below = spec.percent_factor_below.get(form)
            if below is None or value < below:
                value *= spec.percent_factors.get(form, 1)
        else:
            m = rx["pct_before"].search(text, max(0, start - 24), start)
            if m and m.end() == start:
                unit, start = "percent", m.start()
                value *= _factor(spec, m.group(0))
                if (start > 0 and text[start - 1] in "-−" and value > 0
                        and (start == 1 or not (text[start - 2].isalnum() or text[start - 2] in ".,"))):
                    # a sign before the percent sign: "-%12,5" (Turkish)
                    value, start = -value, start - 1
            elif abs(value) < 1000 and value == value.to_integral_value():
                m = rx["duration"].match(text, end)
                if m and m.end() > end and not (end < len(text) and m.end() < len(text)
                                                and spec.spaced and _is_spaced_letter(text[m.end()])):
                    unit, end = "years", m.end()
    if end < len(text) and _is_spaced_letter(text[end]):
        return None  # "5G", "2nd"
    qualifier = None
    q = rx["qual_after"].match(text, end)
    if q and q.end() > end:
        qualifier = spec.qualifiers_after.get(_WS.sub(" ", text[end:q.end()].strip().lower()))
    q = rx["qual"].search(text, max(0, start - 24), start)
    if q and q.end() == start and (not spec.spaced or q.start() == 0 or not text[q.start() - 1].isalnum()):
        qualifier = spec.qualifiers.get(_WS.sub(" ", q.group(0).strip().lower())) or qualifier
    try:
        fval = float(value)
        fprec = float(prec)
    except (InvalidOperation, OverflowError):  # pragma: no cover - Decimal always converts
        return None
    if not math.isfinite(fval):
        return None  # "1e400": beyond a float
    return Mention(
        start=start, end=end, value=fval, unit=unit, qualifier=qualifier,
        precision=fprec, surface=text[start:end], words=words, num_start=num_start, num_end=num_end,
    )
