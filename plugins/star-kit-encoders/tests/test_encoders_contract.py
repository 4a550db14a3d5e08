"""The encoder contract for each registered encoder: tiny random configs, and Whisper tiny.en's real weights."""

from __future__ import annotations

import pytest

from star_kit.testing import EncoderContract

# WavLM's attention inside transformers mixes mask types; torch warns about it, nothing here can change it.
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask:UserWarning")

WHISPER_TINY = {"d_model": 32, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 64}
SSL_TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "conv_dim": (16, 16, 16),
    "conv_kernel": (10, 8, 4),
    "conv_stride": (5, 8, 8),  # 320 samples per frame: 50 frames/s like the real models
    "num_conv_pos_embeddings": 16,
    "num_conv_pos_embedding_groups": 2,
}


class TestWhisperTinyRandom(EncoderContract):
    name = "whisper"
    kwargs = {"pretrained": None, "config": WHISPER_TINY}


class TestWhisperBundledTinyEn(EncoderContract):
    """Real weights: padding invariance must hold where attention is sharp, not only for random weights."""

    name = "whisper"
    kwargs = {"pretrained": "bundled:tiny.en"}


class TestWavLMTinyLayerNorm(EncoderContract):
    """Layer-norm conv stem: the padded batch runs at once with an attention mask."""

    name = "wavlm"
    kwargs = {"pretrained": None, "config": {**SSL_TINY, "feat_extract_norm": "layer", "do_stable_layer_norm": True}}
    build_defaults = False  # the default hub id is not in this machine's cache


class TestHubertTinyGroupNorm(EncoderContract):
    """Group-norm conv stem: each clip runs at its own length."""

    name = "hubert"
    kwargs = {"pretrained": None, "config": {**SSL_TINY, "feat_extract_norm": "group"}}
    build_defaults = False


class TestWav2Vec2TinyLayerNorm(EncoderContract):
    name = "wav2vec2"
    kwargs = {"pretrained": None, "config": {**SSL_TINY, "feat_extract_norm": "layer", "do_stable_layer_norm": True}}
    build_defaults = False
