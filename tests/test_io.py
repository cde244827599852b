"""Tests for cbafacts.io: lazy input reading, error records, HTML text."""

from __future__ import annotations

import io
import json
import os
import types
from pathlib import Path
from typing import Any

import pytest

import cbafacts.io as cio
from cbafacts.io import InputError, html_to_text, iter_articles
from cbafacts.model import ArticleError, InputArticle

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def read_all(*inputs: Any, **kwargs: Any) -> list[InputArticle | InputError]:
    return list(iter_articles([str(p) if isinstance(p, Path) else p for p in inputs], **kwargs))


def error_type(record: InputArticle | InputError) -> str | None:
    return record.error.type if isinstance(record, InputError) else None


# ---------------------------------------------------------------- plain files


def test_txt_file_id_source_and_exact_text(tmp_path: Path) -> None:
    path = write(tmp_path / "000_abc.txt", "Bank Report: 44%\nline two\n")
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.id == "000_abc"
    assert rec.source == str(path)
    assert rec.text == "Bank Report: 44%\nline two\n"
    assert rec.lang is None and rec.meta is None


def test_seed_files_read_byte_for_byte() -> None:
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths, "seed articles missing"
    records = read_all(*paths)
    for path, rec in zip(paths, records):
        assert isinstance(rec, InputArticle)
        assert rec.id == path.stem
        assert rec.text == path.read_bytes().decode("utf-8")


def test_bom_dropped_and_offsets_count_after_it(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbfShare 44%, up 4%")
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.text == "Share 44%, up 4%"
    assert rec.text[6:9] == "44%"
    assert not rec.text.startswith("\ufeff")


def test_only_leading_bom_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom2.txt", b"ab\xef\xbb\xbfcd")
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.text == "ab\ufeffcd"


def test_crlf_and_unicode_kept_as_is(tmp_path: Path) -> None:
    raw = "line one\r\nline two\rthree\ne\u0301 \u00a0 \u2028x\r\n"
    path = write(tmp_path / "crlf.txt", raw)
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.text == raw  # no newline conversion, no NFC


def test_md_and_unknown_extension_given_directly(tmp_path: Path) -> None:
    md = write(tmp_path / "note.md", "# Title\nBody text")
    other = write(tmp_path / "article.text", "Body text")
    recs = read_all(md, other)
    assert [r.id for r in recs] == ["note", "article"]
    assert all(isinstance(r, InputArticle) for r in recs)


def test_file_given_in_subdirectory_uses_file_name(tmp_path: Path) -> None:
    path = write(tmp_path / "corpus" / "raw" / "x.txt", "text")
    [rec] = read_all(path)
    assert rec.id == "x"
    assert rec.source == str(path)


# ---------------------------------------------------------------- error types


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
def test_empty(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "e.txt", data)
    [rec] = read_all(path)
    assert isinstance(rec, InputError)
    assert rec.error.type == "empty"
    assert rec.id == "e" and rec.source == str(path)
    assert str(path) in rec.error.message


@pytest.mark.parametrize(
    "data",
    [
        b"Some text\x00more text",  # a NUL byte
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image header
        bytes(range(256)) * 4,  # binary and invalid UTF-8: binary wins
        b"ok " + b"\x01\x02\x03\x1b" * 10 + b" text",  # > 10 % control bytes, no NUL
    ],
)
def test_binary(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "b.txt", data)
    [rec] = read_all(path)
    assert isinstance(rec, InputError)
    assert rec.error.type == "binary", rec.error.message
    assert str(path) in rec.error.message


def test_few_control_bytes_are_not_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "c.txt", b"x" * 100 + b"\x1b\x07" + b"\t\n\r\f" * 20)
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)


def test_encoding_error_names_byte_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "enc.txt", "Bank 44% ".encode() + b"\xff\xfe tail")
    [rec] = read_all(path)
    assert isinstance(rec, InputError)
    assert rec.error.type == "encoding"
    assert "byte offset 9" in rec.error.message
    assert str(path) in rec.error.message


