"""The pure metrics of star_kit.evaluation.metrics: probe, top-1, mAP, Frechet distance, KL, word errors and the
95 % bootstrap intervals over clips that metrics.json reports."""

from __future__ import annotations

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit.evaluation.metrics import (
    bootstrap_interval,
    event_correct,
    fit_probe,
    frechet_distance,
    generation_metrics,
    kl_divergence,
    map_interval,
    mean_average_precision,
    top1_accuracy,
    with_interval,
    word_errors,
)


def _blobs(n_per: int, seed: int, dim: int = 16, classes: int = 3, spread: float = 0.5):
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).normal(size=(classes, dim)) * 3
    y = np.repeat(np.arange(classes), n_per)
    x = centres[y] + spread * rng.normal(size=(len(y), dim))
    return x, np.eye(classes)[y]


@pytest.mark.parametrize("mode", ["softmax", "sigmoid"])
def test_probe_separates_classes_and_is_deterministic(mode: str) -> None:
    x, t = _blobs(20, seed=0)
    xt, tt = _blobs(10, seed=1)
    a, b = fit_probe(x, t, mode), fit_probe(x, t, mode)
    np.testing.assert_array_equal(a.weight, b.weight)
    assert event_correct(a.posteriors(xt), tt).mean() == 1.0
    p = a.posteriors(xt)
    assert p.shape == (30, 3) and ((p >= 0) & (p <= 1)).all()
    if mode == "softmax":
        np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-9)


def test_probe_learns_nothing_from_shuffled_labels() -> None:
    x, t = _blobs(40, seed=0, spread=3.0)
    xt, tt = _blobs(40, seed=1, spread=3.0)
    shuffled = t[np.random.default_rng(0).permutation(len(t))]
    acc = event_correct(fit_probe(x, shuffled, l2=1.0).posteriors(xt), tt).mean()
    assert acc < 0.6  # chance is 1/3; the real labels give 1.0


def test_probe_multi_label_targets_split_the_mass() -> None:
    x, t = _blobs(20, seed=0)
    both = np.concatenate([x[:20] + x[20:40]]) / 2  # halfway between class 0 and class 1
    targets = np.zeros((20, 3))
    targets[:, :2] = 1
    probe = fit_probe(np.concatenate([x, both]), np.concatenate([t, targets]))
    p = probe.posteriors(both)
    assert (p[:, 2] < 0.1).all() and event_correct(p, targets).all()


def test_probe_rejects_bad_input() -> None:
    x, t = _blobs(5, seed=0)
    with pytest.raises(StarKitError, match="softmax or sigmoid"):
        fit_probe(x, t, "linear")
    t[0] = 0
    with pytest.raises(StarKitError, match="label each"):
        fit_probe(x, t)


def test_event_correct_accepts_any_of_the_labels() -> None:
    posteriors = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    targets = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert event_correct(posteriors, targets).tolist() == [True, False, True]


def test_frechet_distance_known_values() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, 2.0, 0.0])
    assert frechet_distance(a, a + shift) == pytest.approx(5.0, rel=1e-6)  # same covariance: |delta mu|^2
    # independent 1-d Gaussians: (mu1 - mu2)^2 + (s1 - s2)^2 per dimension
    b = rng.normal(size=(4000, 3)) * 2 + 1
    expected = sum(
        (a[:, k].mean() - b[:, k].mean()) ** 2 + (a[:, k].std(ddof=1) - b[:, k].std(ddof=1)) ** 2 for k in range(3)
    )
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-6)


def test_frechet_distance_matches_the_sqrtm_formula() -> None:
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(200, 8)), rng.normal(size=(150, 8)) @ rng.normal(size=(8, 8)) + 0.5
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s_a + s_b - 2 * np.real(sqrtm(s_a @ s_b)))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_with_fewer_clips_than_dimensions_is_finite() -> None:
    rng = np.random.default_rng(0)
    value = frechet_distance(rng.normal(size=(10, 64)), rng.normal(size=(12, 64)) + 1)
    assert np.isfinite(value) and value > 64  # the mean shift alone is 64
    with pytest.raises(StarKitError, match="at least 2"):
        frechet_distance(rng.normal(size=(1, 4)), rng.normal(size=(5, 4)))


def test_kl_divergence_values_and_direction() -> None:
    p = np.array([[0.5, 0.5], [0.9, 0.1]])
    q = np.array([[0.5, 0.5], [0.5, 0.5]])
    kl = kl_divergence(p, q)
    assert kl[0] == pytest.approx(0.0, abs=1e-12)
    assert kl[1] == pytest.approx(0.9 * np.log(0.9 / 0.5) + 0.1 * np.log(0.1 / 0.5))
    assert kl_divergence(q, p)[1] == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))
    assert np.isfinite(kl_divergence(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))).all()


