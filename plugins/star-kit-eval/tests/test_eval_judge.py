"""The aisfx judge: its essentia-style front end, real pretrained weights, and what it can tell apart."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.registry import get_registry
from star_kit.testing import JudgeContract
from star_kit_eval import judge as judge_module
from star_kit_eval.judge import BLOCK, BLOCK_HOP, N_MELS, AisfxJudge, blocks, mel_filters

SR = 22050


@pytest.fixture(scope="module")
def judge() -> AisfxJudge:
    return get_registry().load("metric", "aisfx")()


def _tone(freq: float, seconds: float = 1.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)


def _noise(seconds: float = 1.5, seed: int = 0, sr: int = SR) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal(int(seconds * sr))).astype(np.float32)


def _clicks(seconds: float = 1.5, rate: float = 6.0, sr: int = SR) -> np.ndarray:
    x = np.zeros(int(seconds * sr), dtype=np.float32)
    x[:: int(sr / rate)] = 0.9
    return np.convolve(x, np.exp(-np.arange(200) / 20.0), mode="same").astype(np.float32)


def test_mel_filters_are_unit_sum_triangles() -> None:
    fb = mel_filters()
    assert fb.shape == (N_MELS, 1025)
    np.testing.assert_allclose(fb.sum(1), 1.0, rtol=1e-5)
    centres = fb.argmax(1)
    assert (np.diff(centres) >= 0).all() and centres[-1] > 950  # ascending, reaching the top of the spectrum


def test_blocks_cover_every_frame_without_padding() -> None:
    spec = torch.arange(230.0)[:, None].repeat(1, N_MELS)  # (t, m) with frame index as value
    out = blocks(spec)
    assert out.shape == (4, BLOCK, N_MELS)  # starts 0, 50, 100, then 130 (ends at the last frame)
    assert [int(b[0, 0]) for b in out] == [0, BLOCK_HOP, 2 * BLOCK_HOP, 130]
    short = blocks(spec[:40])
    assert short.shape == (1, BLOCK, N_MELS) and short[0, 40:].abs().sum() == 0


def test_embedding_is_deterministic_and_ignores_level_and_rate(judge: AisfxJudge) -> None:
    tone = _tone(880)
    a = judge.embed(tone, SR)
    assert a.shape == (512,) and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, judge.embed(tone, SR))
    np.testing.assert_allclose(judge.embed(0.2 * tone, SR), a, rtol=1e-4, atol=1e-5)
    from star_kit.audio import resample

    at_44k = judge.embed(resample(tone, SR, 44100), 44100)
    assert np.dot(at_44k, a) / (np.linalg.norm(at_44k) * np.linalg.norm(a)) > 0.99
    batch = judge.embed_batch([tone, _noise()], SR)
    np.testing.assert_array_equal(batch[0], a)


def test_pretrained_embeddings_group_sounds_of_a_kind(judge: AisfxJudge) -> None:
    """Nearest neighbours of held-out clips fall in their own group: tones, noise, clicks."""
    groups = {
        "tone": [_tone(f) for f in (440, 660, 990, 550)],
        "noise": [_noise(seed=s) for s in range(4)],
        "clicks": [_clicks(rate=r) for r in (4.0, 6.0, 9.0, 5.0)],
    }
    emb = {k: judge.embed_batch(v, SR) for k, v in groups.items()}
    names = list(groups)
    train = np.concatenate([emb[k][:3] for k in names])
    train_y = np.repeat(np.arange(3), 3)
    unit = train / np.linalg.norm(train, axis=1, keepdims=True)
    for y, k in enumerate(names):
        q = emb[k][3] / np.linalg.norm(emb[k][3])
        assert train_y[(unit @ q).argmax()] == y, k


def test_random_weights_give_different_embeddings(judge: AisfxJudge) -> None:
    """The checkpoint really is loaded: re-initialising the network changes the output."""
    fresh = AisfxJudge()
    for m in fresh.net.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_uniform_(m.weight)
    assert not np.allclose(fresh.embed(_tone(440), SR), judge.embed(_tone(440), SR), atol=1e-3)


def test_describe_records_the_checkpoint_hash(judge: AisfxJudge) -> None:
    info = judge.describe()
    assert info["name"] == "aisfx" and len(info["checkpoint_sha256"]) == 64
    assert info["checkpoint_sha256"] == judge.sha256 and "aisfx 0.1.2" == info["package"]


def test_bad_input_is_named(judge: AisfxJudge) -> None:
    with pytest.raises(StarKitError, match="aisfx judge"):
        judge.embed(np.zeros((2, 100), np.float32), SR)
    with pytest.raises(StarKitError, match="aisfx judge"):
        judge.embed(np.array([np.nan] * 100, np.float32), SR)


def test_missing_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(judge_module.importlib.util, "find_spec", lambda name: None if name == "aisfx" else real(name))
    with pytest.raises(StarKitError, match=r"pip install --no-deps aisfx==0\.1\.2"):
        AisfxJudge()


def test_corrupt_checkpoint_is_an_error(tmp_path) -> None:
    bad = tmp_path / "checkpoint.pth"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(StarKitError, match="not a loadable aisfx checkpoint"):
        AisfxJudge(checkpoint=str(bad))


@pytest.mark.slow
def test_judge_check_on_corpus_sound_classes() -> None:
    """The verification run of the README (26 classes, 8 train / 4 test clips each): far above chance."""
    pytest.importorskip("star_kit_corpus")
    from star_kit_eval.verify import judge_check

    result = judge_check(train=8, test=4)
    assert result["aisfx"]["clean"]["probe"] > 0.9
    assert result["aisfx"]["noise20dB"]["probe"] > 5 * result["chance"]
    assert result["aisfx"]["lowpass4k"]["probe"] > result["log-mel mean+std (control)"]["lowpass4k"]["probe"] + 0.2


class TestAisfxJudgeContract(JudgeContract):
    """The judge contract: a Judge named as registered, deterministic (512,) embeddings, a stable description."""

    name = "aisfx"
