"""``python -m star_kit_corpus.build --out DIR [--size small] [--seed 0] [--workers 2]``: builds spoken-events.

The same build as ``starkit data build spoken-events --out DIR --size small --seed 0``; prints the manifest path,
the item count per split and the wall time.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from star_kit.errors import StarKitError
from star_kit_corpus.spoken_events import SIZES, SPLITS, SpokenEvents


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m star_kit_corpus.build", description=SpokenEvents.__doc__)
    parser.add_argument("--out", required=True, help="output folder (a rerun resumes it)")
    parser.add_argument("--size", default="small", choices=list(SIZES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        manifest = SpokenEvents(workers=args.workers).build(args.out, args.size, args.seed)
    except StarKitError as exc:
        raise SystemExit(f"error: {exc}") from None
    rows = [json.loads(line) for line in Path(manifest).read_text().splitlines()]
    counts = {s: sum(r["split"] == s for r in rows) for s in SPLITS}
    print(f"{manifest}: {len(rows)} items {counts} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
