"""The run report: metrics, loss curves, a spectrogram grid and sample wavs, as ``report.md`` with images."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig

from star_kit.audio import load_audio
from star_kit.export import STAGE1_METRICS, STAGE2_HISTORY


def _plt():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def log_mel_image(audio: np.ndarray, sample_rate: int, bands: int = 80) -> np.ndarray:
    """A log-magnitude mel spectrogram ``(bands, frames)`` for plots (not a model feature)."""
    from scipy.signal import stft

    _, _, spec = stft(audio, fs=sample_rate, nperseg=1024, noverlap=768)
    mag = np.abs(spec)
    freqs = np.linspace(0, sample_rate / 2, mag.shape[0])
    mel = 2595 * np.log10(1 + freqs / 700)
    edges = np.linspace(0, mel.max(), bands + 2)
    fb = np.maximum(0, 1 - np.abs(mel[None, :] - edges[1:-1, None]) / (edges[1] - edges[0]))
    return np.log(np.maximum(fb @ mag, 1e-5))


def save_spectrogram(path: Path, audio: np.ndarray, sample_rate: int, title: str) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 2.4))
    ax.imshow(log_mel_image(audio, sample_rate), origin="lower", aspect="auto", cmap="magma")
    ax.set_title(title, fontsize=8)
    ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def spectrogram_grid(path: Path, rows: list[tuple[str, list[tuple[str, np.ndarray]]]], sample_rate: int) -> None:
    """``rows``: ``(row title, [(column title, audio)])``; one image, one spectrogram per cell."""
    plt = _plt()
    cols = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(3.2 * cols, 1.7 * len(rows)), squeeze=False)
    for r, (title, cells) in enumerate(rows):
        for c, (col_title, audio) in enumerate(cells):
            ax = axes[r][c]
            ax.imshow(log_mel_image(audio, sample_rate), origin="lower", aspect="auto", cmap="magma")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{col_title}: {title}" if c == 0 else col_title, fontsize=7, loc="left")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def loss_curves(path: Path, stage1: dict[str, Any], stage2: dict[str, Any]) -> None:
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
    h = stage1.get("history", [])
    if h:
        epochs = [e["epoch"] for e in h]
        a.plot(epochs, [e["loss"] for e in h], label="train BCE")
        a.plot(epochs, [e["mAP"] for e in h], label="val mAP")
        a.plot(epochs, [e["top1"] for e in h], label="val top-1")
        a.set_xlabel("epoch")
        a.set_title("stage 1")
        a.legend(fontsize=7)
    for name, points in stage2.items():
        if points:
            b.plot(*zip(*points, strict=True), label=f"{name} loss")
    b.set_xlabel("step")
    b.set_yscale("log")
    b.set_title("stage 2")
    b.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def write_report(
    run_dir: Path,
    cfg: DictConfig,
    models: Any,
    manifest: Any,
    splits: dict[str, Any],
    render: Callable[..., list[dict[str, Any]]],
) -> Path:
    """Writes ``run_dir/report.md`` with metrics, curves, a spectrogram grid and sample wavs (speech, generated,
    reference) for the first test items."""
    stage1 = json.loads((run_dir / STAGE1_METRICS).read_text())
    stage2 = json.loads((run_dir / STAGE2_HISTORY).read_text())
    loss_curves(run_dir / "curves.png", stage1, stage2)
    split = splits.get("test") or splits["val"]
    samples_dir = run_dir / "samples"
    if samples_dir.exists():
        shutil.rmtree(samples_dir)
    rows = render(samples_dir, cfg, models, split, cfg.sampling.num_report_samples)
    by_id = {i.id: i for i in manifest}
    grid, lines = [], []
    sr = models.vocoder.sample_rate
    for row in rows:
        item = by_id[row["id"]]
        speech = samples_dir / f"{item.id}.speech.wav"
        reference = samples_dir / f"{item.id}.reference.wav"
        shutil.copyfile(manifest.speech_path(item), speech)
        shutil.copyfile(manifest.audio_path(item), reference)
        generated, _ = load_audio(row["generated"], sr, check=False)
        ref, _ = load_audio(reference, sr, check=False)
        grid.append((item.caption, [("generated", generated), ("reference", ref[: len(generated)])]))
        lines.append(
            f"| {item.caption} | {item.voice} | [speech]({speech.relative_to(run_dir)}) | "
            f"[generated]({row['generated'].relative_to(run_dir)}) | [reference]({reference.relative_to(run_dir)}) |"
        )
    spectrogram_grid(run_dir / "spectrograms.png", grid, sr)
    s1_rows = [
        f"| {name} | {_fmt(v['top1'])} | {_fmt(v['mAP'])} |"
        for name, v in stage1.items()
        if isinstance(v, dict) and "top1" in v
    ]
    val = stage2.get("val", [])
    text = [
        f"# Report: {run_dir.name}",
        "",
        f"Components: encoder `{cfg.encoder._component_}`, bridge `{cfg.bridge._component_}`, generator "
        f"`{cfg.generator._component_}`, vocoder `{cfg.vocoder._component_}`. Corpus: `{manifest.path}` "
        f"({', '.join(f'{k} {v}' for k, v in manifest.split_counts().items())}).",
        "",
        "## Stage 1: speech -> sound-event labels",
        "",
        f"Best validation mAP {stage1['best_val_mAP']:.3f} (scored over the whole validation split each epoch).",
        "",
        "| split | top-1 accuracy | mAP |",
        "|---|---|---|",
        *s1_rows,
        "",
        "## Stage 2: generation",
        "",
        f"Final validation loss (EMA weights) {val[-1][1]:.4f} at step {val[-1][0]}." if val else "",
        "",
        "![loss curves](curves.png)",
        "",
        f"## Samples ({cfg.sampling.solver}, {cfg.sampling.steps} steps, guidance {cfg.sampling.guidance}, "
        f"seed {cfg.sampling.seed}, {cfg.sampling.seconds} s)",
        "",
        "| caption (spoken) | voice | speech prompt | generated | reference |",
        "|---|---|---|---|---|",
        *lines,
        "",
        "![spectrograms](spectrograms.png)",
        "",
    ]
    evaluation = run_dir / "eval" / "report.md"
    if evaluation.exists():
        text += ["## Evaluation", "", evaluation.read_text()]
    path = run_dir / "report.md"
    path.write_text("\n".join(text))
    return path
