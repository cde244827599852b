"""Speed and seed readings of the number normalizer against Recognizers-Text.

    python -m benchmarks.numbers_speed [--repeat N]

In one run, on the same texts, this times ``cbafacts.numbers.parse(text,
lang)`` and Microsoft Recognizers-Text's Python port
(``recognize_number(text, culture)`` and ``recognize_percentage``, package
``recognizers-text-number``) and prints two Markdown tables:

1. speed: per language, the cases of ``../shared/conformance/number.jsonl``
   joined into one text (one line per case), plus the two seed articles of
   ``corpus/raw``; characters per second (median of ``--repeat`` timed
   repeats after a warm-up call), mentions found, tracemalloc peak of one
   call, and the ratio cbafacts / peer;
2. seeds: every fact of ``../shared/spec/seeds_gold.jsonl`` with what each
   tool reads at that surface, and how many values each gets right.

The Python port (1.0.2a2, the last release, 2019) has number models for
English, Chinese, Japanese, Spanish, Portuguese and French only; for German,
Dutch and Italian ``recognize_number`` falls back to its English model (its
default), and for the Indonesian seed there is no Indonesian culture, so it
gets the English culture, as a user would call it. Rows say which model ran.

The port's model swallows any exception inside ``parse`` and returns no
result for the whole text (English "The result is 8 in 5" raises
``decimal.InvalidOperation`` in its fraction parser), which would time an
aborted parse. Cases that make the peer raise, on their own or joined to the
case before them, are left out of the joined text for both tools, and the
notes under the table say how many. If the peer cannot be imported the tables say so,
with the error, and show no number for it.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from cbafacts.numbers import parse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CONFORMANCE = SHARED / "conformance" / "number.jsonl"
SEEDS_GOLD = SHARED / "spec" / "seeds_gold.jsonl"
RAW = ROOT / "corpus" / "raw"

#: language -> Recognizers-Text culture code (the values of its ``Culture``)
LANGS = {
    "en": "en-us", "zh": "zh-cn", "es": "es-es", "pt": "pt-br", "fr": "fr-fr",
    "de": "de-de", "nl": "nl-nl", "it": "it-it", "ja": "ja-jp",
}
PEER_DEFAULT_CULTURE = "en-us"
MIN_TIMED_S = 0.05  # each repeat loops calls until at least this long


# ---------------------------------------------------------------- the peer

class Peer:
    """Recognizers-Text's Python number and percent models, or why not."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.version = "?"
        try:
            from recognizers_number import (  # type: ignore
                NumberRecognizer, recognize_number, recognize_percentage)
        except Exception as e:  # ImportError, or an old dependency breaking
            self.error = f"{type(e).__name__}: {e}"
            return
        try:
            from importlib.metadata import version
            self.version = version("recognizers-text-number")
        except Exception:
            pass
        self._recognizer = NumberRecognizer
        self.recognize_number = recognize_number
        self.recognize_percentage = recognize_percentage

    @property
    def ok(self) -> bool:
        return self.error is None

    def culture_for(self, code: str) -> tuple[str, str]:
        """The culture recognize_number really uses for ``code`` and a label."""
        try:
            self._recognizer(code).get_number_model(code, fallback_to_default_culture=False)
            return code, code
        except ValueError:
            return PEER_DEFAULT_CULTURE, f"{PEER_DEFAULT_CULTURE} (no {code} model)"

    def raises(self, text: str, culture: str) -> str | None:
        """Run both models with their exceptions visible (``parse`` hides
        them): the exception text, or None."""
        from recognizers_text.utilities import QueryProcessor  # type: ignore
        query = QueryProcessor.preprocess(text, True)
        r = self._recognizer(culture)
        for model in (r.get_number_model(culture), r.get_percentage_model(culture)):
            try:
                for ex in model.extractor.extract(query):
                    model.parser.parse(ex)
            except Exception as e:
                return f"{type(e).__name__}: {e}"
        return None


# ---------------------------------------------------------------- timing

def _timed(fn, text: str, repeat: int) -> dict:
    """Cold first call, then median seconds per call over ``repeat`` repeats,
    the result of the last call, and the tracemalloc peak of one call."""
    t0 = time.perf_counter()
    out = fn(text)  # warm-up: builds regexes and models
    cold = time.perf_counter() - t0
    # calls per repeat so that one repeat lasts at least MIN_TIMED_S
    t0 = time.perf_counter()
    fn(text)
    one = max(time.perf_counter() - t0, 1e-6)
    inner = max(1, math.ceil(MIN_TIMED_S / one))
    per_call = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(inner):
                out = fn(text)
            per_call.append((time.perf_counter() - t0) / inner)
    finally:
        if gc_was:
            gc.enable()
    tracemalloc.start()
    fn(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"s": statistics.median(per_call), "cold": cold, "out": out, "peak": peak}