def test_generation_metrics_rank_good_above_bad_generations() -> None:
    x, t = _blobs(30, seed=0)
    probe = fit_probe(x, t)
    ref, targets = _blobs(10, seed=1)
    good, _ = _blobs(10, seed=2)
    bad = good[np.roll(np.arange(30), 10)]  # every clip generated as another class
    m_good, rows = generation_metrics(good, ref, probe, targets, "aisfx")
    m_bad, _ = generation_metrics(bad, ref, probe, targets, "aisfx")
    assert m_good["aisfx-acc"] == 1.0 and m_bad["aisfx-acc"] == 0.0
    assert m_good["aisfx-KL"] < m_bad["aisfx-KL"] and m_good["aisfx-KL-reverse"] < m_bad["aisfx-KL-reverse"]
    assert rows["correct"].shape == rows["kl"].shape == (30,)
    # FAD compares distributions, not pairs: shuffling the pairing leaves it unchanged
    assert m_good["aisfx-FAD"] == pytest.approx(m_bad["aisfx-FAD"], rel=1e-6)
    m_far, _ = generation_metrics(good + 5.0, ref, probe, targets, "aisfx")
    assert m_far["aisfx-FAD"] > m_good["aisfx-FAD"] + 100


def test_word_errors_ignore_case_and_punctuation() -> None:
    assert word_errors("A dog barks while rain falls", "a dog barks, while rain falls.") == (0, 6)
    assert word_errors("a dog barks", "the dog marks loudly") == (3, 3)  # 2 substitutions + 1 insertion
    assert word_errors("thunder rumbles", "thunderumbles") == (2, 2)
    assert word_errors("rain", "") == (1, 1)


def test_top1_and_map_known_values() -> None:
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7]])
    targets = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]])  # class 2 has no positive: left out of mAP
    assert top1_accuracy(scores, targets) == 0.5 == event_correct(scores, targets).mean()
    # class 0: its positive ranks first (AP 1); class 1: positives rank 1st and 2nd (AP 1)
    assert mean_average_precision(scores, targets) == 1.0
    worse = scores.copy()
    worse[2, 1] = 0.05  # ranks class 1's second positive below two negatives: AP (1 + 2/4) / 2
    assert mean_average_precision(worse, targets) == pytest.approx((1 + 0.75) / 2)


def _correct(n: int, rate: float = 0.3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(n) < rate  # (n,) per-clip 0/1 correctness


def test_interval_contains_the_mean_and_narrows_as_clips_grow() -> None:
    widths = []
    for n in (20, 200, 2000):
        values = _correct(n)
        low, high = bootstrap_interval(values)
        assert 0 <= low <= values.mean() <= high <= 1
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2] > 0


def test_interval_is_deterministic_for_a_seed() -> None:
    values = np.random.default_rng(1).normal(size=50)  # per-clip scores, not only 0/1
    assert bootstrap_interval(values, seed=3) == bootstrap_interval(values, seed=3)
    assert bootstrap_interval(values, seed=3) != bootstrap_interval(values, seed=4)
    assert bootstrap_interval(values, level=0.5) != bootstrap_interval(values)


def test_interval_of_constant_values_is_the_value() -> None:
    assert bootstrap_interval(np.ones(30, bool)) == (1.0, 1.0)
    assert bootstrap_interval(np.zeros(7)) == (0.0, 0.0)
    assert bootstrap_interval(np.array([0.25])) == (0.25, 0.25)  # one clip


def test_interval_rejects_no_clips_and_bad_levels() -> None:
    with pytest.raises(ValueError, match="no values"):
        bootstrap_interval(np.array([]))
    with pytest.raises(ValueError, match="level"):
        bootstrap_interval(np.ones(3), level=1.5)


def test_map_interval_resamples_clips() -> None:
    rng = np.random.default_rng(0)
    targets = np.eye(3)[rng.integers(0, 3, 40)]  # (40, 3) one label per clip
    perfect = targets + 0.1 * rng.random(targets.shape)
    assert map_interval(perfect, targets) == (1.0, 1.0)
    low, high = map_interval(rng.random(targets.shape), targets, seed=2)
    assert 0 < low < high <= 1 and map_interval(rng.random((1, 3)), targets[:1]) == pytest.approx((1.0, 1.0))


def test_with_interval_formats_value_and_interval() -> None:
    block = {"aisfx-acc": 0.2083, "aisfx-acc_ci95": [0.1042, 0.3333], "aisfx-FAD": 358.2}
    assert with_interval(block, "aisfx-acc") == "0.208 [0.104, 0.333]"
    assert with_interval(block, "aisfx-FAD", 1) == "358.2"  # no interval: the value alone
