"""Whisper on the real clip length: exact frame counts, equality with transformers at 30 s, and how trimmed
features of the real tiny.en model differ from the standard 30 s padded ones."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from star_kit.audio import load_audio, resample, write_audio
from star_kit.errors import StarKitError
from star_kit_encoders.whisper import WhisperEncoder

TINY = {"d_model": 32, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 64}


@pytest.fixture(scope="module")
def tiny_en() -> WhisperEncoder:
    return WhisperEncoder("bundled:tiny.en")


def test_frame_lengths_follow_whisper_formula() -> None:
    torch.manual_seed(0)
    enc = WhisperEncoder(None, config=TINY)
    lengths = torch.tensor([16160, 16159, 16000, 8001, 201])
    wav = torch.randn(5, 16160) * (torch.arange(16160)[None] < lengths[:, None])
    with torch.no_grad():
        out = enc(wav, lengths)
    assert out.lengths.tolist() == [51, 50, 50, 25, 1]  # ceil(floor(n / 160) / 2)
    assert out.values.shape == (5, 51, 32) and out.frame_rate == 50.0


@pytest.mark.parametrize("layer", [0, 1, 2, -1])
def test_full_30s_clip_matches_transformers_hidden_states(layer: int) -> None:
    """At exactly 30 s the trimmed path is the standard one: every hidden state must equal transformers'."""
    torch.manual_seed(0)
    enc = WhisperEncoder(None, layer=layer, config=TINY)
    wav = torch.randn(1, 480000) * 0.1
    mel = enc.features(wav[0].numpy(), sampling_rate=16000, return_tensors="pt").input_features  # (1, 80, 3000)
    with torch.no_grad():
        ours = enc(wav, torch.tensor([480000])).values
        theirs = enc.backbone(mel, output_hidden_states=True).hidden_states[layer]
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)


def test_trimmed_features_stay_close_to_30s_padded_ones(tiny_en: WhisperEncoder, speak) -> None:
    """Trimming changes what each frame attends to (no 28 s of silence frames), not the log-mel.

    Measured for this sentence (1.46 s, espeak-ng en-us): relative L2 difference 0.386, mean per-frame cosine 0.927
    (lowest on the last frames, 0.69). Bounds: relative difference < 0.45, mean cosine > 0.90.
    """
    wav, rate = speak("a dog is barking in the rain")
    wav = torch.from_numpy(resample(wav, rate, 16000))
    with torch.no_grad():
        trimmed = tiny_en(wav[None], torch.tensor([wav.shape[0]])).values[0]  # (t, d)
        mel = tiny_en.features(wav.numpy(), sampling_rate=16000, return_tensors="pt").input_features
        padded = tiny_en.backbone(mel).last_hidden_state[0, : trimmed.shape[0]]  # (t, d) of 1500
        own_mel, _ = tiny_en.log_mel(wav[None], torch.tensor([wav.shape[0]]))
    torch.testing.assert_close(own_mel[0], mel[0, :, : own_mel.shape[-1]], atol=1e-4, rtol=0)
    relative = float((trimmed - padded).norm() / padded.norm())
    cosine = float(F.cosine_similarity(trimmed, padded, dim=-1).mean())
    assert relative < 0.45 and cosine > 0.90, (relative, cosine)


def test_clip_duration_limits() -> None:
    enc = WhisperEncoder(None, config={**TINY, "max_source_positions": 50})  # a 1 s positional table
    with pytest.raises(StarKitError, match="between 0.013 s and 1 s"):
        enc(torch.zeros(1, 17000), torch.tensor([17000]))
    with pytest.raises(StarKitError, match="between 0.013 s"):
        enc(torch.zeros(1, 200), torch.tensor([200]))
    with pytest.raises(StarKitError, match="lengths"):
        enc(torch.zeros(2, 800), torch.tensor([800, 900]))


def test_encode_file_resamples_to_16k(tiny_en: WhisperEncoder, speak, tmp_path) -> None:
    wav, rate = speak("rain")
    path = write_audio(tmp_path / "rain.wav", wav, rate)  # 22.05 kHz on disk
    out = tiny_en.encode_file(path)
    stored, _ = load_audio(path)
    expected = torch.from_numpy(resample(stored, rate, 16000))
    with torch.no_grad():
        direct = tiny_en(expected[None], torch.tensor([expected.shape[0]]))
    assert out.lengths.tolist() == direct.lengths.tolist() == [(expected.shape[0] // 160 + 1) // 2]
    torch.testing.assert_close(out.values, direct.values)
