"""Write a synthetic multilingual corpus of bank-sector news as JSONL.

    python -m benchmarks.make_corpus 1000 --seed 7 -o build/bench/corpus.jsonl
    python -m benchmarks.make_corpus 200 --langs en,id,zh --no-lang > build/c.jsonl
    python -m benchmarks.make_corpus 5000 --lang-mix en=0.3,zh=0.2,id=0.2,de=0.3

One article a line, ``{"id", "text", "lang"}`` (``--no-lang`` leaves ``lang``
out so that language detection runs). For benchmarks and load tests, not for
accuracy: the articles are plausible news about the China Banking
Association's report, not gold data.

Every article is built from the project's own language data: metric aliases
from ``cbafacts/ontology/metrics.yaml``; decimal and group separators, percent
and percentage-point forms, scale words and number words from
``cbafacts/lang/<code>/numbers.yaml``; change words, comparison words, report
words and month names from ``cbafacts/lang/<code>/cues.yaml``. Sentence
wording per language (templates, filler and distractor sentences) is the data
table ``benchmarks/make_corpus.yaml``; the code below has no per-language
branch. An article has a headline, sometimes a date line, a report-year
sentence, level and change sentences, filler sentences and distractors
(dates, phone numbers, unrelated percentages, page counts): 150-600 words,
counting a Han or kana character as half a word.

Deterministic: the same N, seed, options and data files give a
byte-identical file (``random.Random(seed)``, data read in file order, no
clock, no hashing).
Articles are written one at a time, so memory stays flat for any N.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

import yaml

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "make_corpus.yaml"

MIN_WORDS = 150
MAX_WORDS = 600

#: template keys with their defaults (see make_corpus.yaml)
DEFAULTS: dict[str, Any] = {
    "space": " ",
    "unit_space": " ",
    "join": " ",
    "percent_space": 0.05,
    "percent_word": 0.15,
    "percent_before": 0.0,
    "number_words": 0.4,
    "alt_digits": None,
    "cmp_year": "{before} {y}",
    "cmp_relative": "{before} {rel}",
    "years": None,
}

#: value ranges of count metrics by what they count (metrics.yaml `counts`)
COUNT_RANGES: dict[str, tuple[int, int, int]] = {
    # (low, high, rounding)
    "banks": (10, 80, 1),
    "people": (15_000, 90_000, 100),
    "calls": (100_000_000, 999_000_000, 1_000_000),
    "years": (2, 8, 1),
}
PERCENT_DECIMALS = (0, 0, 1, 2, 2)
#: report years the articles describe
YEARS = (2019, 2025)
#: cue lists are long and ordered most common first; draw from the head
CUE_HEAD = 6

_SLOT = re.compile(r"\{(\w+)\}")


def _cbafacts_dir() -> Path:
    """The cbafacts package folder, found without importing cbafacts (which
    would load spaCy)."""
    spec = importlib.util.find_spec("cbafacts")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parent
    return HERE.parent / "cbafacts"


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def _load(path: Path) -> Any:
    """A parsed YAML data file (cached: callers must not change it)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a safe loader


#: Han and kana (and half-width katakana): counted as half a word each
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def word_units(text: str) -> float:
    """Words in ``text``: whitespace tokens, except that a token with Han or
    kana characters counts half a word per such character."""
    tokens = text.split()
    cjk = len(_CJK.findall(text))
    if not cjk:
        return float(len(tokens))
    return len(tokens) - sum(1 for t in tokens if _CJK.search(t)) + cjk / 2


def _is_word(form: str) -> bool:
    return any(ch.isalpha() for ch in form)


def _head(items: Any, n: int = CUE_HEAD) -> list[str]:
    return [str(x) for x in list(items or [])[:n]]


def _first_by_value(mapping: dict | None) -> dict[float, str]:
    """value -> the first word listed with that value."""
    out: dict[float, str] = {}
    for word, value in (mapping or {}).items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            continue
        out.setdefault(v, str(word))
    return out


def _words_by_value(mapping: dict | None) -> list[tuple[float, list[str]]]:
    """Scale words grouped by value, in ascending value, words in file order."""
    groups: dict[float, list[str]] = {}
    for word, value in (mapping or {}).items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            continue
        groups.setdefault(v, []).append(str(word))
    return sorted(groups.items())


@dataclass
class Metric:
    id: str
    unit: str
    counts: str | None
    aliases: dict[str, list[str]]


