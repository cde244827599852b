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
from bisect import bisect_left
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from ..model import Mention
from .spec import LocaleNumberSpec, alternation, get_spec

# Separators seen between digit groups, with their ASCII reading.
# "٫" (Arabic decimal) and "٬" (Arabic thousands) carry their role with them.
_SEP_MAP = {
    ".": ".", ",": ",", "，": ",", "．": ".", "、": ",", "・": ".",
    "'": "'", "’": "'", "٬": "'", "٫": "٫",
    " ": " ", "\u00a0": " ", "\u202f": " ",
}
_ALWAYS_GROUP = {"'", " "}
_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\?\S*=\S*")
_EXPONENT = re.compile(r"(?:[eE]([+-]?\d+)|\^([+-]?\d+)|[ ]?[x×][ ]?10\^([+-]?\d+))$")
_ALWAYS_DECIMAL = {"٫"}
_HSPACE = "[ \t\u00a0\u202f]"


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
    digits = (
        rf"(?:(?<![\w./／]){'[-−]'}?(?:\d+[ ])?\d+[/／]\d+(?![/／]?\d)(?![.,]\d)"
        rf"|(?:(?<![\w.,]){'[-−]'})?\d+"
        rf"(?:[{seps}](?=\d)\d+|(?<=[０-９])[．，](?=[０-９])[０-９]+{space_group})*"
        rf"(?:[eE][+-]?\d+(?![\w])|\^[+-]?\d+|[ ]?[x×][ ]?10\^[+-]?\d+)?"
        rf"|(?<![\w.,])[-−]?{dec}\d+(?![.,]?\d)|[{_VULGAR}])"
    )
    words = alternation(list(spec.words))
    if spec.spaced and not spec.compound:
        word = rf"(?<![^\W\d_])(?:{words})(?![^\W\d_])"
    else:
        word = rf"(?:{words})"
    conns = [c for c in spec.connectors if c.strip() and c != "-"]
    conn_alt = alternation(conns) if conns else None
    if spec.spaced:
        sep = rf"(?:{_HSPACE}*-{_HSPACE}*|{_HSPACE}+"
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
    item = rf"(?:{digits}|{word})"
    flags = re.IGNORECASE
    rx = {
        "run": re.compile(rf"{item}(?:{sep}{item})*", flags),
        "item": re.compile(rf"(?P<num>{digits})|(?P<word>{word})", flags),
        "conn": re.compile(rf"(?:{conn_alt})", flags) if conn_alt else None,
        "points": re.compile(rf"{_HSPACE}*(?:{alternation(spec.points_after)})", flags),
        "pct_after": re.compile(rf"{_HSPACE}*(?:{alternation(spec.percent_after)})", flags),
        "pct_before": re.compile(rf"(?:{alternation(spec.percent_before)}){_HSPACE}*$", flags),
        "duration": re.compile(rf"{_HSPACE}*(?:{alternation(list(spec.duration_after))})", flags),
        "qual": re.compile(rf"(?:{alternation(list(spec.qualifiers))}){_HSPACE}*$", flags),
        "qual_after": re.compile(rf"{_HSPACE}*(?:{alternation(list(spec.qualifiers_after))})", flags),
        "range": re.compile(rf"{_HSPACE}*(?:{alternation(spec.range_words)}){_HSPACE}*", flags)
        if spec.range_words else None,
        "glued": re.compile(rf"(?:{alternation(spec.glued_prefixes)})$") if spec.glued_prefixes else None,
        # percent and point phrases that contain number words ("百分之", "个百分点"):
        # their characters must not start numbers of their own
        "mask": re.compile(
            alternation(
                [p for p in (*spec.percent_before, *spec.points_after, *spec.percent_after)
                 if any(_is_numeral(spec, ch) for ch in p) or any(_is_numeral(spec, w) for w in p.split())]
                + list(spec.not_numbers)
            ),
            flags,
        ),
        "ordinal": re.compile(rf"(?:{alternation(spec.ordinal_suffix)})(?![^\W\d_])", flags)
        if spec.ordinal_suffix else None,
        "ord_prefix": re.compile(rf"(?:{alternation(spec.ordinal_prefix)}){_HSPACE}*$")
        if spec.ordinal_prefix else None,
    }
    spec.regexes.update(rx)
    return spec.regexes


