"""Wall time and peak memory of the main job, phase by phase, from a cold start (fresh corpus, cache and run).

    python benchmarks/bench_main_job.py --out /tmp/mainjob [--config star-tiny]

Runs what ``make demo``'s first phase runs (the recipe builds the corpus its config names) and prints a markdown
table: data (corpus build and feature caching), stage 1, stage 2, report; each with its wall time and the peak
resident memory of the process up to the end of that phase.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from star_kit.export import STAGE1_METRICS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="Empty folder for the corpus, cache and run.")
    parser.add_argument("--config", default="star-tiny")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "STARKIT_CACHE": str(args.out / "star_kit_cache")}
    starkit = [sys.executable, "-m", "star_kit"]
    corpus = args.out / "corpus"
    run_dir = args.out / "run"
    subprocess.run(
        [
            *starkit,
            "recipe",
            "run",
            "two_stage",
            "--config",
            args.config,
            "--run-dir",
            str(run_dir),
            f"data.root={corpus}",
            f"data.cache_dir={args.out / 'cache'}",
            *args.overrides,
        ],
        env=env,
        check=True,
    )
    phases = json.loads((run_dir / "timings.json").read_text())["phases"]
    rows = [(name, p["seconds"], p["peak_rss_mib"]) for name, p in phases.items()]
    total = sum(r[1] for r in rows)
    print("\n| phase | wall time | peak RSS (MiB) |\n|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds / 60:.1f} min ({seconds:.0f} s) | {rss:.0f} |")
    print(f"| **total** | **{total / 60:.1f} min** | |")
    print(f"\ncores: {os.cpu_count()}, torch threads: default; stage 1 metrics: {run_dir / STAGE1_METRICS}")


if __name__ == "__main__":
    main()
