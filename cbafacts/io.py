"""Lazy reading of input articles (see ``formats.md``, "Input articles").

:func:`iter_articles` turns a mix of files, directories, JSONL files and
stdin into a stream of :class:`~cbafacts.model.InputArticle` records, one at
a time, in input order. An article that cannot be read becomes an
:class:`InputError` in its place, so output lines == input articles and one
bad article never stops a batch. A path that does not exist is a usage
error and raises :class:`FileNotFoundError` before anything is yielded.

Text is decoded as UTF-8 from bytes; a leading BOM is dropped and nothing
else is changed (no newline conversion, no Unicode normalization), so the
offsets of claims count from the character after the BOM.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, BinaryIO, Iterator, Sequence, TextIO

from .model import ArticleError, InputArticle

__all__ = ["InputError", "iter_articles", "html_to_text", "DEFAULT_MAX_BYTES"]

#: default limit on the size of one file or one JSONL line, in bytes
DEFAULT_MAX_BYTES = 20_000_000

#: extensions of single-article files (lower case, with the dot)
HTML_EXTENSIONS = (".html", ".htm")
JSONL_EXTENSIONS = (".jsonl",)
#: what a directory yields when no glob is given (``.md`` only with a glob)
DIRECTORY_EXTENSIONS = (".txt", ".html", ".htm", ".jsonl")

_BOM = b"\xef\xbb\xbf"
#: how much of the start of a file the binary check looks at
_SNIFF_BYTES = 8192
#: control bytes that are normal in text
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")
_CONTROL_BYTES = frozenset(range(0x20)) - _TEXT_CONTROLS | {0x7F}
_MAX_CONTROL_SHARE = 0.10
#: bytes read at a time while skipping the rest of an over-long JSONL line
_SKIP_CHUNK = 1 << 20


@dataclass(frozen=True)
class InputError:
    """An input article that cannot be read.

    id (str): the article id (``FILE:LINE`` for a JSONL line without one).
    source (str | None): the file it came from as given or joined (``-``
        for stdin).
    error (ArticleError): ``type`` is one of ``empty``, ``binary``,
        ``encoding``, ``too_large``, ``bad_json``, ``missing_text``,
        ``duplicate_id`` or ``internal`` (the file could not be opened or
        read, e.g. it vanished during the run).
    """

    id: str
    source: str | None
    error: ArticleError


class _BadInput(Exception):
    """Internal: raised by the checks, turned into an :class:`InputError`."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


# --------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------


def iter_articles(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    glob: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: TextIO | BinaryIO | None = None,
) -> Iterator[InputArticle | InputError]:
    """Yield the articles of every input, lazily and in input order.

    inputs (Sequence[str | os.PathLike]): files (``.txt``, ``.md``,
        ``.html``/``.htm``: one article; ``.jsonl``: one article a line),
        directories (searched recursively, sorted by relative path) and
        ``-`` for JSONL on stdin. A file with another extension given
        directly is read as plain text.
    glob (str | None): file-name pattern for directories (e.g. ``"*.md"``),
        matched case-sensitively against the file name and against the
        path relative to the directory; replaces the default
        ``.txt``/``.html``/``.htm``/``.jsonl`` selection.
    max_bytes (int): largest file or JSONL line accepted; larger ones give
        a ``too_large`` error without being read whole.
    stdin (TextIO | BinaryIO | None): the stream ``-`` reads; defaults to
        ``sys.stdin`` (its binary buffer when it has one).
    RAISES (FileNotFoundError): when an input path does not exist; checked
        for every input before the first article is yielded.
    YIELDS (InputArticle | InputError): one record per article.
    """
    if isinstance(inputs, (str, bytes, os.PathLike)):
        raise TypeError("inputs must be a sequence of paths, not a single path")
    given = [os.fspath(p) for p in inputs]
    for path in given:
        if path != "-" and not os.path.exists(path):
            raise FileNotFoundError(f"input {path!r} does not exist (no such file or directory)")
    seen: set[str] = set()
    for path in given:
        if path == "-":
            records = _iter_jsonl_stream(_stdin_stream(stdin), "-", max_bytes)
        elif os.path.isdir(path):
            records = _iter_directory(path, glob, max_bytes)
        else:
            records = _iter_file(path, os.path.basename(path), max_bytes)
        for record in records:
            yield _dedupe(record, seen)