def _is_numeral(spec: LocaleNumberSpec, word: str) -> bool:
    hit = spec.word(word)
    return hit is not None and hit[0] in ("unit", "mult", "scale", "add")


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
    for key in ("pct_after", "points", "duration"):
        if rx[key].match(text, end):
            return False
    return True


def _read_digits(text: str, start: int, end: int, spec: LocaleNumberSpec, rx: dict) -> list[_Item]:
    """Read one run of digits and separators; split it where it cannot be one
    number (``192.168.1.2`` gives four)."""
    raw = text[start:end]
    if len(raw) == 1 and raw in _VULGAR:
        return [_Item(start, end, "num", Decimal(str(unicodedata.numeric(raw))), Decimal(0))]
    slash = re.fullmatch(r"([-−]?)(?:(\d+) )?(\d+)[/／](\d+)", raw)
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
        e = int(exp.group(1) or exp.group(2) or exp.group(3))
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
    grouped_ok = 1 <= lens[0] <= 3 and all(n == 3 for n in lens[1:])
    distinct = set(seps)
    if len(distinct) > 2 or (" " in distinct and len(distinct) > 1 and seps[-1] == " "):
        return split()
    if len(distinct) == 2:
        dec = seps[-1]
        if seps.count(dec) != 1 or dec in _ALWAYS_GROUP:
            return split()
        if 1 <= lens[0] <= 3 and all(n == 3 for n in lens[1:-1]):
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


