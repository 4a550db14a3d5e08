"""star_kit.evaluate.evaluate on a tiny exported run (random weights, real judge): outputs, determinism, errors."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from omegaconf import DictConfig, OmegaConf

from star_kit.audio import write_audio
from star_kit.data.manifest import Item, write_manifest
from star_kit.errors import StarKitError
from star_kit.evaluate import evaluate, load_run

os.environ.setdefault("HF_HUB_OFFLINE", "1")
LABELS = ["clicks", "noise", "tone"]
AUDIO_SR, SPEECH_SR = 22050, 16000


def _sound(label: str, k: int, sr: int, seconds: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng([LABELS.index(label), k])
    t = np.arange(int(seconds * sr)) / sr
    if label == "tone":
        x = np.sin(2 * np.pi * rng.uniform(300, 1200) * t)
    elif label == "noise":
        x = rng.standard_normal(t.size)
    else:
        x = np.zeros(t.size)
        x[:: int(sr / rng.uniform(4, 9))] = 1.0
        x = np.convolve(x, np.exp(-np.arange(200) / 20.0), mode="same")
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


def tiny_config(root: Path) -> DictConfig:
    return OmegaConf.create({
        "data": {"root": str(root / "data"), "manifest": None, "cache_dir": str(root / "cache"),
                 "min_speech_seconds": 0.3, "max_speech_seconds": 20.0, "audio_seconds": 1.0},
        "encoder": {"_component_": "whisper", "pretrained": None,
                    "config": {"d_model": 32, "encoder_layers": 1, "encoder_attention_heads": 2,
                               "encoder_ffn_dim": 64, "num_mel_bins": 80}},
        "bridge": {"_component_": "mlp", "out_dim": 16, "hidden_dim": 32, "num_tokens": 2},
        "generator": {"_component_": "flow_matching", "width": 32, "depth": 1, "heads": 2},
        "vocoder": {"_component_": "griffinlim", "n_iter": 2},
        "sampling": {"steps": 2, "guidance": 2.0, "solver": "euler", "seconds": 1.0, "seed": 0},
    })


def export_tiny_run(root: Path) -> Path:
    """A corpus of tones, noise and clicks, and a run directory laid out as the two-stage recipe exports it."""
    import torch

    from star_kit.pipeline import build_models
    from star_kit.training import save_weights

    data, items = root / "data", []
    for split, per in (("train", 3), ("test", 2)):
        for label in LABELS:
            for k in range(per):
                name = f"{split}-{label}-{k}"
                write_audio(data / f"audio/{name}.wav", _sound(label, k + 10 * (split == "test"), AUDIO_SR), AUDIO_SR)
                speech = _sound(LABELS[(LABELS.index(label) + 1) % 3], k, SPEECH_SR)  # any audible signal
                write_audio(data / f"speech/{name}.wav", speech, SPEECH_SR)
                items.append(Item(name, f"speech/{name}.wav", f"audio/{name}.wav", f"a {label}", [label], split,
                                  f"voice{k % 2}", 1.0, SPEECH_SR, AUDIO_SR))
    for it in [i for i in items if i.split == "test"]:  # test-noisy: the test audio, new speech, one copy per SNR
        for snr in (10.0, 0.0):
            name = f"{it.id.replace('test', 'test-noisy')}-snr{snr:g}"
            rng = np.random.default_rng(int(snr))
            noisy = _sound("tone", 0, SPEECH_SR) + 10 ** (-snr / 20) * 0.3 * rng.standard_normal(SPEECH_SR)
            write_audio(data / f"speech/{name}.wav", noisy.astype(np.float32), SPEECH_SR)
            items.append(Item(name, f"speech/{name}.wav", it.audio, it.caption, it.labels, "test-noisy", it.voice,
                              1.0, SPEECH_SR, AUDIO_SR, snr_db=snr))
    write_manifest(data / "manifest.jsonl", items, LABELS)

    cfg = tiny_config(root)
    torch.manual_seed(0)
    models = build_models(cfg)
    head = torch.nn.Linear(models.bridge.out_dim, len(LABELS))
    run = root / "run"
    (run / "model").mkdir(parents=True)
    (run / "stage1").mkdir()
    for folder in (run, run / "model"):
        (folder / "config.yaml").write_text(OmegaConf.to_yaml(cfg))
        (folder / "components.json").write_text("[]\n")
    (run / "stage1" / "metrics.json").write_text("{}\n")
    (run / "model" / "labels.json").write_text(json.dumps(LABELS))
    tensors = {f"bridge.{k}": v for k, v in models.bridge.state_dict().items()}
    tensors |= {f"generator.{k}": v for k, v in models.generator.state_dict().items()}
    tensors |= {f"head.{k}": v for k, v in head.state_dict().items()}
    save_weights(run / "model" / "model.safetensors", tensors)
    return run


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_tiny_run(tmp_path_factory.mktemp("eval-run"))


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
        assert set(m[block]) == {"aisfx-acc", "aisfx-FAD", "aisfx-KL", "aisfx-KL-reverse"}
        assert all(np.isfinite(v) for v in m[block].values())
    assert set(m["stage1"]) == {"mAP", "top1"}
    assert m["reference"]["aisfx-acc"] == 1.0  # the judge's probe knows tones, noise and clicks apart
    assert set(m["by_snr_db"]) == {"0", "10"} and set(m["by_voice"]) == {"voice0", "voice1"}
    assert sum(v["clips"] for v in m["by_snr_db"].values()) == 8
    st = m["settings"]
    assert st["judge"]["name"] == "aisfx" and len(st["judge"]["checkpoint_sha256"]) == 64
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
    other = evaluate(tiny_run, split="test-noisy", limit=8, seed=1, steps=3, guidance=1.0, progress=False,
                     batch_size=4, save_audio=True)
    assert (other["settings"]["steps"], other["settings"]["seed"], other["settings"]["guidance"]) == (3, 1, 1.0)
    assert other["generation"]["aisfx-FAD"] != base["generation"]["aisfx-FAD"]
    assert other["resynthesis_ceiling"] == base["resynthesis_ceiling"]  # the ceiling does not depend on sampling
    assert other["stage1"] == base["stage1"] and other["reference"] == base["reference"]
    assert len(list((tiny_run / "eval" / "test-noisy" / "audio").glob("*.wav"))) == 8


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
