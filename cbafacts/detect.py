"""Language detection for input articles.

:func:`detect_language` runs langdetect with a fixed seed on the article's
content lines (:func:`content_lines`: site labels, dates, source lines and
language menus removed), so a page's boilerplate does not outvote its body
and the same text always gets the same answer, in every process. It never
raises: text with nothing to detect gives ``("und", 0.0)``.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from .data import available_languages, lang_file, load_yaml

__all__ = [
    "detect_language",
    "content_lines",
    "is_boilerplate",
    "normalize_code",
    "script_of",
    "UND",
]

#: the code for "no language detected"
UND = "und"
#: words for marker counting (letters and digits of any script)
_WORD = re.compile(r"\w+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_DIGIT = re.compile(r"[0-9]")

#: langdetect codes that are not plain ISO 639-1
_CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh"}

#: a line with fewer word units than this is boilerplate (site label,
#: date, "Sumber: Jaringan Global", byline); see :func:`_word_units`
MIN_WORD_UNITS = 4
#: letters of a script needed before the script counts for the menu rule
MIN_SCRIPT_LETTERS = 2
#: a line with letters of this many scripts is a language menu ...
MENU_SCRIPTS = 3
#: ... unless it is running text: this many word units with one script
#: holding :data:`DOMINANT_SHARE` of its letters (an English paragraph that
#: quotes a Chinese name and a Russian title; a JSONL article on one line)
MENU_MAX_WORD_UNITS = 40
DOMINANT_SHARE = 0.8

#: Unicode name words that name a script; a letter's script is the first of
#: these in its name (so "FULLWIDTH LATIN ..." and "HALFWIDTH KATAKANA ..."
#: are found), else the first word of its name
_SCRIPT_WORDS = frozenset(
    """LATIN CYRILLIC GREEK COPTIC ARMENIAN GEORGIAN HEBREW ARABIC SYRIAC THAANA
    NKO DEVANAGARI BENGALI GURMUKHI GUJARATI ORIYA TAMIL TELUGU KANNADA
    MALAYALAM SINHALA THAI LAO TIBETAN MYANMAR KHMER MONGOLIAN ETHIOPIC
    CHEROKEE HANGUL HIRAGANA KATAKANA KATAKANA-HIRAGANA CJK BOPOMOFO YI
    CANADIAN OGHAM RUNIC TAGALOG JAVANESE BALINESE SUNDANESE""".split()
)
#: scripts written together in one language count as one: Japanese mixes
#: Han, hiragana and katakana (Chinese Bopomofo goes with Han too)
_SCRIPT_GROUP = {
    "HIRAGANA": "CJK",
    "KATAKANA": "CJK",
    "KATAKANA-HIRAGANA": "CJK",
    "BOPOMOFO": "CJK",
    "IDEOGRAPHIC": "CJK",
}
#: scripts written without spaces between words: their letters count as
#: word units at this many letters per word
_UNSPACED = {"CJK": 2, "THAI": 4, "LAO": 4, "KHMER": 4, "MYANMAR": 4, "TIBETAN": 4}

#: Han-family languages a script decides: text whose share of the family's
#: letters in these scripts reaches the minimum is that language. langdetect
#: maps Han text with a little kana ("銀行業協会の報告書") to "ko" or "zh"
#: with high confidence; kana rule those out. Keys: langdetect codes.
_SUFFICIENT_SCRIPTS: dict[str, tuple[frozenset[str], float]] = {
    "ja": (frozenset(("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA")), 0.02),
}
#: Han-family languages never written without a script: text below the
#: share is not that language (langdetect says "ko" for Japanese written in
#: kanji only, e.g. "中国銀行業協会発表報告書"; Korean is written in Hangul)
_NECESSARY_SCRIPTS: dict[str, tuple[frozenset[str], float]] = {
    "ko": (frozenset(("HANGUL",)), 0.05),
}
#: languages written with Han characters (langdetect codes), the family the
#: rule above chooses within, and the scripts whose letters the share counts
_HAN_FAMILY = ("zh-cn", "zh-tw", "ja", "ko")
_HAN_FAMILY_SCRIPTS = frozenset(
    ("CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC")
)

_lock = threading.Lock()
_factory: Any = None


@lru_cache(maxsize=4096)
def _raw_script(ch: str) -> str | None:
    """The script named in a letter's Unicode name, ungrouped (HIRAGANA...)."""
    if not ch.isalpha():
        return None
    words = unicodedata.name(ch, "").split()
    if not words:
        return "UNKNOWN"
    return next((w for w in words if w in _SCRIPT_WORDS), words[0])