def test_encoding_offset_counts_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "enc.txt", b"\xef\xbb\xbfab\xc3(")
    [rec] = read_all(path)
    assert isinstance(rec, InputError) and rec.error.type == "encoding"
    assert "byte offset 5" in rec.error.message


def test_latin1_file_is_encoding_not_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "l1.txt", "Société Générale: hausse de 4 %".encode("latin-1"))
    [rec] = read_all(path)
    assert error_type(rec) == "encoding"


def test_utf16_file_is_an_encoding_error(tmp_path: Path) -> None:
    path = write(tmp_path / "u16.txt", "Bank 44%".encode("utf-16"))
    [rec] = read_all(path)
    assert error_type(rec) == "encoding"
    assert "UTF-16" in rec.error.message  # type: ignore[union-attr]


def test_too_large_file(tmp_path: Path) -> None:
    small = write(tmp_path / "ok.txt", b"x" * 10)
    big = write(tmp_path / "big.txt", b"x" * 11)
    recs = read_all(small, big, max_bytes=10)
    assert isinstance(recs[0], InputArticle)
    assert error_type(recs[1]) == "too_large"
    assert str(big) in recs[1].error.message  # type: ignore[union-attr]


class _ReadSpy:
    """A file wrapper that records how many bytes were asked of ``read``."""

    def __init__(self, fh: Any, log: list[Any]) -> None:
        self._fh = fh
        self._log = log

    def read(self, n: int = -1) -> bytes:
        self._log.append(n)
        data: bytes = self._fh.read(n)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> "_ReadSpy":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._fh.close()


def test_too_large_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(3_000_000_000)  # sparse: 3 GB on paper
    reads: list[Any] = []
    real_open = open
    monkeypatch.setattr(
        cio, "open", lambda *a, **k: _ReadSpy(real_open(*a, **k), reads), raising=False
    )
    [rec] = read_all(path)
    assert error_type(rec) == "too_large"
    assert reads == []  # decided from the size, nothing read
    assert "3000000000 bytes" in rec.error.message  # type: ignore[union-attr]


def test_missing_path_raises(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", "text")
    gen = iter_articles([str(good), str(tmp_path / "nope")])
    with pytest.raises(FileNotFoundError, match="nope"):
        next(gen)  # raised before the first article, not after it


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(iter_articles([str(tmp_path / "no_dir") + "/"]))


def test_single_path_instead_of_sequence_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        next(iter_articles(str(tmp_path)))  # a str is a Sequence[str]: checked at run time


# ---------------------------------------------------------------- JSONL


def jsonl(*lines: Any) -> bytes:
    out = []
    for line in lines:
        out.append(line if isinstance(line, (bytes, str)) else json.dumps(line, ensure_ascii=False))
    return "\n".join(
        o.decode("utf-8", "surrogateescape") if isinstance(o, bytes) else o for o in out
    ).encode("utf-8", "surrogateescape")


def test_jsonl_meta_and_lang(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        jsonl(
            {
                "id": "a1",
                "text": "Bank 44%",
                "lang": "zh",
                "url": "http://x",
                "extra": {"n": [1, 2]},
            },
            {"id": "a2", "text": "Bank 45%"},
            {"id": "a3", "text": "Bank 46%", "lang": None, "published": "2024-07-22"},
        ),
    )
    a1, a2, a3 = read_all(path)
    assert (
        isinstance(a1, InputArticle)
        and isinstance(a2, InputArticle)
        and isinstance(a3, InputArticle)
    )
    assert (a1.id, a1.text, a1.lang, a1.source) == ("a1", "Bank 44%", "zh", str(path))
    assert a1.meta == {"url": "http://x", "extra": {"n": [1, 2]}}
    assert a2.lang is None and a2.meta is None
    assert a3.lang is None and a3.meta == {"published": "2024-07-22"}


def test_jsonl_text_kept_exactly(tmp_path: Path) -> None:
    text = "\ufeffline\r\nnext e\u0301 \u2028 end"
    path = write(tmp_path / "in.jsonl", jsonl({"id": "x", "text": text}))
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.text == text


def test_jsonl_fallback_ids_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        jsonl(
            {"text": "no id"},  # line 1
            "",  # line 2, skipped
            "   \t",  # line 3, skipped
            {"id": "", "text": "empty id"},  # line 4
            {"id": None, "text": "null id"},  # line 5
            {"id": ["x"], "text": "list id"},  # line 6
            {"id": True, "text": "bool id"},  # line 7
            {"id": 17, "text": "int id"},  # line 8
            {"id": "  ", "text": "blank id"},  # line 9
        )
        + b"\n\n",
    )
    recs = read_all(path)
    name = str(path)
    assert [r.id for r in recs] == [
        f"{name}:1",
        f"{name}:4",
        f"{name}:5",
        f"{name}:6",
        f"{name}:7",
        "17",
        f"{name}:9",
    ]
    assert all(isinstance(r, InputArticle) for r in recs)