def _items(text: str, start: int, end: int, spec: LocaleNumberSpec, rx: dict, masked) -> list[_Item]:
    out: list[_Item] = []
    pos = start
    for m in rx["item"].finditer(text, start, end):
        if masked(m.start(), m.end()):
            # a percent form or a non-number word in the way: numbers end here
            out.append(_Item(m.start(), m.end(), "break", Decimal(0)))
            continue
        if rx["conn"] is not None and out and rx["conn"].search(text, pos, m.start()):
            out.append(_Item(pos, m.start(), "conn", Decimal(0)))
        if m.group("num"):
            out.extend(_read_digits(text, m.start(), m.end(), spec, rx))
        else:
            hit = spec.word(m.group("word"))
            if hit is None:
                continue
            role, value = hit
            out.append(_Item(m.start(), m.end(), role, value,
                             standalone=m.group("word").lower() in spec.standalone_scales))
        pos = m.end()
    return out


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

    def __init__(self, digitwise: bool = False, reverse_conn: bool = False, tail: bool = False) -> None:
        self.done: list[tuple[int, int, Decimal, Decimal, bool, bool]] = []
        self.tail = tail
        self.digitwise = digitwise
        #: the language's connector joins a unit before a ten ("vierundzwanzig")
        self.reverse_conn = reverse_conn
        self._reset()

    def _reset(self) -> None:
        self.start: int | None = None
        self.end = 0
        self.total = Decimal(0)
        self.seg = Decimal(0)
        self.u = Decimal(0)
        self.has_u = False
        self.prec = Decimal(1)
        self.last_scale: Decimal | None = None
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
        #: the place a last lone digit stands for ("四百五": 五 after 百 -> tail_of 100)
        self.tail_of: Decimal | None = None

    def value(self) -> Decimal:
        u = self.u
        if self.tail and self.has_u and self.tail_of and u < 10 and self.frac is None:
            # "四百五" = 450, "一万三" = 13,000: a last digit after 百/千/万 counts the next place down
            u = u * self.tail_of / 10
        return self.total + self.seg + u

    def flush(self) -> None:
        if self.pending is not None:
            self.done.append(self.pending + (False,))
            self.pending = None
        if self.start is not None and (self.has_u or self.seg or self.total or self.over):
            value = self.value()
            end, prec = self.end, self.prec
            if self.frac:
                value += Decimal(f"0.{self.frac}")
                prec = Decimal(1).scaleb(-len(self.frac))
            if self.over is not None:
                numerator, num_end = self.over
                if self.under:  # "三分之二": the denominator came first
                    value, prec = (value / numerator if numerator else value), Decimal(0)
                elif value:
                    value, prec = numerator / value, Decimal(0)
                else:  # "over" with nothing after it is not part of the number
                    value, end = numerator, num_end
            if self.negative:
                value = -value
            self.done.append((self.start, end, value, prec, self.words, self.approx))
        self._reset()

    def _fraction(self, it: _Item) -> None:
        """A denominator word: "two thirds", "a half", "three and a fifth",
        "half (a) million"."""
        d = it.value
        if self.article is not None and (self.start is None or self.after_conn):
            num = Decimal(1)
            if self.start is None:
                self.start = self.article.start
            self.article = None
            base = self.value() if self.after_conn else Decimal(0)
            scale = (self.before_conn[1] or Decimal(1)) if self.after_conn and self.before_conn else Decimal(1)
            self.total, self.seg, self.u = base + num / d * scale, Decimal(0), Decimal(0)
        elif self.start is not None and self.pending is not None and self.prev in ("unit", "num"):
            # "three and one fourth" = 3 + 1/4
            start, _, before, _, _ = self.pending
            self.pending = None
            self.total, self.seg, self.u = before + self.value() / d, Decimal(0), Decimal(0)
            self.start = start
        elif self.start is not None and self.prev in ("unit", "num", "mult", "scale"):
            self.total, self.seg, self.u = self.value() / d, Decimal(0), Decimal(0)
        else:
            # a denominator alone ("the first half", "the 3rd quarter") is a
            # number only before a scale: "half million", "quarter million"
            self.flush()
            self.lone_den = it
            return
        self.has_u, self.fraction, self.words, self.prec = True, True, True, Decimal(0)
        self.before_conn, self.after_conn = None, False
        self.last_scale = self.last_mult = None
        self.end, self.prev = it.end, "den"

    def _begin(self, it: _Item) -> None:
        if self.start is None:
            self.start = it.start

    def add(self, it: _Item) -> None:
        role = it.role
        if role == "break":
            self.flush()
            return
        if role == "approx":
            # "十余万", "500多万": an approximation inside the number
            if self.start is not None:
                self.approx = True
            return
        if self.frac is not None:
            if role == "unit" and it.value < 10 and it.start - self.point_end <= 1:
                self.frac += str(int(it.value))
                self.end = self.point_end = it.end
                return
            if self.frac and role in ("scale", "scale_abbr"):
                # "三点五亿", "one point five million": the scale multiplies the decimal
                self.u += Decimal(f"0.{self.frac}")
                self.prec = Decimal(1).scaleb(-len(self.frac))
                self.has_u, self.frac, self.prev = True, None, "num"
            else:
                self.flush()
        if role == "point":
            if self.start is not None and self.last_scale is None and self.prev in ("unit", "mult"):
                self.frac = ""
                self.point_end = it.end
            else:
                self.flush()
            return
        if role == "conn":
            self.after_conn = self.start is not None
            if self.after_conn and self.before_conn is None:
                self.before_conn = (self.value(), self.last_scale if self.prev == "scale" else None)
            return
        if role == "article":
            if self.start is not None and not self.after_conn:
                self.flush()
            self.article = it
            return
        if role == "neg":
            self.flush()
            self.negative, self.start, self.end, self.prev = True, it.start, it.end, "neg"
            return
        if role == "den":
            self._fraction(it)
            return
        if role in ("over", "under"):
            if self.start is not None and self.over is None and (self.has_u or self.seg or self.total):
                self.over = (self.value(), self.end)
                self.under = role == "under"
                self.total = self.seg = self.u = Decimal(0)
                self.has_u, self.last_scale, self.last_mult, self.prev = False, None, None, "over"
            else:
                self.flush()
            return
        if self.lone_den is not None:
            if role == "scale":
                self.start, self.total, self.fraction = self.lone_den.start, Decimal(1) / self.lone_den.value, True
                self.has_u, self.words, self.prev = True, True, "den"
            self.lone_den = None
        if self.article is not None:
            if role in ("scale", "mult"):
                # "a million", "a hundred": the article counts one
                if self.start is None:
                    self.start = self.article.start
                if not self.has_u and not self.seg:
                    self.u, self.has_u, self.prev = Decimal(1), True, "unit"
            self.article = None
        if self.fraction and role not in ("scale",):
            self.flush()
        if self.start is not None and self.prev == "neg" and role not in ("num", "unit", "mult"):
            self._reset()
        if role == "num":
            # digits continue a number only in a lower place: "4万1700", "3 hundred and 21"
            # (but "4 thousand 3 hundred and 0" is two numbers)
            continues = (
                self.prev in ("scale", "mult") and not self.has_u and it.value != 0
                and it.value < (self.last_mult or self.last_scale or 0)
            )
            if self.start is not None and self.prev not in ("over", "under", "neg") and not continues:
                self.flush()
            self._begin(it)
            self.u, self.has_u, self.prec = it.value, True, it.precision
        elif role == "unit":
            if it.value == 0 and self.prev in ("mult", "scale") and not self.has_u:
                self.end, self.prev = it.end, "zero"  # a placeholder zero: "一百零五", "三千零二"
                return
            if (self.digitwise and self.prev == "unit" and self.has_u and self.ndigits
                    and it.value < 10 and not self.seg and not self.total):
                # digit by digit: 二〇二四 = 2024
                self.u = self.u * 10 + it.value
                self.ndigits += 1
                self.end, self.prev = it.end, "unit"
                return
            if self.start is not None and self.has_u and self.after_conn and not self.reverse_conn \
                    and self.prev in ("unit", "num") and self.pending is None and not _additive(self.u, it.value):
                # "two and fifty-four hundredths": the part after "and" may be a
                # fraction of its own; until a denominator says so, two numbers
                self.pending = (self.start, self.end, self.value(), self.prec, self.words)
                self.total = self.seg = Decimal(0)
                self.last_scale = self.last_mult = None
                self.start, self.u, self.has_u = it.start, it.value, True
                self.words, self.prec, self.ndigits = True, Decimal(1), 0
                self.end, self.prev, self.after_conn = it.end, "unit", False
                return
            if self.start is not None and self.has_u:
                joinable = self.prev == "unit" and (
                    (self.after_conn and self.reverse_conn and self.u < 10 and it.value > self.u)
                    or _additive(self.u, it.value)
                )
                if joinable:
                    self.u += it.value
                else:
                    self.flush()
                    self._begin(it)
                    self.u = it.value
                    self.ndigits = 1 if it.value < 10 else 0
            else:
                limit = self.last_mult or self.last_scale
                if self.start is not None and limit is not None and it.value >= limit:
                    self.flush()
                after = self.prev if self.start is not None and it.start - self.end <= 1 else None
                self.tail_of = (self.last_mult if after == "mult" else self.last_scale if after == "scale" else None)
                if self.tail_of is not None and self.tail_of < 100:
                    self.tail_of = None   # "二十五" is 25, not 20 + 50
                self._begin(it)
                self.u = it.value
                self.ndigits = 1 if it.value < 10 and not self.seg and not self.total else 0
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
            if self.start is None and self.prev is None:
                self._begin(it)
            elif self.start is None:
                return
            self.seg += (self.u if self.has_u else Decimal(1)) * it.value
            self.u, self.has_u, self.last_mult = Decimal(0), False, it.value
            self.prec = Decimal(1)
            self.words = True
        elif role in ("scale", "scale_abbr"):
            if self.start is None and role == "scale" and it.standalone:
                # the word for a thousand stands alone: "mil quinientos", "tausend Mitarbeiter", "bin dokuz yüz"
                self._begin(it)
                self.u, self.has_u, self.words = Decimal(1), True, True
            elif self.start is None or (role == "scale_abbr" and self.prev != "num"):
                self.flush()
                self.prev = None
                return
            if self.fraction:
                self.total *= it.value
                self.fraction, self.last_scale = False, it.value
                self.end, self.prev = it.end, "scale"
                self.prec = Decimal(0)
                return
            if self.prev == "scale" and not self.has_u and not self.seg:
                # stacked scales: 万亿 = 10^4 * 10^8, "thousand million"
                self.total *= it.value
                self.prec *= it.value
                self.last_scale = max(self.last_scale or it.value, it.value)
                self.end = it.end
                return
            group = self.seg + self.u
            if group == 0:
                group = Decimal(1)
            if self.last_scale is not None and it.value > self.last_scale:
                self.total = (self.total + group) * it.value
            else:
                self.total += group * it.value
            self.prec = self.prec * it.value if self.prev == "num" else it.value
            self.seg, self.u, self.has_u = Decimal(0), Decimal(0), False
            self.last_scale, self.last_mult = it.value, None
        self.end = it.end
        if role != "unit":
            self.tail_of = None
        self.prev = "unit" if role == "add" else role
        self.after_conn = False


