"""Peak memory of ``cbafacts extract`` as the corpus grows (streaming check).

    python -m benchmarks.memory [--sizes 10000,100000] [--workers 1]

For each size N, writes N short articles as JSONL (sentences of the seed
articles under new ids, cycling through them, so the input grows and the
work per article stays the same), runs ``cbafacts extract`` on it as a
subprocess and reads the peak resident set size of the process tree
(``/usr/bin/time -v`` when present, else ``getrusage`` of the children:
the largest single process). The target (issue 5) is a peak for the largest
size within 1.5x of the smallest.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ["000_76fd66fdbd55d08e", "004_1394d275d59fc066"]


def sentences() -> list[tuple[str, str]]:
    out = []
    for seed, lang in zip(SEEDS, ("en", "id")):
        text = (ROOT / "corpus" / "raw" / f"{seed}.txt").read_text(encoding="utf-8")
        for para in text.split("\n"):
            if any(ch.isdigit() for ch in para) and len(para) > 60:
                out.append((lang, para.strip()))
    return out


def write_corpus(path: Path, n: int) -> None:
    sents = sentences()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            lang, text = sents[i % len(sents)]
            fh.write(json.dumps({"id": f"m{i:07d}", "lang": lang, "text": text}, ensure_ascii=False) + "\n")


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of a command."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    started = time.perf_counter()
    if timer:
        r = subprocess.run([timer, "-v", *cmd], cwd=ROOT, capture_output=True, text=True, check=True)
        secs = time.perf_counter() - started
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
        if m:
            return int(m.group(1)) / 1024, secs
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    secs = time.perf_counter() - started
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, secs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--workers", default="1")
    ap.add_argument("--dir", default=str(ROOT / "build" / "bench"))
    args = ap.parse_args(argv)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    cbafacts = str(Path(sys.executable).parent / "cbafacts")
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        inp = out / f"memory_{n}.jsonl"
        write_corpus(inp, n)
        rss, secs = peak_rss_mb([cbafacts, "extract", str(inp), "-o", str(out / f"memory_{n}.out.jsonl"),
                                 "-q", "--workers", args.workers])
        rows.append((n, rss, secs))
        print(f"{n:>8} articles  peak RSS {rss:8.1f} MB  {secs:7.1f} s  ({n / secs:,.0f} articles/s)",
              flush=True)
    base = rows[0][1]
    for n, rss, _ in rows[1:]:
        print(f"peak RSS {n} / {rows[0][0]}: {rss / base:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
