"""``python -m star_kit_corpus.spectrograms DIR OUT.png``: a grid of log spectrograms, one single-event clip per class.

``DIR`` is a built spoken-events folder; the first training item of each class that holds only that class is shown.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def plot_grid(corpus_dir: str | Path, out: str | Path, columns: int = 6) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import soundfile as sf

    root = Path(corpus_dir)
    labels = json.loads((root / "labels.json").read_text())
    rows = [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]
    pick = {}
    for r in rows:
        if r["split"] == "train" and len(r["labels"]) == 1 and r["labels"][0] not in pick:
            pick[r["labels"][0]] = r
    lines = -(-len(labels) // columns)
    fig, axes = plt.subplots(lines, columns, figsize=(3.2 * columns, 2.4 * lines), squeeze=False)
    for ax, label in zip(axes.flat, labels):
        wav, sr = sf.read(str(root / pick[label]["audio"]), dtype="float32")
        ax.specgram(wav + 1e-7, NFFT=1024, Fs=sr, noverlap=768, cmap="magma", vmin=-110, vmax=-20)
        ax.set_title(f"{label}  ({pick[label]['id']})", fontsize=9)
        ax.set_ylim(0, sr / 2)
        ax.set_yticks(np.arange(0, sr / 2, 4000), [f"{k}k" for k in range(0, int(sr / 2000), 4)], fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes.flat[len(labels) :]:
        ax.axis("off")
    fig.suptitle("spoken-events: one training clip per class (log power spectrogram, Hz over seconds)")
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=72)
    plt.close(fig)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus_dir")
    parser.add_argument("out")
    args = parser.parse_args()
    print(plot_grid(args.corpus_dir, args.out))