def parse(text: str, lang: str | None = None) -> list[Mention]:
    """Find and resolve every number in ``text``.

    text (str): any Unicode text; never raises on odd input.
    lang (str | None): ISO 639-1 code (or culture code) whose number writing
        applies; languages without data use a digits-only fallback.
    RETURNS (list[Mention]): mentions in text order, non-overlapping.
    """
    if not text:
        return []
    spec = get_spec(lang)
    rx = _regexes(spec)
    spans = [(m.start(), m.end()) for m in rx["mask"].finditer(text)] if rx["mask"].pattern else []
    # nothing inside a URL is a number of the text ("%2D9114%29")
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
    for run in rx["run"].finditer(text):
        builder = _Builder(spec.digit_sequences, spec.reverse_tens, spec.abbreviated_tail)
        for it in _items(text, run.start(), run.end(), spec, rx, masked):
            builder.add(it)
        builder.flush()
        for start, end, value, prec, words, approx in builder.done:
            m = _finish(text, start, end, value, prec, words, spec, rx)
            if m is not None and approx and m.qualifier is None:
                m = replace(m, qualifier="approx")
            if m is not None and m.start >= last_end:
                mentions.append(m)
                last_end = m.end
    return _join_ranges(text, mentions, rx) if rx["range"] is not None else mentions


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
    if rx["ord_prefix"] is not None and rx["ord_prefix"].search(text, 0, start):
        return None
    if rx["ordinal"] is not None and not words and rx["ordinal"].match(text, end):
        return None
    unit: str | None = None
    m = rx["points"].match(text, end)
    if m and m.end() > end:
        unit, end = "pp", m.end()
    else:
        m = rx["pct_after"].match(text, end)
        if m and m.end() > end:
            unit, end = "percent", m.end()
            form = re.sub(r"\s+", " ", m.group(0).strip().lower())
            below = spec.percent_factor_below.get(form)
            if below is None or value < below:
                value *= spec.percent_factors.get(form, 1)
        else:
            m = rx["pct_before"].search(text, max(0, start - 12), start)
            if m and m.end() == start:
                unit, start = "percent", m.start()
                value *= spec.percent_factors.get(re.sub(r"\s+", " ", m.group(0).strip().lower()), 1)
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
        qualifier = spec.qualifiers_after.get(re.sub(r"\s+", " ", text[end:q.end()].strip().lower()))
    q = rx["qual"].search(text, max(0, start - 24), start)
    if q and q.end() == start and (not spec.spaced or q.start() == 0 or not text[q.start() - 1].isalnum()):
        qualifier = spec.qualifiers.get(re.sub(r"\s+", " ", q.group(0).strip().lower())) or qualifier
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