def script_of(ch: str) -> str | None:
    """The script group of a letter, from its Unicode name.

    ch (str): one character.
    RETURNS (str | None): e.g. ``"LATIN"``, ``"CYRILLIC"``, ``"HANGUL"``,
        ``"CJK"`` (Han, hiragana and katakana together); None when ``ch``
        is not a letter.
    """
    script = _raw_script(ch)
    return None if script is None else _SCRIPT_GROUP.get(script, script)


def _word_units(line: str) -> float:
    """How much running text a line holds, in words.

    A whitespace token counts 1 when it has letters and no digits ("7th",
    "22nd", "COVID-19" and "10:30" count 0, so date and time lines weigh
    little); letters of scripts written without spaces (Han, kana, Thai...)
    count as words of :data:`_UNSPACED` letters each, digits or not.

    line (str): one line.
    RETURNS (float): the weight.
    """
    units = 0.0
    for token in line.split():
        spaced = False
        has_digit = False
        for ch in token:
            if ch.isdigit():
                has_digit = True
                continue
            script = script_of(ch)
            if script is None:
                continue
            per_word = _UNSPACED.get(script)
            if per_word:
                units += 1.0 / per_word
            else:
                spaced = True
        if spaced and not has_digit:
            units += 1.0
    return units


def _script_counts(line: str) -> dict[str, int]:
    """Letters per script group in a line."""
    counts: dict[str, int] = {}
    for ch in line:
        script = script_of(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    return counts


#: tokens longer than this are profiled each time, not cached (a line of
#: Chinese or Japanese is one token: caching those would hold whole lines)
_PROFILE_CACHED_CHARS = 40


def _profile(token: str) -> tuple[float, tuple[tuple[str, int], ...]]:
    """A whitespace token's :func:`_word_units` and letters per script.

    The units are sums of 1 and quarters, exact in floating point, so a
    line's units summed token by token equal :func:`_word_units` of the line.
    """
    units = _word_units(token)
    counts = _script_counts(token)
    return units, tuple(counts.items())


_cached_profile = lru_cache(maxsize=1 << 16)(_profile)


def _line_profile(line: str) -> tuple[float, dict[str, int]]:
    """:func:`_word_units` and :func:`_script_counts` of a line, from its
    tokens (whitespace has no script), short tokens cached: words repeat
    from line to line and article to article."""
    units = 0.0
    counts: dict[str, int] = {}
    for token in line.split():
        u, per_script = (_cached_profile if len(token) <= _PROFILE_CACHED_CHARS else _profile)(token)
        units += u
        for script, n in per_script:
            counts[script] = counts.get(script, 0) + n
    return units, counts


def _is_menu(line: str, units: float, counts: dict[str, int] | None = None) -> bool:
    """Whether a line mixes the scripts of a language menu.

    line (str): one line.
    units (float): its :func:`_word_units`.
    counts (dict | None): its :func:`_script_counts`, when known.
    RETURNS (bool): True when :data:`MENU_SCRIPTS` or more scripts have at
        least :data:`MIN_SCRIPT_LETTERS` letters each, and the line is not
        long running text in one dominant script.
    """
    if counts is None:
        counts = _script_counts(line)
    if sum(1 for n in counts.values() if n >= MIN_SCRIPT_LETTERS) < MENU_SCRIPTS:
        return False
    dominant = max(counts.values()) / sum(counts.values())
    return units < MENU_MAX_WORD_UNITS or dominant < DOMINANT_SHARE


def is_boilerplate(line: str) -> bool:
    """Whether a line is page furniture rather than article text.

    Boilerplate: lines without letters (numbers, dates like ``2024-07-22``,
    rules), short lines (fewer than :data:`MIN_WORD_UNITS` word units: site
    labels like ``berita``, ``Sumber: Jaringan Global``, ``August 7th``,
    ``Senin, 22 Juli 2024 14:30 WIB``) and language menus (letters of
    :data:`MENU_SCRIPTS` or more scripts, e.g. ``한어Русский языкEnglish...``;
    see :func:`_is_menu`).

    line (str): one line, without its line break.
    RETURNS (bool): True for boilerplate.
    """
    if line.isascii():
        # fast path, same answer: ASCII letters are all Latin (one script:
        # never a menu); a token counts when it has a letter and no digit
        units = 0
        for tok in line.split():
            if _ASCII_LETTER.search(tok) and not _ASCII_DIGIT.search(tok):
                units += 1
                if units >= MIN_WORD_UNITS:
                    return False
        return True
    units, counts = _line_profile(line)
    if not counts:  # no letters (only a letter has a script)
        return True
    if units < MIN_WORD_UNITS:
        return True
    return _is_menu(line, units, counts)


def content_lines(text: str) -> str:
    """The text with its boilerplate lines removed (used before detection).

    text (str): the article text.
    RETURNS (str): the lines that are not boilerplate (see
        :func:`is_boilerplate`), unchanged, joined with ``\\n``; "" when
        every line is boilerplate.
    """
    return "\n".join(line for line in text.splitlines() if not is_boilerplate(line))


def normalize_code(code: str | None) -> str:
    """Map a language code to ISO 639-1 as formats.md wants it.

    code (str | None): a langdetect code (``"zh-cn"``) or a user's code
        (``"ID"``, ``"zh-Hans"``, ``"in"``).
    RETURNS (str): ``"zh"``, ``"id"``, ...; ``"und"`` for None or "".
    """
    if not code or not code.strip():
        return UND
    code = code.strip().lower().replace("_", "-")
    if code in _CODE_MAP:
        return _CODE_MAP[code]
    base = code.split("-", 1)[0]
    # deprecated ISO 639 codes still seen in the wild
    base = {"in": "id", "iw": "he", "ji": "yi"}.get(base, base)
    # formats.md: an ISO 639-1 code (two letters) or "und"
    return base if len(base) == 2 and base.isascii() and base.isalpha() else UND


def _get_factory() -> Any:
    """The langdetect profiles, loaded once per process in sorted file order."""
    global _factory
    if _factory is None:
        with _lock:
            if _factory is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

                factory = DetectorFactory()
                profiles = []
                for name in sorted(os.listdir(PROFILES_DIRECTORY)):
                    path = os.path.join(PROFILES_DIRECTORY, name)
                    if not name.startswith(".") and os.path.isfile(path):
                        with open(path, encoding="utf-8") as fh:
                            profiles.append(fh.read())
                factory.load_json_profile(profiles)
                _factory = factory
    return _factory


#: detection reads at most this many characters from the start of an article
#: (after boilerplate lines are dropped): plenty for langdetect, and it keeps
#: detection cost flat for long articles
DETECT_CHARS = 1500


def detect_language(text: str, *, seed: int = 0) -> tuple[str, float]:
    """Detect the language of an article.

    Detection runs on :func:`content_lines` of the text, or on the whole
    text when every line is boilerplate. A new langdetect ``Detector`` is
    made per call with ``seed`` set, so the answer does not depend on
    earlier calls, the process or the global ``DetectorFactory.seed``.
    When langdetect answers Chinese or Korean for text with kana (Han-heavy
    Japanese, which it gets wrong), or Korean for text without Hangul, it
    is run again with the languages the scripts contradict ruled out.

    text (str): the article text.
    seed (int): langdetect's random seed.
    RETURNS (tuple[str, float]): the ISO 639-1 code (``"zh"`` for both
        Chinese profiles) and the top language's probability; ``("und",
        0.0)`` for text with no letters or nothing langdetect can use. Never
        raises.
    """
    try:
        head = text[: DETECT_CHARS * 2]
        body = content_lines(head)
        if not body.strip():
            body = head
        body = body[:DETECT_CHARS]
        if not any(ch.isalpha() for ch in body):
            return UND, 0.0
        probabilities = _langdetect(body, seed, None)
        if probabilities:
            ruled_out = _ruled_out_by_script(body, probabilities[0].lang)
            if ruled_out:
                prior = {lang: 1.0 for lang in _get_factory().get_lang_list()}
                prior.update((lang, 0.0) for lang in ruled_out)
                probabilities = _langdetect(body, seed, prior)
    except Exception:  # noqa: BLE001 - the contract is "never raises"
        return UND, 0.0
    if not probabilities:
        return UND, 0.0
    top = probabilities[0]
    code, prob = normalize_code(top.lang), float(top.prob)
    return refine_sibling(code, prob, body)


@lru_cache(maxsize=1)
def _detect_data() -> dict[str, dict[str, Any]]:
    """Every language's ``detect.yaml`` (``reads_as``, ``markers``)."""
    out: dict[str, dict[str, Any]] = {}
    for lang in available_languages("detect.yaml"):
        path = lang_file(lang, "detect.yaml")
        if path is not None:
            data = load_yaml(path) or {}
            out[lang] = {
                "reads_as": data.get("reads_as"),
                "min_markers": int(data.get("min_markers", 2)),
                "markers": tuple(str(m).lower() for m in data.get("markers") or ()),
            }
    return out


def _count_markers(words: str, markers: tuple[str, ...]) -> int:
    """Occurrences of marker words or phrases in ``words`` (lower-cased,
    single-spaced, padded with spaces)."""
    return sum(words.count(f" {m} ") for m in markers)


def refine_sibling(code: str, prob: float, text: str) -> tuple[str, float]:
    """Tell a language langdetect has no profile for from the one it reads
    as (Malay, read as Indonesian), by marker words kept as data in
    ``cbafacts/lang/<code>/detect.yaml``.

    code (str): langdetect's answer, normalized.
    prob (float): its probability.
    text (str): the text detected.
    RETURNS (tuple[str, float]): the sibling with the most markers when it
        has more than ``code`` and at least its ``min_markers`` (probability
        scaled by its share of the markers); else ``(code, prob)``.
    """
    data = _detect_data()
    siblings = [lang for lang, d in data.items() if d["reads_as"] == code]
    if not siblings:
        return code, prob
    words = " " + " ".join(_WORD.findall(text.lower())) + " "
    own = _count_markers(words, data.get(code, {}).get("markers", ()))
    best, best_n = code, own
    for lang in sorted(siblings):
        n = _count_markers(words, data[lang]["markers"])
        if n >= data[lang]["min_markers"] and n > best_n:
            best, best_n = lang, n
    if best == code:
        return code, prob
    return best, prob * best_n / (best_n + own)


def _langdetect(text: str, seed: int, prior: dict[str, float] | None) -> list[Any]:
    """Run a fresh seeded langdetect ``Detector``.

    text (str): the text to detect.
    seed (int): the random seed.
    prior (dict[str, float] | None): prior probabilities (0 rules a
        language out), or None for uniform.
    RETURNS (list[Any]): langdetect ``Language`` objects (``lang``, ``prob``),
        most probable first; may be empty.
    """
    detector = _fast_detector_class()(_get_factory())
    detector.seed = seed
    if prior is not None:
        detector.set_prior_map(prior)
    detector.append(text)
    return list(detector.get_probabilities())


_FAST_DETECTOR: Any = None
_SPACE_RUNS = re.compile(" {2,}")
#: what langdetect's ``cleaning_text`` counts as Latin ('A' <= ch <= 'z') and
#: as non-Latin (ch >= U+0300: its block test compares a block number with a
#: block name, so it never excludes anything)
_LANGDETECT_LATIN = re.compile("[A-z]")
_LANGDETECT_NON_LATIN = re.compile("[\u0300-\U0010FFFF]")
#: n-grams of a word read by :meth:`FastDetector._extract_ngrams` (cleared
#: when it holds this many words, so memory stays flat on any corpus)
_WORD_GRAMS_MAX = 200_000
#: probability rows of n-grams kept as numpy arrays (cleared likewise)
_ROWS_MAX = 50_000


def _fast_detector_class() -> Any:
    """A langdetect ``Detector`` whose inner loops are rewritten for speed
    with the same arithmetic in the same order, so it returns the same
    probabilities, bit for bit (``tests/test_detect.py`` holds it to the
    original):

    - text cleaning by regular expressions instead of a loop per character;
    - n-gram extraction word by word: langdetect's n-gram window restarts at
      every space, so the n-grams a word gives (and those of the space after
      it) depend on the word alone and are computed once per word;
    - the random walk on numpy rows: the n-gram drawn never depends on the
      probabilities, each update is the same elementwise ``p * (w + q)``
      in float64, and the normalization sums left to right as ``sum()`` does.
    """
    global _FAST_DETECTOR
    if _FAST_DETECTOR is not None:
        return _FAST_DETECTOR
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram

    norm_table: dict[int, str] = {}
    word_grams: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    rows: dict[str, Any] = {}

    def grams_of(word: str, wmap: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The n-grams langdetect keeps for a word (after a space or at the
        start), and those of the space that follows it."""
        inner: list[str] = []
        padded = " " + word
        for k in range(1, len(padded)):
            c = padded[k]
            if c.isupper() and padded[k - 1].isupper():
                continue  # langdetect's "capital word": nothing from this char
            if c in wmap:
                inner.append(c)
            w = padded[k - 1:k + 1]
            if w in wmap:
                inner.append(w)
            if k >= 2:
                w = padded[k - 2:k + 1]
                if w in wmap:
                    inner.append(w)
        tail = [w for w in (padded[-1:] + " ", padded[-2:] + " ") if w in wmap]
        return tuple(inner), tuple(tail)

    class FastDetector(Detector):
        def append(self, text: str) -> None:
            text = self.URL_RE.sub(" ", text)
            text = self.MAIL_RE.sub(" ", text)
            text = NGram.normalize_vi(text)[: self.max_text_length]
            # the original drops a space that follows a space, char by char
            self.text += _SPACE_RUNS.sub(" ", text)

        def cleaning_text(self) -> None:
            text_without_latin, latin_count = _LANGDETECT_LATIN.subn("", self.text)
            if latin_count * 2 < len(_LANGDETECT_NON_LATIN.findall(self.text)):
                self.text = text_without_latin

        def _extract_ngrams(self) -> list[str]:
            wmap = self.word_lang_prob_map
            text = self.text
            new = {ord(ch) for ch in set(text)} - norm_table.keys()
            for cp in new:
                norm_table[cp] = NGram.normalize(chr(cp))
            words = text.translate(norm_table).split(" ")
            if len(word_grams) > _WORD_GRAMS_MAX:
                word_grams.clear()
            out: list[str] = []
            last = len(words) - 1
            for i, word in enumerate(words):
                if not word:
                    continue  # a space after a space: the window restarts, nothing read
                got = word_grams.get(word)
                if got is None:
                    got = word_grams[word] = grams_of(word, wmap)
                out.extend(got[0])
                if i < last:  # the space after the word
                    out.extend(got[1])
            return out

        def _detect_block(self) -> None:
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            wmap = self.word_lang_prob_map
            if len(rows) > _ROWS_MAX:
                rows.clear()
            n, limit, threshold = len(ngrams), self.ITERATION_LIMIT, self.CONV_THRESHOLD
            randbelow = self.random._randbelow
            self.langprob = [0.0] * len(self.langlist)
            self.random.seed(self.seed)
            for _ in range(self.n_trial):
                prob = np.array(self._init_probability(), dtype=np.float64)
                alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                weight = alpha / self.BASE_FREQ
                factors: dict[str, Any] = {}  # weight + q of each n-gram drawn
                i = 0
                while True:
                    word = ngrams[randbelow(n)]  # random.choice(ngrams)
                    f = factors.get(word)
                    if f is None:
                        row = rows.get(word)
                        if row is None:
                            row = rows[word] = np.array(wmap[word], dtype=np.float64)
                        f = factors[word] = weight + row
                    prob *= f
                    if i % 5 == 0:
                        sump = sum(prob.tolist())
                        if sump == 0.0:
                            raise ZeroDivisionError("float division by zero")  # as the original
                        prob /= sump
                        if max(0.0, float(prob.max())) > threshold or i >= limit:
                            break
                    i += 1
                for j, p in enumerate(prob.tolist()):
                    self.langprob[j] += p / self.n_trial

    _FAST_DETECTOR = FastDetector
    return FastDetector


def _ruled_out_by_script(text: str, top: str) -> list[str]:
    """Languages of the Han family that the text's scripts contradict.

    When langdetect's top answer is a Han-family language but the text has
    enough letters of a script only another family member writes (kana:
    Japanese), every other family member is ruled out; a top answer whose
    necessary script (Hangul for Korean) is missing is ruled out.

    text (str): the text detected.
    top (str): langdetect's top language code.
    RETURNS (list[str]): langdetect codes to give a zero prior; empty when
        the script evidence agrees with ``top`` or is too thin.
    """
    if top not in _HAN_FAMILY:
        return []
    counts: dict[str, int] = {}
    for ch in text:
        script = _raw_script(ch)
        if script in _HAN_FAMILY_SCRIPTS:
            counts[script] = counts.get(script, 0) + 1
    family = sum(counts.values())
    if not family:
        return []

    def share(scripts: frozenset[str]) -> float:
        return sum(counts.get(s, 0) for s in scripts) / family

    ruled_out: set[str] = set()
    for lang, (scripts, min_share) in _SUFFICIENT_SCRIPTS.items():
        if lang != top and share(scripts) >= min_share:
            ruled_out.update(other for other in _HAN_FAMILY if other != lang)
    for lang, (scripts, min_share) in _NECESSARY_SCRIPTS.items():
        if lang == top and share(scripts) < min_share:
            ruled_out.add(lang)
    return sorted(ruled_out)