def test_jsonl_fallback_id_uses_file_name_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "in.jsonl", jsonl({"text": "a"}, {"text": "b"}))
    monkeypatch.chdir(tmp_path)
    recs = list(iter_articles(["in.jsonl"]))
    assert [r.id for r in recs] == ["in.jsonl:1", "in.jsonl:2"]
    assert [r.source for r in recs] == ["in.jsonl", "in.jsonl"]


def test_jsonl_errors_do_not_stop_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        jsonl(
            {"id": "good1", "text": "first"},  # 1
            "{not json",  # 2
            "[1, 2]",  # 3
            '"just a string"',  # 4
            {"id": "nt", "title": "no text"},  # 5
            {"id": "num", "text": 42},  # 6
            b'{"id": "enc", "text": "caf\xe9"}',  # 7
            {"id": "blank", "text": "  \n "},  # 8
            {"id": "nul", "text": "a\u0000b"},  # 9
            {"id": "good2", "text": "last"},  # 10
        ),
    )
    recs = read_all(path)
    name = str(path)
    assert [(r.id, error_type(r)) for r in recs] == [
        ("good1", None),
        (f"{name}:2", "bad_json"),
        (f"{name}:3", "bad_json"),
        (f"{name}:4", "bad_json"),
        ("nt", "missing_text"),
        ("num", "missing_text"),
        (f"{name}:7", "encoding"),
        ("blank", "empty"),
        ("nul", "binary"),
        ("good2", None),
    ]
    for rec in recs:
        if isinstance(rec, InputError):
            assert rec.source == name
            assert name in rec.error.message
    lineno = {r.id: r for r in recs}
    assert "line 2" in lineno[f"{name}:2"].error.message  # type: ignore[union-attr]
    assert "array" in lineno[f"{name}:3"].error.message  # type: ignore[union-attr]
    assert "line 5" in lineno["nt"].error.message  # type: ignore[union-attr]
    assert "byte offset" in lineno[f"{name}:7"].error.message  # type: ignore[union-attr]


def test_jsonl_too_large_line_is_skipped_not_fatal(tmp_path: Path) -> None:
    long_line = json.dumps({"id": "long", "text": "x" * 5000})
    path = write(
        tmp_path / "in.jsonl",
        jsonl({"id": "a", "text": "ok"}, long_line, {"id": "b", "text": "ok too"}, long_line),
    )
    recs = read_all(path, max_bytes=200)
    name = str(path)
    assert [(r.id, error_type(r)) for r in recs] == [
        ("a", None),
        (f"{name}:2", "too_large"),
        ("b", None),
        (f"{name}:4", "too_large"),
    ]
    assert "line 2" in recs[1].error.message  # type: ignore[union-attr]


