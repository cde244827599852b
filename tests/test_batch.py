"""Batch runs: workers, resume after kill -9, the DuckDB fact store, Dask.

Reference output is always a one-process run of the same input: every other
way of running (worker processes, a resumed run, a Dask LocalCluster, the
fact store) must give the same lines or the same cross-validation report.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cbafacts import batch, cli
from cbafacts.model import ArticleError
from cbafacts.store import FactStore

ROOT = Path(__file__).resolve().parents[1]
CBAFACTS = Path(sys.executable).parent / "cbafacts"
RAW = ROOT / "corpus" / "raw"
SEEDS = ["000_76fd66fdbd55d08e", "004_1394d275d59fc066"]


def run_cli(args, timeout=600, **kw):
    return subprocess.run([str(CBAFACTS), *args], cwd=ROOT, capture_output=True, timeout=timeout, **kw)


def write_jsonl(path: Path, records) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def seed_texts() -> list[str]:
    return [(RAW / f"{s}.txt").read_text(encoding="utf-8") for s in SEEDS]


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """60 articles: the seeds repeated under new ids, as JSONL."""
    texts = seed_texts()
    recs = [{"id": f"a{i:03d}", "text": texts[i % 2]} for i in range(60)]
    return write_jsonl(tmp_path_factory.mktemp("many") / "many.jsonl", recs)


@pytest.fixture(scope="module")
def reference(many, tmp_path_factory) -> bytes:
    """``--workers 1`` output of ``many``."""
    out = tmp_path_factory.mktemp("ref") / "out.jsonl"
    r = run_cli(["extract", str(many), "-o", str(out), "--workers", "1", "-q"])
    assert r.returncode == 0, r.stderr.decode()
    return out.read_bytes()


# --------------------------------------------------------------------------
# workers
# --------------------------------------------------------------------------


def test_workers_two_same_output_as_one(many, reference, tmp_path):
    out = tmp_path / "out.jsonl"
    # chunks of 4 articles: 15 chunks over 2 processes
    r = run_cli(["extract", str(many), "-o", str(out), "--workers", "2", "--chunk-size", "4"])
    assert r.returncode == 0, r.stderr.decode()
    assert out.read_bytes() == reference
    assert len(reference.splitlines()) == 60
    # the summary line counts what was written
    assert "60 articles" in r.stderr.decode()


def test_pool_used_for_long_input_not_for_short(monkeypatch):
    """More chunks than workers: a process pool, output in input order;
    a short input runs in this process."""
    calls = []
    real = batch._pool

    def spy(head, rest, settings, workers):
        calls.append(workers)
        yield from real(head, rest, settings, workers)

    monkeypatch.setattr(batch, "_pool", spy)
    settings = {"routing": None, "backend": None, "max_chars": 5_000_000}
    arts = [batch.InputArticle(id=f"x{i}", text=f"In 2024, {30 + i} banks renamed their centers.", lang="en")
            for i in range(12)]
    lines = list(batch.run_local(arts, settings, workers=2, chunk_size=2))
    assert calls == [2]
    assert [json.loads(line)["id"] for line, _, _ in lines] == [f"x{i}" for i in range(12)]
    assert lines == list(batch.run_local(arts, settings, workers=1))
    calls.clear()
    short = list(batch.run_local(arts[:3], settings, workers=2, chunk_size=2))
    assert calls == [] and short == lines[:3]


def test_language_of_is_what_extract_reads():
    """The parent detects ahead with language_of; a worker handed that
    answer reads the article exactly as if it had detected it."""
    from cbafacts.detect import detect_language
    from cbafacts.extract import Extractor

    ex = Extractor()
    text = "Pada tahun 2024, sebanyak 37 bank mengganti nama pusat layanan nasabah mereka."
    assert ex.language_of(batch.InputArticle(id="a", text=text)) == detect_language(text)
    assert ex.language_of(batch.InputArticle(id="a", text=text, lang="EN")) == ("en", 1.0)
    assert ex.language_of(batch.InputArticle(id="a", text=" \n ")) is None
    assert ex.language_of(batch.InputError(id="a", source=None, error=ArticleError("bad_json", "x"))) is None
    assert Extractor(max_chars=10).language_of(batch.InputArticle(id="a", text=text)) is None
    # a detection handed in is used as it is, not made again
    res = ex.extract(text, "a", detected=("fr", 0.25))
    assert (res.lang, res.lang_confidence) == ("fr", 0.25)
    assert ex.extract(text, "a", detected=detect_language(text)).to_dict() == ex.extract(text, "a").to_dict()
    recs = [batch.InputArticle(id="a", text=text), batch.InputError(id="b", source=None,
                                                                     error=ArticleError("bad_json", "x"))]
    got = list(ex.extract_many(recs, [("ms", 0.5), None]))
    assert (got[0].lang, got[0].lang_confidence) == ("ms", 0.5) and got[1].error.type == "bad_json"


def test_warm_up_order_builds_pipelines_and_says_so(tmp_path, monkeypatch):
    from cbafacts import _warm

    settings = {"routing": None, "backend": None, "max_chars": 1000}
    ready = tmp_path / "ready"
    monkeypatch.setenv(_warm.ENV, json.dumps({"settings": settings, "langs": ["en", "de"], "ready": str(ready)}))
    assert _warm.warm_from_env() is True
    assert ready.exists() and _warm.ENV not in os.environ
    assert {"en", "de"} <= set(batch.get_extractor(settings).backend("spacy")._nlps)
    # a bad order builds nothing and still says it is done
    ready.unlink()
    monkeypatch.setenv(_warm.ENV, json.dumps({"settings": {"nope": 1}, "langs": ["en"], "ready": str(ready)}))
    assert _warm.warm_from_env() is False and ready.exists()
    assert _warm.warm_from_env() is False  # no order


WARM_PROBE = """
import json, sys, time
from concurrent.futures import ProcessPoolExecutor
from cbafacts import batch

