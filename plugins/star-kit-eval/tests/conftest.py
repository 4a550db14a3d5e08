"""Shared fixtures of the eval plugin's tests: a tiny exported run (random weights) over a corpus of simple sounds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from omegaconf import DictConfig, OmegaConf

from star_kit.audio import write_audio
from star_kit.data.manifest import Item, write_manifest

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
    return OmegaConf.create(
        {
            "data": {
                "root": str(root / "data"),
                "manifest": None,
                "cache_dir": str(root / "cache"),
                "min_speech_seconds": 0.3,
                "max_speech_seconds": 20.0,
                "audio_seconds": 1.0,
            },
            "encoder": {
                "_component_": "whisper",
                "pretrained": None,
                "config": {
                    "d_model": 32,
                    "encoder_layers": 1,
                    "encoder_attention_heads": 2,
                    "encoder_ffn_dim": 64,
                    "num_mel_bins": 80,
                },
            },
            "bridge": {"_component_": "mlp", "out_dim": 16, "hidden_dim": 32, "num_tokens": 2},
            "generator": {"_component_": "flow_matching", "width": 32, "depth": 1, "heads": 2, "zero_init": False},
            "vocoder": {"_component_": "griffinlim", "n_iter": 2},
            "sampling": {"steps": 2, "guidance": 2.0, "solver": "euler", "seconds": 1.0, "seed": 0},
        }
    )


def export_tiny_run(root: Path, **nodes) -> Path:
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
                items.append(
                    Item(
                        name,
                        f"speech/{name}.wav",
                        f"audio/{name}.wav",
                        f"a {label}",
                        [label],
                        split,
                        f"voice{k % 2}",
                        1.0,
                        SPEECH_SR,
                        AUDIO_SR,
                        language="es" if split == "test" and k == 0 else "",  # the others say nothing: "unknown"
                    )
                )
    for it in [i for i in items if i.split == "test"]:  # test-noisy: the test audio, new speech, one copy per SNR
        for snr in (10.0, 0.0):
            name = f"{it.id.replace('test', 'test-noisy')}-snr{snr:g}"
            rng = np.random.default_rng(int(snr))
            noisy = _sound("tone", 0, SPEECH_SR) + 10 ** (-snr / 20) * 0.3 * rng.standard_normal(SPEECH_SR)
            write_audio(data / f"speech/{name}.wav", noisy.astype(np.float32), SPEECH_SR)
            items.append(
                Item(
                    name,
                    f"speech/{name}.wav",
                    it.audio,
                    it.caption,
                    it.labels,
                    "test-noisy",
                    it.voice,
                    1.0,
                    SPEECH_SR,
                    AUDIO_SR,
                    snr_db=snr,
                    language=it.language,
                )
            )
    write_manifest(data / "manifest.jsonl", items, LABELS)

    cfg = tiny_config(root)
    for key, node in nodes.items():
        cfg[key] = node
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
    tensors |= {f"stage1.bridge.{k}": v.clone() for k, v in models.bridge.state_dict().items()}
    tensors |= {f"stage1.head.{k}": v for k, v in head.state_dict().items()}
    save_weights(run / "model" / "model.safetensors", tensors)
    return run


@pytest.fixture(scope="session")
def labels() -> list[str]:
    return LABELS


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory laid out as the two-stage recipe exports it, over a manifest of tones, noise and clicks."""
    return export_tiny_run(tmp_path_factory.mktemp("eval-run"))


@pytest.fixture(scope="session")
def cascade_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny run with the cascade encoder (real ASR and text weights, random bridge and generator)."""
    encoder = {"_component_": "cascade", "asr_max_new_tokens": 16}
    return export_tiny_run(tmp_path_factory.mktemp("eval-cascade-run"), encoder=encoder)


@pytest.fixture
def make_config(tmp_path: Path):
    """``make_config(**node overrides)`` -> a tiny config (random Whisper-shaped encoder, Griffin-Lim)."""

    def make(**nodes) -> DictConfig:
        cfg = tiny_config(tmp_path)
        for key, node in nodes.items():
            cfg[key] = node
        return cfg

    return make