def load_metrics(root: Path) -> list[Metric]:
    """The ontology's metrics, each with its own aliases plus its ancestors'."""
    data = _load(root / "ontology" / "metrics.yaml")
    raw = {m["id"]: m for m in data["metrics"]}

    def aliases(mid: str) -> dict[str, list[str]]:
        m = raw[mid]
        own = {k: list(v) for k, v in (m.get("aliases") or {}).items()}
        parent = m.get("parent")
        if parent in raw:
            for lang, words in aliases(parent).items():
                own.setdefault(lang, []).extend(words)
        return own

    return [Metric(m["id"], m.get("unit", "count"), m.get("counts"), aliases(m["id"]))
            for m in data["metrics"]]


@dataclass
class Lang:
    """What the generator needs to write one language, read from the data."""

    code: str
    tpl: dict[str, Any]
    decimal: str
    groups: list[str]
    ambiguous_groups: list[str]
    pct_signs: list[str]
    pct_words: list[str]
    pct_before_signs: list[str]
    pct_before_words: list[str]
    points: list[str]
    scales: list[tuple[float, list[str]]]
    unit_words: dict[float, str]
    duration: str
    up: list[str]
    down: list[str]
    before_year: list[str]
    after_year: list[str]
    relative: list[str]
    streak: list[str]
    report: list[str]
    months: dict[int, str]
    aliases: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, code: str, tpl: dict[str, Any], root: Path, metrics: list[Metric]) -> "Lang":
        num = _load(root / "lang" / code / "numbers.yaml") or {}
        cues = _load(root / "lang" / code / "cues.yaml") or {}
        pct = num.get("percent") or {}
        after = [str(f) for f in pct.get("after") or ["%"]]
        before = [str(f) for f in pct.get("before") or []]
        change = cues.get("change") or {}
        comparison = cues.get("comparison") or {}
        words = num.get("words") or {}
        merged = dict(DEFAULTS)
        merged.update(tpl)
        months: dict[int, str] = {}
        for name, m in (cues.get("months") or {}).items():
            months.setdefault(int(m), str(name))
        duration = next(iter((num.get("duration") or {}).get("after") or {"": 1}))
        return cls(
            code=code,
            tpl=merged,
            decimal=str(num.get("decimal", ".")),
            groups=[str(g) for g in num.get("group") or [","]],
            ambiguous_groups=[str(g) for g in num.get("ambiguous_group") or []],
            pct_signs=[f for f in after if not _is_word(f)] or ["%"],
            pct_words=[f for f in after if _is_word(f)][:2],
            pct_before_signs=[f for f in before if not _is_word(f)][:1],
            pct_before_words=[f for f in before if _is_word(f)][:1],
            points=_head((num.get("points") or {}).get("after"), 3),
            scales=_words_by_value(words.get("scales")),
            unit_words=_first_by_value(words.get("units")),
            duration=str(duration),
            up=_head(change.get("up")),
            down=_head(change.get("down")),
            before_year=_head(comparison.get("before_year"), 3),
            after_year=_head(comparison.get("after_year"), 3),
            relative=_head(comparison.get("relative"), 4),
            streak=_head(cues.get("streak"), 2),
            report=_head(cues.get("report"), 3),
            months=months,
            aliases={m.id: m.aliases[code] for m in metrics if m.aliases.get(code)},
        )


def load_languages(codes: list[str] | None = None) -> dict[str, Lang]:
    """Languages that have templates, numbers.yaml, cues.yaml and aliases, in
    the template table's order (or the order of ``codes``)."""
    root = _cbafacts_dir()
    table = _load(TEMPLATES)
    metrics = load_metrics(root)
    wanted = codes if codes is not None else list(table)
    out: dict[str, Lang] = {}
    for code in wanted:
        if code not in table:
            raise ValueError(f"no templates for language {code!r} in {TEMPLATES.name} "
                             f"(have: {', '.join(table)})")
        if not (root / "lang" / code / "numbers.yaml").is_file() or \
                not (root / "lang" / code / "cues.yaml").is_file():
            raise ValueError(f"language {code!r} has no numbers.yaml / cues.yaml in {root / 'lang'}")
        lang = Lang.load(code, table[code], root, metrics)
        if not lang.aliases:
            raise ValueError(f"language {code!r} has no metric aliases in metrics.yaml")
        out[code] = lang
    return out


