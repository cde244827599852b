"""The two backends side by side, in one run: accuracy per language on the
gold splits, speed on the same texts, and the routing that follows.

    python -m benchmarks.backends [--markdown FILE] [--write-routing]

1. Extracts every article of ``corpus/gold.jsonl`` with ``--backend spacy``
   and with ``--backend transformer`` (language detected, as ``cbafacts
   evaluate`` does), after a warm-up that builds each backend's pipelines
   (one article per language), and times the pass: words/s, chars/s and
   claims per backend over the same texts.
2. Scores both with :func:`cbafacts.evaluate.evaluate` on the ``dev`` and
   ``test`` splits: fact F1 per language.
3. Routing by measurement: each language goes to the backend with the higher
   dev F1 (a tie keeps the table's default). ``--write-routing`` writes that
   choice and the measured scores into ``cbafacts/routing.yaml`` (the
   ``languages`` and ``measured`` blocks; the rest of the file is kept).

Words are whitespace tokens, a Han or kana character counting 1/1.5 word
(as in :mod:`benchmarks.throughput`).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a file, not with -m
    sys.path.insert(0, str(ROOT))

from benchmarks.throughput import bench_words, loadavg, machine_facts  # noqa: E402

BACKEND_NAMES = ("spacy", "transformer")
SPLITS = ("dev", "test")
ROUTING_SPLIT = "dev"


def extract_all(backend: str, gold: list[dict[str, Any]]) -> tuple[list[Any], float]:
    """Results of ``backend`` over every gold article, and the seconds of the
    timed pass (after a warm-up on one article per language)."""
    from cbafacts import Extractor

    ex = Extractor(backend=backend)
    seen: set[str] = set()
    for rec in gold:
        if rec["lang"] not in seen:
            seen.add(rec["lang"])
            ex.extract(rec["text"], str(rec["id"]))
    started = time.perf_counter()
    results = [ex.extract(rec["text"], str(rec["id"])) for rec in gold]
    return results, time.perf_counter() - started


def measure(gold_path: Path, splits_path: Path) -> dict[str, Any]:
    from cbafacts.evaluate import evaluate, load_gold, load_splits, select_split

    gold = load_gold(gold_path)
    split_gold = {s: select_split(gold, load_splits(splits_path, s), split=s, path=str(splits_path))
                  for s in SPLITS}
    words = sum(bench_words(r["text"]) for r in gold)
    chars = sum(len(r["text"]) for r in gold)
    out: dict[str, Any] = {"articles": len(gold), "words": words, "chars": chars, "speed": {}, "f1": {},
                           "overall": {}}
    for name in BACKEND_NAMES:
        load = loadavg()
        results, seconds = extract_all(name, gold)
        errors = [r.error.message for r in results if r.error is not None]
        out["speed"][name] = {"seconds": seconds, "words_per_s": words / seconds, "chars_per_s": chars / seconds,
                              "claims": sum(len(r.claims) for r in results), "errors": len(errors),
                              "first_error": errors[0] if errors else "", "load": f"{load} -> {loadavg()}"}
        for split, sg in split_gold.items():
            rep = evaluate(sg, results).facts_scores
            for lang, score in rep.by_lang.items():
                out["f1"].setdefault(split, {}).setdefault(lang, {})[name] = round(score.score.f1, 3)
            o = rep.overall.score
            out["overall"].setdefault(split, {})[name] = {"p": round(o.precision, 3), "r": round(o.recall, 3),
                                                         "f1": round(o.f1, 3)}
    return out


def render(m: dict[str, Any], routing: dict[str, str], command: str) -> str:
    lines = ["## The two backends (issue 4)", "",
             "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine_facts().items()) + ".", "",
             "    " + command, ""]
    head = "| lang | " + " | ".join(f"{s} {b}" for s in SPLITS for b in BACKEND_NAMES) + " | routed to |"
    lines += [head, "|---" * (2 + len(SPLITS) * len(BACKEND_NAMES)) + "|"]
    langs = sorted({lang for s in SPLITS for lang in m["f1"].get(s, {})})
    for lang in langs:
        cells = [f"{m['f1'].get(s, {}).get(lang, {}).get(b, float('nan')):.3f}" for s in SPLITS for b in BACKEND_NAMES]
        lines.append(f"| {lang} | " + " | ".join(cells) + f" | {routing.get(lang, '-')} |")
    cells = [f"**{m['overall'][s][b]['f1']:.3f}**" for s in SPLITS for b in BACKEND_NAMES]
    lines += ["| **overall** | " + " | ".join(cells) + " | |", ""]
    for s in SPLITS:
        lines.append(f"- {s} P/R: " + "; ".join(
            f"{b} {m['overall'][s][b]['p']:.3f}/{m['overall'][s][b]['r']:.3f}" for b in BACKEND_NAMES))
    lines += ["", f"Speed over the same {m['articles']} gold articles ({m['words']:,.0f} words, "
              f"{m['chars']:,} characters), one process, language detected, after a warm-up:", "",
              "| backend | seconds | words/s | chars/s | claims | errors | load 1/5 min |", "|---|---|---|---|---|---|---|"]
    for b in BACKEND_NAMES:
        s = m["speed"][b]
        lines.append(f"| {b} | {s['seconds']:.2f} | {s['words_per_s']:,.0f} | {s['chars_per_s']:,.0f} | "
                     f"{s['claims']} | {s['errors']} | {s['load']} |")
    sp, tr = m["speed"]["spacy"], m["speed"]["transformer"]
    lines += ["", f"spacy / transformer (words/s): {sp['words_per_s'] / tr['words_per_s']:.1f}x"]
    if tr["errors"]:
        lines.append(f"transformer errors: {tr['first_error']}")
    return "\n".join(lines) + "\n"


_LANG_BLOCK = re.compile(r"^languages:\n(?:[ \t]+\S.*\n)*", re.M)
_MEASURED_BLOCK = re.compile(r"^measured:\n(?:[ \t]+\S.*\n)*", re.M)


def write_routing(path: Path, routing: dict[str, str], m: dict[str, Any], command: str) -> None:
    """Rewrite the ``languages`` and ``measured`` blocks of a routing table."""
    text = path.read_text(encoding="utf-8")
    langs = "languages:\n" + "".join(f"  {lang}: {b}\n" for lang, b in sorted(routing.items()))
    measured = (f"measured:\n  command: {json.dumps(command)}\n  split: {ROUTING_SPLIT}\n  f1:\n"
                + "".join(f"    {lang}: {json.dumps(m['f1'][ROUTING_SPLIT][lang], sort_keys=True)}\n"
                          for lang in sorted(m["f1"][ROUTING_SPLIT])))
    if not _LANG_BLOCK.search(text):
        raise SystemExit(f"{path}: no 'languages:' block to rewrite")
    text = _LANG_BLOCK.sub(lambda _: langs, text, count=1)
    text = _MEASURED_BLOCK.sub(lambda _: measured, text, count=1) if _MEASURED_BLOCK.search(text) \
        else text.rstrip("\n") + "\n" + measured
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.backends", description=__doc__.split("\n\n")[0])
    p.add_argument("--gold", default=str(ROOT / "corpus" / "gold.jsonl"))
    p.add_argument("--splits", default=str(ROOT / "corpus" / "splits.json"))
    p.add_argument("--markdown", metavar="FILE", help="also write the tables here")
    p.add_argument("--write-routing", action="store_true",
                   help="write the dev-F1 routing and the scores into cbafacts/routing.yaml")
    args = p.parse_args(argv)
    from cbafacts.backends import ROUTING_PATH, Routing, route_by_scores

    command = "python -m benchmarks.backends" + (" --write-routing" if args.write_routing else "")
    m = measure(Path(args.gold), Path(args.splits))
    routing = route_by_scores(m["f1"][ROUTING_SPLIT], Routing.load().default)
    text = render(m, routing, command)
    print(text)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text, encoding="utf-8")
    if args.write_routing:
        write_routing(ROUTING_PATH, routing, m, "python -m benchmarks.backends --write-routing")
        print(f"wrote {ROUTING_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
