"""star_kit.evaluation.compare: the comparison table, formatted from fake evaluations and timings (no runs)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from star_kit.errors import StarKitError

# the settings block of a metrics.json, less the judge (the comparison's last lines print it)
SETTINGS = {
    "solver": "euler",
    "steps": 2,
    "guidance": 2.0,
    "seed": 0,
    "seconds": 4.0,
    "bootstrap": {"resamples": 2000, "level": 0.95, "seed": 0},
}


def _fake(monkeypatch: pytest.MonkeyPatch, metrics: dict, splits: dict[str, int]) -> list:
    """No runs: every evaluation returns ``metrics``, the latency benchmark fixed timings; returns the calls made."""
    from star_kit.evaluation import compare, latency, protocol

    timing = {"front_end_ms": {"median": 10.0}}
    timings = {"by_threads": {"1": {"systems": {"end-to-end": timing, "cascade": timing}, "front_end_reduction": 0.0}}}
    calls: list = []
    monkeypatch.setattr(compare, "_evaluated", lambda *args: calls.append(args) or metrics)
    monkeypatch.setattr(latency, "latency", lambda *args, **kwargs: timings)
    monkeypatch.setattr(latency, "markdown", lambda result: "")
    run = SimpleNamespace(manifest=SimpleNamespace(split_counts=lambda: splits))
    monkeypatch.setattr(protocol, "load_run", lambda run_dir: run)
    return calls


def test_comparison_table_shows_the_intervals(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from star_kit.evaluation import compare, latency, protocol

    metrics = {
        "stage1": {"mAP": 0.844, "mAP_ci95": [0.75, 0.93], "top1": 0.896, "top1_ci95": [0.8124, 0.979]},
        "generation": {"aisfx-acc": 0.2083, "aisfx-acc_ci95": [0.1042, 0.3333], "aisfx-FAD": 358.2, "aisfx-KL": 4.58},
        "resynthesis_ceiling": {"aisfx-acc": 0.938, "aisfx-acc_ci95": [0.854, 1.0], "aisfx-FAD": 74.7, "aisfx-KL": 0.4},
        "reference": {"aisfx-acc": 1.0, "aisfx-acc_ci95": [1.0, 1.0]},
        "settings": {**SETTINGS, "judge": {"checkpoint_sha256": "0" * 64}},
    }
    timing = {"front_end_ms": {"median": 29.0}}
    timings = {"by_threads": {"2": {"systems": {"end-to-end": timing, "cascade": timing}, "front_end_reduction": 0.5}}}
    calls: list = []
    monkeypatch.setattr(compare, "_evaluated", lambda *args: calls.append(args) or metrics)  # no runs: formatting only
    monkeypatch.setattr(latency, "latency", lambda *args, **kwargs: calls.append(kwargs) or timings)
    monkeypatch.setattr(latency, "markdown", lambda result: "")
    run = SimpleNamespace(manifest=SimpleNamespace(split_counts=lambda: {"test": 130, "test-noisy": 390}))
    monkeypatch.setattr(protocol, "load_run", lambda run_dir: run)
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
    from star_kit.evaluation.compare import compared_splits

    assert compared_splits(["train", "test", "test-noisy"]) == ["test", "test-noisy"]
    assert compared_splits(["test", "test-noisy", "test-paraphrase"]) == ["test", "test-paraphrase", "test-noisy"]


def test_comparison_names_the_judge_and_passes_it_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The table's columns and settings line name the judge (from its keys); --judge reaches every evaluation."""
    from star_kit.evaluation import compare

    block = {"other-acc": 0.5, "other-FAD": 1.0, "other-KL": 0.1}
    metrics = {
        "stage1": {"mAP": 0.8, "top1": 0.9},
        "generation": block,
        "resynthesis_ceiling": block,
        "reference": {"other-acc": 1.0},
        "settings": {**SETTINGS, "judge": {"name": "other", "checkpoint_sha256": "a" * 64}},
    }
    calls = _fake(monkeypatch, metrics, {"test": 4})
    table = compare.comparison(tmp_path, tmp_path, judge="other")
    assert "| stage-1 top-1 | other-acc | other-FAD | other-KL |" in table
    assert "judge other (sha256 aaaaaaaaaaaa)" in table and "other-* numbers are not comparable" in table
    assert "aisfx" not in table and [args[4] for args in calls] == ["other"] * 6  # 3 systems x 2 splits


def test_cascade_rows_per_task_and_rows_per_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``tasks``: one cascade row per Whisper task (its evaluations get the task as an encoder option); a manifest in
    several languages adds a row per language under every row."""
    from star_kit.evaluation import compare

    group = {"clips": 2, "stage1_top1": 0.5, "stage1_top1_ci95": [0.0, 1.0], "stage1_mAP": 0.75, "aisfx-KL": 1.5}
    group |= {"aisfx-acc": 0.5, "aisfx-acc_ci95": [0.0, 1.0]}
    metrics = {
        "stage1": {"mAP": 0.8, "top1": 0.9},
        "generation": {"aisfx-acc": 0.5, "aisfx-FAD": 1.0, "aisfx-KL": 0.1},
        "resynthesis_ceiling": {"aisfx-acc": 0.9, "aisfx-FAD": 1.0, "aisfx-KL": 0.1},
        "reference": {"aisfx-acc": 1.0},
        "by_language": {"es": group, "pl": group},
        "settings": {**SETTINGS, "judge": {"checkpoint_sha256": "0" * 64}},
    }
    calls = _fake(monkeypatch, metrics, {"test": 4})
    table = compare.comparison(tmp_path, tmp_path, only=["test"], tasks=("translate", "transcribe"))
    assert [args[-1] for args in calls] == [None, {"task": "translate"}, {"task": "transcribe"}, None]
    row = "| cascade (ASR translate -> text -> same generator) | test | 0.800 | 0.900 | 0.500 | 1.0 | 0.100 | 10 |"
    assert row in table
    assert "| cascade (ASR transcribe -> text -> same generator) | test | " in table
    assert "| end-to-end (speech -> encoder -> bridge) | test, pl (2) | 0.750 | 0.500 [0.000, 1.000] | " in table
    assert table.count(", es (2) |") == 4  # under each of the four rows