def built(settings):
    # what a freshly forked worker has, before it extracts anything
    return sorted(batch._EXTRACTORS[batch._settings_key(settings)].backend("spacy")._nlps)

if __name__ == "__main__":
    settings = {"routing": None, "backend": None, "max_chars": 10000}
    ctx = batch._context()
    ready = batch._start_warm_server(ctx, settings, ["en", "fr"])
    assert ready is not None
    # a second server is not started (the one running keeps its pipelines)
    assert batch._start_warm_server(ctx, settings, ["de"]) is None
    while not ready.exists():
        time.sleep(0.05)
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        print(json.dumps(pool.submit(built, settings).result()))
    import shutil
    shutil.rmtree(ready.parent)
"""


def test_workers_fork_from_a_server_with_the_pipelines_built(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(WARM_PROBE, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads(r.stdout.decode().splitlines()[-1]) == ["en", "fr"]


def test_zero_workers_is_a_usage_error(many, capsys):
    assert cli.main(["extract", str(many), "-o", os.devnull, "--workers", "0"]) == 2
    assert "E503" in capsys.readouterr().err


def test_chunks_respect_size_and_characters():
    recs = [batch.InputArticle(id=str(i), text="x" * n) for i, n in enumerate([10, 10, 10, 500, 10])]
    chunks = list(batch.chunked(recs, size=2, max_chars=100))
    assert [[r.id for r in c] for c in chunks] == [["0", "1"], ["2"], ["3"], ["4"]]


# --------------------------------------------------------------------------
# bad input in a parallel batch
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    texts = seed_texts()
    (d / "01_good.txt").write_text(texts[0], encoding="utf-8")
    (d / "02_empty.txt").write_bytes(b"")
    (d / "03_binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "04_latin1.txt").write_bytes("Die Quote stieg auf 94,18 % \xfcber".encode("latin-1"))
    # 50 MB: over the default 20 MB limit, rejected without being read whole
    with open(d / "05_huge.txt", "wb") as fh:
        chunk = (texts[0].encode("utf-8") + b"\n") * 200
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    (d / "06_page.html").write_text(
        "<html><head><title>t</title><script>var x = '99%';</script></head><body>"
        "<p>As of December 2024, 37 banks have renamed their customer service centers "
        "to remote banking centers, accounting for 44%.</p></body></html>", encoding="utf-8")
    good = json.dumps({"id": "j1", "text": texts[1]}, ensure_ascii=False)
    (d / "07_lines.jsonl").write_text(
        "\n".join([good, "{not json", json.dumps([1, 2]), json.dumps({"id": "j4"}),
                   json.dumps({"id": "j5", "text": "In 2024, the answer rate was 94.18%."})]) + "\n",
        encoding="utf-8")
    return d


@pytest.mark.parametrize("workers", ["1", "2"])
def test_bad_input_one_line_per_article(bad_batch, tmp_path, workers):
    out = tmp_path / "out.jsonl"
    r = run_cli(["extract", str(bad_batch), "-o", str(out), "--workers", workers, "--chunk-size", "1"])
    assert r.returncode == 0, r.stderr.decode()
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # 6 files + 5 JSONL lines = 11 articles
    assert len(recs) == 11
    errors = [(rec["source"].rsplit("/", 1)[-1], rec["error"]["type"]) for rec in recs if rec["error"]]
    assert [t for _, t in errors] == ["empty", "binary", "encoding", "too_large", "bad_json", "bad_json",
                                      "missing_text"]
    ok = {rec["id"]: rec for rec in recs if not rec["error"]}
    assert set(ok) == {"01_good", "06_page", "j1", "j5"}
    # the HTML page: its text without the script, the claims of its paragraph
    page = ok["06_page"]
    assert "var x" not in page["text"]
    assert sorted(c["value"] for c in page["claims"]) == [37.0, 44.0]
    assert [c["value"] for c in ok["j5"]["claims"]] == [94.18]


def test_bad_input_strict_exits_non_zero(bad_batch, tmp_path):
    r = run_cli(["extract", str(bad_batch), "-o", str(tmp_path / "o.jsonl"), "--strict", "-q"])
    assert r.returncode == 1
    assert len((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()) == 11


# --------------------------------------------------------------------------
# resume
# --------------------------------------------------------------------------


def test_resume_repairs_truncated_line(many, reference, tmp_path):
    out = tmp_path / "out.jsonl"
    lines = reference.splitlines(keepends=True)
    # 25 whole records, then half of the 26th (cut inside a UTF-8 sequence)
    partial = lines[25][: len(lines[25]) // 2]
    out.write_bytes(b"".join(lines[:25]) + partial)
    state = batch.resume_state(out)
    assert state.lines == 25 and state.truncated_bytes == len(partial)
    assert out.read_bytes() == b"".join(lines[:25])
    # the file is repaired; resume writes the other 35
    out.write_bytes(b"".join(lines[:25]) + partial)
    r = run_cli(["extract", str(many), "-o", str(out), "--resume", "--workers", "1"])
    assert r.returncode == 0, r.stderr.decode()
    assert "incomplete last line" in r.stderr.decode()
    assert "25 already done" in r.stderr.decode()
    assert out.read_bytes() == reference


def test_resume_on_complete_output_adds_nothing(many, reference, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(reference)
    r = run_cli(["extract", str(many), "-o", str(out), "--resume", "-q"])
    assert r.returncode == 0
    assert out.read_bytes() == reference


def test_resume_counts_repeated_ids(tmp_path):
    """An input that repeats an id gives a duplicate_id record; resume
    counts both, so neither is written twice nor lost."""
    inp = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "In 2024, 37 banks renamed their centers."},
        {"id": "a", "text": "In 2023, 31 banks renamed their centers."},
        {"id": "b", "text": "The answer rate was 94.18% in 2024."},
    ])
    out = tmp_path / "out.jsonl"
    assert cli.main(["extract", str(inp), "-o", str(out), "-q", "--workers", "1"]) == 0
    full = out.read_bytes()
    out.write_bytes(b"".join(full.splitlines(keepends=True)[:2]))
    assert cli.main(["extract", str(inp), "-o", str(out), "-q", "--resume", "--workers", "1"]) == 0
    assert out.read_bytes() == full


def test_resume_refuses_foreign_file(many, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    out.write_text("hello\nworld\n", encoding="utf-8")
    assert cli.main(["extract", str(many), "-o", str(out), "--resume"]) == 2
    assert "cannot resume" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "hello\nworld\n"


def test_resume_needs_output_file(many, capsys):
    assert cli.main(["extract", str(many), "--resume"]) == 2
    assert "E502" in capsys.readouterr().err


def test_kill_and_resume_exactly_once(many, reference, tmp_path):
    """SIGKILL at a random point of a two-worker run, then --resume: every
    article exactly once, byte-identical to an uninterrupted run."""
    out = tmp_path / "out.jsonl"
    rng = random.Random(os.environ.get("CBAFACTS_KILL_SEED", "7"))
    target = rng.randrange(5, 45)  # records written before the kill
    proc = subprocess.Popen([str(CBAFACTS), "extract", str(many), "-o", str(out), "--workers", "2",
                             "--chunk-size", "2", "-q"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if out.exists() and out.read_bytes().count(b"\n") >= target:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: workers too
    finally:
        proc.wait(timeout=60)
    done = out.read_bytes().count(b"\n")
    assert 0 < done < 60
    r = run_cli(["extract", str(many), "-o", str(out), "--resume", "--workers", "2", "--chunk-size", "2"])
    assert r.returncode == 0, r.stderr.decode()
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [f"a{i:03d}" for i in range(60)]
    assert out.read_bytes() == reference


# --------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------


def _pty() -> tuple[int, int]:
    """A pseudo-terminal of 100 columns (a fresh one has 0)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    return master, slave


