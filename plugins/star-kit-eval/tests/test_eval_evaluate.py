"""star_kit.evaluation.protocol.evaluate on a tiny exported run (random weights, real judge): outputs, determinism,
errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from star_kit.errors import StarKitError
from star_kit.evaluation.protocol import evaluate, load_run, summary_lines

LABELS = ["clicks", "noise", "tone"]  # the tiny run's (conftest)


@pytest.fixture(scope="module")
def first_eval(tiny_run: Path) -> tuple[dict, str, str]:
    """The first evaluation of the run (it fills the caches), with the text of the files it wrote."""
    metrics = evaluate(tiny_run, split="test-noisy", limit=8, progress=False, batch_size=4)
    out = tiny_run / "eval" / "test-noisy"
    return metrics, (out / "metrics.json").read_text(), (out / "samples.csv").read_text()


def test_evaluate_writes_metrics_and_samples_deterministically(tiny_run: Path, first_eval) -> None:
    first, metrics_text, samples_text = first_eval
    second = evaluate(tiny_run, split="test-noisy", limit=8, progress=False, batch_size=4)
    assert first == second
    out = tiny_run / "eval" / "test-noisy"
    assert (out / "metrics.json").read_text() == metrics_text and (out / "samples.csv").read_text() == samples_text

    m = json.loads(metrics_text)
    assert m["clips"] == 8 and m["limit"] == 8 and m["split"] == "test-noisy" and m["condition"] == "speech"
    for block in ("generation", "resynthesis_ceiling"):
        assert set(m[block]) == {"aisfx-acc", "aisfx-acc_ci95", "aisfx-FAD", "aisfx-KL", "aisfx-KL-reverse"}
        assert all(np.isfinite(v).all() for v in m[block].values())
    assert set(m["stage1"]) == {"mAP", "mAP_ci95", "top1", "top1_ci95"}
    assert m["reference"]["aisfx-acc"] == 1.0  # the judge's probe knows tones, noise and clicks apart
    assert m["reference"]["aisfx-acc_ci95"] == [1.0, 1.0]
    assert set(m["by_snr_db"]) == {"0", "10"} and set(m["by_voice"]) == {"voice0", "voice1"}
    assert sum(v["clips"] for v in m["by_snr_db"].values()) == 8
    # a manifest row without a language is in the "unknown" group
    assert set(m["by_language"]) == {"es", "unknown"} and sum(v["clips"] for v in m["by_language"].values()) == 8
    assert sum(line.startswith(("  es (", "  unknown (")) for line in summary_lines(m)) == 2
    # 95 % bootstrap intervals over clips around every per-clip mean (mAP's need not contain the full-split mAP)
    groups = [*m["by_voice"].values(), *m["by_snr_db"].values(), *m["by_language"].values()]
    means = [(b, "aisfx-acc") for b in (m["generation"], m["resynthesis_ceiling"], m["reference"], *groups)]
    means += [(m["stage1"], "top1")] + [(g, "stage1_top1") for g in groups]
    for block, key in means:
        low, high = block[f"{key}_ci95"]
        assert 0 <= low <= block[key] <= high <= 1
    low, high = m["stage1"]["mAP_ci95"]
    assert 0 <= low <= high <= 1
    assert f"top-1 {m['stage1']['top1']:.3f} [{m['stage1']['top1_ci95'][0]:.3f}, " in summary_lines(m)[0]
    st = m["settings"]
    assert st["judge"]["name"] == "aisfx" and len(st["judge"]["checkpoint_sha256"]) == 64
    assert st["bootstrap"] == {"unit": "clip", "method": "percentile", "resamples": 2000, "level": 0.95, "seed": 0}
    assert (st["steps"], st["guidance"], st["solver"], st["seed"]) == (2, 2.0, "euler", 0)
    assert st["sample_rates"]["generated"] == 22050 and st["sample_rates"]["judge"] == 44100
    assert st["labels"] == LABELS and st["labels_checked"].startswith("equal to")
    assert st["probe"]["train_accuracy"] == 1.0

    rows = list(csv.DictReader(samples_text.splitlines()))
    assert len(rows) == 8 and rows[0]["id"] == "test-noisy-clicks-0-snr10"
    assert {"id", "caption", "labels", "voice", "snr_db", "stage1_top", "judge_top", "correct", "kl"} <= set(rows[0])
    assert all(r["judge_top"] in LABELS and r["reference_judge_top"] in r["labels"].split(";") for r in rows)
    assert np.mean([int(r["correct"]) for r in rows]) == pytest.approx(m["generation"]["aisfx-acc"])


def test_sampling_settings_change_only_the_generated_clips(tiny_run: Path, first_eval) -> None:
    base = first_eval[0]
    other = evaluate(
        tiny_run,
        split="test-noisy",
        limit=8,
        seed=1,
        steps=3,
        guidance=1.0,
        progress=False,
        batch_size=4,
        save_audio=True,
    )
    assert (other["settings"]["steps"], other["settings"]["seed"], other["settings"]["guidance"]) == (3, 1, 1.0)
    assert other["generation"]["aisfx-FAD"] != base["generation"]["aisfx-FAD"]
    assert other["resynthesis_ceiling"] == base["resynthesis_ceiling"]  # the ceiling does not depend on sampling
    assert other["stage1"] == base["stage1"] and other["reference"] == base["reference"]
    assert len(list((tiny_run / "eval" / "test-noisy" / "audio").glob("*.wav"))) == 8


def test_cascade_run_reports_its_transcripts_and_the_text_upper_bound(cascade_run: Path) -> None:
    speech = evaluate(cascade_run, split="test", limit=3, progress=False)
    assert 0 <= speech["asr"]["wer"] and 0 <= speech["asr"]["exact"] <= 1
    rows = list(csv.DictReader((cascade_run / "eval" / "test" / "samples.csv").read_text().splitlines()))
    assert len(rows) == 3 and all("transcript" in r for r in rows)
    text = evaluate(cascade_run, split="test", limit=3, condition="caption", progress=False)
    assert "asr" not in text and (cascade_run / "eval" / "test-caption" / "metrics.json").exists()
    assert text["resynthesis_ceiling"] == speech["resynthesis_ceiling"]
    assert text["generation"] != speech["generation"]  # conditioned on other tokens: the captions, not transcripts


def test_cascade_run_evaluated_with_another_transcriber(cascade_run: Path) -> None:
    """Nothing retrained: the run's encoder config gets the transcriber, and the results get their own folder."""
    fast = evaluate(
        cascade_run, split="test", limit=2, progress=False, encoder_options={"transcriber": "faster-whisper"}
    )
    assert fast["settings"]["encoder_options"] == {"transcriber": "faster-whisper"} and 0 <= fast["asr"]["wer"]
    rows = list(csv.DictReader((cascade_run / "eval" / "test-faster-whisper" / "samples.csv").read_text().splitlines()))
    assert len(rows) == 2 and all("transcript" in r for r in rows)