def test_jsonl_line_exactly_at_limit(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "text": "x"})
    path = write(
        tmp_path / "in.jsonl", (line + "\n" + line.replace('"a"', '"b"') + "\r\n").encode()
    )
    recs = read_all(path, max_bytes=len(line) + 1)  # the \r of the CRLF counts
    assert [error_type(r) for r in recs] == [None, None]
    recs = read_all(path, max_bytes=len(line))
    assert [error_type(r) for r in recs] == [None, "too_large"]


def test_jsonl_crlf_and_bom(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        b'\xef\xbb\xbf{"id": "a", "text": "x"}\r\n{"id": "b", "text": "y"}\r\n',
    )
    recs = read_all(path)
    assert [(r.id, error_type(r)) for r in recs] == [("a", None), ("b", None)]


def test_stdin_binary_and_text(tmp_path: Path) -> None:
    data = jsonl({"id": "s1", "text": "one"}, "oops", {"text": "three"})
    for stream in (io.BytesIO(data), io.StringIO(data.decode())):
        recs = list(iter_articles(["-"], stdin=stream))
        assert [(r.id, r.source, error_type(r)) for r in recs] == [
            ("s1", "-", None),
            ("-:2", "-", "bad_json"),
            ("-:3", "-", None),
        ]


def test_stdin_text_stream_with_buffer(tmp_path: Path) -> None:
    raw = io.BytesIO(jsonl({"id": "s1", "text": "caf\u00e9"}))
    wrapper = io.TextIOWrapper(raw, encoding="latin-1")  # the buffer is read, not the wrapper
    [rec] = list(iter_articles(["-"], stdin=wrapper))
    assert isinstance(rec, InputArticle) and rec.text == "caf\u00e9"


# ---------------------------------------------------------------- duplicates


def test_duplicate_ids(tmp_path: Path) -> None:
    first = write(tmp_path / "x" / "a.txt", "first")
    second = write(tmp_path / "y" / "a.txt", "second")
    lines = write(
        tmp_path / "in.jsonl", jsonl({"id": "a", "text": "third"}, {"id": "b", "text": "ok"})
    )
    recs = read_all(first, second, lines)
    assert [(r.id, error_type(r)) for r in recs] == [
        ("a", None),
        ("a", "duplicate_id"),
        ("a", "duplicate_id"),
        ("b", None),
    ]
    assert recs[1].source == str(second)
    assert "'a'" in recs[1].error.message and str(second) in recs[1].error.message  # type: ignore[union-attr]


def test_duplicate_ids_within_jsonl_and_after_an_error(tmp_path: Path) -> None:
    empty = write(tmp_path / "e.txt", b"")
    lines = write(
        tmp_path / "in.jsonl",
        jsonl({"id": "k", "text": "x"}, {"id": "k", "text": "y"}, {"id": "e", "text": "z"}),
    )
    recs = read_all(empty, lines)
    assert [(r.id, error_type(r)) for r in recs] == [
        ("e", "empty"),
        ("k", None),
        ("k", "duplicate_id"),
        ("e", "duplicate_id"),
    ]


def test_same_file_twice_is_a_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "text")
    recs = read_all(path, path)
    assert [error_type(r) for r in recs] == [None, "duplicate_id"]


# ---------------------------------------------------------------- directories


def make_tree(root: Path) -> None:
    write(root / "b.txt", "b")
    write(root / "a.txt", "a")
    write(root / "a-b.txt", "a-b")
    write(root / "A.txt", "A")
    write(root / "a" / "z.txt", "a/z")
    write(root / "a" / "y.htm", "<p>a/y</p>")
    write(root / "sub" / "deep" / "x.html", "<html><body><p>x</p></body></html>")
    write(root / "data.jsonl", jsonl({"id": "j1", "text": "j1"}, {"id": "j2", "text": "j2"}))
    write(root / "README.md", "# not an article")
    write(root / "README.txt", "not an article")
    write(root / "sub" / "readme.html", "<p>not an article</p>")
    write(root / "notes.md", "an article only with a glob")
    write(root / "sub" / "more.md", "another md")
    write(root / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / ".hidden.txt", "hidden")
    write(root / ".git" / "x.txt", "vcs")


