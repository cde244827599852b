"""Build corpus/gold.jsonl from the seeds' gold and corpus/gold/*.jsonl, and verify it.

    python corpus/build_gold.py            # verify, then write corpus/gold.jsonl
    python corpus/build_gold.py --check    # verify only (also that gold.jsonl is up to date)

Sources: ``../shared/spec/seeds_gold.jsonl`` (relative to the repository root;
the gold of corpus/raw/000_76fd66fdbd55d08e.txt and 004_1394d275d59fc066.txt)
and every ``corpus/gold/*.jsonl`` (one line per article; the id is the stem
of ``corpus/raw/<id>.txt``). The output holds one line per article, sorted
by id, each line as written in its source.

Verified (every problem is listed, then the exit status is 1):
- every line is well-formed JSON: an object with ``id``, ``lang``, ``text``, ``facts``;
- no id appears twice; every gold line has a raw file and every raw file a gold line;
- ``text`` equals the raw file's content exactly (UTF-8, a leading BOM dropped);
- every fact has ``surface == text[start:end]``; its metric is in the packaged
  ontology and listed in ``metrics.md``; ``kind`` is level|change, ``unit``
  percent|pp|count, ``direction`` up|down on a change and absent/null on a level;
- with ``--check``: ``corpus/gold.jsonl`` equals what would be written.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "spec" / "seeds_gold.jsonl"
METRICS_MD = ROOT.parent / "shared" / "spec" / "metrics.md"

KINDS = ("level", "change")
UNITS = ("percent", "pp", "count")
DIRECTIONS = ("up", "down")
FACT_KEYS = ("metric", "period", "kind", "value", "unit", "surface", "start", "end")
_MD_ID = re.compile(r"^\|\s*`?([a-z0-9_]+\.[a-z0-9_]+)`?\s*\|", re.M)
_LANG = re.compile(r"^([a-z]{2}|und)$")


def metrics_md_ids(path: Path) -> set[str]:
    """Metric ids listed in the table of metrics.md.

    path (Path): metrics.md.
    RETURNS (set[str]): the ids of the table's first column.
    """
    return set(_MD_ID.findall(path.read_text(encoding="utf-8")))


def ontology_ids() -> set[str]:
    """Metric ids of the packaged ontology (cbafacts.ontology.kb)."""
    sys.path.insert(0, str(ROOT))
    from cbafacts.ontology.kb import load_ontology

    return {m.id for m in load_ontology()}


def read_raw(path: Path) -> str:
    """A raw article as cbafacts reads it: UTF-8, a leading BOM dropped,
    nothing else changed."""
    text = path.read_bytes().decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def read_sources(files: Iterable[Path], problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Every JSON line of the source files, as (where, record).

    files (Iterable[Path]): JSONL files; blank lines are skipped.
    problems (list[str]): malformed lines are added here.
    RETURNS (list[tuple[str, dict]]): ``FILE:LINE`` and the record.
    """
    out = []
    for path in files:
        where_file = _rel(path)
        if not path.is_file():
            problems.append(f"{where_file}: missing")
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            problems.append(f"{where_file}: not UTF-8 ({exc})")
            continue
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{where_file}:{lineno}"
            try:
                rec = json.loads(line)
            except ValueError as exc:
                problems.append(f"{where}: not JSON ({exc})")
                continue
            if not isinstance(rec, dict):
                problems.append(f"{where}: not a JSON object")
                continue
            out.append((where, rec))
    return out


def _rel(path: Path) -> str:
    """``path`` relative to the repository root, as messages show it."""
    return os.path.relpath(path.resolve(), ROOT)


def check_fact(where: str, text: str, i: int, f: Any, onto: set[str], md: set[str]) -> list[str]:
    """Problems of one fact.

    where (str): ``FILE:LINE`` of its article.
    text (str): the article text.
    i (int): index of the fact.
    f (Any): the fact.
    onto (set[str]): metric ids of the ontology.
    md (set[str]): metric ids listed in metrics.md.
    RETURNS (list[str]): the problems, empty when none.
    """
    at = f"{where}: fact {i}"
    if not isinstance(f, dict):
        return [f"{at}: not an object"]
    out = [f"{at}: missing {k!r}" for k in FACT_KEYS if k not in f]
    metric = f.get("metric")
    if "metric" in f:
        if metric not in onto:
            out.append(f"{at}: metric {metric!r} is not in the packaged ontology")
        if metric not in md:
            out.append(f"{at}: metric {metric!r} is not listed in metrics.md")
    if "kind" in f and f["kind"] not in KINDS:
        out.append(f"{at}: kind {f['kind']!r} is not one of {list(KINDS)}")
    if "unit" in f and f["unit"] not in UNITS:
        out.append(f"{at}: unit {f['unit']!r} is not one of {list(UNITS)}")
    if f.get("kind") == "change" and f.get("direction") not in DIRECTIONS:
        out.append(f"{at}: a change needs direction up or down, not {f.get('direction')!r}")
    if f.get("kind") == "level" and f.get("direction") is not None:
        out.append(f"{at}: a level has no direction (got {f['direction']!r})")
    if "value" in f and (isinstance(f["value"], bool) or not isinstance(f["value"], (int, float))):
        out.append(f"{at}: value {f['value']!r} is not a number")
    for key in ("period", "baseline"):
        if f.get(key) is not None and not isinstance(f[key], str):
            out.append(f"{at}: {key} {f[key]!r} is not a string")
    start, end = f.get("start"), f.get("end")
    if "start" in f and "end" in f:
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
            out.append(f"{at}: offsets [{start!r}, {end!r}) are not within the text (length {len(text)})")
        elif "surface" in f and text[start:end] != f["surface"]:
            out.append(f"{at}: surface {f['surface']!r} != text[{start}:{end}] {text[start:end]!r}")
    return out