def test_progress_bar_only_on_a_tty(tmp_path):

    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "In 2024, 37 banks renamed their centers."}])
    # not a TTY: the summary line only
    r = run_cli(["extract", str(inp), "-o", str(tmp_path / "o.jsonl")])
    err = r.stderr.decode()
    assert "articles/s" not in err.replace("articles/s)", "")
    assert err.startswith("cbafacts extract: 1 articles, 1 claims, 0 errors")
    # a TTY: tqdm draws the bar (rate unit " articles/s", claims as postfix)
    master, slave = _pty()
    proc = subprocess.Popen([str(CBAFACTS), "extract", str(inp), "-o", str(tmp_path / "o2.jsonl")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert "cbafacts extract:" in tty_err and "articles/s]" in tty_err and "claims=1" in tty_err
    # --quiet: nothing at all, even on a TTY
    master, slave = _pty()
    proc = subprocess.Popen([str(CBAFACTS), "extract", str(inp), "-o", str(tmp_path / "o3.jsonl"), "-q"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    assert b"".join(chunks) == b""


# --------------------------------------------------------------------------
# the DuckDB fact store
# --------------------------------------------------------------------------


def test_db_rerun_adds_nothing_and_crossval_matches_jsonl(many, tmp_path):
    db = tmp_path / "facts.duckdb"
    out = tmp_path / "out.jsonl"
    r = run_cli(["extract", str(many), "-o", str(out), "--db", str(db), "-q"])
    assert r.returncode == 0, r.stderr.decode()
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with FactStore(db, read_only=True) as s:
        first = s.counts()
        rows = s.con.execute("SELECT count(*), sum(n_claims) FROM articles").fetchone()
    assert first == {"articles": 60, "errors": 0, "claims": sum(len(r["claims"]) for r in recs)}
    assert rows == (60, first["claims"])
    before = db.read_bytes()
    # the same input again: nothing added or replaced
    r = run_cli(["extract", str(many), "-o", str(tmp_path / "again.jsonl"), "--db", str(db), "-q"])
    assert r.returncode == 0
    with FactStore(db) as s:
        assert s.counts() == first
        s.add_many([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
        assert (s.added, s.replaced, s.unchanged) == (0, 0, 60)
    assert len(before) > 0
    # crossval from the store equals crossval from the JSONL, byte for byte
    a, b = tmp_path / "from_db.json", tmp_path / "from_jsonl.json"
    assert cli.main(["crossval", "--db", str(db), "-o", str(a)]) == 0
    assert cli.main(["crossval", str(out), "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    rep = json.loads(a.read_text(encoding="utf-8"))
    assert rep["summary"]["articles"] == 60


def test_db_rows_come_in_the_order_crossval_would_sort_them(tmp_path):
    # the store hands cross-validation its rows presorted; ids whose order
    # as UTF-8 bytes and as code points must agree, claims at the same place
    # with other values or precisions, claims out of order in the record
    from cbafacts.crossval import _LEVEL_ORDER, cross_validate

    metric = "remote_banking.renamed_centers"

    def cl(start, value, precision=1.0, period="2024"):
        return {"text": "x", "start": start, "end": start + 2, "sentence": [0, 40], "value": value,
                "unit": "count", "kind": "level", "metric": metric, "period": period, "precision": precision}

    recs = []
    for k, rid in enumerate(["中", "b", "B", "é", "e\u0301", "a", "Z", "\U0001F600", "aa"]):
        claims = [cl(9, 37.0 + k), cl(1, 38.0), cl(1, 37.0, 0.1), cl(1, 37.0), cl(5, 36.0, period="2023")]
        recs.append({"id": rid, "source": None, "lang": "en", "text": "t" * 40, "error": None,
                     "claims": claims[k % 2:] + claims[:k % 2]})
    db = tmp_path / "f.duckdb"
    with FactStore(db) as s:
        s.add_many(recs)
    with FactStore(db, read_only=True) as s:
        rows, n_ok, _ = s.crossval_rows()
        from_db = s.cross_validate()
    keys = [_LEVEL_ORDER(r) for r in rows]
    assert len(rows) == 45 and keys == sorted(keys)
    assert from_db.to_json_bytes() == cross_validate(recs).to_json_bytes()
    claims = from_db.facts[0].claims
    assert [c.sort_key() for c in claims] == sorted(c.sort_key() for c in claims)


def test_db_changed_text_replaces_article(tmp_path):
    db = tmp_path / "f.duckdb"
    with FactStore(db) as s:
        s.add_many([{"id": "x", "source": None, "lang": "en", "lang_confidence": 1.0, "backend": "spacy",
                     "published": None, "text": "t1", "error": None,
                     "claims": [{"text": "37", "start": 0, "end": 2, "sentence": [0, 2], "value": 37.0,
                                 "unit": "count", "kind": "level", "metric": "remote_banking.renamed_centers",
                                 "period": "2024", "precision": 1.0}]}])
        assert (s.added, s.replaced) == (1, 0)
        s.add_many([{"id": "x", "source": None, "lang": "en", "text": "t2", "error": None, "claims": []}])
        assert (s.added, s.replaced) == (1, 1)
        assert s.counts() == {"articles": 1, "errors": 0, "claims": 0}
        (text,) = s.con.execute("SELECT text FROM articles WHERE id = 'x'").fetchone()
    assert text == "t2"


def test_db_error_records_and_export(bad_batch, tmp_path):
    import duckdb

    db = tmp_path / "f.duckdb"
    r = run_cli(["extract", str(bad_batch), "-o", str(tmp_path / "o.jsonl"), "--db", str(db), "-q"])
    assert r.returncode == 0, r.stderr.decode()
    pq = tmp_path / "pq"
    assert cli.main(["export", "--db", str(db), "--parquet", str(pq)]) == 0
    con = duckdb.connect()
    n_art, n_err = con.execute(
        f"SELECT count(*), count(error_type) FROM read_parquet('{pq / 'articles.parquet'}')").fetchone()
    assert (n_art, n_err) == (11, 7)
    with FactStore(db, read_only=True) as s:
        n_claims = s.counts()["claims"]
    (n,) = con.execute(f"SELECT count(*) FROM read_parquet('{pq / 'claims.parquet'}')").fetchone()
    assert n == n_claims > 0


def test_db_not_a_store(tmp_path, capsys):
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    assert cli.main(["crossval", "--db", str(path)]) == 2
    assert "E703" in capsys.readouterr().err
    assert cli.main(["crossval", "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "E701" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------


def test_dask_local_cluster_equals_local(many, reference, tmp_path):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    out = tmp_path / "parts"
    r = run_cli(["extract", str(many), "-o", str(out), "--engine", "dask", "--workers", "2",
                 "--partition-size", "8"])
    assert r.returncode == 0, r.stderr.decode()
    parts = batch.partition_files(out)
    assert [p.name for p in parts] == [f"part-{i:05d}.jsonl" for i in range(8)]
    assert b"".join(p.read_bytes() for p in parts) == reference
    # crossval reads the directory of partitions
    a, b = tmp_path / "dask.json", tmp_path / "local.json"
    ref = tmp_path / "ref.jsonl"
    ref.write_bytes(reference)
    assert cli.main(["crossval", str(out), "-o", str(a)]) == 0
    assert cli.main(["crossval", str(ref), "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