def _rate(chars: int, s: float) -> str:
    return f"{chars / s:,.0f}"


def _kib(b: int) -> str:
    return f"{b / 1024:,.0f}"


# ---------------------------------------------------------------- texts

def _conformance_texts() -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {}
    with open(CONFORMANCE, encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            if case["lang"] in LANGS:
                by_lang.setdefault(case["lang"], []).append(case["text"])
    return by_lang


def _seeds() -> list[dict]:
    with open(SEEDS_GOLD, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------- tables

def speed_table(peer: Peer, repeat: int) -> tuple[list[str], list[str]]:
    rows: list[tuple[str, str, str, str, list[str]]] = []  # label, lang, culture, peer label, texts
    notes: list[str] = []
    for lang, texts in _conformance_texts().items():
        culture, label = peer.culture_for(LANGS[lang]) if peer.ok else (None, "—")
        rows.append((lang, lang, culture, label, texts))
    for seed in _seeds():
        path = RAW / f"{seed['id']}.txt"
        text = path.read_text(encoding="utf-8") if path.exists() else seed["text"]
        culture = PEER_DEFAULT_CULTURE
        label = culture if seed["lang"] == "en" else f"{culture} (no {seed['lang']} culture)"
        rows.append((f"seed {seed['id'][:3]} ({seed['lang']})", seed["lang"],
                     culture if peer.ok else None, label if peer.ok else "—", [text]))

    head = ("| text | peer culture | cases | chars | cbafacts chars/s | cbafacts mentions "
            "| cbafacts peak KiB | peer number chars/s | peer number mentions "
            "| peer number+percent chars/s | peer percent mentions | peer peak KiB "
            "| ratio vs number | ratio vs number+percent | first call ms (cbafacts / peer) |")
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for label, lang, culture, peer_label, texts in rows:
        dropped = []
        if peer.ok:
            # leave out, for both tools, a case that makes the peer raise on
            # its own or joined to the case kept before it ("five
            # hundred-fifths\none out of three" divides by zero in its parser)
            kept: list[str] = []
            for t in texts:
                err = peer.raises(t, culture)
                if err is None and kept:
                    err = peer.raises(kept[-1] + "\n" + t, culture)
                if err:
                    dropped.append((t, err))
                else:
                    kept.append(t)
            # numbers spanning more than two cases: drop the case that ends the
            # shortest failing prefix until the joined text parses
            for _ in range(20):
                err = peer.raises("\n".join(kept), culture)
                if err is None:
                    break
                lo, hi = 1, len(kept)
                while lo < hi:
                    mid = (lo + hi) // 2
                    if peer.raises("\n".join(kept[:mid]), culture):
                        hi = mid
                    else:
                        lo = mid + 1
                dropped.append((kept.pop(lo - 1), err))
            texts = kept
        text = "\n".join(texts)
        chars = len(text)
        ours = _timed(lambda t: parse(t, lang), text, repeat)
        cells = [label, peer_label, str(len(texts)), f"{chars:,}",
                 _rate(chars, ours["s"]), str(len(ours["out"])), _kib(ours["peak"])]
        if peer.ok:
            err = peer.raises(text, culture)
            num = _timed(lambda t: peer.recognize_number(t, culture), text, repeat)
            pct = _timed(lambda t: peer.recognize_percentage(t, culture), text, repeat)
            both = num["s"] + pct["s"]
            cells += [_rate(chars, num["s"]), str(len(num["out"])), _rate(chars, both),
                      str(len(pct["out"])), _kib(max(num["peak"], pct["peak"])),
                      f"{num['s'] / ours['s']:.1f}×", f"{both / ours['s']:.1f}×",
                      f"{ours['cold'] * 1e3:,.0f} / {(num['cold'] + pct['cold']) * 1e3:,.0f}"]
            if err:
                notes.append(f"- {label}: the joined text still makes the peer raise ({err}); "
                             "its counts are for a failed parse")
        else:
            cells += ["unavailable"] * 7 + [f"{ours['cold'] * 1e3:,.0f} / —"]
        if dropped:
            ex, err = dropped[0]
            notes.append(f"- {label}: {len(dropped)} case(s) left out for both tools because the "
                         f"peer raises on them, alone or joined to the case before "
                         f"(e.g. {ex!r}: {err})")
        out.append("| " + " | ".join(cells) + " |")
    return out, notes


def _fmt(value: float, unit: str | None, surface: str) -> str:
    v = f"{value:,.10g}"
    u = {"percent": " %", "pp": " pp", "years": " years"}.get(unit or "", "")
    return f'{v}{u} ("{surface}")'


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _best(cands: list[tuple[int, int, float, str | None, str]], s: int, e: int):
    """The candidate overlapping [s, e) the most (earliest wins ties)."""
    best, best_ov = None, 0
    for c in cands:
        ov = min(e, c[1]) - max(s, c[0])
        if ov > best_ov:
            best, best_ov = c, ov
    return best


def _peer_value(resolution: dict) -> tuple[float, bool]:
    raw = str(resolution.get("value", "")).strip()
    pct = raw.endswith("%")
    try:
        return float(raw.rstrip("%").replace(",", "")), pct
    except ValueError:
        return math.nan, pct


def seeds_table(peer: Peer) -> tuple[list[str], list[str]]:
    out = ["| seed | surface | gold | cbafacts reads | peer reads |", "|---|---|---|---|---|"]
    score = {"cbafacts": [0, 0], "peer": [0, 0]}  # value right, value and unit right
    total = 0
    for seed in _seeds():
        text, lang = seed["text"], seed["lang"]
        ours = [(m.start, m.end, m.value, m.unit, m.surface) for m in parse(text, lang)]
        theirs_pct, theirs_num = [], []
        if peer.ok:
            for r in peer.recognize_percentage(text, PEER_DEFAULT_CULTURE):
                v, _ = _peer_value(r.resolution)
                theirs_pct.append((r.start, r.end + 1, v, "percent", r.text))
            for r in peer.recognize_number(text, PEER_DEFAULT_CULTURE):
                v, _ = _peer_value(r.resolution)
                theirs_num.append((r.start, r.end + 1, v, None, r.text))
        for fact in seed["facts"]:
            total += 1
            s, e = fact["start"], fact["end"]
            gold_unit = fact["unit"] if fact["unit"] in ("percent", "pp") else None
            cells = [seed["id"][:3], f'"{fact["surface"]}"', _fmt(fact["value"], gold_unit, fact["surface"]).split(" (")[0]]
            for tool, found in (("cbafacts", _best(ours, s, e)),
                                ("peer", _best(theirs_pct, s, e) or _best(theirs_num, s, e))):
                if tool == "peer" and not peer.ok:
                    cells.append("unavailable")
                    continue
                if found is None:
                    cells.append("missed")
                    continue
                unit = found[3] if found[3] in ("percent", "pp") else None
                ok_value = _close(found[2], fact["value"])
                ok_unit = ok_value and unit == gold_unit
                score[tool][0] += ok_value
                score[tool][1] += ok_unit
                mark = "" if ok_unit else (" (unit)" if ok_value else " ✗")
                cells.append(_fmt(found[2], found[3], found[4]) + mark)
            out.append("| " + " | ".join(cells) + " |")
    summary = [f"- cbafacts: {score['cbafacts'][0]}/{total} values right, "
               f"{score['cbafacts'][1]}/{total} with the unit (percent / pp / plain) right"]
    if peer.ok:
        summary.append(f"- Recognizers-Text {peer.version}: {score['peer'][0]}/{total} values right, "
                       f"{score['peer'][1]}/{total} with the unit right (percent from its percent "
                       "model; it has no percentage-point unit)")
    else:
        summary.append(f"- Recognizers-Text: unavailable ({peer.error})")
    return out, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.numbers_speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="timed repeats per tool and text (median; default 7)")
    args = ap.parse_args(argv)

    peer = Peer()
    print("## Number reading speed: cbafacts.numbers.parse vs Recognizers-Text (Python)\n")
    if peer.ok:
        print(f"Peer: recognizers-text-number {peer.version}, `recognize_number` and "
              f"`recognize_percentage` (cbafacts finds numbers and percentages in one pass; "
              f"the peer needs both models). Median of {args.repeat} repeats after a warm-up call; "
              "ratio = cbafacts chars/s ÷ peer chars/s. Python "
              f"{sys.version.split()[0]}.\n")
    else:
        print(f"Peer unavailable: {peer.error}\n")
    table, notes = speed_table(peer, args.repeat)
    print("\n".join(table))
    if notes:
        print("\n" + "\n".join(notes))
    print("\n## Seed facts: what each tool reads at the gold surface\n")
    print("Peer culture en-us for both seeds (it has no Indonesian culture). "
          "✗ = wrong value, (unit) = right value but not read as a percent / "
          "percentage point where the gold says so.\n")
    table, summary = seeds_table(peer)
    print("\n".join(table))
    print("\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