def fill(template: str, slots: dict[str, Any]) -> str:
    """Fill ``{slot}``s; a value may be a callable (drawn when used). A slot
    written with a capital gets a capital first letter."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        value = slots[name.lower()] if name[0].isupper() else slots[name]
        if callable(value):
            value = value()
        value = str(value)
        return value[:1].upper() + value[1:] if name[0].isupper() else value

    return _SLOT.sub(sub, template)


class ArticleWriter:
    """Writes articles of one language with a shared random generator."""

    def __init__(self, lang: Lang, metrics: list[Metric], rng: random.Random):
        self.lang = lang
        self.t = lang.tpl
        self.rng = rng
        self.metrics = [m for m in metrics if m.id in lang.aliases]
        self.digits: dict[int, int] | None = None

    # ------------------------------------------------------------ numbers
    def _digits(self, s: str) -> str:
        return s.translate(self.digits) if self.digits else s

    def number(self, x: float, decimals: int, ambiguous: bool = False) -> str:
        """Digits in the language's writing: decimal separator, group separator."""
        rng, lang = self.rng, self.lang
        s = f"{x:.{decimals}f}"
        ip, _, fp = s.partition(".")
        if len(ip) > 3:
            if ambiguous and lang.ambiguous_groups and rng.random() < 0.15:
                sep = lang.ambiguous_groups[0]
            elif rng.random() < 0.9:
                sep = lang.groups[0]
            else:
                sep = rng.choice(lang.groups)
            head = len(ip) % 3 or 3
            ip = ip[:head] + "".join(sep + ip[i:i + 3] for i in range(head, len(ip), 3))
        return self._digits(ip + (lang.decimal + fp if fp else ""))

    def percent(self, x: float, decimals: int) -> str:
        rng, lang, t = self.rng, self.lang, self.t
        num = self.number(x, decimals)
        if (lang.pct_before_signs or lang.pct_before_words) and rng.random() < t["percent_before"]:
            if lang.pct_before_signs and (not lang.pct_before_words or rng.random() < 0.7):
                return lang.pct_before_signs[0] + num
            return lang.pct_before_words[0] + t["unit_space"] + num
        if lang.pct_words and rng.random() < t["percent_word"]:
            return num + t["unit_space"] + rng.choice(lang.pct_words)
        return num + (" " if rng.random() < t["percent_space"] else "") + lang.pct_signs[0]

    def points(self, x: float, decimals: int) -> str:
        if not self.lang.points:
            return self.percent(x, decimals)
        forms = self.lang.points
        form = forms[0] if self.rng.random() < 0.7 else self.rng.choice(forms)
        return self.number(x, decimals) + self.t["unit_space"] + form

    def small_int(self, n: int) -> str:
        word = self.lang.unit_words.get(float(n))
        if word is not None and self.rng.random() < self.t["number_words"]:
            return word
        return self._digits(str(n))

    def count(self, value: int, noun: str) -> str:
        """A count with its noun: grouped digits, a scale word, or a number word."""
        rng, t = self.rng, self.t
        us = t["unit_space"]
        if value >= 10_000 and self.lang.scales and rng.random() < 0.5:
            fits = [(s, w) for s, w in self.lang.scales if 1 <= value / s < 1000]
            if fits:
                scale, words = fits[-1]
                mant = round(value / scale, 2)
                dec = 0 if mant == int(mant) else (1 if round(mant, 1) == mant else 2)
                num = self.number(mant, dec) + us + rng.choice(words[:2])
                return num + us + noun
        if value < 100:
            return self.small_int(value) + us + noun
        return self.number(value, 0, ambiguous=True) + us + noun

    # ------------------------------------------------------------ slots
    def _date(self, y: int, m: int, d: int) -> str:
        month = self.lang.months.get(m, str(m))
        return fill(self.t["date"], {"y": self._digits(str(y)), "m": m, "d": d, "month": month})

    def _phone(self) -> str:
        r = self.rng
        pattern = r.randrange(4)
        if pattern == 0:
            return f"400-{r.randint(100, 999)}-{r.randint(1000, 9999)}"
        if pattern == 1:
            return f"+86 10 {r.randint(5000, 8999)} {r.randint(1000, 9999)}"
        if pattern == 2:
            return f"(010) {r.randint(5000, 8999)}-{r.randint(1000, 9999)}"
        return f"95{r.randint(500, 599)}"

    def _years(self, n: int) -> str:
        t = self.t
        num = self.small_int(n)
        if t["years"]:
            return fill(t["years"], {"n": num})
        return num + t["unit_space"] + self.lang.duration

    def _cmp(self, year: int) -> str:
        rng, lang, t = self.rng, self.lang, self.t
        parts = {
            "before": rng.choice(lang.before_year) if lang.before_year else "",
            "after": rng.choice(lang.after_year) if lang.after_year else "",
            "y": self._digits(str(year - 1)),
        }
        if lang.relative and rng.random() < 0.4:
            parts["rel"] = rng.choice(lang.relative)
            return fill(t["cmp_relative"], parts).strip()
        return fill(t["cmp_year"], parts).strip()

    def _slots(self, year: int, pub: tuple[int, int, int]) -> dict[str, Any]:
        rng, t, lang = self.rng, self.t, self.lang
        return {
            "year": self._digits(str(year)),
            "org": lambda: rng.choice(t["org"]),
            "title": lambda: rng.choice(t["title"]),
            "report": lambda: rng.choice(lang.report) if lang.report else "",
            "date": lambda: self._date(*pub),
            "city": lambda: rng.choice(t["cities"]),
            "phone": self._phone,
            "pct": lambda: self.percent(rng.uniform(3, 97), rng.choice((0, 1))),
            "n": lambda: self._digits(str(rng.randint(40, 320))),
            "when": lambda: fill(rng.choice(t["when"]), {"year": self._digits(str(year))}),
        }

    # ------------------------------------------------------------ sentences
    def claim(self, metric: Metric, base: dict[str, Any], year: int) -> str:
        rng, t, lang = self.rng, self.t, self.lang
        slots = dict(base)
        slots["metric"] = lambda: rng.choice(lang.aliases[metric.id])
        up = rng.random() < 0.65
        slots["dir"] = lambda: rng.choice((lang.up if up else lang.down) or [""])
        slots["cmp"] = lambda: self._cmp(year)
        if metric.counts in COUNT_RANGES:
            lo, hi, step = COUNT_RANGES[metric.counts]
            value = rng.randint(lo // step, hi // step) * step
            if metric.counts == "years":
                slots["years"] = lambda: self._years(value)
                slots["thr"] = lambda: self.percent(rng.choice((90, 95, 99)), 0)
                slots["streak"] = lambda: rng.choice(lang.streak) if lang.streak else ""
                return fill(rng.choice(t["streak"]), slots)
            noun = t["nouns"].get(metric.counts, "")
            slots["value"] = lambda: self.count(value, noun)
            slots["delta"] = lambda: self.percent(rng.uniform(0.5, 15), rng.choice((1, 2)))
            kind = "count" if rng.random() < 0.7 else "change"
            return fill(rng.choice(t[kind]), slots)
        value = rng.uniform(5, 99.5)
        slots["value"] = lambda: self.percent(value, rng.choice(PERCENT_DECIMALS))
        delta = rng.uniform(0.1, 9.9)
        slots["delta"] = lambda: (self.points(delta, 1) if rng.random() < 0.5
                                  else self.percent(delta, 1))
        kind = "level" if rng.random() < 0.6 else "change"
        return fill(rng.choice(t[kind]), slots)

    def article(self) -> str:
        rng, t = self.rng, self.t
        alt = t["alt_digits"]
        self.digits = None
        if alt and rng.random() < float(alt[1]):
            self.digits = {ord("0") + i: ord(ch) for i, ch in enumerate(str(alt[0]))}
        year = rng.randint(*YEARS)
        pub = (year + 1, rng.randint(1, 9), rng.randint(1, 28))
        base = self._slots(year, pub)
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        metrics = list(self.metrics)
        rng.shuffle(metrics)
        fillers: list[str] = []
        percent_metrics = [m for m in self.metrics if m.unit == "percent"]

        def next_filler() -> str:
            if not fillers:
                fillers.extend(t["filler"])
                rng.shuffle(fillers)
            return fill(fillers.pop(), base)

        head_slots = dict(base)
        hm = rng.choice(percent_metrics)
        head_slots["metric"] = lambda: rng.choice(self.lang.aliases[hm.id])
        head_slots["value"] = lambda: self.percent(rng.uniform(5, 99.5), rng.choice((0, 1)))
        head_slots["dir"] = lambda: rng.choice(self.lang.up or [""])
        head_slots["delta"] = lambda: self.points(rng.uniform(0.5, 9.5), 1)
        headline = fill(rng.choice(t["headline"]), head_slots)
        lines = [headline]
        if rng.random() < 0.4:
            lines.append(base["date"]())
        total = sum(word_units(x) for x in lines)

        paragraphs: list[list[str]] = [[fill(rng.choice(t["report"]), base)]]
        total += word_units(paragraphs[0][0])
        full = False
        while not full and total < target:
            para = paragraphs[-1] if len(paragraphs[-1]) < 2 else []
            if para is not paragraphs[-1]:
                paragraphs.append(para)
            for _ in range(rng.randint(2, 5)):
                r = rng.random()
                if r < 0.55 and metrics:
                    s = self.claim(metrics.pop(), base, year)
                elif r < 0.87 or not t["distractor"]:
                    s = next_filler()
                else:
                    s = fill(rng.choice(t["distractor"]), base)
                w = word_units(s)
                if total + w > MAX_WORDS and total >= MIN_WORDS:
                    full = True
                    break
                para.append(s)
                total += w
                if total >= target:
                    break
            if not para:
                paragraphs.pop()
        body = "\n\n".join(t["join"].join(p) for p in paragraphs if p)
        return "\n".join(lines) + "\n\n" + body + "\n"


def parse_mix(spec: str) -> dict[str, float]:
    """``"en=0.3,zh=0.1"`` -> {"en": 0.3, "zh": 0.1}."""
    out: dict[str, float] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, weight = part.partition("=")
        if not sep:
            raise ValueError(f"--lang-mix: {part!r} is not LANG=WEIGHT")
        w = float(weight)
        if w < 0:
            raise ValueError(f"--lang-mix: negative weight for {code}")
        out[code.strip()] = w
    if not out or sum(out.values()) <= 0:
        raise ValueError("--lang-mix: no positive weight")
    return out


def generate(n: int, seed: int = 0, langs: list[str] | None = None,
             mix: dict[str, float] | None = None) -> Iterator[dict[str, str]]:
    """Yield ``n`` articles ``{"id", "text", "lang"}``, deterministic by seed.

    langs: languages to draw from (default: every language with templates).
    mix: weights per language (languages not named get none); default equal.
    """
    if mix is not None:
        codes = [c for c in (langs or list(mix)) if mix.get(c, 0) > 0]
    else:
        codes = langs
    table = load_languages(codes)
    codes = list(table)
    if not codes:
        raise ValueError("no language to write (check --langs / --lang-mix)")
    weights = [mix[c] for c in codes] if mix is not None else [1.0] * len(codes)
    rng = random.Random(seed)
    metrics = load_metrics(_cbafacts_dir())
    writers = {c: ArticleWriter(table[c], metrics, rng) for c in codes}
    width = max(6, len(str(n)))
    for i in range(n):
        code = rng.choices(codes, weights)[0]
        yield {"id": f"syn{seed}-{i:0{width}d}", "text": writers[code].article(), "lang": code}


def write_corpus(out: TextIO, n: int, seed: int = 0, langs: list[str] | None = None,
                 mix: dict[str, float] | None = None, no_lang: bool = False,
                 on_article: Callable[[dict[str, str]], None] | None = None) -> Counter:
    """Write ``n`` articles to ``out`` one line at a time; return counts per
    language plus ``"_words"`` (word units, see :func:`word_units`)."""
    stats: Counter = Counter()
    for art in generate(n, seed, langs, mix):
        stats[art["lang"]] += 1
        stats["_words"] += round(word_units(art["text"]))
        if on_article is not None:
            on_article(art)
        record = {"id": art["id"], "text": art["text"]} if no_lang else art
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.make_corpus",
                                description="Write N synthetic multilingual bank-news articles as JSONL.")
    p.add_argument("n", type=int, metavar="N", help="number of articles")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--langs", help="comma-separated languages (default: all with templates)")
    p.add_argument("--lang-mix", help="weights, e.g. en=0.3,zh=0.1,id=0.2 (languages not named are left out)")
    p.add_argument("--no-lang", action="store_true", help="leave out the lang field (detection runs)")
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    args = p.parse_args(argv)
    if args.n < 0:
        p.error("N must be >= 0")
    try:
        langs = [c.strip() for c in args.langs.split(",") if c.strip()] if args.langs else None
        mix = parse_mix(args.lang_mix) if args.lang_mix else None
        if args.output and args.output != "-":
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
                stats = write_corpus(fh, args.n, args.seed, langs, mix, args.no_lang)
        else:
            sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[attr-defined]
            stats = write_corpus(sys.stdout, args.n, args.seed, langs, mix, args.no_lang)
    except ValueError as exc:
        print(f"make_corpus: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        words = stats.pop("_words", 0)
        per = ", ".join(f"{k}={v}" for k, v in sorted(stats.items()))
        print(f"{args.n} articles, {words} words (Han/kana characters count 1/2); {per}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
