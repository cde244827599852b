"""The fact store: extraction records in an embedded DuckDB database.

``cbafacts extract --db facts.duckdb`` writes every article and its claims
here; ``cbafacts crossval --db`` and ``cbafacts export --db`` read them back.

Tables (documented in README, section "The fact store"):

- ``articles``: one row per article id: ``id`` (primary key),
  ``content_hash`` (sha256 of the text, or of the error for error records),
  ``source``, ``lang``, ``lang_confidence``, ``backend``, ``published``,
  ``n_claims``, ``error_type``, ``error_message``, ``text``;
- ``claims``: one row per claim: ``article_id``, ``idx`` (position in the
  article's record; primary key with ``article_id``) and the claim fields of
  ``formats.md`` (``sentence`` as ``sent_start``/``sent_end``; ``end`` is
  quoted in SQL);
- ``store_meta``: ``key``/``value`` pairs (schema version).

Writes are idempotent per article id and content hash: an article already
stored with the same hash is left as it is, one stored with another hash is
replaced with its claims. Rows go in by batches through ``read_json`` on a
temporary file (DuckDB's ``executemany`` inserts a row at a time, ~100x
slower).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .errors import Errors
from .model import ArticleResult, precision_of

SCHEMA_VERSION = "1"

ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"),
    ("content_hash", "VARCHAR"),
    ("source", "VARCHAR"),
    ("lang", "VARCHAR"),
    ("lang_confidence", "DOUBLE"),
    ("backend", "VARCHAR"),
    ("published", "VARCHAR"),
    ("n_claims", "INTEGER"),
    ("error_type", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("text", "VARCHAR"),
)

CLAIM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "VARCHAR"),
    ("idx", "INTEGER"),
    ("text", "VARCHAR"),
    ("start", "INTEGER"),
    ("end", "INTEGER"),
    ("sent_start", "INTEGER"),
    ("sent_end", "INTEGER"),
    ("value", "DOUBLE"),
    ("value_max", "DOUBLE"),
    ("unit", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("direction", "VARCHAR"),
    ("baseline", "VARCHAR"),
    ("metric", "VARCHAR"),
    ("period", "VARCHAR"),
    ("confidence", "DOUBLE"),
    ("qualifier", "VARCHAR"),
    ("precision", "DOUBLE"),
    ("measure", "VARCHAR"),
)


def _q(name: str) -> str:
    return f'"{name}"'


def _ddl(table: str, columns: Sequence[tuple[str, str]], key: str) -> str:
    cols = ", ".join(f"{_q(n)} {t}" for n, t in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols}, PRIMARY KEY ({key}))"


def _json_columns(columns: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"'{n}': '{t}'" for n, t in columns) + "}"


def content_hash(record: Mapping[str, Any]) -> str:
    """sha256 of what an output record was made from.

    record (Mapping[str, Any]): an output record of ``cbafacts extract``.
    RETURNS (str): hex digest of the text, or of the error type and message
        for an error record (so a fixed file replaces its error record).
    """
    err = record.get("error")
    if err:
        basis = f"error\0{err.get('type')}\0{err.get('message')}"
    else:
        basis = "text\0" + (record.get("text") or "")
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    err = record.get("error") or {}
    return {
        "id": str(record["id"]),
        "content_hash": content_hash(record),
        "source": record.get("source"),
        "lang": record.get("lang"),
        "lang_confidence": record.get("lang_confidence"),
        "backend": record.get("backend"),
        "published": record.get("published"),
        "n_claims": len(record.get("claims") or ()),
        "error_type": err.get("type"),
        "error_message": err.get("message"),
        "text": record.get("text"),
    }


def claim_rows(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    aid = str(record["id"])
    for i, c in enumerate(record.get("claims") or ()):
        sent = c.get("sentence") or (c["start"], c["end"])
        yield {
            "article_id": aid,
            "idx": i,
            "text": c["text"],
            "start": c["start"],
            "end": c["end"],
            "sent_start": sent[0],
            "sent_end": sent[1],
            "value": c["value"],
            "value_max": c.get("value_max"),
            "unit": c["unit"],
            "kind": c.get("kind", "level"),
            "direction": c.get("direction"),
            "baseline": c.get("baseline"),
            "metric": c.get("metric"),
            "period": c.get("period"),
            "confidence": c.get("confidence"),
            "qualifier": c.get("qualifier"),
            "precision": c["precision"] if c.get("precision") is not None else precision_of(c["text"]),
            "measure": c.get("measure"),
        }


class FactStore:
    """Articles and claims in a DuckDB file.

    path (str | os.PathLike): the database file; created when missing.
    read_only (bool): open for reading only (crossval, export); a missing
        file is then an error.
    batch_size (int): records buffered by :meth:`add` before they are
        written; :meth:`flush` and :meth:`close` write the rest.

    Example:
        >>> with FactStore("facts.duckdb") as db:
        ...     db.add_many(records)
        >>> FactStore("facts.duckdb", read_only=True).counts()
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False,
                 batch_size: int = 2000) -> None:
        import duckdb

        self.path = Path(path)
        if read_only and not self.path.exists():
            raise FileNotFoundError(Errors.E701.format(path=str(path)))
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise ValueError(Errors.E702.format(path=str(path), error=exc)) from exc
        self.read_only = read_only
        self.batch_size = batch_size
        self._pending: list[Mapping[str, Any]] = []
        #: articles written (new or replaced) and left alone, since opening
        self.added = 0
        self.replaced = 0
        self.unchanged = 0
        if not read_only:
            self._create()
        else:
            self._check_schema()

    # -- schema -----------------------------------------------------------

    def _create(self) -> None:
        self.con.execute(_ddl("articles", ARTICLE_COLUMNS, "id"))
        self.con.execute(_ddl("claims", CLAIM_COLUMNS, "article_id, idx"))
        self.con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        self.con.execute("INSERT OR IGNORE INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        self._check_schema()

    def _check_schema(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        except Exception as exc:  # noqa: BLE001 - a DuckDB file of something else
            raise ValueError(Errors.E703.format(path=str(self.path), found=f"no store_meta table ({exc})")) from exc
        if row is None or row[0] != SCHEMA_VERSION:
            raise ValueError(Errors.E703.format(path=str(self.path), found=row and row[0]))

    # -- writing ----------------------------------------------------------

    def add(self, record: Mapping[str, Any]) -> None:
        """Queue one output record (dict of ``formats.md``) for writing."""
        self._pending.append(record)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def add_many(self, records: Iterable[Mapping[str, Any] | ArticleResult]) -> None:
        for rec in records:
            self.add(rec.to_dict() if isinstance(rec, ArticleResult) else rec)
        self.flush()

    def flush(self) -> None:
        """Write the queued records: new ids inserted, changed ones replaced,
        unchanged ones (same id and content hash) left alone."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        # within one batch the first record of an id wins (a later
        # duplicate_id error record is about the input, not the article)
        seen: set[str] = set()
        articles: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        for rec in batch:
            rid = str(rec["id"])
            if rid in seen:
                continue
            seen.add(rid)
            articles.append(article_row(rec))
            claims.extend(claim_rows(rec))
        with tempfile.TemporaryDirectory(prefix="cbafacts-db-") as tmp:
            a_path = os.path.join(tmp, "articles.jsonl")
            c_path = os.path.join(tmp, "claims.jsonl")
            _write_jsonl(a_path, articles)
            _write_jsonl(c_path, claims)
            con = self.con
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM read_json(?, "
                    f"format='newline_delimited', columns={_json_columns(ARTICLE_COLUMNS)})", [a_path])
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE incoming_claims AS SELECT * FROM read_json(?, "
                    f"format='newline_delimited', columns={_json_columns(CLAIM_COLUMNS)})"
                    if claims else
                    "CREATE OR REPLACE TEMP TABLE incoming_claims AS SELECT * FROM claims WHERE false",
                    [c_path] if claims else None)
                changed = con.execute(
                    "SELECT count(*) FROM incoming i JOIN articles a ON a.id = i.id "
                    "WHERE a.content_hash <> i.content_hash").fetchone()[0]
                unchanged = con.execute(
                    "SELECT count(*) FROM incoming i JOIN articles a ON a.id = i.id "
                    "WHERE a.content_hash = i.content_hash").fetchone()[0]
                con.execute(
                    "DELETE FROM claims WHERE article_id IN (SELECT i.id FROM incoming i "
                    "JOIN articles a ON a.id = i.id WHERE a.content_hash <> i.content_hash)")
                con.execute(
                    "DELETE FROM articles WHERE id IN (SELECT i.id FROM incoming i "
                    "JOIN articles a ON a.id = i.id WHERE a.content_hash <> i.content_hash)")
                con.execute("CREATE OR REPLACE TEMP TABLE fresh AS SELECT id FROM incoming "
                            "WHERE id NOT IN (SELECT id FROM articles)")
                con.execute("INSERT INTO articles SELECT * FROM incoming WHERE id IN (SELECT id FROM fresh)")
                con.execute("INSERT INTO claims SELECT * FROM incoming_claims "
                            "WHERE article_id IN (SELECT id FROM fresh)")
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        self.replaced += changed
        self.unchanged += unchanged
        self.added += len(articles) - changed - unchanged

    # -- reading ----------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Number of articles, error records and claims stored."""
        a, e = self.con.execute(
            "SELECT count(*), count(error_type) FROM articles").fetchone()
        (c,) = self.con.execute("SELECT count(*) FROM claims").fetchone()
        return {"articles": int(a), "errors": int(e), "claims": int(c)}

    def crossval_rows(self) -> tuple[list[Any], int, int]:
        """What cross-validation needs, straight from SQL: every claim
        linked to a metric of an article without error, as the rows of
        :func:`cbafacts.crossval.cross_validate_rows`, in its ``presorted``
        order (article, start, end, value, precision), with the number of
        articles and of error records.

        RETURNS (tuple[list, int, int]): (rows, articles, error records).
        """
        from .crossval import _Row, no_gc, record_maker

        n_ok, n_err = self.con.execute(
            "SELECT count(*) FILTER (WHERE error_type IS NULL), count(error_type) FROM articles").fetchone()
        with no_gc():  # 660k tuples per million claims, none in a cycle
            # fetched column by column (numpy arrays made into lists, then
            # zipped into rows): a third faster than fetchall's row tuples;
            # NULLs come back as None either way
            columns = self.con.execute(
                'SELECT c.article_id, a.lang, c.kind, c.metric, c.period, c.value, '
                "CASE WHEN isfinite(c.precision) THEN abs(c.precision) ELSE 1.0 END AS prec, "
                'c.start, c."end", c.sent_start, c.sent_end, c.unit, c.direction, c.baseline '
                "FROM claims c JOIN articles a ON a.id = c.article_id "
                "WHERE a.error_type IS NULL AND c.metric IS NOT NULL "
                # the order cross-validation sorts the claims of a fact in
                # (article, offsets, value, precision), sorted in DuckDB on
                # all cores: cross_validate_rows(presorted=True) keeps it
                'ORDER BY c.article_id, c.start, c."end", c.value, prec, c.sent_start, c.sent_end').fetchnumpy()
            values = [col.tolist() for col in columns.values()]
            del columns
            return list(map(record_maker(_Row), zip(*values))), int(n_ok), int(n_err)

    def cross_validate(self, ontology_units: Mapping[str, str] | None = None) -> Any:
        """The cross-validation report of everything stored; equal to
        ``cross_validate`` over the JSONL records the store was filled from.

        RETURNS (CrossValReport): the report.
        """
        from .crossval import cross_validate_rows, no_gc

        with no_gc():  # the rows too: the collector does not come back between reading and cross-validating
            rows, n_ok, n_err = self.crossval_rows()
            report = cross_validate_rows(rows, articles=n_ok, skipped=n_err, ontology_units=ontology_units,
                                         presorted=True)
            del rows  # freed with the collector still off
            return report

    def export_parquet(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write ``articles.parquet`` and ``claims.parquet`` into ``directory``
        (DuckDB's own Parquet writer, rows in key order).

        RETURNS (list[Path]): the files written.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table, order in (("articles", "id"), ("claims", "article_id, idx")):
            path = out / f"{table}.parquet"
            self.con.execute(
                f"COPY (SELECT * FROM {table} ORDER BY {order}) TO '{_sql_path(path)}' "
                "(FORMAT PARQUET, COMPRESSION ZSTD)")
            written.append(path)
        return written

    def close(self) -> None:
        if not self.read_only:
            self.flush()
        self.con.close()

    def __enter__(self) -> "FactStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_jsonl(path: str, rows: Sequence[Mapping[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=True, allow_nan=False) + "\n")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
