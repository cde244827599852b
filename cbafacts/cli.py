"""Command line: ``cbafacts extract``, ``cbafacts crossval``, ``cbafacts langs``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence, TextIO

from . import __version__
from .crossval import CrossValReport, cross_validate
from .extract import Extractor
from .io import iter_articles
from .model import ArticleResult
from .ontology.kb import load_ontology

EPILOG_EXTRACT = """\
inputs:
  FILE.txt / .md / .html   one article; id = file name without extension
  DIR                      every .txt, .html, .htm, .jsonl inside, recursively, sorted
  FILE.jsonl or -          one article per line: {"id": ..., "text": ..., "lang": ...}

output: one JSON line per input article, in input order (see formats.md).
A file that cannot be read becomes an error record; the batch goes on.

examples:
  cbafacts extract corpus/raw -o out.jsonl
  cat articles.jsonl | cbafacts extract - -o out.jsonl
  cbafacts extract article.txt --lang id            # print to stdout
"""


def dumps(record: dict) -> str:
    """One output line: compact, UTF-8, key order as built (byte-stable)."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def _open_out(path: str | None) -> TextIO:
    if path in (None, "-"):
        return sys.stdout
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8", newline="\n")


def cmd_extract(args: argparse.Namespace) -> int:
    extractor = Extractor(routing=args.routing, backend=args.backend, max_chars=args.max_chars)
    started = time.perf_counter()
    n = errors = claims = 0
    out = _open_out(args.output)
    try:
        records = iter_articles(args.inputs, glob=args.glob, max_bytes=args.max_bytes)
        for res in extractor.extract_many(_with_lang(records, args.lang)):
            out.write(dumps(res.to_dict()) + "\n")
            out.flush() if out is sys.stdout else None
            n += 1
            errors += res.error is not None
            claims += len(res.claims)
    except FileNotFoundError as exc:
        print(f"cbafacts extract: {exc}", file=sys.stderr)
        return 2
    finally:
        if out is not sys.stdout:
            out.close()
    if not args.quiet:
        secs = time.perf_counter() - started
        print(f"cbafacts extract: {n} articles, {claims} claims, {errors} errors, {secs:.2f} s",
              file=sys.stderr)
    return 1 if (args.strict and errors) else 0


def _with_lang(records: Iterable, lang: str | None) -> Iterable:
    if not lang:
        yield from records
        return
    from dataclasses import replace

    from .model import InputArticle

    for rec in records:
        yield replace(rec, lang=rec.lang or lang) if isinstance(rec, InputArticle) else rec


def read_results(paths: Sequence[str]) -> Iterable[ArticleResult]:
    """Records of ``cbafacts extract`` output files (``-`` = stdin)."""
    for path in paths:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield ArticleResult.from_dict(json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    print(f"cbafacts crossval: {path}:{lineno}: skipped, not an extract record ({exc})",
                          file=sys.stderr)
        finally:
            if fh is not sys.stdin:
                fh.close()


def summary_table(report: CrossValReport) -> str:
    """A plain-text table of the facts, for people."""
    rows = [("metric", "period", "value", "status", "articles")]
    for f in report.facts:
        d = f.to_dict()
        arts = ",".join(sorted({c["id"] for c in d["claims"]}))
        value = d["value"]
        if d["status"] == "conflict":
            value = " vs ".join(f"{v['value']:g}" for v in d["values"])
        rows.append((d["metric"], str(d["period"]), f"{value:g}" if isinstance(value, float) else str(value),
                     d["status"], arts))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out = ["\n".join(lines), ""]
    checks = report.to_dict().get("checks", [])
    if checks:
        out.append("derived values (implied by a change) against reported ones:")
        for c in checks:
            out.append(f"  {c['metric']} {c['period']}: derived {c['derived']:g} ({c['reading']}) "
                       f"vs reported {c['reported']:g} -> {c['status']}")
        out.append("")
    for r in report.to_dict().get("repeats", []):
        out.append(f"note: {r['metric']} = {r['value']:g} reported for {', '.join(map(str, r['periods']))}"
                   " (same value in several periods)")
    s = report.to_dict()["summary"]["facts"]
    out.append(f"facts: {s['total']} ({s['confirmed']} confirmed, {s['single']} single, "
               f"{s['conflict']} conflict)")
    return "\n".join(out)


def cmd_crossval(args: argparse.Namespace) -> int:
    report = cross_validate(read_results(args.inputs))
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if args.output and args.output != "-":
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        if args.table:
            print(summary_table(report))
    else:
        sys.stdout.write(summary_table(report) + "\n" if args.table else text)
    return 0


def cmd_langs(args: argparse.Namespace) -> int:
    from .backends import Routing
    from .data import available_languages

    routing = Routing.load(args.routing)
    kb = load_ontology()
    print(f"{'lang':6} {'backend':12} numbers  cues  aliases")
    for lang in sorted(set(available_languages()) | set(kb.languages())):
        has_num = lang in available_languages("numbers.yaml")
        has_cues = lang in available_languages("cues.yaml")
        print(f"{lang:6} {routing.backend_for(lang):12} {'yes' if has_num else '-':8} "
              f"{'yes' if has_cues else '-':5} {len(kb.aliases(lang))}")
    print(f"other languages: backend {routing.default}, digits-only number reading")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cbafacts",
        description="Numeric claims from multilingual news: extract, link to metrics and years, cross-validate.",
    )
    p.add_argument("--version", action="version", version=f"cbafacts {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("extract", help="extract claims from articles into JSONL",
                       description="Extract numeric claims from articles; one JSON line per article.",
                       epilog=EPILOG_EXTRACT, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, .jsonl files, or - for stdin")
    e.add_argument("-o", "--output", metavar="OUT.jsonl", help="output file (default: stdout)")
    e.add_argument("--lang", help="language of articles that do not state one (skips detection)")
    e.add_argument("--backend", help="use this backend for every language (default: the routing table)")
    e.add_argument("--routing", metavar="FILE", help="routing table (default: the packaged routing.yaml)")
    e.add_argument("--glob", help="in directories, read files matching this pattern instead (e.g. '*.md')")
    e.add_argument("--max-bytes", type=int, default=20_000_000,
                   help="larger files or JSONL lines become too_large error records (default: 20 MB)")
    e.add_argument("--max-chars", type=int, default=5_000_000,
                   help="longer article texts become too_large error records (default: 5M characters)")
    e.add_argument("--strict", action="store_true", help="exit with status 1 when any article had an error")
    e.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    e.set_defaults(func=cmd_extract)

    c = sub.add_parser("crossval", help="cross-validate extracted claims across articles",
                       description="Group claims by (metric, period), derive values implied by changes, "
                                   "and report agreement and conflicts (JSON, see formats.md).")
    c.add_argument("inputs", nargs="+", metavar="OUT.jsonl", help="output of 'cbafacts extract' (- for stdin)")
    c.add_argument("-o", "--output", metavar="REPORT.json", help="write the JSON report here (default: stdout)")
    c.add_argument("--table", action="store_true", help="print a summary table for people")
    c.set_defaults(func=cmd_crossval)

    lg = sub.add_parser("langs", help="list languages, their data and their backend")
    lg.add_argument("--routing", metavar="FILE")
    lg.set_defaults(func=cmd_langs)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