def _dedupe(record: InputArticle | InputError, seen: set[str]) -> InputArticle | InputError:
    """Give the second input with an already seen id a ``duplicate_id`` error.

    record (InputArticle | InputError): a record about to be yielded.
    seen (set[str]): ids yielded so far in this run; updated in place.
    RETURNS (InputArticle | InputError): the record, or its error record.
    """
    if record.id in seen:
        return InputError(
            record.id,
            record.source,
            ArticleError(
                "duplicate_id",
                f"{record.source}: id {record.id!r} was already used by an "
                "earlier input in this run",
            ),
        )
    seen.add(record.id)
    return record


# --------------------------------------------------------------------------
# files and directories
# --------------------------------------------------------------------------


def _iter_directory(
    root: str, glob: str | None, max_bytes: int
) -> Iterator[InputArticle | InputError]:
    """Yield the articles of the matching files under ``root``.

    root (str): the directory as given.
    glob (str | None): the pattern replacing the default extensions.
    max_bytes (int): size limit passed on to the readers.
    YIELDS (InputArticle | InputError): records, files in sorted relative
        path order.
    """
    for rel in _walk_sorted(root, "", set()):
        name = rel.rsplit("/", 1)[-1]
        if _is_readme(name) or not _selected(rel, name, glob):
            continue
        source = os.path.join(root, *rel.split("/"))
        yield from _iter_file(source, rel, max_bytes)


def _walk_sorted(root: str, prefix: str, visited: set[tuple[int, int]]) -> Iterator[str]:
    """Walk a directory tree lazily, in sorted order of relative path.

    Only one directory's names are listed at a time. Sorting each level by
    name (with ``/`` appended to directory names) gives exactly the order
    of the full relative path strings. Names starting with ``.`` are
    skipped; a directory reached twice (symlink loop) is walked once.

    root (str): the directory given by the user.
    prefix (str): relative path of the directory being listed ("" or
        ending in ``/``).
    visited (set[tuple[int, int]]): (device, inode) of directories walked.
    YIELDS (str): relative paths of files, ``/``-separated.
    """
    here = os.path.join(root, *prefix.split("/")) if prefix else root
    try:
        st = os.stat(here)
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:
        return
    visited.add(key)
    entries: list[tuple[str, str, bool]] = []
    try:
        with os.scandir(here) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                entries.append((entry.name + "/" if is_dir else entry.name, entry.name, is_dir))
    except OSError:
        return
    entries.sort()
    for _, name, is_dir in entries:
        if is_dir:
            yield from _walk_sorted(root, prefix + name + "/", visited)
        else:
            yield prefix + name


def _is_readme(name: str) -> bool:
    """README, README.md, readme.txt ... are documentation, not articles."""
    return name.split(".", 1)[0].lower() == "readme"


def _selected(rel: str, name: str, glob: str | None) -> bool:
    """Whether a file found in a directory is an input.

    rel (str): path relative to the directory, ``/``-separated.
    name (str): the file name.
    glob (str | None): the user's pattern, or None for the defaults.
    RETURNS (bool): True when the file is read.
    """
    if glob is None:
        return os.path.splitext(name)[1].lower() in DIRECTORY_EXTENSIONS
    return fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(rel, glob)


