"""Command line: ``cbafacts extract``, ``crossval``, ``export``, ``evaluate``, ``report``, ``train``, ``langs``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from . import __version__
from .crossval import CrossValReport, cross_validate
from .extract import Extractor
from .io import iter_articles
from .model import ArticleResult
from .ontology.kb import load_ontology
from .errors import Errors
from .batch import dumps  # noqa: F401 - re-exported for callers of cli.dumps

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


def _open_out(path: str | None, append: bool = False) -> TextIO:
    if path in (None, "-"):
        return sys.stdout
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a" if append else "w", encoding="utf-8", newline="\n")


def cmd_extract(args: argparse.Namespace) -> int:
    from . import batch

    settings = {"routing": args.routing, "backend": args.backend, "max_chars": args.max_chars}
    workers = batch.default_workers() if args.workers is None else args.workers
    try:
        if workers < 1:
            raise ValueError(Errors.E503.format(n=workers))
        if args.engine not in ("local", "dask"):
            raise ValueError(Errors.E504.format(engine=args.engine))
        if args.resume and args.engine == "local" and args.output in (None, "-"):
            raise ValueError(Errors.E502)
        if args.engine == "dask" and args.output in (None, "-"):
            raise ValueError(Errors.E506.format(path="-"))
        # one Extractor here checks the settings (unknown backend, bad
        # routing table) before any worker starts
        Extractor(**settings)
    except (ValueError, OSError) as exc:
        print(f"cbafacts extract: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    stats = batch.BatchStats()
    store = None
    out: TextIO | None = None
    bar = batch.progress_bar(not args.quiet)
    try:
        records = iter_articles(args.inputs, glob=args.glob, max_bytes=args.max_bytes)
        records = _with_lang(records, args.lang)
        if args.db:
            from .store import FactStore

            store = FactStore(args.db)
        if args.engine == "dask":
            lines = batch.run_dask(records, settings, args.output, scheduler=args.scheduler,
                                   workers=workers, partition_size=args.partition_size,
                                   resume=args.resume)
        else:
            if args.resume:
                state = batch.resume_state(args.output)
                if state.truncated_bytes and not args.quiet:
                    print(f"cbafacts extract: {args.output}: cut off an incomplete last line "
                          f"({state.truncated_bytes} bytes) left by an interrupted run", file=sys.stderr)
                stats.skipped = state.lines
                records = batch.skip_done(records, state.done)
            out = _open_out(args.output, append=args.resume)
            lines = batch.run_local(records, settings, workers=workers, chunk_size=args.chunk_size)
        for line, n_claims, is_error in lines:
            if out is not None:
                out.write(line + "\n")
                out.flush()
            if store is not None:
                store.add(json.loads(line))
            stats.add(n_claims, is_error)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(claims=stats.claims, errors=stats.errors, refresh=False)
    except FileNotFoundError as exc:
        print(f"cbafacts extract: {exc}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError) as exc:
        print(f"cbafacts extract: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
        if out is not None and out is not sys.stdout:
            out.close()
        if store is not None:
            store.close()
    if not args.quiet:
        secs = time.perf_counter() - started
        where = f" -> {args.db}" if args.db else ""
        print(f"cbafacts extract: {stats.line(secs)}{where}", file=sys.stderr)
    return 1 if (args.strict and stats.errors) else 0


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


def _crossval_inputs(paths: Sequence[str]) -> list[str]:
    """Files to read: a directory stands for its Dask partitions."""
    from .batch import partition_files

    out: list[str] = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            out.extend(str(p) for p in partition_files(path))
        else:
            out.append(path)
    return out


def cmd_crossval(args: argparse.Namespace) -> int:
    if bool(args.db) == bool(args.inputs):
        print("cbafacts crossval: give extract output files or --db FACTS.duckdb (one of them)", file=sys.stderr)
        return 2
    from .crossval import no_gc

    # the collector stays off from reading the claims to freeing the report:
    # turned back on between the steps it would walk millions of objects
    with no_gc():
        if args.db:
            store = _open_store(args.db, "crossval")
            if store is None:
                return 2
            with store:
                report = store.cross_validate()
        else:
            report = cross_validate(read_results(_crossval_inputs(args.inputs)))
        if args.output and args.output != "-":
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            with open(args.output, "wb") as fh:
                report.write_json(fh)
                fh.write(b"\n")
            if args.table:
                print(summary_table(report))
        else:
            sys.stdout.write(summary_table(report) + "\n" if args.table else report.to_json() + "\n")
        del report
    return 0


def _open_store(path: str, command: str) -> Any:
    """The fact store at ``path``, read-only; None (the reason on stderr)
    when it is missing or not a store."""
    from .store import FactStore

    try:
        return FactStore(path, read_only=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f"cbafacts {command}: {exc}", file=sys.stderr)
        return None


def cmd_export(args: argparse.Namespace) -> int:
    store = _open_store(args.db, "export")
    if store is None:
        return 2
    with store:
        for path in store.export_parquet(args.parquet):
            print(path)
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
    e.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line on stderr")
    e.add_argument("-w", "--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores); output is identical for any N")
    e.add_argument("--resume", action="store_true",
                   help="append to an existing OUT, skipping articles already in it (repairs a cut-off last line)")
    e.add_argument("--db", metavar="FACTS.duckdb",
                   help="also write articles and claims to this DuckDB fact store (idempotent per id and content)")
    e.add_argument("--engine", default="local", choices=("local", "dask"),
                   help="local processes (default) or a Dask cluster; dask writes -o DIR/part-NNNNN.jsonl")
    e.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); default: a LocalCluster")
    e.add_argument("--partition-size", type=int, default=500, metavar="N",
                   help="with --engine dask: articles per partition (default: 500)")
    e.add_argument("--chunk-size", type=int, default=16, metavar="N",
                   help="articles sent to a worker process at a time (default: 16)")
    e.set_defaults(func=cmd_extract)

    c = sub.add_parser("crossval", help="cross-validate extracted claims across articles",
                       description="Group claims by (metric, period), derive values implied by changes, "
                                   "and report agreement and conflicts (JSON, see formats.md).")
    c.add_argument("inputs", nargs="*", metavar="OUT.jsonl",
                   help="output of 'cbafacts extract' (- for stdin; a directory: its part-*.jsonl files)")
    c.add_argument("--db", metavar="FACTS.duckdb", help="read the claims from this fact store instead")
    c.add_argument("-o", "--output", metavar="REPORT.json", help="write the JSON report here (default: stdout)")
    c.add_argument("--table", action="store_true", help="print a summary table for people")
    c.set_defaults(func=cmd_crossval)

    x = sub.add_parser("export", help="export the fact store to Parquet",
                       description="Write articles.parquet and claims.parquet from a DuckDB fact store.")
    x.add_argument("--db", required=True, metavar="FACTS.duckdb", help="the fact store")
    x.add_argument("--parquet", required=True, metavar="DIR", help="directory for the Parquet files")
    x.set_defaults(func=cmd_export)

    from . import evaluate, report
    from .transformer import train  # torch is imported only when training starts

    evaluate.add_parser(sub)
    report.add_parser(sub)
    train.add_parser(sub)

    lg = sub.add_parser("langs", help="list languages, their data and their backend")
    lg.add_argument("--routing", metavar="FILE")
    lg.set_defaults(func=cmd_langs)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
