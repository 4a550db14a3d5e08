"""The pure metrics of evaluation: judge probe, top-1 and mAP, Frechet distance, KL, word errors, bootstrap intervals.

Nothing here loads a model or reads a file: every function takes arrays and returns numbers, deterministically.

Shapes: n clips, d embedding width, c classes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from star_kit.errors import StarKitError

CI = "_ci95"  # suffix of the sibling key that holds a metric's 95 % bootstrap interval: "top1" -> "top1_ci95"
BOOTSTRAP: dict[str, Any] = {"resamples": 2000, "level": 0.95, "seed": 0}  # the intervals metrics.json reports


# ---------------------------------------------------------------------------------------------------- judge probe
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


# ---------------------------------------------------------------------------------------------------- classification
def event_correct(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Top-1 per clip: ``(n,)`` bool, is each clip's highest-scoring class one of its labels?

    ``scores`` (logits, sigmoid scores or probe posteriors) and ``targets`` (multi-hot): ``(n, c)``.
    """
    return targets[np.arange(len(targets)), np.asarray(scores).argmax(1)] > 0


def top1_accuracy(scores: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of clips whose highest-scoring class is one of their labels (the mean of :func:`event_correct`)."""
    return float(event_correct(scores, targets).mean())


def average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """AP of one class: mean precision at each positive, ranked by score (sklearn's definition)."""
    order = np.argsort(-scores, kind="stable")
    hits = targets[order] > 0
    if not hits.any():
        return float("nan")
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def mean_average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """mAP over classes that have at least one positive. ``scores``/``targets``: ``(items, classes)``."""
    aps = [average_precision(scores[:, c], targets[:, c]) for c in range(targets.shape[1])]
    aps = [a for a in aps if not math.isnan(a)]
    return float(np.mean(aps)) if aps else float("nan")


# ---------------------------------------------------------------------------------------------------- distributions
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


def generation_metrics(
    gen: np.ndarray, ref: np.ndarray, probe: Probe, targets: np.ndarray, judge: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``<judge>-acc`` (with its 95 % interval over clips) / ``-FAD`` / ``-KL`` / ``-KL-reverse`` of clips
    ``gen (n, d)`` generated for references ``ref (n, d)`` (pairs by row), with the judge's name as key prefix.

    Returns:
        ``(metrics, per_clip)`` with per-clip ``correct``, ``kl``, ``kl_reverse`` and ``top`` (class index).
    """
    p_gen, p_ref = probe.posteriors(gen), probe.posteriors(ref)
    correct = event_correct(p_gen, targets)
    kl, kl_reverse = kl_divergence(p_ref, p_gen), kl_divergence(p_gen, p_ref)
    metrics = {
        f"{judge}-acc": float(correct.mean()),
        f"{judge}-acc" + CI: ci(correct),
        f"{judge}-FAD": frechet_distance(gen, ref) if len(gen) >= 2 else float("nan"),
        f"{judge}-KL": float(kl.mean()),
        f"{judge}-KL-reverse": float(kl_reverse.mean()),
    }
    return metrics, {"correct": correct, "kl": kl, "kl_reverse": kl_reverse, "top": p_gen.argmax(1)}


# ---------------------------------------------------------------------------------------------------- transcripts
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


# ---------------------------------------------------------------------------------------------------- intervals
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

    Each resample's mAP is over the classes with a positive among its clips (as :func:`mean_average_precision`).
    """
    rows = bootstrap_indices(len(targets), resamples, seed)
    return percentile_interval(np.array([mean_average_precision(scores[r], targets[r]) for r in rows]), level)


def ci(values: np.ndarray) -> list[float]:
    """The ``_ci95`` entry of the mean of per-clip ``values``: ``[low, high]`` with the :data:`BOOTSTRAP` settings."""
    return list(bootstrap_interval(values, **BOOTSTRAP))


def with_interval(block: dict[str, Any], key: str, digits: int = 3) -> str:
    """``block[key]`` formatted with its interval when the block has one: ``0.208 [0.104, 0.333]``."""
    interval = block.get(key + CI)
    text = f"{block[key]:.{digits}f}"
    return text if interval is None else f"{text} [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"
