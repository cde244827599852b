"""The command line: ``cbafacts extract``, ``cbafacts crossval``, ``cbafacts langs``.

The real console script runs through ``subprocess`` where the process
matters (exit status, stdin, determinism across interpreters); the rest calls
``cbafacts.cli.main`` in-process, sharing the session's Extractor (building
the Indonesian pipeline alone takes seconds).

Expected values were read off the texts by hand (shared/spec/formats.md and
metrics.md).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cbafacts import cli

ROOT = Path(__file__).resolve().parents[1]
CBAFACTS = Path(sys.executable).parent / "cbafacts"
EN_SEED = "000_76fd66fdbd55d08e"
ID_SEED = "004_1394d275d59fc066"
#: the seed articles among corpus/raw's files (the others are <lang>_NN.txt)
SEED_GLOB = "0*_*.txt"

ERROR_KEYS = ["id", "source", "lang", "claims", "error"]

EN_J1 = "In 2024, the average answer rate was 94.18%, a 1.3% increase compared to 2023."
EN_J3 = "In 2024, 31% of centers have completed internal deployment of large models."
ID_SATISF = "Tingkat kepuasan nasabah mencapai 99,46%."
ZH_SATISF = "2024年，人工电话客户满意度为99.46%。"


def run_cli(args, *, cwd=ROOT, input=None, hashseed=None, timeout=300):
    assert CBAFACTS.is_file(), f"console script {CBAFACTS} not installed (pip install -e .)"
    env = dict(os.environ)
    if hashseed is not None:
        env["PYTHONHASHSEED"] = str(hashseed)
    return subprocess.run([str(CBAFACTS), *args], cwd=cwd, input=input, capture_output=True,
                          timeout=timeout, env=env)


def lines_of(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.endswith("\n") or not text
    return [json.loads(line) for line in text.splitlines()]


def assert_error_record(rec: dict, type_: str) -> None:
    assert [k for k in rec if k != "meta"] == ERROR_KEYS, rec
    assert rec["lang"] is None
    assert rec["claims"] == []
    assert rec["error"]["type"] == type_, rec["error"]
    assert isinstance(rec["error"]["message"], str) and rec["error"]["message"]


def assert_offsets(rec: dict) -> None:
    text = rec["text"]
    for c in rec["claims"]:
        assert text[c["start"]:c["end"]] == c["text"], c
        s0, s1 = c["sentence"]
        assert s0 <= c["start"] < c["end"] <= s1, c
    assert [c["start"] for c in rec["claims"]] == sorted(c["start"] for c in rec["claims"])


@pytest.fixture
def fast_cli(monkeypatch, extractor):
    """``cli.main`` in-process, its Extractor replaced by the session's when
    the options are the defaults (same routing, backend and limits)."""
    real = cli.Extractor

    def make(*, routing=None, backend=None, max_chars=5_000_000):
        if routing is None and backend is None and max_chars == 5_000_000:
            return extractor
        return real(routing=routing, backend=backend, max_chars=max_chars)

    monkeypatch.setattr(cli, "Extractor", make)
    return cli.main


# --------------------------------------------------------------------------
# extract corpus/raw: determinism, order, offsets
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_runs() -> tuple[bytes, bytes]:
    """Two runs of ``cbafacts extract`` over the seed articles of corpus/raw
    in separate interpreters (different hash seeds), in parallel."""
    env1 = dict(os.environ, PYTHONHASHSEED="1")
    env2 = dict(os.environ, PYTHONHASHSEED="2")
    procs = [subprocess.Popen([str(CBAFACTS), "extract", "corpus/raw", "--glob", SEED_GLOB, "-q"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for env in (env1, env2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode("utf-8", "replace")
        outs.append(out)
    return outs[0], outs[1]


def test_corpus_two_runs_byte_identical(corpus_runs):
    a, b = corpus_runs
    assert a and a == b


def test_corpus_output_in_sorted_input_order(corpus_runs, seeds_dir):
    recs = lines_of(corpus_runs[0])
    stems = sorted(p.stem for p in seeds_dir.glob(SEED_GLOB))
    assert [r["id"] for r in recs] == stems == [EN_SEED, ID_SEED]
    assert [r["source"] for r in recs] == [f"corpus/raw/{s}.txt" for s in stems]
    for r in recs:
        assert r["error"] is None


def test_corpus_records_text_offsets(corpus_runs, seeds_dir):
    for rec in lines_of(corpus_runs[0]):
        # the text is the file's text, unchanged
        assert rec["text"] == (seeds_dir / f"{rec['id']}.txt").read_text(encoding="utf-8")
        assert rec["claims"]
        assert_offsets(rec)


def test_corpus_record_fields(corpus_runs):
    en, id_ = lines_of(corpus_runs[0])
    assert (en["lang"], id_["lang"]) == ("en", "id")
    # the English page says only "August 7th": no full date
    assert en["published"] is None
    # the Indonesian page has the date line "2024-07-22"
    assert id_["published"] == "2024-07-22"
    assert en["backend"] == id_["backend"] == "spacy"


def test_in_process_same_as_console_script(corpus_runs, fast_cli, tmp_path):
    out = tmp_path / "out.jsonl"
    assert fast_cli(["extract", str(ROOT / "corpus" / "raw"), "--glob", SEED_GLOB, "-q", "-o", str(out)]) == 0
    got = lines_of(out.read_bytes())
    want = lines_of(corpus_runs[0])
    for g, w in zip(got, want):
        g.pop("source"), w.pop("source")
    assert got == want


# --------------------------------------------------------------------------
# extract on a directory with bad files
# --------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + b"\x00" * 64


def jl(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, seeds_dir) -> Path:
    """tmp/mixed: the two seeds, bad files, two JSONL files, a README."""
    base = tmp_path_factory.mktemp("cli")
    d = base / "mixed"
    d.mkdir()
    for stem in (EN_SEED, ID_SEED):
        shutil.copyfile(seeds_dir / f"{stem}.txt", d / f"{stem}.txt")
    (d / "010_empty.txt").write_bytes(b"")
    (d / "020_image.txt").write_bytes(PNG)  # a PNG under a .txt name
    (d / "030_latin1.txt").write_bytes("In 2024, the café answer rate was 94.18%.".encode("latin-1"))
    (d / "040_batch.jsonl").write_text(
        jl({"id": "j1", "text": EN_J1}) + "\n"
        + '{"id": "j2", "text": "unterminated\n'
        + jl({"id": "j3", "text": EN_J3}) + "\n",
        encoding="utf-8")
    (d / "050_notext.jsonl").write_text(jl({"id": "nt", "title": "a record with no text"}) + "\n",
                                        encoding="utf-8")
    (d / "README.txt").write_text("Test articles; this file is not one.\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def mixed_run(mixed) -> subprocess.CompletedProcess:
    return run_cli(["extract", "mixed"], cwd=mixed.parent)


def test_mixed_exit_status_zero(mixed_run):
    assert mixed_run.returncode == 0, mixed_run.stderr.decode("utf-8", "replace")


def test_mixed_one_line_per_article_in_order(mixed_run):
    recs = lines_of(mixed_run.stdout)
    # 2 seeds + 3 bad files + 3 lines of 040_batch.jsonl + 1 of 050; no README
    assert len(recs) == 9
    ids = [r["id"] for r in recs]
    assert ids[:5] == [EN_SEED, ID_SEED, "010_empty", "020_image", "030_latin1"]
    assert ids[5] == "j1" and ids[7:] == ["j3", "nt"]
    assert "README" not in ids


def test_mixed_error_records(mixed_run):
    recs = lines_of(mixed_run.stdout)
    by_id = {r["id"]: r for r in recs}
    assert_error_record(by_id["010_empty"], "empty")
    assert_error_record(by_id["020_image"], "binary")
    assert_error_record(by_id["030_latin1"], "encoding")
    assert by_id["010_empty"]["source"] == "mixed/010_empty.txt"
    bad = recs[6]
    assert_error_record(bad, "bad_json")
    # a line with no usable id: FILE:LINE
    assert bad["source"].endswith("040_batch.jsonl")
    assert bad["id"] == f"{bad['source']}:2"
    assert_error_record(by_id["nt"], "missing_text")
    assert sum(r["error"] is not None for r in recs) == 5


def test_mixed_good_records(mixed_run):
    recs = lines_of(mixed_run.stdout)
    good = [r for r in recs if r["error"] is None]
    assert [r["id"] for r in good] == [EN_SEED, ID_SEED, "j1", "j3"]
    for r in good:
        assert_offsets(r)
    j1 = good[2]
    assert j1["text"] == EN_J1 and j1["lang"] == "en"
    assert [(c["value"], c["kind"], c["metric"], c["period"]) for c in j1["claims"]] == [
        (94.18, "level", "service.call_answer_rate", "2024"),
        (1.3, "change", "service.call_answer_rate", "2024"),
    ]
    j3 = good[3]
    # "31% ... have completed internal deployment of large models" (2024)
    assert [(c["value"], c["metric"], c["period"]) for c in j3["claims"]] == [
        (31.0, "ai.large_model_deployed_share", "2024")]


def test_mixed_good_records_same_as_alone(mixed_run, mixed, fast_cli, monkeypatch, tmp_path):
    raw = mixed_run.stdout.decode("utf-8").splitlines()
    monkeypatch.chdir(mixed.parent)
    for i, stem in enumerate((EN_SEED, ID_SEED)):
        out = tmp_path / f"{stem}.jsonl"
        assert fast_cli(["extract", f"mixed/{stem}.txt", "-q", "-o", str(out)]) == 0
        alone = out.read_text(encoding="utf-8").splitlines()
        assert alone == [raw[i]]  # byte for byte, source included
    # a JSONL line alone (in a file of its own: only the source differs)
    solo = tmp_path / "solo.jsonl"
    solo.write_text(jl({"id": "j1", "text": EN_J1}) + "\n", encoding="utf-8")
    out = tmp_path / "solo.out.jsonl"
    assert fast_cli(["extract", str(solo), "-q", "-o", str(out)]) == 0
    (alone,) = lines_of(out.read_bytes())
    mixed_j1 = json.loads(raw[5])
    assert alone.pop("source") == str(solo)
    mixed_j1.pop("source")
    assert alone == mixed_j1


def test_strict_exit_status(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(EN_J1, encoding="utf-8")
    (d / "b.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    proc = run_cli(["extract", "in", "--strict", "-q", "-o", str(out)], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    # every article still written
    recs = lines_of(out.read_bytes())
    assert [r["id"] for r in recs] == ["a", "b"]
    assert recs[0]["error"] is None
    assert_error_record(recs[1], "empty")


def test_strict_without_errors_exits_zero(fast_cli, tmp_path):
    (tmp_path / "a.txt").write_text(EN_J1, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert fast_cli(["extract", str(tmp_path / "a.txt"), "--strict", "-q", "-o", str(out)]) == 0


def test_missing_input_is_usage_error(fast_cli, tmp_path, capsys):
    missing = tmp_path / "nope"
    rc = fast_cli(["extract", str(missing), "-q"])
    assert rc != 0
    assert str(missing) in capsys.readouterr().err


# --------------------------------------------------------------------------
# JSONL and stdin
# --------------------------------------------------------------------------


def test_stdin_jsonl(tmp_path):
    data = "\n".join([
        jl({"id": "s1", "text": EN_J1, "url": "http://example.org/s1"}),
        jl({"text": EN_J3}),
        "",
        jl({"id": "s1", "text": "In 2024, the client satisfaction rate was 99.46%."}),
        "   ",
        jl({"id": "s4", "text": ZH_SATISF, "lang": "zh"}),
    ]) + "\n"
    proc = run_cli(["extract", "-", "-q"], cwd=tmp_path, input=data.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    recs = lines_of(proc.stdout)
    # blank lines skipped; every other line is an article
    assert [r["id"] for r in recs] == ["s1", "-:2", "s1", "s4"]
    assert recs[0]["source"] == "-"
    # other fields are carried through as meta
    assert recs[0]["meta"] == {"url": "http://example.org/s1"}
    assert [c["value"] for c in recs[0]["claims"]] == [94.18, 1.3]
    assert [c["value"] for c in recs[1]["claims"]] == [31.0]
    # the second s1 is a duplicate
    assert_error_record(recs[2], "duplicate_id")
    # "lang" of the line is used (人工电话客户满意度 = satisfaction with human-agent calls)
    assert recs[3]["lang"] == "zh" and recs[3]["lang_confidence"] is not None
    assert [(c["value"], c["metric"], c["period"]) for c in recs[3]["claims"]] == [
        (99.46, "service.customer_satisfaction", "2024")]


def test_jsonl_file_line_without_id(fast_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text(
        jl({"id": "first", "text": EN_J1}) + "\n"
        + jl({"text": EN_J3}) + "\n"
        + jl({"id": "", "text": EN_J3}) + "\n"
        + jl({"id": "first", "text": EN_J3}) + "\n",
        encoding="utf-8")
    assert fast_cli(["extract", "in.jsonl", "-q", "-o", "out.jsonl"]) == 0
    recs = lines_of(Path("out.jsonl").read_bytes())
    assert [r["id"] for r in recs] == ["first", "in.jsonl:2", "in.jsonl:3", "first"]
    assert recs[1]["error"] is None and recs[2]["error"] is None
    assert_error_record(recs[3], "duplicate_id")


def test_duplicate_id_across_inputs(fast_cli, tmp_path, monkeypatch):
    # a .txt file "a" and a JSONL line with id "a": the second gets the error
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(EN_J1, encoding="utf-8")
    Path("b.jsonl").write_text(jl({"id": "a", "text": EN_J3}) + "\n", encoding="utf-8")
    assert fast_cli(["extract", "a.txt", "b.jsonl", "-q", "-o", "out.jsonl"]) == 0
    recs = lines_of(Path("out.jsonl").read_bytes())
    assert [r["id"] for r in recs] == ["a", "a"]
    assert recs[0]["error"] is None
    assert_error_record(recs[1], "duplicate_id")
    assert recs[1]["source"] == "b.jsonl"


def test_lang_override(fast_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        jl({"id": "no-lang", "text": ID_SATISF}) + "\n"
        + jl({"id": "stated", "text": EN_J1, "lang": "en"}) + "\n",
        encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert fast_cli(["extract", str(src), "--lang", "id", "-q", "-o", str(out)]) == 0
    recs = lines_of(out.read_bytes())
    # --lang applies to articles that state no language ...
    assert recs[0]["lang"] == "id"
    assert [(c["text"], c["value"], c["metric"]) for c in recs[0]["claims"]] == [
        ("99,46%", 99.46, "service.customer_satisfaction")]
    # ... and a line's own "lang" wins
    assert recs[1]["lang"] == "en"
    assert [c["value"] for c in recs[1]["claims"]] == [94.18, 1.3]


def test_lang_override_on_text_file(fast_cli, tmp_path):
    # digits only: detection cannot tell, --lang can
    f = tmp_path / "n.txt"
    f.write_text("2023: 92,88%\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert fast_cli(["extract", str(f), "--lang", "id", "-q", "-o", str(out)]) == 0
    (rec,) = lines_of(out.read_bytes())
    assert rec["lang"] == "id"
    assert [(c["text"], c["value"], c["unit"]) for c in rec["claims"]] == [("92,88%", 92.88, "percent")]


def test_bom_dropped_offsets_after_it(fast_cli, tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + EN_J1.encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert fast_cli(["extract", str(f), "-q", "-o", str(out)]) == 0
    (rec,) = lines_of(out.read_bytes())
    assert rec["text"] == EN_J1
    assert rec["claims"][0]["start"] == EN_J1.index("94.18%")


def test_stdout_default_and_summary(fast_cli, tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(EN_J1, encoding="utf-8")
    assert fast_cli(["extract", str(f)]) == 0
    cap = capsys.readouterr()
    (rec,) = lines_of(cap.out.encode("utf-8"))
    assert rec["id"] == "a"
    assert "1 articles" in cap.err or "1 article" in cap.err


# --------------------------------------------------------------------------
# crossval
# --------------------------------------------------------------------------


@pytest.fixture
def corpus_out(corpus_runs, tmp_path) -> Path:
    p = tmp_path / "extract.jsonl"
    p.write_bytes(corpus_runs[0])
    return p


def test_crossval_report(fast_cli, corpus_out, tmp_path):
    report_path = tmp_path / "report.json"
    assert fast_cli(["crossval", str(corpus_out), "-o", str(report_path)]) == 0
    rep = json.loads(report_path.read_text(encoding="utf-8"))
    assert {"facts", "derived", "checks"} <= set(rep)
    facts = {(f["metric"], f["period"]): f for f in rep["facts"]}
    # 2024 (English) and 2023 (Indonesian), one article each
    assert facts[("service.call_answer_rate", "2024")]["value"] == 94.18
    assert facts[("service.call_answer_rate", "2023")]["value"] == 92.88
    assert facts[("staff.customer_service_agents", "2023")]["value"] == 41700
    # 37 banks, written three times in one article: still "single"
    renamed = facts[("remote_banking.renamed_centers", "2024")]
    assert renamed["value"] == 37 and renamed["status"] == "single"
    assert len(renamed["claims"]) == 3
    assert all(f["status"] == "single" for f in rep["facts"])
    for f in rep["facts"]:
        for c in f["claims"]:
            assert set(c) >= {"id", "lang", "start", "end", "value"}

    def derived(metric, period):
        return [d for d in rep["derived"] if d["metric"] == metric and d["period"] == period]

    # "a 4% increase compared to 2023" on the 44% share (written twice):
    # pp 44 - 4 = 40, relative 44 / 1.04 = 42.3077
    share = derived("remote_banking.renamed_share", "2023")
    assert {d["reading"] for d in share} == {"pp", "relative"}
    for d in share:
        want = 40.0 if d["reading"] == "pp" else 44 / 1.04
        assert d["value"] == pytest.approx(want, abs=1e-4)
        assert d["from"]["id"] == EN_SEED
        assert set(d["from"]) >= {"id", "start", "end"}
    # "turun 4,79%" on a count metric: relative only, 41700 / (1 - 0.0479)
    agents = derived("staff.customer_service_agents", "2022")
    assert [d["reading"] for d in agents] == ["relative"]
    assert agents[0]["value"] == pytest.approx(41700 / 0.9521, rel=1e-6)
    # "meningkat 10 poin persentase" on the 40% share: pp only, 40 - 10 = 30
    pts = derived("remote_banking.renamed_share", "2022")
    assert [d["reading"] for d in pts] == ["pp"]
    assert pts[0]["value"] == pytest.approx(30.0)

    def checks(metric):
        return {(c["reading"], c["status"]) for c in rep["checks"]
                if c["metric"] == metric and c["period"] == "2023"}

    # 2024's implied 2023 values against 2023's own: points agree, relative not
    assert checks("remote_banking.renamed_share") == {("pp", "agrees"), ("relative", "disagrees")}
    assert checks("service.call_answer_rate") == {("pp", "agrees"), ("relative", "disagrees")}


def test_crossval_stdout_and_stdin(fast_cli, corpus_out, capsys, monkeypatch):
    import io

    assert fast_cli(["crossval", str(corpus_out)]) == 0
    from_file = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus_out.read_bytes()), encoding="utf-8"))
    assert fast_cli(["crossval", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file


def test_crossval_table(fast_cli, corpus_out, capsys):
    assert fast_cli(["crossval", str(corpus_out), "--table"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "period", "value", "status", "articles"]
    row = next(line for line in lines if line.startswith("service.call_answer_rate") and " 2024 " in line)
    assert row.split() == ["service.call_answer_rate", "2024", "94.18", "single", EN_SEED]
    assert "derived" in out and "agrees" in out


def test_crossval_skips_error_records(fast_cli, mixed_run, tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(mixed_run.stdout)
    out = tmp_path / "r.json"
    assert fast_cli(["crossval", str(src), "-o", str(out)]) == 0
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["summary"]["skipped"] == 5
    assert rep["summary"]["articles"] == 4


# --------------------------------------------------------------------------
# help and langs
# --------------------------------------------------------------------------


def help_of(args, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 0
    return capsys.readouterr().out


def test_help_top_level(capsys):
    out = help_of(["--help"], capsys)
    for cmd in ("extract", "crossval", "langs"):
        assert cmd in out


def test_help_extract_mentions_input_forms(capsys):
    out = help_of(["extract", "--help"], capsys)
    for form in (".txt", ".html", ".jsonl", "DIR", "stdin", "--lang", "--strict"):
        assert form in out, form


def test_help_crossval_mentions_input(capsys):
    out = help_of(["crossval", "--help"], capsys)
    for form in ("OUT.jsonl", "extract", "stdin", "--table", "--output"):
        assert form in out, form


def test_help_langs(capsys):
    out = help_of(["langs", "--help"], capsys)
    assert "--routing" in out


def test_langs(capsys):
    assert cli.main(["langs"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:] if line and not line.startswith("other")}
    for lang in ("en", "id", "zh"):
        assert lang in rows
        assert rows[lang][1] == "spacy"