def test_another_judges_results_are_not_overwritten(tiny_run: Path, tmp_path: Path, first_eval) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    path = run / "eval" / "test-noisy" / "metrics.json"
    found = json.loads(path.read_text())
    found["generation"] = {k.replace("aisfx-", "other-"): v for k, v in found["generation"].items()}
    kept = json.dumps(found)
    path.write_text(kept)
    with pytest.raises(StarKitError, match="holds the results of judge 'other'; move that folder away"):
        evaluate(run, split="test-noisy", limit=8, progress=False, batch_size=4)
    assert path.read_text() == kept


def test_unfinished_run_names_the_missing_stage(tiny_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("eval"))
    (run / "model" / "model.safetensors").unlink()
    with pytest.raises(StarKitError, match="stage 2"):
        load_run(run)
    (run / "stage1" / "metrics.json").unlink()
    with pytest.raises(StarKitError, match="stage 1"):
        load_run(run)
    with pytest.raises(StarKitError, match="not a run directory"):
        load_run(tmp_path)


def test_label_set_mismatch_names_the_labels(tiny_run: Path, tmp_path: Path) -> None:
    data = Path(OmegaConf.load(tiny_run / "model" / "config.yaml").data.root)
    other = tmp_path / "other"
    shutil.copytree(data, other)
    (other / "labels.json").write_text(json.dumps(["clicks", "noise", "whistle"]))
    with pytest.raises(StarKitError, match="missing from the manifest: tone; .* the run lacks: whistle"):
        load_run(tiny_run, manifest=other / "manifest.jsonl")
    (other / "labels.json").write_text(json.dumps(["noise", "clicks", "tone"]))
    with pytest.raises(StarKitError, match="another order"):
        load_run(tiny_run, manifest=other)
    with pytest.raises(StarKitError, match="does not exist"):
        load_run(tiny_run, manifest=tmp_path / "nowhere" / "manifest.jsonl")


def test_run_without_labels_file_checks_the_head_size(tiny_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("eval"))
    (run / "model" / "labels.json").unlink()
    assert load_run(run).labels_checked.startswith("count only")
    data = Path(OmegaConf.load(run / "model" / "config.yaml").data.root)
    other = tmp_path / "other"
    shutil.copytree(data, other)
    (other / "labels.json").write_text(json.dumps([*LABELS, "whistle"]))
    with pytest.raises(StarKitError, match="4 labels but the run's head has 3 outputs"):
        load_run(run, manifest=other)


def test_bad_arguments_are_named(tiny_run: Path) -> None:
    with pytest.raises(StarKitError, match="condition=caption needs an encoder that reads text"):
        evaluate(tiny_run, condition="caption", progress=False)
    with pytest.raises(StarKitError, match="condition must be"):
        evaluate(tiny_run, condition="text", progress=False)
    with pytest.raises(StarKitError, match="no items in split 'dev'"):
        evaluate(tiny_run, split="dev", progress=False)