def _iter_file(source: str, rel: str, max_bytes: int) -> Iterator[InputArticle | InputError]:
    """Yield the article(s) of one file.

    source (str): the path as given or joined.
    rel (str): the path the id is made from (relative to the directory
        given, or the file name).
    max_bytes (int): size limit.
    YIELDS (InputArticle | InputError): one record, or one per line for
        a ``.jsonl`` file.
    """
    stem, ext = os.path.splitext(rel)
    ext = ext.lower()
    if ext in JSONL_EXTENSIONS:
        try:
            stream = open(source, "rb")
        except OSError as exc:
            message = f"{source}: cannot open: {_os_reason(exc)}"
            yield InputError(source, source, ArticleError("internal", message))
            return
        with stream:
            yield from _iter_jsonl_stream(stream, source, max_bytes)
        return
    article_id = stem
    try:
        data = _read_bounded(source, max_bytes)
        text = _decode(data, source)
        if ext in HTML_EXTENSIONS:
            text = html_to_text(text)
            if not text.strip():
                raise _BadInput("empty", f"{source}: no text left after HTML extraction")
    except _BadInput as bad:
        yield InputError(article_id, source, ArticleError(bad.type, bad.message))
        return
    yield InputArticle(id=article_id, text=text, source=source)


def _read_bounded(source: str, max_bytes: int) -> bytes:
    """Read a whole file, refusing it unread when it is over the limit.

    source (str): the path.
    max_bytes (int): largest size accepted.
    RETURNS (bytes): the file's content.
    RAISES (_BadInput): ``too_large`` or ``internal`` (cannot read).
    """
    try:
        with open(source, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise _BadInput(
                    "too_large", f"{source}: file is {size} bytes, over the limit of {max_bytes}"
                )
            # read at most one byte past the limit: the size may have changed,
            # or the file may be a pipe whose size stat cannot tell
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _BadInput("internal", f"{source}: cannot read: {_os_reason(exc)}") from exc
    if len(data) > max_bytes:
        raise _BadInput("too_large", f"{source}: file is over the limit of {max_bytes} bytes")
    return data


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# --------------------------------------------------------------------------
# content checks and decoding
# --------------------------------------------------------------------------


def _decode(data: bytes, where: str) -> str:
    """Check raw bytes and decode them as UTF-8.

    Order: empty (no bytes), binary (decided on the bytes, before decoding),
    encoding, then empty again (only whitespace once decoded).

    data (bytes): the raw content.
    where (str): file (and line) named in messages.
    RETURNS (str): the text, leading BOM dropped, otherwise unchanged.
    RAISES (_BadInput): ``empty``, ``binary`` or ``encoding``.
    """
    if not data:
        raise _BadInput("empty", f"{where}: empty (0 bytes)")
    utf16 = _utf16_or_32(data)
    if utf16:
        raise _BadInput(
            "encoding", f"{where}: starts with a {utf16} byte-order mark; input must be UTF-8"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _BadInput("binary", f"{where}: binary content (NUL byte at offset {nul})")
    head = data[:_SNIFF_BYTES]
    controls = sum(1 for b in head if b in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * len(head):
        raise _BadInput(
            "binary",
            f"{where}: binary content ({controls} control bytes in the first {len(head)})",
        )
    bom = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise _BadInput(
            "encoding",
            f"{where}: not valid UTF-8 at byte offset {offset} "
            f"(byte 0x{data[offset]:02x}: {exc.reason})",
        ) from exc
    if not text.strip():
        raise _BadInput("empty", f"{where}: empty (only whitespace)")
    return text


def _utf16_or_32(data: bytes) -> str | None:
    """Name the UTF-16/32 encoding a byte-order mark announces, if any."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    return None


def _check_text(text: str, where: str) -> None:
    """The ``empty`` and ``binary`` checks for text that came decoded (JSONL).

    text (str): the article text.
    where (str): file and line named in messages.
    RAISES (_BadInput): ``empty`` or ``binary``.
    """
    if not text.strip():
        what = "empty" if not text else "only whitespace"
        raise _BadInput("empty", f'{where}: "text" is {what}')
    if "\x00" in text:
        raise _BadInput("binary", f'{where}: "text" contains NUL characters')
    head = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in head if ord(ch) in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * len(head):
        raise _BadInput("binary", f'{where}: "text" is mostly control characters')


# --------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------


def _stdin_stream(stdin: TextIO | BinaryIO | None) -> TextIO | BinaryIO:
    """The stream ``-`` reads: the given one, else ``sys.stdin``'s bytes."""
    stream: TextIO | BinaryIO = sys.stdin if stdin is None else stdin
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    return buffer if buffer is not None else stream


def _iter_lines(stream: TextIO | BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Read lines with a bounded readline.

    stream (TextIO | BinaryIO): binary or text stream (text is re-encoded
        as UTF-8, so an over-long line is judged on its UTF-8 size).
    max_bytes (int): longest line accepted, without its newline.
    YIELDS (tuple[int, bytes | None]): 1-based line number and the line
        (newline included), or None for a line over the limit, whose rest
        has been skipped unread.
    """
    lineno = 0
    while True:
        raw: bytes | str = stream.readline(max_bytes + 1)
        if not raw:
            return
        lineno += 1
        line = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        end = raw[-1:] in ("\n", b"\n")
        if len(line) - end > max_bytes:
            while not end:
                rest = stream.readline(_SKIP_CHUNK)
                if not rest:
                    break
                end = rest[-1:] in ("\n", b"\n")
            yield lineno, None
        else:
            yield lineno, line


def _iter_jsonl_stream(
    stream: TextIO | BinaryIO, source: str, max_bytes: int
) -> Iterator[InputArticle | InputError]:
    """Yield one record per non-blank line of a JSONL stream.

    stream (TextIO | BinaryIO): the open file or stdin.
    source (str): the file as given or joined, ``-`` for stdin; also the
        FILE of fallback ``FILE:LINE`` ids.
    max_bytes (int): longest line accepted.
    YIELDS (InputArticle | InputError): the records, in line order.
    """
    lines = _iter_lines(stream, max_bytes)
    while True:
        try:
            item = next(lines)
        except StopIteration:
            return
        except OSError as exc:
            yield InputError(
                source,
                source,
                ArticleError("internal", f"{source}: read failed: {_os_reason(exc)}"),
            )
            return
        lineno, line = item
        fallback = f"{source}:{lineno}"
        where = f"{source} line {lineno}"
        if line is None:
            yield InputError(
                fallback,
                source,
                ArticleError("too_large", f"{where}: line is over the limit of {max_bytes} bytes"),
            )
            continue
        if lineno == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if not line.strip():
            continue
        yield _parse_jsonl_line(line, source, fallback, where)


def _parse_jsonl_line(
    line: bytes, source: str, fallback: str, where: str
) -> InputArticle | InputError:
    """Turn one JSONL line into an article or an error record.

    line (bytes): the raw line (not blank).
    source (str): the file.
    fallback (str): the ``FILE:LINE`` id used when the line has no usable id.
    where (str): file and line named in messages.
    RETURNS (InputArticle | InputError): the record.
    """
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputError(
            fallback,
            source,
            ArticleError(
                "encoding", f"{where}: not valid UTF-8 at byte offset {exc.start} of the line"
            ),
        )
    try:
        obj = json.loads(decoded)
    except ValueError as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        col = f" (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return InputError(
            fallback, source, ArticleError("bad_json", f"{where}: not valid JSON: {msg}{col}")
        )
    except RecursionError:
        return InputError(
            fallback, source, ArticleError("bad_json", f"{where}: JSON nested too deeply")
        )
    if not isinstance(obj, dict):
        return InputError(
            fallback,
            source,
            ArticleError("bad_json", f"{where}: a JSON {_json_kind(obj)}, not an object"),
        )
    article_id = _usable_id(obj.get("id")) or fallback
    text = obj.get("text")
    if not isinstance(text, str):
        what = (
            'no "text" field'
            if "text" not in obj
            else f'"text" is a JSON {_json_kind(text)}, not a string'
        )
        return InputError(article_id, source, ArticleError("missing_text", f"{where}: {what}"))
    try:
        _check_text(text, where)
    except _BadInput as bad:
        return InputError(article_id, source, ArticleError(bad.type, bad.message))
    lang = obj.get("lang")
    meta = {k: v for k, v in obj.items() if k not in ("id", "text", "lang")}
    return InputArticle(
        id=article_id,
        text=text,
        source=source,
        lang=lang if isinstance(lang, str) and lang.strip() else None,
        meta=meta or None,
    )


def _usable_id(value: Any) -> str | None:
    """The id of a JSONL object: a non-blank string or an integer, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def _json_kind(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

#: elements whose content is never article text
_SKIP_TAGS = frozenset(
    "script style noscript template svg math head nav header footer aside form "
    "iframe object canvas audio video button select".split()
)
#: elements that start and end a line
_BLOCK_TAGS = frozenset(
    "address article blockquote body caption dd details div dl dt fieldset "
    "figcaption figure h1 h2 h3 h4 h5 h6 hgroup hr html li main ol p pre section "
    "summary table tbody tfoot thead tr ul".split()
)
#: cells: separated by a space on their row's line
_CELL_TAGS = frozenset(("td", "th"))
#: containers inside which a <header> is the article's own (its headline)
_ARTICLE_TAGS = frozenset(("article", "main"))
#: ASCII whitespace collapses (HTML whitespace); U+00A0 (&nbsp;) is kept
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEADING_NEWLINE = re.compile(r"\A(?:\r\n|\r|\n)")


class _TextExtractor(HTMLParser):
    """Collects the visible article text of an HTML page, line by line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._skip: list[str] = []  # open skipped elements, innermost last
        self._article = 0  # open <article>/<main> elements
        self._pre = 0  # open <pre> elements
        self._pre_start = False  # just after <pre>, before its first text

    # line building ---------------------------------------------------------

    def _end_line(self, force: bool = False) -> None:
        line = "".join(self._parts)
        if not self._pre:
            line = _HTML_SPACE.sub(" ", line).strip(" ")
        self._parts = []
        if line or force:
            self.lines.append(line)

    # parser callbacks --------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # </head> may be omitted: the body ends it
            if "head" in self._skip:
                del self._skip[self._skip.index("head") :]
        if self._skip:
            if tag in _SKIP_TAGS:
                self._skip.append(tag)
            return
        if tag in _SKIP_TAGS and not (tag == "header" and self._article):
            self._skip.append(tag)
            return
        if tag in _ARTICLE_TAGS:
            self._article += 1
        if tag == "br":
            self._end_line(force=True)
        elif tag in _BLOCK_TAGS:
            self._end_line()
            if tag == "pre":
                self._pre += 1
                self._pre_start = True
        elif tag in _CELL_TAGS:
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
            return
        if tag in _ARTICLE_TAGS and self._article:
            self._article -= 1
        if tag in _BLOCK_TAGS:
            self._end_line()
            if tag == "pre" and self._pre:
                self._pre -= 1
        elif tag in _CELL_TAGS:
            self._parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            self._parts.append(data)
            return
        # inside <pre>: the source's line breaks and spaces are the text's
        # (a line break right after <pre> is not, as in browsers)
        if self._pre_start:
            self._pre_start = False
            data = _LEADING_NEWLINE.sub("", data)
        pieces = _NEWLINE.split(data)
        for i, piece in enumerate(pieces):
            if i:
                self._end_line(force=True)
            self._parts.append(piece)

    def close(self) -> None:
        super().close()
        self._end_line()


def html_to_text(html: str) -> str:
    """Extract the article text of an HTML page.

    Drops the content of script, style, noscript, template, svg, math, head
    (title included), nav, header (except inside ``<article>``/``<main>``,
    where it holds the headline), footer, aside, form, iframe, object,
    canvas, audio, video, button and select. Block elements (p, div, li,
    h1-h6, tr, section, article, ...) start and end lines, ``<br>`` ends a
    line (two give a blank line), table cells are separated by a space.
    Entities are unescaped; runs of ASCII whitespace within a line collapse
    to one space (U+00A0 is kept); ``<pre>`` keeps its spaces and line
    breaks.
    Leading and trailing blank lines are stripped. Deterministic: the same
    HTML always gives the same text.

    html (str): the page.
    RETURNS (str): the text, lines joined with ``\\n``.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = parser.lines
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    out: list[str] = []
    for line in lines[start:end]:
        # at most one blank line in a row
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out)