def test_directory_recursion_order_and_exclusions(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    make_tree(root)
    recs = read_all(root)
    assert [r.id for r in recs] == ["A", "a-b", "a", "a/y", "a/z", "b", "j1", "j2", "sub/deep/x"]
    assert all(isinstance(r, InputArticle) for r in recs)
    by_id = {r.id: r for r in recs}
    assert by_id["a/z"].text == "a/z"  # type: ignore[union-attr]
    assert by_id["a/z"].source == os.path.join(str(root), "a", "z.txt")
    assert by_id["sub/deep/x"].text == "x"  # type: ignore[union-attr]
    assert by_id["j1"].source == os.path.join(str(root), "data.jsonl")


def test_directory_with_glob(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    make_tree(root)
    recs = read_all(root, glob="*.md")
    assert [r.id for r in recs] == ["notes", "sub/more"]  # README.md still excluded


def test_directory_trailing_slash_source(tmp_path: Path) -> None:
    root = tmp_path / "c"
    write(root / "a.txt", "a")
    [rec] = read_all(str(root) + os.sep)
    assert rec.id == "a"
    assert rec.source == os.path.join(str(root), "a.txt")


def test_good_articles_around_bad_ones_keep_their_order(tmp_path: Path) -> None:
    root = tmp_path / "mix"
    write(root / "1.txt", "good one")
    write(root / "2.txt", b"")
    write(root / "3.txt", b"\x00\x01\x02")
    write(root / "4.txt", b"bad \xff utf8")
    write(root / "5.html", "<script>x()</script>")
    write(root / "6.jsonl", b"{bad\n" + jsonl({"id": "6b", "text": "fine"}))
    write(root / "7.txt", "good seven")
    recs = read_all(root)
    assert [(r.id, error_type(r)) for r in recs] == [
        ("1", None),
        ("2", "empty"),
        ("3", "binary"),
        ("4", "encoding"),
        ("5", "empty"),
        (os.path.join(str(root), "6.jsonl") + ":1", "bad_json"),
        ("6b", None),
        ("7", None),
    ]


def test_same_stem_different_extension_is_a_duplicate(tmp_path: Path) -> None:
    root = tmp_path / "d"
    write(root / "a.html", "<p>html</p>")
    write(root / "a.txt", "text")
    recs = read_all(root)
    assert [(r.id, error_type(r)) for r in recs] == [("a", None), ("a", "duplicate_id")]
    assert recs[0].text == "html"  # type: ignore[union-attr]


# ---------------------------------------------------------------- laziness


def test_iter_articles_is_a_lazy_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lazy"
    for name in ("a.txt", "b.txt", "c.txt"):
        write(root / name, name)
    opened: list[str] = []
    real_open = open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.path.basename(str(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(cio, "open", spy_open, raising=False)
    gen = iter_articles([str(root)])
    assert isinstance(gen, types.GeneratorType)
    assert opened == []  # nothing happens before the first next()
    first = next(gen)
    assert first.id == "a"
    assert opened == ["a.txt"]  # b and c not opened yet
    (root / "b.txt").unlink()  # vanishes mid-run
    second = next(gen)
    assert isinstance(second, InputError)
    assert second.id == "b" and second.error.type == "internal"
    assert str(root / "b.txt") in second.error.message
    assert next(gen).id == "c"  # and the batch goes on
    with pytest.raises(StopIteration):
        next(gen)


def test_jsonl_is_read_line_by_line() -> None:
    lines = [json.dumps({"id": f"i{n}", "text": "x" * 100}) for n in range(1000)]
    stream = io.BytesIO("\n".join(lines).encode())
    gen = iter_articles(["-"], stdin=stream)
    assert next(gen).id == "i0"
    assert stream.tell() < 1000  # only the first line has been read
    assert next(gen).id == "i1"
    assert stream.tell() < 2000


def test_over_long_jsonl_line_is_not_held_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    big = b'{"id": "big", "text": "' + b"x" * 3_000_000 + b'"}\n'
    stream = io.BytesIO(big + b'{"id": "after", "text": "ok"}\n')
    sizes: list[int] = []
    real_readline = stream.readline

    def readline(size: int = -1) -> bytes:
        sizes.append(size)
        return real_readline(size)

    monkeypatch.setattr(stream, "readline", readline)
    recs = list(iter_articles(["-"], stdin=stream, max_bytes=1000))
    assert [(r.id, error_type(r)) for r in recs] == [("-:1", "too_large"), ("after", None)]
    assert all(0 < s <= cio._SKIP_CHUNK for s in sizes)  # every read bounded


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Site | Bank Report</title>
<style>p { color: red }</style><script>var x = "<p>44%</p>";</script></head>
<body>
<header><a href="/">Blue Whale</a> <nav><a>Home</a> <a>Finance</a></nav></header>
<nav><ul><li>Menu 1</li><li>Menu 2</li></ul></nav>
<article>
  <header><h1>Bank  Report:
  37 Banks&#39; Centers</h1><time>August 7th</time></header>
  <p>As of December 2024, <b>37</b> banks &amp; centres
     account for 44&#37;,&nbsp;a 4% increase.</p>
  <!-- a comment with 99% -->
  <p>Line one<br>Line two<br><br>After a blank line</p>
  <ul><li>APP: 94%</li><li>WeChat: 86%</li></ul>
  <table><tr><th>Year</th><th>Share</th></tr><tr><td>2023</td><td>40%</td></tr></table>
  <div>Rate<div>nested 94.18%</div></div>
  <noscript>Enable JS 12%</noscript><template><p>tpl 13%</p></template>
  <svg><text>svg 14%</text></svg>
  <form><label>Search</label><input><button>Go</button></form>
  <pre>
code  keeps
   its spaces</pre>
</article>
<aside>Related: 15%</aside>
<footer>Copyright 2024 &copy;</footer>
<script>document.write("16%")</script>
</body></html>
"""

PAGE_TEXT = (
    "Bank Report: 37 Banks' Centers\n"
    "August 7th\n"
    "As of December 2024, 37 banks & centres account for 44%,\u00a0a 4% increase.\n"
    "Line one\n"
    "Line two\n"
    "\n"
    "After a blank line\n"
    "APP: 94%\n"
    "WeChat: 86%\n"
    "Year Share\n"
    "2023 40%\n"
    "Rate\n"
    "nested 94.18%\n"
    "code  keeps\n"
    "   its spaces"
)


def test_html_to_text_drops_boilerplate() -> None:
    assert html_to_text(PAGE) == PAGE_TEXT


def test_html_to_text_is_deterministic() -> None:
    assert len({html_to_text(PAGE) for _ in range(5)}) == 1


def test_html_without_closing_head_and_unclosed_tags() -> None:
    html = "<html><head><title>T</title><body><p>One &lt;two&gt;<p>Three<li>Four</body>"
    assert html_to_text(html) == "One <two>\nThree\nFour"


def test_html_fragment_and_plain_text() -> None:
    assert html_to_text("  plain   text\n\nmore ") == "plain text more"
    assert html_to_text("") == ""
    assert html_to_text("<br><br><p>x</p><br><br>") == "x"


def test_html_file_through_iter_articles(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    [rec] = read_all(path)
    assert isinstance(rec, InputArticle)
    assert rec.id == "page"
    assert rec.text == PAGE_TEXT
    start = rec.text.index("44%")
    assert rec.text[start : start + 3] == "44%"


def test_html_with_no_text_is_empty(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.htm", "<html><head><title>T</title></head><body><nav>menu</nav></body></html>"
    )
    [rec] = read_all(path)
    assert error_type(rec) == "empty"


def test_input_error_is_frozen() -> None:
    err = InputError("a", "a.txt", ArticleError("empty", "a.txt: empty"))
    with pytest.raises(Exception):
        err.id = "b"  # type: ignore[misc]
