"""The parts of star_kit.evaluation.protocol that need no run: settings checks and the choice of judge."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit.evaluation.protocol import EvalSettings, default_judge, load_judge, output_dir, summary_lines
from star_kit.hookspecs import hookimpl
from star_kit.interfaces import Judge
from star_kit.registry import Registry


class MeanJudge(Judge):
    """A judge without weights: the mean and spread of the clip."""

    name, dim, sample_rate = "mean", 2, 16000

    def __init__(self, device: str = "cpu") -> None:
        self.device = device

    def embed(self, wav: np.ndarray, sample_rate: int) -> np.ndarray:
        return np.array([wav.mean(), wav.std()], np.float32)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "sample_rate": self.sample_rate, "checkpoint_sha256": "0" * 64}


class NotAJudge:
    def __init__(self, device: str = "cpu") -> None:
        pass


def _registry(**metrics: str) -> Registry:
    class Plugin:
        @hookimpl
        def register_metrics(self) -> dict[str, str]:
            return dict(metrics)

    return Registry(load_entrypoints=False, plugins=(("judges", Plugin()),))


def test_the_one_installed_judge_is_the_default() -> None:
    registry = _registry(mean=f"{__name__}:MeanJudge")
    assert default_judge(registry) == "mean"
    judge = load_judge(device="cpu", registry=registry)
    assert isinstance(judge, MeanJudge) and judge.device == "cpu"


def test_several_or_no_judges_need_a_choice() -> None:
    registry = _registry(mean=f"{__name__}:MeanJudge", other=f"{__name__}:MeanJudge")
    with pytest.raises(StarKitError, match=r"2 judges are installed \(mean, other\); choose one with --judge"):
        default_judge(registry)
    assert isinstance(load_judge("other", registry=registry), MeanJudge)
    with pytest.raises(StarKitError, match="no judge is installed"):
        default_judge(Registry(load_entrypoints=False))


def test_a_metric_that_is_not_a_judge_is_named() -> None:
    registry = _registry(mean=f"{__name__}:MeanJudge", plain=f"{__name__}:NotAJudge")
    with pytest.raises(StarKitError, match=r"metric 'plain' \(plugin judges\) is not a judge .* from: mean, plain"):
        load_judge("plain", registry=registry)
    with pytest.raises(StarKitError, match="unknown metric 'nope'"):
        load_judge("nope", registry=registry)


def test_settings_are_checked_before_anything_loads(tmp_path) -> None:
    with pytest.raises(StarKitError, match="condition must be one of speech, caption, not 'text'"):
        EvalSettings(condition="text")
    with pytest.raises(StarKitError, match="limit must be a positive number of clips, not 0"):
        EvalSettings(limit=0)
    assert output_dir(tmp_path, EvalSettings(split="test-noisy")) == tmp_path / "eval" / "test-noisy"
    assert output_dir(tmp_path, EvalSettings(condition="caption")) == tmp_path / "eval" / "test-caption"
    fast = EvalSettings(encoder_options={"transcriber": "faster-whisper"})
    assert output_dir(tmp_path, fast) == tmp_path / "eval" / "test-faster-whisper"


def test_summary_names_the_judge_from_its_keys() -> None:
    block = {"mean-acc": 0.5, "mean-acc_ci95": [0.25, 0.75], "mean-FAD": 3.0, "mean-KL": 0.2}
    metrics = {
        "split": "test",
        "condition": "speech",
        "clips": 4,
        "stage1": {"top1": 0.5, "mAP": 0.6},
        "generation": block,
        "resynthesis_ceiling": block,
        "reference": {"mean-acc": 1.0},
    }
    lines = summary_lines(metrics)
    assert lines[1] == "generated:   mean-acc 0.500 [0.250, 0.750]  mean-FAD 3.00  mean-KL 0.200"
    assert lines[2].endswith("(real audio: mean-acc 1.000)")
