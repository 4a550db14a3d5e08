"""star_kit.evaluate.bootstrap_interval: the 95 % intervals over clips that metrics.json reports."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit.evaluate import bootstrap_interval, map_interval, with_interval


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


def test_comparison_table_shows_the_intervals(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from star_kit import bench, compare, evaluate

    metrics = {
        "stage1": {"mAP": 0.844, "mAP_ci95": [0.75, 0.93], "top1": 0.896, "top1_ci95": [0.8124, 0.979]},
        "generation": {"aisfx-acc": 0.2083, "aisfx-acc_ci95": [0.1042, 0.3333], "aisfx-FAD": 358.2, "aisfx-KL": 4.58},
        "resynthesis_ceiling": {"aisfx-acc": 0.938, "aisfx-acc_ci95": [0.854, 1.0], "aisfx-FAD": 74.7, "aisfx-KL": 0.4},
        "reference": {"aisfx-acc": 1.0, "aisfx-acc_ci95": [1.0, 1.0]},
        "settings": {
            "solver": "euler",
            "steps": 2,
            "guidance": 2.0,
            "seed": 0,
            "seconds": 4.0,
            "judge": {"checkpoint_sha256": "0" * 64},
            "bootstrap": {"resamples": 2000, "level": 0.95, "seed": 0},
        },
    }
    timing = {"front_end_ms": {"median": 29.0}}
    latency = {"by_threads": {"2": {"systems": {"end-to-end": timing, "cascade": timing}, "front_end_reduction": 0.5}}}
    calls: list = []
    monkeypatch.setattr(compare, "_evaluated", lambda *args: calls.append(args) or metrics)  # no runs: formatting only
    monkeypatch.setattr(bench, "latency", lambda *args, **kwargs: calls.append(kwargs) or latency)
    monkeypatch.setattr(bench, "markdown", lambda result: "")
    run = SimpleNamespace(manifest=SimpleNamespace(split_counts=lambda: {"test": 130, "test-noisy": 390}))
    monkeypatch.setattr(evaluate, "load_run", lambda run_dir: run)
    table = compare.comparison(tmp_path, tmp_path)
    assert "| 0.844 [0.750, 0.930] | 0.896 [0.812, 0.979] | 0.208 [0.104, 0.333] | 358.2 | 4.580 | 29 |" in table
    assert "aisfx-acc 0.938 [0.854, 1.000]" in table and "95 % percentile-bootstrap intervals" in table
    calls.clear()
    table = compare.comparison(tmp_path, tmp_path, transcriber="faster-whisper")
    assert "| cascade (faster-whisper ASR -> text -> same generator) | test |" in table
    options = [args[-1] for args in calls if isinstance(args, tuple)]  # end-to-end x2, cascade x2, upper bound x2
    fast = {"transcriber": "faster-whisper"}
    assert options == [None, None, fast, fast, None, None]
    assert calls[-1]["transcribers"] == ["faster-whisper"]
    calls.clear()
    table = compare.comparison(tmp_path, tmp_path, only=["test-noisy"])  # three evaluations, one split
    assert [args[1] for args in calls if isinstance(args, tuple)] == ["test-noisy"] * 3
    assert "| test |" not in table and "ceiling (test-noisy, reference audio" in table
    with pytest.raises(StarKitError, match="--splits: 'test-paraphrase' is not compared for .*; its splits: test, "):
        compare.comparison(tmp_path, tmp_path, only=["test-paraphrase"])


def test_comparison_adds_the_paraphrase_split_where_the_corpus_has_it() -> None:
    from star_kit.compare import compared_splits

    assert compared_splits(["train", "test", "test-noisy"]) == ["test", "test-noisy"]
    assert compared_splits(["test", "test-noisy", "test-paraphrase"]) == ["test", "test-paraphrase", "test-noisy"]
