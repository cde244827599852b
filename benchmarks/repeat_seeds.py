"""Write a JSONL corpus of articles repeated N times (for throughput).

    python -m benchmarks.repeat_seeds 200 --seeds > build/seeds.jsonl   # the two seed articles
    python -m benchmarks.repeat_seeds 200 > build/rep.jsonl             # every article of corpus/raw
    cbafacts extract build/seeds.jsonl -o build/seeds_out.jsonl

The seed articles are the two files of ``../shared/seeds`` that
``corpus/raw`` holds byte for byte (the ones whose names begin with digits).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "corpus" / "raw"
SEEDS = "[0-9]*.txt"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=200, help="how many times (default 200)")
    ap.add_argument("--seeds", action="store_true", help="only the two seed articles")
    args = ap.parse_args(argv)
    paths = sorted(RAW.glob(SEEDS if args.seeds else "*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    words = 0
    for i in range(args.n):
        for j, t in enumerate(texts):
            sys.stdout.write(json.dumps({"id": f"r{i}-{j}", "text": t}, ensure_ascii=False) + "\n")
            words += len(t.split())
    print(f"{args.n * len(texts)} articles, {words} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
