"""Batch extraction over corpora: streaming, parallel, resumable, on local
processes or on a Dask cluster.

Everything here moves *output lines*: a worker extracts a chunk of articles
and returns their JSON lines (with the claim count and whether it is an
error record), so the parent only writes text and nothing is serialized
twice. The order of the output is the order of the input whatever the
engine and the number of workers, and the lines are byte-identical to a
one-process run.

- :func:`run_local` streams chunks through a process pool with a bounded
  number of chunks in flight, so memory stays flat however long the input.
- :func:`run_dask` partitions the input, extracts partitions on Dask
  workers (each worker loads its pipelines once), writes one
  ``part-NNNNN.jsonl`` per partition and yields the lines in order.
- :func:`resume_state` reads an earlier, possibly killed run's output,
  cuts off a truncated last line, and returns the ids already done.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter, deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .errors import Errors
from .extract import Extractor
from .io import InputError
from .model import InputArticle

#: (output line, number of claims, is an error record)
Line = tuple[str, int, bool]
Record = InputArticle | InputError

#: articles per chunk sent to a worker, and the most characters in one
DEFAULT_CHUNK_SIZE = 16
CHUNK_CHARS = 400_000
#: articles per Dask partition
DEFAULT_PARTITION_SIZE = 500


def dumps(record: dict) -> str:
    """One output line: compact, UTF-8, key order as built (byte-stable)."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def default_workers() -> int:
    """All cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------
# the work of one chunk (runs in workers)
# --------------------------------------------------------------------------

#: extractors of this process, by their settings: a worker builds its
#: pipelines once and keeps them for every chunk it is sent
_EXTRACTORS: dict[tuple[tuple[str, Any], ...], Extractor] = {}


def _settings_key(settings: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(settings.items()))


def get_extractor(settings: dict[str, Any]) -> Extractor:
    """This process's extractor for ``settings`` (keyword arguments of
    :class:`Extractor`), built on first use."""
    key = _settings_key(settings)
    ex = _EXTRACTORS.get(key)
    if ex is None:
        ex = _EXTRACTORS[key] = Extractor(**settings)
    return ex


def extract_chunk(chunk: Sequence[Record], settings: dict[str, Any],
                  detected: Sequence[tuple[str, float] | None] | None = None) -> list[Line]:
    """Extract a chunk of input records into output lines.

    chunk (Sequence[InputArticle | InputError]): records in input order.
    settings (dict): keyword arguments of :class:`Extractor`.
    detected (Sequence | None): :meth:`Extractor.language_of` of each
        record, when the caller has it (then not detected again).
    RETURNS (list[Line]): ``(line, n_claims, is_error)`` per record, in order.
    """
    ex = get_extractor(settings)
    out: list[Line] = []
    for res in ex.extract_many(chunk, detected):
        out.append((dumps(res.to_dict()), len(res.claims), res.error is not None))
    return out


def _init_worker(settings: dict[str, Any]) -> None:
    get_extractor(settings)


# --------------------------------------------------------------------------
# chunking
# --------------------------------------------------------------------------


def _size(rec: Record) -> int:
    return len(rec.text) if isinstance(rec, InputArticle) else 1


def chunked(records: Iterable[Record], size: int, max_chars: int = CHUNK_CHARS) -> Iterator[list[Record]]:
    """Consecutive chunks of at most ``size`` records and about ``max_chars``
    characters (a single longer article is a chunk of its own)."""
    chunk: list[Record] = []
    chars = 0
    for rec in records:
        n = _size(rec)
        if chunk and (len(chunk) >= size or chars + n > max_chars):
            yield chunk
            chunk, chars = [], 0
        chunk.append(rec)
        chars += n
    if chunk:
        yield chunk


# --------------------------------------------------------------------------
# local engine
# --------------------------------------------------------------------------


def run_local(
    records: Iterable[Record],
    settings: dict[str, Any],
    *,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[Line]:
    """Extract records on this machine, in order.

    records (Iterable[InputArticle | InputError]): read lazily.
    settings (dict): keyword arguments of :class:`Extractor`.
    workers (int): processes; 1 runs in this process. With more, a pool of
        ``workers`` processes starts once the input is longer than one
        chunk per worker (a short input runs here: starting processes
        would cost more than it saves).
    chunk_size (int): articles sent to a worker at a time.
    YIELDS (Line): ``(line, n_claims, is_error)`` per record, in input order.
    """
    if workers < 1:
        raise ValueError(Errors.E503.format(n=workers))
    chunks = chunked(records, chunk_size)
    if workers == 1:
        for chunk in chunks:
            yield from extract_chunk(chunk, settings)
        return
    head = list(islice(chunks, workers + 1))
    if len(head) <= workers:
        for chunk in head:
            yield from extract_chunk(chunk, settings)
        return
    yield from _pool(head, chunks, settings, workers)


#: modules the forkserver imports before it forks workers (the last one
#: carries out the warm-up order the parent leaves in its environment)
FORKSERVER_PRELOAD = ("cbafacts.batch", "spacy", "cbafacts.pipeline", "cbafacts._warm")
#: at most this many chunks, and about this many characters, detected ahead
#: while the fork server warms up (held in memory until sent: ~6,000
#: articles of news at most)
LOOKAHEAD_CHUNKS = 512
LOOKAHEAD_CHARS = 64_000_000
#: records detected before the fork server starts: the languages it builds
#: are theirs (a language of one article in 17 is missing from 128 random
#: ones once in 2,000 inputs)
WARM_SAMPLE = 128


def _start_warm_server(ctx: Any, settings: dict[str, Any], langs: list[str]) -> Path | None:
    """Start the fork server with an order to build the extractor of
    ``settings`` and the pipelines of ``langs`` before it forks workers
    (:mod:`cbafacts._warm`); without waiting for it.

    RETURNS (Path | None): the file the server creates when done, in a
        directory of its own for the caller to remove (once a worker has
        started: the server has then written it, or failed to); None when
        no server was started here (not the forkserver method, a server
        already running, settings that are not JSON).
    """
    import tempfile
    from multiprocessing import forkserver

    from ._warm import ENV

    if ctx.get_start_method() != "forkserver" or getattr(forkserver._forkserver, "_forkserver_pid", 0) is not None:
        return None
    try:
        json.dumps(settings)
        name = os.path.join(tempfile.mkdtemp(prefix="cbafacts-warm-"), "ready")
    except (TypeError, ValueError, OSError):
        return None
    os.environ[ENV] = json.dumps({"settings": settings, "langs": langs, "ready": name})
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(ENV, None)
    return Path(name)


def _pool(head: list[list[Record]], rest: Iterator[list[Record]], settings: dict[str, Any],
          workers: int) -> Iterator[Line]:
    """Extract chunks on a pool of ``workers`` processes, in order.

    Before the pool starts, the fork server builds the pipelines of the
    languages of the first chunks (:func:`_start_warm_server`), so each
    worker starts with them instead of building them itself; while it
    does, this process detects the languages of the chunks to come (up to
    :data:`LOOKAHEAD_CHUNKS` and :data:`LOOKAHEAD_CHARS`) on the other
    core, and hands each detection to the worker with its chunk
    (:meth:`Extractor.language_of`: the same detection the worker would
    make). Output: the lines a single process writes.
    """
    from concurrent.futures import ProcessPoolExecutor

    ctx = _context()
    planner = get_extractor(settings)  # language_of only: builds no pipeline
    chunks = iter(rest)
    ahead: deque = deque()
    records = chars = 0  # held in `ahead`

    def detect_ahead(chunk: list[Record]) -> None:
        nonlocal records, chars
        ahead.append((chunk, [planner.language_of(rec) for rec in chunk]))
        records += len(chunk)
        chars += sum(map(_size, chunk))

    for chunk in head:
        detect_ahead(chunk)
    while records < WARM_SAMPLE and (chunk := next(chunks, None)) is not None:
        detect_ahead(chunk)
    langs = sorted({d[0] for _, dets in ahead for d in dets if d is not None})
    ready = _start_warm_server(ctx, settings, langs)
    while (ready is not None and not ready.exists() and len(ahead) < LOOKAHEAD_CHUNKS
           and chars < LOOKAHEAD_CHARS and (chunk := next(chunks, None)) is not None):
        detect_ahead(chunk)
    work = _with_detections(ahead, chunks)
    in_flight = workers * 3
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                 initializer=_init_worker, initargs=(settings,)) as pool:
            pending: deque = deque()
            for chunk, dets in work:
                pending.append(pool.submit(extract_chunk, chunk, settings, dets))
                while len(pending) >= in_flight:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        if ready is not None:
            import shutil

            shutil.rmtree(ready.parent, ignore_errors=True)


def _with_detections(ahead: deque, rest: Iterator[list[Record]]) -> Iterator[tuple[list[Record], Any]]:
    """The chunks detected ahead with their detections, then the rest
    without (their workers detect)."""
    while ahead:
        yield ahead.popleft()
    for chunk in rest:
        yield chunk, None


def _context() -> Any:
    import multiprocessing

    # forkserver: workers fork from a clean server that has imported the
    # library, spaCy and the components once and built the pipelines the
    # parent asked for (safe with threads in the parent, unlike fork; faster
    # to start than spawn; the workers share those pages)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(list(FORKSERVER_PRELOAD))
    return ctx


# --------------------------------------------------------------------------
# Dask engine
# --------------------------------------------------------------------------


def part_path(directory: Path, index: int) -> Path:
    return directory / f"part-{index:05d}.jsonl"


def run_dask(
    records: Iterable[Record],
    settings: dict[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    resume: bool = False,
) -> Iterator[Line]:
    """Extract records on a Dask cluster, one partition per task.

    records: read lazily and cut into partitions of ``partition_size``.
    settings (dict): keyword arguments of :class:`Extractor`; each Dask
        worker builds its extractor once (:func:`get_extractor` caches it in
        the worker process) and reuses it for every partition.
    out_dir: directory for ``part-NNNNN.jsonl`` files; each is written
        whole to a temporary name and renamed, so a file there is complete.
    scheduler (str | None): address of a running scheduler
        (``tcp://host:8786``); None starts a ``LocalCluster`` of
        ``workers`` single-threaded worker processes.
    resume (bool): keep partitions already written and skip their articles
        (the input must be the same, in the same order).
    YIELDS (Line): the lines of each partition, partitions in order; lines
        of partitions kept by ``resume`` are not yielded.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise RuntimeError(Errors.E505.format(error=exc)) from exc
    import logging

    directory = Path(out_dir)
    if directory.exists() and not directory.is_dir():
        raise ValueError(Errors.E506.format(path=str(directory)))
    directory.mkdir(parents=True, exist_ok=True)
    if not resume:
        for old in directory.glob("part-*.jsonl"):
            old.unlink()
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        in_flight = n_workers * 2
        pending: deque = deque()
        for index, part in enumerate(chunked(records, partition_size, max_chars=1 << 62)):
            path = part_path(directory, index)
            if resume and path.exists():
                continue
            pending.append((path, client.submit(extract_chunk, part, settings, pure=False,
                                                key=f"cbafacts-extract-{index:05d}-{os.getpid()}")))
            while len(pending) >= in_flight:
                yield from _finish_part(*pending.popleft())
        while pending:
            yield from _finish_part(*pending.popleft())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _finish_part(path: Path, future: Any) -> list[Line]:
    lines: list[Line] = future.result()
    future.release()
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line, _, _ in lines:
            fh.write(line + "\n")
    os.replace(tmp, path)
    return lines


def partition_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The complete partition files of a Dask run, in order."""
    return sorted(Path(directory).glob("part-*.jsonl"))


# --------------------------------------------------------------------------
# resuming
# --------------------------------------------------------------------------

_ID = re.compile(rb'^\{"id": ("(?:[^"\\]|\\.)*")')


@dataclass
class ResumeState:
    """What an earlier run left in its output file.

    done (Counter[str]): ids of the complete records, with their counts (an
        input may repeat an id: its ``duplicate_id`` record counts too).
    lines (int): complete records kept.
    truncated_bytes (int): bytes of an incomplete last line cut off.
    """

    done: Counter
    lines: int = 0
    truncated_bytes: int = 0


def resume_state(path: str | os.PathLike[str]) -> ResumeState:
    """Read ``path`` (an output of ``cbafacts extract``), repair it and say
    which articles it holds.

    A run killed mid-write leaves at most one incomplete line at the end (a
    record is written whole, then the next): it is cut off, so the resumed
    run writes that article again. A complete line that is not an output
    record raises ``ValueError``: the file is not what ``--resume`` expects.
    RETURNS (ResumeState): ids done and what was repaired.
    """
    state = ResumeState(Counter())
    p = Path(path)
    if not p.exists():
        return state
    good_end = 0
    with open(p, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.endswith(b"\n"):
                break
            m = _ID.match(raw)
            if m is not None and raw.rstrip(b"\r\n").endswith(b"}"):
                rid = json.loads(m.group(1))
            else:
                try:
                    rid = json.loads(raw)["id"]
                except (ValueError, KeyError, TypeError):
                    raise ValueError(f"{path}:{lineno}: not an output record of cbafacts extract; "
                                     "cannot resume into this file") from None
            state.done[str(rid)] += 1
            state.lines += 1
            good_end += len(raw)
    size = p.stat().st_size
    if size > good_end:
        with open(p, "r+b") as fh:
            fh.truncate(good_end)
        state.truncated_bytes = size - good_end
    return state


def skip_done(records: Iterable[Record], done: Counter) -> Iterator[Record]:
    """Drop the records an earlier run wrote (by id, counting repeats)."""
    for rec in records:
        if done.get(rec.id, 0) > 0:
            done[rec.id] -= 1
            continue
        yield rec


# --------------------------------------------------------------------------
# stats
# --------------------------------------------------------------------------


@dataclass
class BatchStats:
    articles: int = 0
    claims: int = 0
    errors: int = 0
    skipped: int = 0

    def add(self, n_claims: int, is_error: bool) -> None:
        self.articles += 1
        self.claims += n_claims
        self.errors += is_error

    def line(self, seconds: float) -> str:
        rate = self.articles / seconds if seconds > 0 else 0.0
        extra = f", {self.skipped} already done" if self.skipped else ""
        return (f"{self.articles} articles, {self.claims} claims, {self.errors} errors{extra}, "
                f"{seconds:.2f} s ({rate:.1f} articles/s)")


def progress_bar(enabled: bool) -> Any:
    """A tqdm bar on stderr, or None when disabled or stderr is not a TTY."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                desc="cbafacts extract")
