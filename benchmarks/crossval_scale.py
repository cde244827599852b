"""Cross-validation of a million claims from the DuckDB fact store.

    python -m benchmarks.crossval_scale [--claims 1000000] [--db build/bench/crossval.duckdb]

Builds (once) a fact store holding the extraction records of the corpus
articles (``corpus/raw``) copied under new ids until it holds ``--claims``
claims, then times, in one run:

- filling the store (``FactStore.add_many``);
- ``cbafacts crossval --db`` (reading the linked claims with SQL and
  cross-validating them), as a subprocess, end to end;
- the same report from the JSONL file of the same records, for a peer
  figure measured in the same run.

The two reports must be byte-identical; the script says so.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(records: list[dict], n_claims: int, jsonl: Path, db: Path) -> tuple[int, int, float]:
    from cbafacts.store import FactStore

    per_round = sum(len(r["claims"]) for r in records)
    rounds = -(-n_claims // per_round)
    started = time.perf_counter()
    n_art = n_cl = 0
    with open(jsonl, "w", encoding="utf-8") as fh, FactStore(db, batch_size=5000) as store:
        for k in range(rounds):
            for r in records:
                rec = dict(r, id=f"{r['id']}#{k:06d}")
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                store.add(rec)
                n_art += 1
                n_cl += len(rec["claims"])
    return n_art, n_cl, time.perf_counter() - started


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--dir", default=str(ROOT / "build" / "bench"))
    args = ap.parse_args(argv)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    cbafacts = str(Path(sys.executable).parent / "cbafacts")
    base = out / "corpus_extract.jsonl"
    if not base.exists():
        subprocess.run([cbafacts, "extract", "corpus/raw", "-o", str(base), "-q"], check=True, cwd=ROOT)
    records = [json.loads(line) for line in base.read_text(encoding="utf-8").splitlines()]
    db = out / f"crossval_{args.claims}.duckdb"
    jsonl = out / f"crossval_{args.claims}.jsonl"
    if db.exists():
        db.unlink()
    n_art, n_cl, fill = build(records, args.claims, jsonl, db)
    print(f"store: {n_art} articles, {n_cl} claims, filled in {fill:.1f} s "
          f"({n_cl / fill:,.0f} claims/s)")
    rep_db, rep_js = out / "crossval_db.json", out / "crossval_jsonl.json"
    t_db = timed([cbafacts, "crossval", "--db", str(db), "-o", str(rep_db)])
    t_js = timed([cbafacts, "crossval", str(jsonl), "-o", str(rep_js)])
    same = rep_db.read_bytes() == rep_js.read_bytes()
    print(f"crossval --db {db.name}: {t_db:.2f} s ({n_cl / t_db:,.0f} claims/s)")
    print(f"crossval {jsonl.name}: {t_js:.2f} s ({n_cl / t_js:,.0f} claims/s)")
    print(f"ratio jsonl / db: {t_js / t_db:.2f}x; reports byte-identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
