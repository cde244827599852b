"""Per-language number writing, loaded from ``cbafacts/lang/<code>/numbers.yaml``.

A :class:`LocaleNumberSpec` only binds data (separators, number words, scale
words, percent and point forms, qualifiers); the one algorithm that reads
numbers with it lives in :mod:`cbafacts.numbers.parse`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping

from ..data import lang_file, load_yaml
from ..errors import Errors

FALLBACK_LANG = "xx"


@dataclass(frozen=True)
class LocaleNumberSpec:
    """How one language writes numbers.

    lang (str): ISO 639-1 code ("xx" for the fallback).
    decimal (str): the locale's decimal separator.
    group (tuple[str, ...]): separators the locale uses between thousands.
    ambiguous_group (tuple[str, ...]): separators that group thousands only
        before a counted word (Indonesian "41,700 petugas").
    spaced (bool): words are separated by spaces (word boundaries apply).
    words (dict[str, tuple[str, Decimal]]): number word -> (role, value),
        role one of ``unit``, ``mult``, ``scale``, ``add``.
    """

    lang: str
    decimal: str
    group: tuple[str, ...]
    ambiguous_group: tuple[str, ...]
    spaced: bool
    compound: bool
    percent_after: tuple[str, ...]
    percent_before: tuple[str, ...]
    #: percent forms only after a number written in digits ("100 percentuale":
    #: "una percentuale" is an article and a noun, not 1 %)
    percent_after_digits: tuple[str, ...]
    points_after: tuple[str, ...]
    duration_after: Mapping[str, Decimal]
    ordinal_prefix: tuple[str, ...]
    ordinal_suffix: tuple[str, ...]
    connectors: tuple[str, ...]
    words: Mapping[str, tuple[str, Decimal]]
    qualifiers: Mapping[str, str]
    decimal_words: tuple[str, ...] = ()
    #: words that contain numerals but are not numbers ("十分", "一些", "satu-satunya")
    not_numbers: tuple[str, ...] = ()
    #: qualifiers written after the number ("40%以上", "40%左右")
    qualifiers_after: Mapping[str, str] = field(default_factory=dict)
    #: currency and similar prefixes that may be glued to digits ("Rp3,2 triliun", "RMB4.2 billion")
    glued_prefixes: tuple[str, ...] = ()
    #: a run of single digits written as words is one number read digit by digit ("二〇二四")
    digit_sequences: bool = False
    #: words and dashes joining the two ends of a range ("3-5%", "3 hingga 5 persen")
    range_words: tuple[str, ...] = ()
    #: percent forms that scale the number (zh "三成" = 30%, "千分之一" = 0.1%)
    percent_factors: Mapping[str, Decimal] = field(default_factory=dict)
    #: ... only for numbers below this (三八折 is 38%, not 380%)
    percent_factor_below: Mapping[str, Decimal] = field(default_factory=dict)
    #: a last digit after 百/千/万 counts the next place down ("四百五" = 450)
    abbreviated_tail: bool = False
    #: scale words that count one on their own ("mil quinientos", "tausend Mitarbeiter")
    standalone_scales: frozenset = frozenset()
    #: the connector joins a unit before a ten ("vier-und-zwanzig", "een-en-twintig")
    reverse_tens: bool = False
    #: the indefinite article is also the numeral one (de "ein", es "un", tr
    #: "bir"): where it counts nothing after it, it still reads one on its own
    #: ("ein Prozentpunkt", "tirate un paso"); the claim layer drops a lone
    #: "one" that counts nothing
    article_alone_one: bool = False
    #: endings of plural denominators ("tercios", "millonésimos"): a
    #: denominator without one is singular and takes only the numerator one
    #: ("un tercio"; "dos millonésimo" is an ordinal, no fraction). Empty:
    #: no agreement is checked
    plural_denominator_endings: tuple[str, ...] = ()
    #: connectors that also join a whole number and a fraction ("twenty and three fifths")
    mixed_connectors: frozenset = frozenset()
    #: a comma after a spelled scale word does not end the number ("one thousand, one hundred")
    comma_after_scale: bool = False
    #: connectors written glued to the next word (Arabic "وعشرون")
    glued_connectors: tuple[str, ...] = ()
    #: words that are no number when they stand alone ("이 가방": this bag)
    not_alone: frozenset = frozenset()
    #: the language has shift words (numbers.yaml words.shifts: Hindi सवा
    #: = a quarter more than the number after it)
    has_shifts: bool = False
    #: lakh grouping: two digits per group before the last three ("1,00,000")
    indian_grouping: bool = False
    #: separators between a ten and an ordinal unit that make one denominator ("twenty-fifth")
    compound_ordinals: tuple[str, ...] = ()
    #: suffixes that make a glued number word a denominator ("veintiunavos", "venticinquesimi")
    ordinal_suffixes: tuple[str, ...] = ()
    #: letters a suffix may have replaced at the end of the number ("venticinqu-esimo" -> "venticinque")
    stem_endings: tuple[str, ...] = ()
    regexes: dict = field(default_factory=dict, compare=False, repr=False)

    def word(self, surface: str) -> tuple[str, Decimal] | None:
        """Role and value of a number word, matched case-insensitively
        unless the entry is written with capitals (abbreviations: "M")."""
        hit = self.words.get(surface)
        if hit is None:
            hit = self.words.get(surface.lower())
        if hit is None and len(parts := surface.split()) > 1:
            # phrases match with any spacing ("media   docena"); in unspaced
            # scripts spaces may stand inside a word ("三分  之一")
            if " ".join(parts) != surface:
                hit = self.word(" ".join(parts))
            if hit is None and not self.spaced:
                hit = self.word("".join(parts))
        return hit


def _has_upper(s: str) -> bool:
    return any(ch.isupper() for ch in s)


_ROLES = {"units": "unit", "multipliers": "mult", "scales": "scale", "add": "add", "counted": "cmult",
          "duals": "dual", "shifts": "shift"}
_QUALIFIERS = {"approx", "gt", "lt", "ge", "le"}


def _dec(v: object, where: str) -> Decimal:
    try:
        d = Decimal(str(v))
    except Exception as exc:  # noqa: BLE001 - re-raised with context
        raise ValueError(Errors.E101.format(value=v, where=where)) from exc
    return d


@lru_cache(maxsize=1)
def _excluded_compositions() -> dict[str, str]:
    """Letters that Unicode decomposes but never recomposes (composition
    exclusions: Devanagari "ढ़" U+095D is "ढ" + nukta U+093C after NFC, yet
    pages write both), as decomposed sequence -> precomposed letter."""
    out = {}
    for cp in range(0x80, 0x30000):
        ch = chr(cp)
        nfd = unicodedata.normalize("NFD", ch)
        if len(nfd) > 1 and unicodedata.normalize("NFC", ch) != ch:
            out[nfd] = ch
    return out


def canonical_variants(surface: str) -> list[str]:
    """``surface`` and its other canonically equivalent spellings a text may
    use: with letters that are composition exclusions written precomposed
    and decomposed ("डेढ़" both as U+0922 U+093C and as U+095D). The
    surface comes first; no duplicates."""
    seqs = _excluded_compositions()
    decomposed = unicodedata.normalize("NFC", surface)  # excluded letters come out decomposed
    composed = decomposed
    for seq, ch in seqs.items():
        if seq in composed:
            composed = composed.replace(seq, ch)
    return list(dict.fromkeys((surface, decomposed, composed)))


def _with_variants(node: object) -> object:
    """The parsed YAML of a language with every string key and list item
    also under its canonical variants (see :func:`canonical_variants`)."""
    if isinstance(node, Mapping):
        out: dict = {}
        for k, v in node.items():
            v = _with_variants(v)
            for variant in canonical_variants(k) if isinstance(k, str) else (k,):
                out.setdefault(variant, v)
        return out
    if isinstance(node, list):
        items: list = []
        for v in node:
            if isinstance(v, str):
                items.extend(x for x in canonical_variants(v) if x not in items)
            else:
                items.append(_with_variants(v))
        return items
    return node


def spec_from_dict(lang: str, data: Mapping, *, source: str = "<dict>") -> LocaleNumberSpec:
    """Build and validate a spec from the parsed YAML of one language.

    RETURNS (LocaleNumberSpec): the validated spec.
    """
    data = _with_variants(data)  # type: ignore[assignment]
    words: dict[str, tuple[str, Decimal]] = {}
    for key, role in _ROLES.items():
        for surface, value in ((data.get("words") or {}).get(key) or {}).items():
            value = _dec(value, f"{source}: words.{key}.{surface}")
            if role in ("scale", "dual") and (value <= 1 or value != 10 ** (len(str(int(value))) - 1)):
                raise ValueError(Errors.E102.format(word=surface, value=value, source=source))
            words[str(surface) if _has_upper(str(surface)) else str(surface).lower()] = (role, value)
    for surface, value in (data.get("scales_after_digits") or {}).items():
        value = _dec(value, f"{source}: scales_after_digits.{surface}")
        if value <= 1 or value != 10 ** (len(str(int(value))) - 1):
            raise ValueError(Errors.E102.format(word=surface, value=value, source=source))
        key = str(surface) if _has_upper(str(surface)) else str(surface).lower()
        if key not in words:
            words[key] = ("scale_abbr", value)
    for surface in data.get("decimal_words") or ():
        words[str(surface).lower()] = ("point", Decimal(0))
    fractions = data.get("fractions") or {}
    for surface, value in (fractions.get("denominators") or {}).items():
        words[str(surface).lower()] = ("den", _dec(value, f"{source}: fractions.denominators.{surface}"))
    for key, role in (("over", "over"), ("denominator_first", "under"), ("articles", "article")):
        for surface in fractions.get(key) or ():
            words[str(surface).lower()] = (role, Decimal(1))
    connectors = {str(c).lower() for c in data.get("connectors") or ()}
    for surface in fractions.get("mixed") or ():
        if str(surface).lower() not in connectors:
            words[str(surface).lower()] = ("mixed", Decimal(1))
    for surface in fractions.get("denominator_after") or ():
        words[str(surface).lower()] = ("ord", Decimal(1))
    for surface, value in (fractions.get("after_whole") or {}).items():
        words[str(surface).lower()] = ("wden", _dec(value, f"{source}: fractions.after_whole.{surface}"))
    for surface in data.get("approx_infix") or ():
        words[str(surface).lower()] = ("approx", Decimal(0))
    for surface in data.get("negative") or ():
        words[str(surface).lower()] = ("neg", Decimal(-1))
    quals, quals_after = {}, {}
    for key, target in (("qualifiers", quals), ("qualifiers_after", quals_after)):
        for phrase, q in (data.get(key) or {}).items():
            if q not in _QUALIFIERS:
                raise ValueError(Errors.E103.format(q=q, phrase=phrase, source=source, allowed=sorted(_QUALIFIERS)))
            target[str(phrase).lower()] = q
    percent = data.get("percent") or {}
    factors = {
        str(k).lower(): _dec(v, f"{source}: percent.factors.{k}")
        for k, v in (percent.get("factors") or {}).items()
    }
    points = data.get("points") or {}
    duration = data.get("duration") or {}
    decimal = str(data.get("decimal", "."))
    group = tuple(str(g) for g in data.get("group") or ())
    if decimal in group:
        raise ValueError(Errors.E104.format(sep=decimal, source=source))
    return LocaleNumberSpec(
        lang=lang,
        decimal=decimal,
        group=group,
        ambiguous_group=tuple(str(g) for g in data.get("ambiguous_group") or ()),
        spaced=bool(data.get("spaced", True)),
        compound=bool(data.get("compound", False)),
        percent_after=tuple(percent.get("after") or ()) + tuple(
            k for k in (percent.get("factors_after") or ()) if k),
        percent_before=tuple(percent.get("before") or ()) + tuple(
            k for k in (percent.get("factors_before") or ()) if k),
        percent_after_digits=tuple(percent.get("after_digits") or ()),
        percent_factors=factors,
        percent_factor_below={
            str(k).lower(): _dec(v, f"{source}: percent.factor_below.{k}")
            for k, v in (percent.get("factor_below") or {}).items()
        },
        points_after=tuple(points.get("after") or ()),
        duration_after={str(k).lower(): _dec(v, source) for k, v in (duration.get("after") or {}).items()},
        ordinal_prefix=tuple(data.get("ordinal_prefix") or ()),
        ordinal_suffix=tuple(data.get("ordinal_suffix") or ()),
        connectors=tuple(data.get("connectors") or ()),
        words=words,
        qualifiers=quals,
        decimal_words=tuple(data.get("decimal_words") or ()),
        not_numbers=tuple(str(w) for w in data.get("not_numbers") or ()),
        qualifiers_after=quals_after,
        glued_prefixes=tuple(str(w) for w in data.get("glued_prefixes") or ()),
        digit_sequences=bool(data.get("digit_sequences", False)),
        range_words=tuple(str(w) for w in data.get("range_words") or ()),
        reverse_tens=bool(data.get("reverse_tens", False)),
        article_alone_one=bool(fractions.get("article_alone_one", False)),
        plural_denominator_endings=tuple(str(x).lower() for x in fractions.get("plural_endings") or ()),
        comma_after_scale=bool(data.get("comma_after_scale", False)),
        glued_connectors=tuple(str(c) for c in data.get("glued_connectors") or ()),
        not_alone=frozenset(str(w).lower() for w in data.get("not_alone") or ()),
        has_shifts=any(role == "shift" for role, _ in words.values()),
        indian_grouping=bool(data.get("indian_grouping", False)),
        compound_ordinals=tuple(str(x) for x in fractions.get("compound_ordinals") or ()),
        ordinal_suffixes=tuple(str(x).lower() for x in fractions.get("ordinal_suffixes") or ()),
        stem_endings=tuple(str(x).lower() for x in fractions.get("stem_endings") or ()),
        mixed_connectors=frozenset(
            str(c).lower() for c in fractions.get("mixed") or () if str(c).lower() in connectors),
        abbreviated_tail=bool(data.get("abbreviated_tail", False)),
        standalone_scales=frozenset(str(w).lower() for w in data.get("standalone_scales") or ()),
    )


def data_lang(lang: str | None) -> str:
    """The language whose data applies: ``"es-MX"`` -> ``"es"``; a code with
    no data folder -> ``"xx"`` (the fallback)."""
    code = (lang or FALLBACK_LANG).lower().replace("_", "-").split("-")[0]
    return code if lang_file(code, "numbers.yaml") is not None else FALLBACK_LANG


def get_spec(lang: str | None) -> LocaleNumberSpec:
    """The number spec of ``lang``; languages without data get the fallback.

    lang (str | None): ISO 639-1 code, a culture code ("es-mx" -> "es"), or None.
    RETURNS (LocaleNumberSpec): the spec (one per data language, cached).
    """
    return _get_spec(data_lang(lang))


@lru_cache(maxsize=None)
def _get_spec(code: str) -> LocaleNumberSpec:
    path = lang_file(code, "numbers.yaml")
    if path is None:
        code, path = FALLBACK_LANG, lang_file(FALLBACK_LANG, "numbers.yaml")
    assert path is not None
    return spec_from_dict(code, load_yaml(path), source=str(path))


def alternation(phrases: list[str] | tuple[str, ...], loose: bool = False) -> str:
    """A regex alternation of literal phrases, longest first, spaces flexible;
    entries written with capitals match case-sensitively. ``loose``: spaces
    may also stand between any two characters (unspaced scripts: "百 分 之")."""
    out = []
    for p in sorted(set(phrases), key=lambda s: (-len(s), s)):
        if loose:
            pat = r"[ \t\u00a0\u202f]*".join(re.escape(ch) for ch in "".join(p.split()))
        else:
            pat = r"\s+".join(re.escape(part) for part in p.split())
        out.append(f"(?-i:{pat})" if _has_upper(p) else pat)
    return "|".join(out) if out else r"(?!x)x"


def first_char_lead(phrases: Iterable[str], atoms: Mapping[str, str] | None = None) -> str:
    """A lookahead for the first character of any of ``phrases``, to put
    before their alternation in a regex that is searched (tried at every
    place): one test of a character class where the alternation would try
    each of its branches; the same matches. Under IGNORECASE the class
    matches both cases, which only lets more places through.

    atoms (Mapping[str, str] | None): characters the alternation writes as
        a regex of their own (see :func:`trie_alternation`); a phrase
        starting with one gets no lead, as the atom stands for others too.
    RETURNS (str): ``(?=[...])``; "" for no phrases, a blank one (which
        matches the empty string anywhere) or one starting with an atom.
    """
    chars = first_chars(phrases, atoms)
    return f"(?=[{chars}])" if chars else ""


def first_chars(phrases: Iterable[str], atoms: Mapping[str, str] | None = None) -> str | None:
    """The first characters of ``phrases``, escaped for a character class;
    None when a phrase is blank (it has none) or starts with one of
    ``atoms``."""
    firsts: set[str] = set()
    for p in phrases:
        parts = p.split()
        if not parts or parts[0][0] in (atoms or {}):
            return None
        firsts.add(parts[0][0])
    return "".join(re.escape(c) for c in sorted(firsts))


#: runs of whitespace, which phrases are compared by collapsing to one space
#: (compiled once: the readers use it at every figure)
WHITESPACE = re.compile(r"\s+")


def last_chars(phrases: Iterable[str]) -> str | None:
    """The last characters of ``phrases``, escaped for a character class;
    None when there are none or a phrase is blank."""
    lasts: set[str] = set()
    for p in phrases:
        parts = p.split()
        if not parts:
            return None
        lasts.add(parts[-1][-1])
    return "".join(re.escape(c) for c in sorted(lasts)) or None


class TailPattern:
    """A pattern of phrases that matches only at the end of what it searches
    (``...[spaces]*$``), searched only where that text, its trailing
    ``spaces`` left out, ends with a character some phrase ends with (the
    window before each figure is searched by several such patterns; most
    end with none of their phrases' last characters).

    rx (re.Pattern): the pattern; ``search`` gives its match or None.
    phrases: the phrases whose last character may end a match.
    spaces (str): the characters ``rx`` allows after the phrase.
    """

    __slots__ = ("rx", "last", "spaces", "bare", "always", "ascii_ends")

    def __init__(self, rx: re.Pattern, phrases, spaces: str) -> None:
        self.rx = rx
        self.spaces = spaces
        words = [p.split() for p in phrases]
        # a blank phrase matches anywhere: always searched
        self.always = not all(words)
        # a phrase may end with such characters itself ("sept.", "No:"): its
        # last character is the one before them, in its last word (the
        # spaces between words match any whitespace)
        ends = [w[-1].rstrip(spaces) for w in words if w]
        #: phrases of such characters alone ("#"): a window is searched where
        #: its trailing such characters hold one (of one word: within them)
        #: or may (of several words, whose spaces may be any whitespace)
        self.bare = tuple(w[0] for w in words if w and not w[-1].rstrip(spaces) and len(w) == 1)
        if any(w and not w[-1].rstrip(spaces) and len(w) > 1 for w in words):
            self.bare += ("",)
        last = last_chars([e for e in ends if e])
        self.last = re.compile(f"[{last}]", rx.flags) if last else None
        #: the last words as an ASCII text can spell them (a word one of whose
        #: letters no ASCII letter matches is left out): a window whose last
        #: word is ASCII must end with one
        self.ascii_ends = tuple(sorted({a for e in ends if e and (a := _ascii_spelling(e, rx.flags)) is not None}))

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        """``rx.search(text, pos, endpos)``, or None where no phrase can end
        ``text[pos:endpos]``."""
        window = text[pos:endpos] if pos or endpos is not None else text
        # "$" matches before a last newline too: such a window is searched
        if not self.always and not window.endswith("\n"):
            w = window.rstrip(self.spaces)
            if not (self.bare and len(w) < len(window) and any(b in window[len(w):] for b in self.bare)):
                if self.last is None or not w or self.last.match(w, len(w) - 1) is None:
                    return None
                word = w.rsplit(None, 1)[-1]
                if word.isascii() and not word.lower().endswith(self.ascii_ends):
                    return None
        return self.rx.search(text, pos) if endpos is None else self.rx.search(text, pos, endpos)


_ASCII = "".join(map(chr, range(128)))


@lru_cache(maxsize=None)
def _ascii_equivalent(ch: str, flags: int) -> str | None:
    """The lower-case ASCII character that ``ch`` matches under ``flags``
    (IGNORECASE: "ı" and "İ" match "i", "ſ" matches "s", the Kelvin sign
    "k"), ``ch`` itself lower-cased if it is ASCII; None if none does."""
    found = {x.lower() for x in _ASCII if re.fullmatch(re.escape(ch), x, flags)}
    return found.pop() if len(found) == 1 else None


def _ascii_spelling(word: str, flags: int) -> str | None:
    chars = [_ascii_equivalent(ch, flags & re.IGNORECASE) for ch in word]
    return None if None in chars else "".join(chars)


def led(phrases: Iterable[str], alt: str) -> str:
    """``alt``, an alternation of ``phrases``, behind their
    :func:`first_char_lead`, as one group."""
    return f"{first_char_lead(phrases)}(?:{alt})"


def trie_alternation(phrases: list[str] | tuple[str, ...], atoms: dict[str, str] | None = None) -> str:
    """The same language as :func:`alternation` of lower-case ``phrases``
    (longest match first, whitespace flexible), written as a trie: common
    prefixes are shared, so at each position the regex engine tries one
    branch per distinct next character instead of every phrase. For a few
    hundred aliases that is several times faster.

    atoms (dict[str, str] | None): characters to write as a regex of their
        own (e.g. an apostrophe matching the typographic ones too).
    """
    atoms = atoms or {}
    end = ""
    trie: dict = {}
    for p in set(phrases):
        node = trie
        for part_i, part in enumerate(p.split()):
            if part_i:
                node = node.setdefault(r"\s+", {})
            for ch in part:
                node = node.setdefault(atoms.get(ch, re.escape(ch)), {})
        node[end] = {}

    def emit(node: dict) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom != end]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end in node:  # a phrase may stop here: try the longer ones first (greedy)
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return emit(trie) or r"(?!x)x"
