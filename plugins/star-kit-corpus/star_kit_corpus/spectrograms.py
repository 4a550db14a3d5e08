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
    from scipy.signal import spectrogram

    root = Path(corpus_dir)
    labels = json.loads((root / "labels.json").read_text())
    rows = [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]
    pick = {}
    for r in rows:
        if r["split"] == "train" and len(r["labels"]) == 1 and r["labels"][0] not in pick:
            pick[r["labels"][0]] = r
    lines = -(-len(labels) // columns)
    fig, axes = plt.subplots(lines, columns, figsize=(3.2 * columns, 2.4 * lines), squeeze=False)
    for ax, label in zip(axes.flat, labels, strict=False):
        wav, sr = sf.read(str(root / pick[label]["audio"]), dtype="float32")
        freqs, times, power = spectrogram(wav, fs=sr, nperseg=512, noverlap=256)  # power (f, t)
        db = 10 * np.log10(power + 1e-12)
        ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=db.max() - 80, vmax=db.max(),
                  extent=(0, wav.size / sr, 0, freqs[-1] / 1000))  # fmt: skip
        ax.set_title(f"{label}  ({pick[label]['id']})", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(labels) :]:
        ax.axis("off")
    fig.suptitle("spoken-events: one training clip per class (log power spectrogram, kHz over seconds, 80 dB range)")
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=60)
    plt.close(fig)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus_dir")
    parser.add_argument("out")
    args = parser.parse_args()
    print(plot_grid(args.corpus_dir, args.out))
