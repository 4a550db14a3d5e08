"""Front-end latency against speech duration (1-20 s): end-to-end against the cascade, with each transcriber.

    python benchmarks/latency_duration.py runs/star-tiny runs/cascade-tiny \\
        --transcribers transformers,faster-whisper --threads 2 --repeats 3 --out latency_duration.json

The speech is real corpus speech: the first test utterances of the end-to-end run's manifest (or ``--manifest``)
joined with 0.3 s pauses, then cut to each duration (a cut may end mid-word; only the length matters here). Every
duration is timed warm, batch 1, through each front end in turn (as ``starkit bench latency`` does: encoder + bridge;
ASR + text encoder + bridge), ``--repeats`` times; the script prints a markdown table of medians (p90, spread over
repeats), and writes the numbers as JSON and, with matplotlib, a plot beside it (``.png``). E2E and CASCADE may be
config names (random weights: latency does not depend on training).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def joined_speech(cfg: Any, seconds: float, manifest: str | None, rate: int = 16000) -> np.ndarray:
    """At least ``seconds`` of the manifest's first test utterances at ``rate``, joined with 0.3 s pauses."""
    from star_kit.audio import resample
    from star_kit.evaluation.latency import manifest_utterances

    pause, parts, total, n = np.zeros(int(0.3 * rate), dtype=np.float32), [], 0.0, 8
    while total < seconds:
        clips = manifest_utterances(cfg, n, manifest=manifest)  # grows until long enough
        parts = [p for wav, r in clips for p in (resample(wav, r, rate).astype(np.float32), pause)]
        total, n = sum(len(p) for p in parts) / rate, 2 * n
    return np.concatenate(parts)


def sweep(
    e2e: str,
    cascade: str,
    durations: list[float],
    threads: int = 2,
    repeats: int = 3,
    transcribers: list[str] | None = None,
    manifest: str | None = None,
    warmup: int = 2,
) -> dict[str, Any]:
    """``{"settings", "systems": {name: {"<seconds>": repeated_stats of front-end ms}}}`` for each duration."""
    import torch

    from star_kit.evaluation.latency import cascade_systems, front_end, load_system, repeated_stats

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        e2e_models, cfg, _ = load_system(e2e)
        cascades = cascade_systems(transcribers).items()
        systems = {"end-to-end": e2e_models} | {n: load_system(cascade, "cpu", o)[0] for n, o in cascades}
        speech = joined_speech(cfg, max(durations), manifest)
        device = torch.device("cpu")
        for clip in (speech[: int(16000 * min(durations))], speech[: int(16000 * max(durations))])[:warmup]:
            for models in systems.values():
                front_end(models, clip, 16000, device)
        timings = {name: {d: [[] for _ in range(repeats)] for d in durations} for name in systems}
        for r in range(repeats):
            for d in durations:
                clip = speech[: int(16000 * d)]
                for name, models in systems.items():  # alternate systems, so load changes hit all alike
                    timings[name][d][r].append(sum(front_end(models, clip, 16000, device)[1].values()))
    finally:
        torch.set_num_threads(previous)
    return {
        "settings": {"e2e": str(e2e), "cascade": str(cascade), "threads": threads, "repeats": repeats, "batch": 1},
        "systems": {name: {f"{d:g}": repeated_stats(t[d]) for d in durations} for name, t in timings.items()},
    }


def plot(result: dict[str, Any], path: Path) -> bool:
    """Median front-end latency against speech duration, the p90 as a band; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, by_duration in result["systems"].items():
        seconds = [float(d) for d in by_duration]
        ax.plot(seconds, [s["median"] for s in by_duration.values()], marker="o", label=name)
        ax.fill_between(
            seconds, [s["min"] for s in by_duration.values()], [s["p90"] for s in by_duration.values()], alpha=0.2
        )
    st = result["settings"]
    ax.set(xlabel="speech duration (s)", ylabel="front-end latency (ms)", ylim=(0, None))
    ax.set_title(f"front end, batch 1, {st['threads']} threads (median; band: min to p90)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("e2e", help="end-to-end run directory or config name")
    parser.add_argument("cascade", help="cascade run directory or config name")
    parser.add_argument("--durations", default="1,2,5,10,15,20", help="seconds of speech, comma-separated")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--transcribers", default="transformers,faster-whisper", help="the cascade's, comma-separated")
    parser.add_argument("--manifest", help="where the speech comes from [default: the end-to-end run's manifest]")
    parser.add_argument("--out", default="latency_duration.json", help="JSON file; the plot goes beside it (.png)")
    args = parser.parse_args()
    durations = [float(x) for x in args.durations.split(",")]
    if min(durations) <= 0 or max(durations) > 30 or args.repeats < 1 or args.threads < 1:
        parser.error("durations must be in (0, 30] s (Whisper's window); repeats and threads at least 1")
    transcribers = [t.strip() for t in args.transcribers.split(",") if t.strip()]
    result = sweep(args.e2e, args.cascade, durations, args.threads, args.repeats, transcribers, args.manifest)
    names = list(result["systems"])
    print(f"Front-end latency (ms, median / p90, spread over {args.repeats} repeats), {args.threads} threads, batch 1")
    print("\n| speech (s) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for d in result["systems"][names[0]]:
        cells = [result["systems"][n][d] for n in names]
        print(f"| {d} | " + " | ".join(f"{s['median']:.0f} / {s['p90']:.0f} ({s['spread']:.0f})" for s in cells) + " |")
    out = Path(args.out)
    out.write_text(json.dumps(result, indent=1) + "\n")
    png = out.with_suffix(".png")
    print(f"\nwritten to {out}" + (f" and {png}" if plot(result, png) else " (no matplotlib: no plot)"))


if __name__ == "__main__":
    main()
