"""``starkit eval``: the pinned evaluation protocol of a trained run.

Two questions, answered on one manifest split:

* **Stage 1** (did the bridge hear the sound events in the speech?): mAP and top-1 accuracy of the run's label head
  (``stage1.*`` in ``model/model.safetensors``) over the masked mean of the bridge's condition tokens.
* **Generation** (does the generated sound contain those events?), scored by an independent judge: the ``aisfx``
  sound-effects embedding network (a metric plugin), never by anything the run trained.

  - ``aisfx-acc``: a linear probe fitted on judge embeddings of the corpus's *real* train-split audio gives each clip
    class posteriors; a clip is correct when its top class is one of its labels.
  - ``aisfx-FAD``: Frechet distance between Gaussians fitted to the judge embeddings of the generated clips and of
    the split's real reference clips (see :func:`frechet_distance`). Not comparable to published (VGGish) FAD.
  - ``aisfx-KL``: mean over clips of KL(p_ref || p_gen), the probe posteriors of the reference clip against those of
    the clip generated for it (the direction of audioldm_eval's ``kl_div(log p_gen, p_ref)``);
    ``aisfx-KL-reverse`` is KL(p_gen || p_ref).

The same metrics for the reference audio passed through the vocoder (encode -> decode) give the ceiling a perfect
generator could reach in the run's latent space. For a cascade run (an encoder with ``transcribe``), the ASR
transcripts and their word error rate against the captions are reported too. Every setting that changes a number
(judge and checkpoint sha256, probe, clip counts, sample rates, steps, guidance, solver, seed, limit) is written next
to the numbers, and the per-clip rows go to ``samples.csv``. Everything is deterministic: the same run and settings
give identical files.

Shapes: n clips, d embedding width, c classes, t frames.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import Tensor, nn

from star_kit.data.manifest import LABELS_NAME, Item, Manifest, atomic_write_bytes, multi_hot, read_manifest
from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit.nn import masked_mean

CONDITIONS = ("speech", "caption")
CI = "_ci95"  # suffix of the sibling key that holds a metric's 95 % bootstrap interval: "top1" -> "top1_ci95"
BOOTSTRAP: dict[str, Any] = {"resamples": 2000, "level": 0.95, "seed": 0}  # the intervals metrics.json reports


# ---------------------------------------------------------------------------------------------------- pure metrics
@dataclass
class Probe:
    """A linear classifier on standardised embeddings. ``mode``: ``softmax`` (multinomial, soft multi-hot targets)
    or ``sigmoid`` (independent multi-label)."""

    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,)
    weight: np.ndarray  # (d, c)
    bias: np.ndarray  # (c,)
    mode: str

    def logits(self, x: np.ndarray) -> np.ndarray:
        """``x (n, d)`` -> ``(n, c)``."""
        return ((np.asarray(x, np.float64) - self.mean) / self.scale) @ self.weight + self.bias

    def posteriors(self, x: np.ndarray) -> np.ndarray:
        """``x (n, d)`` -> class posteriors ``(n, c)``: a distribution per row (softmax) or per-class probabilities."""
        z = torch.from_numpy(self.logits(x))
        return (torch.softmax(z, -1) if self.mode == "softmax" else torch.sigmoid(z)).numpy()


def fit_probe(
    x: np.ndarray, targets: np.ndarray, mode: str = "softmax", l2: float = 1e-3, max_iter: int = 300
) -> Probe:
    """Fits a logistic-regression probe, deterministically (zero init, full-batch L-BFGS in float64).

    Args:
        x: ``(n, d)`` embeddings.
        targets: ``(n, c)`` multi-hot labels; ``softmax`` spreads a clip's probability mass evenly over its labels.
        mode: ``softmax`` or ``sigmoid``.
        l2: weight decay on the (standardised) weights, per clip.
        max_iter: L-BFGS iterations.
    """
    if mode not in ("softmax", "sigmoid"):
        raise StarKitError(f"probe mode must be softmax or sigmoid, not '{mode}'")
    x, targets = np.asarray(x, np.float64), np.asarray(targets, np.float64)
    if x.ndim != 2 or targets.shape[0] != x.shape[0] or (targets.sum(1) <= 0).any():
        raise StarKitError(
            f"probe: need (n, d) embeddings and (n, c) targets with a label each, got {x.shape} and {targets.shape}"
        )
    mean, scale = x.mean(0), x.std(0) + 1e-6
    xs = torch.from_numpy((x - mean) / scale)  # (n, d)
    y = torch.from_numpy(targets)  # (n, c)
    if mode == "softmax":
        y = y / y.sum(1, keepdim=True)
    w = torch.zeros(x.shape[1], targets.shape[1], dtype=torch.float64, requires_grad=True)  # (d, c)
    b = torch.zeros(targets.shape[1], dtype=torch.float64, requires_grad=True)  # (c,)
    opt = torch.optim.LBFGS(
        [w, b],
        lr=1,
        max_iter=max_iter,
        history_size=20,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-9,
        tolerance_change=1e-12,
    )

    def closure() -> Tensor:
        opt.zero_grad()
        z = xs @ w + b  # (n, c)
        if mode == "softmax":
            loss = -(y * torch.log_softmax(z, -1)).sum(1).mean()
        else:
            loss = nn.functional.binary_cross_entropy_with_logits(z, y)
        loss = loss + 0.5 * l2 * w.square().sum()
        loss.backward()
        return loss

    opt.step(closure)
    return Probe(mean, scale, w.detach().numpy(), b.detach().numpy(), mode)


def event_correct(posteriors: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: is each clip's top class one of its labels? ``posteriors``/``targets``: ``(n, c)``."""
    return targets[np.arange(len(targets)), np.asarray(posteriors).argmax(1)] > 0


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to ``a (n, d)`` and ``b (m, d)`` (n, m >= 2).

    ``||mu_a - mu_b||^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))``. The last trace is computed as the sum of the
    square roots of the eigenvalues of the symmetric ``S_a^(1/2) S_b S_a^(1/2)`` (the same number as
    ``tr(scipy.linalg.sqrtm(S_a @ S_b))``, which has the same eigenvalues), so it stays exact and fast when there are
    fewer clips than dimensions and the covariances are singular.
    """
    from scipy.linalg import eigh, eigvalsh

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise StarKitError(f"Frechet distance needs at least 2 clips per set, got {len(a)} and {len(b)}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T  # S_a^(1/2)
    tr_covmean = np.sqrt(np.clip(eigvalsh(root_a @ s_b @ root_a), 0, None)).sum()
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b) - 2 * tr_covmean)


def kl_divergence(p: np.ndarray, q: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """``(n,)`` KL(p_i || q_i) in nats between rows of ``p, q (n, c)``, each clipped at ``eps`` and renormalised."""
    p = np.clip(np.asarray(p, np.float64), eps, None)
    q = np.clip(np.asarray(q, np.float64), eps, None)
    p, q = p / p.sum(1, keepdims=True), q / q.sum(1, keepdims=True)
    return np.sum(p * (np.log(p) - np.log(q)), axis=1)


def bootstrap_indices(n: int, resamples: int = 2000, seed: int = 0) -> np.ndarray:
    """``(resamples, n)`` clip indices, each row ``n`` draws with replacement from ``range(n)``; the same for a seed.

    Raises:
        ValueError: for no clips or no resamples.
    """
    if n < 1 or resamples < 1:
        raise ValueError(f"a bootstrap needs at least one clip and one resample, got {n} clips, {resamples} resamples")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def percentile_interval(estimates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval ``(low, high)`` of bootstrap ``estimates (resamples,)``."""
    if not 0 < level < 1:
        raise ValueError(f"the interval's level must lie in (0, 1), not {level}")
    low, high = np.quantile(estimates, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def bootstrap_interval(
    values: np.ndarray, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean of per-clip ``values (n,)`` (0/1 correctness or scores).

    Deterministic for a ``seed``; one clip gives the interval ``(value, value)``.

    Raises:
        ValueError: for no values, or a ``level`` outside (0, 1).
    """
    values = np.asarray(values, np.float64).reshape(-1)
    if not len(values):
        raise ValueError("bootstrap_interval: no values (an interval needs at least one clip)")
    means = values[bootstrap_indices(len(values), resamples, seed)].mean(1)  # (resamples,)
    return percentile_interval(means, level)


def map_interval(
    scores: np.ndarray, targets: np.ndarray, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mAP of ``scores``/``targets (n, c)``, clips resampled with replacement.

    Each resample's mAP is over the classes with a positive among its clips (as
    :func:`~star_kit.training.mean_average_precision`).
    """
    from star_kit.training import mean_average_precision

    rows = bootstrap_indices(len(targets), resamples, seed)
    return percentile_interval(np.array([mean_average_precision(scores[r], targets[r]) for r in rows]), level)


def _ci(values: np.ndarray) -> list[float]:
    """The ``_ci95`` entry of the mean of per-clip ``values``: ``[low, high]`` with the :data:`BOOTSTRAP` settings."""
    return list(bootstrap_interval(values, **BOOTSTRAP))


def with_interval(block: dict[str, Any], key: str, digits: int = 3) -> str:
    """``block[key]`` formatted with its interval when the block has one: ``0.208 [0.104, 0.333]``."""
    interval = block.get(key + CI)
    text = f"{block[key]:.{digits}f}"
    return text if interval is None else f"{text} [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"


def generation_metrics(
    gen: np.ndarray, ref: np.ndarray, probe: Probe, targets: np.ndarray
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """aisfx-acc (with its 95 % interval over clips) / -FAD / -KL of clips ``gen (n, d)`` generated for references
    ``ref (n, d)`` (pairs by row).

    Returns:
        ``(metrics, per_clip)`` with per-clip ``correct``, ``kl``, ``kl_reverse`` and ``top`` (class index).
    """
    p_gen, p_ref = probe.posteriors(gen), probe.posteriors(ref)
    correct = event_correct(p_gen, targets)
    kl, kl_reverse = kl_divergence(p_ref, p_gen), kl_divergence(p_gen, p_ref)
    metrics = {
        "aisfx-acc": float(correct.mean()),
        "aisfx-acc" + CI: _ci(correct),
        "aisfx-FAD": frechet_distance(gen, ref) if len(gen) >= 2 else float("nan"),
        "aisfx-KL": float(kl.mean()),
        "aisfx-KL-reverse": float(kl_reverse.mean()),
    }
    return metrics, {"correct": correct, "kl": kl, "kl_reverse": kl_reverse, "top": p_gen.argmax(1)}


# ---------------------------------------------------------------------------------------------------- the run
@dataclass
class RunFiles:
    """What an evaluation reads from a finished run."""

    run_dir: Path
    cfg: DictConfig
    manifest: Manifest
    labels: list[str]
    labels_checked: str  # how the manifest's label set was checked against the run's


def manifest_of(cfg: DictConfig, override: str | Path | None = None) -> Path:
    """The manifest a run's config names (``data.manifest``, else ``data.root/manifest.jsonl``), or ``override``."""
    if override is not None:
        return Path(override)
    data = cfg.get("data", {})
    if data.get("manifest"):
        return Path(data.manifest)
    if data.get("root"):
        return Path(data.root) / "manifest.jsonl"
    raise StarKitError("the run's config names no data.manifest or data.root; pass --manifest")


def load_run(run_dir: str | Path, manifest: str | Path | None = None) -> RunFiles:
    """Checks that ``run_dir`` is a finished run and that the manifest's label set is the run's.

    Raises:
        StarKitError: naming the unfinished stage, the missing manifest, or the labels that differ.
    """
    from star_kit.pipeline import MODEL_DIR, WEIGHTS

    run_dir = Path(run_dir)
    model = run_dir / MODEL_DIR
    if not (run_dir / "config.yaml").exists() and not (model / "config.yaml").exists():
        raise StarKitError(f"{run_dir} is not a run directory (no config.yaml); train one with `starkit recipe run`")
    if not (model / WEIGHTS).exists():
        if not (run_dir / "stage1" / "metrics.json").exists():
            missing = "stage 1 (no stage1/metrics.json) and stage 2"
        else:
            missing = f"stage 2 (no exported {MODEL_DIR}/{WEIGHTS})"
        raise StarKitError(f"{run_dir}: {missing} not finished; finish the run with `starkit recipe run ... --resume`")
    cfg = OmegaConf.load(model / "config.yaml")
    assert isinstance(cfg, DictConfig)
    path = manifest_of(cfg, manifest)
    if not path.exists():
        source = "--manifest" if manifest else "data.manifest or data.root of the run's config"
        raise StarKitError(f"{path}: the manifest (from {source}) does not exist; build the corpus or pass --manifest")
    found = read_manifest(path)
    from safetensors import safe_open

    with safe_open(str(model / WEIGHTS), framework="pt") as f:
        if "stage1.head.weight" not in f.keys():
            raise StarKitError(f"{model / WEIGHTS} has no stage-1 model (stage1.*); re-export the run")
        num_classes = f.get_slice("stage1.head.weight").get_shape()[0]
    labels_file = model / LABELS_NAME
    if labels_file.exists():
        run_labels = json.loads(labels_file.read_text())
        if len(run_labels) != num_classes:
            raise StarKitError(f"{labels_file} lists {len(run_labels)} labels but the head has {num_classes} outputs")
        if run_labels != found.labels:
            missing = ", ".join(x for x in run_labels if x not in found.labels) or "-"
            extra = ", ".join(x for x in found.labels if x not in run_labels) or "-"
            detail = (
                f"the run's labels missing from the manifest: {missing}; the manifest's labels the run lacks: {extra}"
            )
            if missing == extra == "-":
                detail = "the same classes in another order"
            raise StarKitError(f"{found.path}: label set differs from the run's ({labels_file}): {detail}")
        checked = f"equal to {labels_file}"
    else:
        if len(found.labels) != num_classes:
            raise StarKitError(
                f"{found.path}: {len(found.labels)} labels but the run's head has {num_classes} outputs; "
                "evaluate with the manifest the run was trained on (--manifest)"
            )
        checked = f"count only ({num_classes} classes; the run has no {MODEL_DIR}/{LABELS_NAME})"
    return RunFiles(run_dir, cfg, found, found.labels, checked)


# ---------------------------------------------------------------------------------------------------- evaluation
def split_items(manifest: Manifest, split: str, limit: int | None) -> list[Item]:
    """The split's items; with ``limit``, that many spread evenly over the split (so every voice and SNR stays)."""
    items = [i for i in manifest if i.split == split]
    if not items:
        counts = ", ".join(f"{s} ({n})" for s, n in manifest.split_counts().items())
        raise StarKitError(f"{manifest.path}: no items in split '{split}'; splits present: {counts}")
    if not limit or limit >= len(items):
        return items
    return [items[k * len(items) // limit] for k in range(limit)]


def pooled_head_scores(bridge: nn.Module, head: nn.Linear, frames: Frames) -> Tensor:
    """The recipe's stage-1 scores: sigmoid of the head over the masked mean of the condition tokens ``(b, c)``."""
    cond = bridge(frames)
    return torch.sigmoid(head(masked_mean(cond.values, cond.mask, dim=1)))


def train_probe(
    judge: Any,
    manifest: Manifest,
    seconds: float,
    cache_root: str | Path,
    mode: str = "softmax",
    progress: bool = False,
) -> tuple[Probe, dict[str, Any]]:
    """The judge's probe, fitted on the embeddings of the manifest's real ``train`` audio cropped to ``seconds``.

    Returns:
        The probe and what it was fitted on (``mode``, ``fitted_on``, ``train_accuracy``), as metrics.json records it.
    """
    train = [i for i in manifest if i.split == "train"]
    if not train:
        raise StarKitError(f"{manifest.path}: the judge's probe is fitted on the 'train' split, which is empty")
    embeddings = reference_embeddings(judge, manifest, train, seconds, cache_root, progress=progress)
    targets = np.stack([multi_hot(i.labels, manifest.labels) for i in train])
    probe = fit_probe(embeddings, targets, mode)
    fitted_on = f"judge embeddings of the real audio of the 'train' split ({len(train)} clips, first {seconds:g} s)"
    return probe, {
        "mode": mode,
        "fitted_on": fitted_on,
        "train_accuracy": float(event_correct(probe.posteriors(embeddings), targets).mean()),
    }


def reference_embeddings(
    judge: Any,
    manifest: Manifest,
    items: list[Item],
    seconds: float,
    cache_root: str | Path,
    vocoder: Any = None,
    vocoder_node: Any = None,
    device: torch.device | str = "cpu",
    progress: bool = False,
) -> np.ndarray:
    """Judge embeddings ``(n, d)`` of the items' real audio cropped to ``seconds``, cached per audio file.

    With ``vocoder``, the audio first goes through ``vocoder.encode`` -> ``decode`` (the resynthesis ceiling).
    """
    from tqdm import tqdm

    from star_kit.audio import SILENCE_PEAK, load_audio
    from star_kit.data.cache import FeatureCache, file_fingerprint
    from star_kit.registry import get_registry

    key: dict[str, Any] = {"_component_": judge.name, **judge.describe(), "seconds": seconds}
    namespace = "judge-reference"
    if vocoder is not None:
        node = (
            OmegaConf.to_container(vocoder_node, resolve=True) if isinstance(vocoder_node, DictConfig) else vocoder_node
        )
        entry = get_registry().get("vocoder", str(node["_component_"]))
        key["vocoder"] = {**entry.defaults(), **node, "version": entry.version}
        namespace = "judge-resynthesis"
    cache = FeatureCache(cache_root, namespace, key, judge.name)
    files = sorted({i.audio for i in items})
    bar = tqdm(total=len(files), desc=f"judge: {namespace}", unit="clip", disable=not progress, leave=False)

    def compute(names: list[str]) -> list[dict[str, Tensor]]:
        out = []
        for name in names:
            rate = vocoder.sample_rate if vocoder is not None else None
            wav, rate = load_audio(manifest.root / name, rate)
            wav = wav[: int(seconds * rate)]
            if vocoder is not None and np.abs(wav).max() >= SILENCE_PEAK:  # resynthesised silence stays silence
                with torch.no_grad():
                    x, n = torch.from_numpy(wav)[None].to(device), torch.tensor([len(wav)], device=device)
                    audio, lengths = vocoder.decode(vocoder.encode(x, n))
                wav = audio[0, : int(lengths[0])].float().cpu().numpy()
            out.append({"embedding": torch.from_numpy(judge.embed(wav, rate))})
            bar.update()
        return out

    found = cache.get_or_compute(files, compute, 8, [file_fingerprint(manifest.root / f) for f in files])
    bar.close()
    by_file = {f: e["embedding"].numpy() for f, e in zip(files, found, strict=True)}
    return np.stack([by_file[i.audio] for i in items])


def _condition_frames(
    models: Any,
    cfg: DictConfig,
    manifest: Manifest,
    items: list[Item],
    condition: str,
    device: torch.device,
    batch_size: int,
) -> list[Tensor]:
    """Encoder frames ``[(t_i, d)]`` of each item's spoken caption (cached) or of its caption text."""
    from star_kit.features import cache_for, speech_features
    from star_kit.registry import get_registry

    encoder = models.encoder
    if condition == "speech":
        cache = cache_for(cfg.data.cache_dir, "speech", cfg.encoder, get_registry(), "encoder")
        return speech_features(encoder, manifest, items, cache, device, batch_size, progress=False)
    if not hasattr(encoder, "encode_text"):
        raise StarKitError(
            f"condition=caption needs an encoder that reads text (encode_text, e.g. 'cascade'); this run's encoder is "
            f"'{cfg.encoder._component_}'"
        )
    out: list[Tensor] = []
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            frames = encoder.encode_text([i.caption for i in items[start : start + batch_size]])
            out += [frames.values[k, : int(frames.lengths[k])].float().cpu() for k in range(frames.values.shape[0])]
    return out


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """``(word edits, reference words)`` between two texts, case and punctuation ignored (Levenshtein on words)."""
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def _transcripts(
    encoder: Any, manifest: Manifest, items: list[Item], device: torch.device, batch_size: int
) -> list[str]:
    """The cascade's ASR transcripts of the items' speech (encoders with ``transcribe``)."""
    from star_kit.audio import load_audio
    from star_kit.features import pad_waves

    out: list[str] = []
    for start in range(0, len(items), batch_size):
        waves = [load_audio(manifest.speech_path(i), encoder.sample_rate)[0] for i in items[start : start + batch_size]]
        wav, lengths = pad_waves(waves)
        out += encoder.transcribe(wav.to(device), lengths.to(device))
    return out


def _breakdown(keys: list[Any], rows: dict[str, np.ndarray], scores: np.ndarray, targets: np.ndarray) -> dict:
    """Stage-1 and generation metrics per group of clips (voice, SNR), accuracies with their 95 % intervals."""
    from star_kit.training import mean_average_precision

    out = {}
    for key in sorted({k for k in keys if k is not None}, key=lambda k: (isinstance(k, str), k)):
        keep = np.array([k == key for k in keys])
        top1 = event_correct(scores[keep], targets[keep])
        out[f"{key:g}" if isinstance(key, float) else str(key)] = {
            "clips": int(keep.sum()),
            "stage1_top1": float(top1.mean()),
            "stage1_top1" + CI: _ci(top1),
            "stage1_mAP": mean_average_precision(scores[keep], targets[keep]),
            "aisfx-acc": float(rows["correct"][keep].mean()),
            "aisfx-acc" + CI: _ci(rows["correct"][keep]),
            "aisfx-KL": float(rows["kl"][keep].mean()),
        }
    return out


def evaluate(
    run_dir: str | Path,
    split: str = "test",
    steps: int | None = None,
    guidance: float | None = None,
    solver: str | None = None,
    seed: int = 0,
    condition: str = "speech",
    limit: int | None = None,
    manifest: str | Path | None = None,
    batch_size: int = 16,
    device: str = "cpu",
    probe_mode: str = "softmax",
    save_audio: bool = False,
    progress: bool = True,
    encoder_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Evaluates a finished run on one split; writes ``run_dir/eval/<split>[-caption][-<option values>]/``
    ``{metrics.json,samples.csv}``.

    Args:
        run_dir: a finished run (``model/model.safetensors`` with ``bridge.*``, ``generator.*``, ``stage1.head.*``).
        split: the manifest split (``test``, ``test-noisy``, ``val``).
        steps, guidance, solver: sampler settings (default: the run's ``sampling`` section).
        seed: batch ``k`` (of ``batch_size`` clips, in manifest order) samples with seed ``seed + k``.
        condition: ``speech`` (the spoken captions) or ``caption`` (the caption text, through the encoder's
            ``encode_text``: the text upper bound of the cascade baseline).
        limit: only ``limit`` clips, spread evenly over the split (so every voice and SNR stays; ``split_items``).
        manifest: another manifest than the run's (its label set must be the run's).
        batch_size: clips per generation batch (it changes the noise each clip gets, so it is recorded).
        device: where the models run.
        probe_mode: ``softmax`` or ``sigmoid`` judge probe (see :func:`fit_probe`).
        save_audio: also write the generated clips to ``<out>/audio/<id>.wav``.
        encoder_options: keys of the run's (untrained) encoder config to replace, e.g. ``{"transcriber":
            "faster-whisper"}`` for a cascade run; their values name the output folder (``test-faster-whisper``).

    Returns:
        The metrics dict written to ``metrics.json``.
    """
    from tqdm import tqdm

    from star_kit.audio import write_audio
    from star_kit.features import pad_frames
    from star_kit.pipeline import StarPipeline, override_encoder
    from star_kit.registry import get_registry
    from star_kit.training import mean_average_precision

    if condition not in CONDITIONS:
        raise StarKitError(f"condition must be one of {', '.join(CONDITIONS)}, not '{condition}'")
    if limit is not None and limit < 1:
        raise StarKitError(f"limit must be a positive number of clips, not {limit}")
    run = load_run(run_dir, manifest)
    override_encoder(run.cfg, encoder_options)  # before anything reads cfg.encoder: the feature cache is keyed by it
    items = split_items(run.manifest, split, limit)
    judge = get_registry().load("metric", "aisfx")(device=device)
    cfg, s = run.cfg, run.cfg.sampling
    cache_root = cfg.data.cache_dir
    probe, probe_info = train_probe(judge, run.manifest, float(s.seconds), cache_root, probe_mode, progress)
    settings = {
        "steps": int(steps or s.steps),
        "guidance": float(s.guidance if guidance is None else guidance),
        "solver": str(solver or s.solver),
        "seed": seed,
        "seconds": float(s.seconds),
        "batch_size": batch_size,
    }
    pipe = StarPipeline.from_pretrained(run.run_dir, device=device, encoder_options=encoder_options)
    models, dev = pipe.models, pipe.device
    # Stage 1 is scored with the bridge and head as stage 1 left them (stage 2 may have trained the bridge's proj).
    stage1_bridge, head = pipe.stage1_head(run.run_dir, len(run.labels))
    targets = np.stack([multi_hot(i.labels, run.labels) for i in items])  # (n, c)
    out_dir = run.run_dir / "eval" / (split if condition == "speech" else f"{split}-{condition}")
    if encoder_options:
        out_dir = out_dir.with_name("-".join([out_dir.name, *map(str, encoder_options.values())]))

    frames = _condition_frames(models, cfg, run.manifest, items, condition, dev, batch_size)
    scores, generated = [], []
    num_frames = models.vocoder.num_frames(settings["seconds"])
    bar = tqdm(total=len(items), desc=f"eval {split}: generating", unit="clip", disable=not progress)
    with torch.no_grad():
        for k, start in enumerate(range(0, len(items), batch_size)):
            batch = pad_frames(frames[start : start + batch_size], models.encoder.frame_rate).to(dev)
            score = pooled_head_scores(stage1_bridge, head, batch)
            cond = models.bridge(batch)
            scores.append(score.float().cpu().numpy())
            latents = models.generator.sample(
                cond,
                num_frames,
                steps=settings["steps"],
                guidance=settings["guidance"],
                solver=settings["solver"],
                seed=seed + k,
            )
            wav, lengths = models.vocoder.decode(latents)
            for j in range(wav.shape[0]):
                clip = wav[j, : int(lengths[j])].float().cpu().numpy()
                item = items[start + j]
                if save_audio:
                    write_audio(out_dir / "audio" / f"{item.id}.wav", clip, models.vocoder.sample_rate)
                generated.append(judge.embed(clip, models.vocoder.sample_rate))
                bar.update()
    bar.close()
    stage1_scores = np.concatenate(scores)  # (n, c)
    gen = np.stack(generated)  # (n, d)
    ref = reference_embeddings(judge, run.manifest, items, settings["seconds"], cache_root, progress=progress)
    resynth = reference_embeddings(
        judge, run.manifest, items, settings["seconds"], cache_root, models.vocoder, cfg.vocoder, dev, progress
    )

    gen_metrics, rows = generation_metrics(gen, ref, probe, targets)
    ceiling, ceiling_rows = generation_metrics(resynth, ref, probe, targets)
    ref_correct = event_correct(probe.posteriors(ref), targets)
    stage1_correct = event_correct(stage1_scores, targets)
    metrics: dict[str, Any] = {
        "run": str(run.run_dir),
        "split": split,
        "condition": condition,
        "clips": len(items),
        "limit": limit,
        "stage1": {
            "mAP": mean_average_precision(stage1_scores, targets),
            "mAP" + CI: list(map_interval(stage1_scores, targets, **BOOTSTRAP)),
            "top1": float(stage1_correct.mean()),
            "top1" + CI: _ci(stage1_correct),
        },
        "generation": gen_metrics,
        "resynthesis_ceiling": ceiling,
        "reference": {"aisfx-acc": float(ref_correct.mean()), "aisfx-acc" + CI: _ci(ref_correct)},
        "by_voice": _breakdown([i.voice for i in items], rows, stage1_scores, targets),
        "by_snr_db": _breakdown([i.snr_db for i in items], rows, stage1_scores, targets),
        "settings": {
            **settings,
            "device": device,
            **({"encoder_options": dict(encoder_options)} if encoder_options else {}),
            "sample_rates": {
                "speech_encoder": models.encoder.sample_rate,
                "speech_manifest": sorted({i.speech_sample_rate for i in items}),
                "reference_audio": sorted({i.audio_sample_rate for i in items}),
                "generated": models.vocoder.sample_rate,
                "judge": judge.sample_rate,
            },
            "judge": judge.describe(),
            "bootstrap": {"unit": "clip", "method": "percentile", **BOOTSTRAP},
            "probe": probe_info,
            "manifest": str(run.manifest.path),
            "labels": run.labels,
            "labels_checked": run.labels_checked,
            "components": _components(run.run_dir),
        },
    }
    if not metrics["by_snr_db"]:
        del metrics["by_snr_db"]
    transcripts: list[str] = []
    if condition == "speech" and hasattr(models.encoder, "transcribe"):  # the cascade: how wrong was its ASR?
        transcripts = _transcripts(models.encoder, run.manifest, items, dev, batch_size)
        errors = np.array([word_errors(i.caption, t) for i, t in zip(items, transcripts, strict=True)])  # (n, 2)
        metrics["asr"] = {
            "wer": float(errors[:, 0].sum() / max(1, errors[:, 1].sum())),
            "exact": float((errors[:, 0] == 0).mean()),
        }
    labels = np.array(run.labels)
    samples = [
        {
            "id": item.id,
            "caption": item.caption,
            "labels": ";".join(item.labels),
            "voice": item.voice,
            "snr_db": "" if item.snr_db is None else item.snr_db,
            "stage1_top": labels[stage1_scores[n].argmax()],
            "stage1_correct": int(stage1_correct[n]),
            "judge_top": labels[rows["top"][n]],
            "correct": int(rows["correct"][n]),
            "kl": round(float(rows["kl"][n]), 6),
            "reference_judge_top": labels[probe.posteriors(ref[n : n + 1])[0].argmax()],
            "resynthesis_judge_top": labels[ceiling_rows["top"][n]],
            **({"transcript": transcripts[n]} if transcripts else {}),
        }
        for n, item in enumerate(items)
    ]
    write_results(out_dir, metrics, samples)
    return metrics


def _components(run_dir: Path) -> Any:
    path = run_dir / "components.json"
    return json.loads(path.read_text()) if path.exists() else None


def write_results(out_dir: Path, metrics: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    """``metrics.json`` and ``samples.csv`` (one row per clip), each written atomically."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(samples[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(samples)
    atomic_write_bytes(out_dir / "samples.csv", text.getvalue().encode("utf-8"))
    atomic_write_bytes(out_dir / "metrics.json", (json.dumps(metrics, indent=2) + "\n").encode("utf-8"))


def summary_lines(metrics: dict[str, Any]) -> list[str]:
    """A short human-readable summary (for the CLI); ``[low, high]``: 95 % bootstrap intervals over clips."""
    g, c, s1 = metrics["generation"], metrics["resynthesis_ceiling"], metrics["stage1"]
    return [
        f"{metrics['split']} ({metrics['condition']}, {metrics['clips']} clips): stage 1 top-1 "
        f"{with_interval(s1, 'top1')}, mAP {with_interval(s1, 'mAP')}",
        f"generated:   aisfx-acc {with_interval(g, 'aisfx-acc')}  aisfx-FAD {g['aisfx-FAD']:.2f}  "
        f"aisfx-KL {g['aisfx-KL']:.3f}",
        f"resynthesis: aisfx-acc {with_interval(c, 'aisfx-acc')}  aisfx-FAD {c['aisfx-FAD']:.2f}  "
        f"aisfx-KL {c['aisfx-KL']:.3f}  (real audio: aisfx-acc {with_interval(metrics['reference'], 'aisfx-acc')})",
        *([f"ASR: word error rate {metrics['asr']['wer']:.3f}"] if "asr" in metrics else []),
        "[low, high]: 95 % percentile-bootstrap intervals over clips",
    ]