def check(sources: list[tuple[str, dict[str, Any]]], raw_dir: Path, onto: set[str],
          md: set[str]) -> list[str]:
    """Problems of the gold records against the raw files, the ontology and metrics.md.

    sources (list[tuple[str, dict]]): ``FILE:LINE`` and record.
    raw_dir (Path): corpus/raw.
    onto (set[str]): metric ids of the ontology.
    md (set[str]): metric ids of metrics.md.
    RETURNS (list[str]): the problems, in source order, then raw files
        without gold.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, rec in sources:
        rid = rec.get("id")
        if not isinstance(rid, str) or not rid:
            problems.append(f"{where}: no string 'id'")
            continue
        if rid in seen:
            problems.append(f"{where}: id {rid!r} appears twice (first at {seen[rid]})")
            continue
        seen[rid] = where
        lang = rec.get("lang")
        if not isinstance(lang, str) or not _LANG.match(lang):
            problems.append(f"{where}: lang {lang!r} is not an ISO 639-1 code")
        text = rec.get("text")
        if not isinstance(text, str):
            problems.append(f"{where}: no string 'text'")
            text = ""
        raw = raw_dir / f"{rid}.txt"
        if not raw.is_file():
            problems.append(f"{where}: no raw file {_rel(raw)}")
        else:
            try:
                content = read_raw(raw)
            except UnicodeDecodeError as exc:
                problems.append(f"{_rel(raw)}: not UTF-8 ({exc})")
            else:
                if content != text:
                    k = next((i for i, (a, b) in enumerate(zip(content, text)) if a != b),
                             min(len(content), len(text)))
                    problems.append(f"{where}: text differs from {_rel(raw)} at character {k} "
                                    f"(gold {text[k:k + 20]!r}, raw {content[k:k + 20]!r}; "
                                    f"lengths {len(text)} and {len(content)})")
        facts = rec.get("facts")
        if not isinstance(facts, list):
            problems.append(f"{where}: no 'facts' list")
            continue
        for i, f in enumerate(facts):
            problems.extend(check_fact(where, text, i, f, onto, md))
    for raw in sorted(raw_dir.glob("*.txt")):
        if raw.stem not in seen:
            problems.append(f"{_rel(raw)}: no gold line (add corpus/gold/{raw.stem}.jsonl)")
    return problems


def render(sources: list[tuple[str, dict[str, Any]]]) -> str:
    """The gold file: one line per article, sorted by id, first line of an id kept.

    sources (list[tuple[str, dict]]): ``FILE:LINE`` and record.
    RETURNS (str): the JSONL text.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for _, rec in sources:
        if isinstance(rec.get("id"), str):
            by_id.setdefault(rec["id"], rec)
    return "".join(json.dumps(by_id[k], ensure_ascii=False) + "\n" for k in sorted(by_id))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python corpus/build_gold.py", description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="verify only; do not write")
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus directory (raw/, gold/)")
    p.add_argument("--seeds", type=Path, default=SEEDS, help="the seeds' gold (default: %(default)s)")
    p.add_argument("--metrics-md", type=Path, default=METRICS_MD, help="metrics.md (default: %(default)s)")
    p.add_argument("-o", "--output", type=Path, help="output (default: CORPUS/gold.jsonl)")
    args = p.parse_args(argv)
    out_path = args.output or args.corpus / "gold.jsonl"

    problems: list[str] = []
    files = [args.seeds, *sorted((args.corpus / "gold").glob("*.jsonl"))]
    sources = read_sources(files, problems)
    md: set[str] = set()
    if args.metrics_md.is_file():
        md = metrics_md_ids(args.metrics_md)
    else:
        problems.append(f"{_rel(args.metrics_md)}: missing (metric ids cannot be verified)")
    problems.extend(check(sources, args.corpus / "raw", ontology_ids(), md))
    text = render(sources)
    if args.check:
        if not out_path.is_file():
            problems.append(f"{_rel(out_path)}: missing; run python corpus/build_gold.py")
        elif out_path.read_text(encoding="utf-8") != text:
            problems.append(f"{_rel(out_path)}: out of date with its sources; run python corpus/build_gold.py")
    n = text.count("\n")
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"build_gold: {len(problems)} problem(s)" + ("" if args.check else "; nothing written"),
              file=sys.stderr)
        return 1
    if args.check:
        print(f"build_gold: {_rel(out_path)} is up to date ({n} articles)", file=sys.stderr)
        return 0
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text, encoding="utf-8", newline="\n")
    print(f"build_gold: wrote {_rel(out_path)} ({n} articles)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
