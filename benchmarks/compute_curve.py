"""Quality against compute: aisfx-acc after each judged step of ``generator_ablation.py --judge-at`` runs, as a table
and a plot.

    python benchmarks/compute_curve.py docs/compute_curve.jsonl --curve star-tiny=0.349 --curve star-small=0.861 \\
        --out docs/compute_curve.png

Each ``--curve NAME=SECONDS`` picks the JSON lines whose ``name`` is NAME and puts them on a time axis of
``steps x SECONDS`` (minutes of stage-2 training): give the seconds per step measured on the machine the curve is
for (an idle main job's stage-2 time over its steps, or ``bench_stage2_step.py``), so that runs made side by side,
which slow each other down, still read as minutes on that machine. Without ``=SECONDS`` the line's own measured
``seconds_per_step`` is used. Prints a markdown table with 95 % intervals; writes the plot with matplotlib.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def curves(lines: list[dict[str, Any]], specs: list[str], key: str) -> dict[str, list[dict[str, float]]]:
    """Per ``--curve`` spec, its judged points ordered by step: minutes, steps, accuracy and its interval."""
    result = {}
    for spec in specs:
        name, _, seconds = spec.partition("=")
        points = sorted((line for line in lines if line["name"] == name and key in line), key=lambda x: x["steps"])
        if not points:
            raise SystemExit(
                f"no line named '{name}' with '{key}'; names present: {sorted({x['name'] for x in lines})}"
            )
        result[name] = [
            {
                "minutes": p["steps"] * (float(seconds) if seconds else p["seconds_per_step"]) / 60,
                "steps": p["steps"],
                "acc": p[key],
                "low": p[f"{key}_ci95"][0],
                "high": p[f"{key}_ci95"][1],
            }
            for p in points
        ]
    return result


def plot(result: dict[str, list[dict[str, float]]], key: str, path: Path) -> bool:
    """Accuracy against minutes, one line per curve with its intervals as a band; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, points in result.items():
        minutes = [p["minutes"] for p in points]
        ax.plot(minutes, [p["acc"] for p in points], marker="o", label=name)
        ax.fill_between(minutes, [p["low"] for p in points], [p["high"] for p in points], alpha=0.2)
    ax.set(xlabel="stage-2 training (minutes, 2 CPU cores)", ylabel=key, ylim=(0, 1), xscale="log")
    ax.minorticks_off()
    ax.set_xticks([5, 10, 20, 40], labels=["5", "10", "20", "40"])
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jsonl", type=Path, help="generator_ablation.py's --out file.")
    parser.add_argument("--curve", action="append", required=True, help="NAME or NAME=SECONDS_PER_STEP; repeatable.")
    parser.add_argument("--key", default="aisfx_acc@3", help="The judged metric, e.g. test-noisy:aisfx_acc@3.")
    parser.add_argument("--out", type=Path, help="Where to write the plot (.png).")
    args = parser.parse_args()
    lines = [json.loads(line) for line in args.jsonl.read_text().splitlines() if line.strip()]
    result = curves(lines, args.curve, args.key)
    print(f"| config | steps | minutes | {args.key} [95 % CI] |\n|---|---|---|---|")
    for name, points in result.items():
        for p in points:
            print(f"| {name} | {p['steps']} | {p['minutes']:.1f} | {p['acc']:.3f} [{p['low']:.3f}, {p['high']:.3f}] |")
    if args.out and not plot(result, args.key, args.out):
        print("matplotlib is not installed: no plot written")


if __name__ == "__main__":
    main()
