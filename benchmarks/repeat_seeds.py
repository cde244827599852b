"""Write a JSONL corpus of the seed articles repeated N times (for throughput).

    python -m benchmarks.repeat_seeds 200 > build/rep.jsonl
    cbafacts extract build/rep.jsonl -o build/rep_out.jsonl
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "corpus" / "raw"


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 200
    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    words = 0
    for i in range(n):
        for j, t in enumerate(texts):
            sys.stdout.write(json.dumps({"id": f"r{i}-{j}", "text": t}, ensure_ascii=False) + "\n")
            words += len(t.split())
    print(f"{n * len(texts)} articles, {words} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
