"""The cascade encoder (greedy Whisper ASR -> all-MiniLM-L6-v2 tokens) with the bundled real weights."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from star_kit.audio import resample
from star_kit.errors import StarKitError
from star_kit.interfaces import TextEncoder, Transcriber
from star_kit.registry import get_registry
from star_kit.testing.contracts import EncoderContract

os.environ.setdefault("HF_HUB_OFFLINE", "1")
CAPTIONS = ("a dog barks while rain falls", "thunder rumbles in the distance")


@pytest.fixture(scope="module")
def cascade():
    return get_registry().load("encoder", "cascade")(asr_max_new_tokens=24)


@pytest.fixture(scope="module")
def spoken() -> tuple[torch.Tensor, torch.Tensor]:
    """The captions spoken by espeak-ng (en-us), as a padded 16 kHz batch."""
    voice = get_registry().load("voice", "espeak-en-us")()
    waves = [resample(voice.synthesize(c), voice.sample_rate, 16000) for c in CAPTIONS]
    lengths = torch.tensor([len(w) for w in waves])
    wav = torch.zeros(len(waves), int(lengths.max()))
    for i, w in enumerate(waves):
        wav[i, : len(w)] = torch.from_numpy(np.asarray(w))
    return wav, lengths


@pytest.fixture(scope="module")
def transcripts(cascade, spoken) -> list[str]:
    return cascade.transcribe(*spoken)


def test_transcribes_then_embeds_the_transcript(cascade, spoken, transcripts) -> None:
    texts = transcripts
    assert "rain" in texts[0].lower() and "thunder" in texts[1].lower(), texts
    out = cascade(*spoken)
    assert out.frame_rate == 0.0 and out.values.shape[0] == 2 and out.dim == cascade.dim == 384
    expected = cascade.encode_text(texts)
    assert out.lengths.tolist() == expected.lengths.tolist()
    torch.testing.assert_close(out.values[out.mask], expected.values[expected.mask])


def test_encode_text_masks_tokens_and_truncates(cascade) -> None:
    frames = cascade.encode_text(["rain", "a dog barks while rain falls on the tin roof of the old shed"])
    assert frames.lengths.tolist()[0] == 3  # [CLS] rain [SEP]
    assert int(frames.lengths[1]) > 10 and frames.mask[1].all()
    alone = cascade.encode_text(["rain"])
    torch.testing.assert_close(frames.values[0, :3], alone.values[0, :3], atol=1e-5, rtol=1e-4)
    long = cascade.encode_text(["word " * 100])
    assert long.values.shape[1] == cascade.max_tokens


def test_transcript_embedding_is_close_to_the_caption_embedding(cascade, transcripts) -> None:
    """What the bridge sees from speech resembles what it saw from the true caption (the cascade's premise)."""

    def pooled(frames):
        m = frames.mask[..., None].float()
        v = (frames.values * m).sum(1) / m.sum(1)
        return v / v.norm(dim=-1, keepdim=True)

    from_speech, from_text = pooled(cascade.encode_text(transcripts)), pooled(cascade.encode_text(list(CAPTIONS)))
    sim = from_speech @ from_text.T  # (2, 2)
    assert sim[0, 0] > sim[0, 1] and sim[1, 1] > sim[1, 0] and sim.diag().min() > 0.6


def test_reads_text_and_transcribes_by_interface(cascade) -> None:
    """What the protocol, the benchmark and the recipe check for (isinstance, not hasattr)."""
    assert isinstance(cascade, TextEncoder) and isinstance(cascade, Transcriber)


def test_unknown_bundled_text_model_is_named() -> None:
    with pytest.raises(StarKitError, match="unknown bundled text model"):
        get_registry().load("encoder", "cascade")(text_model="bundled:t5")


def test_faster_whisper_transcriber(spoken, transcripts) -> None:
    """The same bundled weights through faster-whisper (int8): the transcripts keep their key words (int8 may hear
    other words than fp32: the close agreement on clear speech is tested in the encoders plugin)."""
    fast = get_registry().load("encoder", "cascade")(asr_max_new_tokens=24, transcriber="faster-whisper")
    texts = fast.transcribe(*spoken)
    assert "rain" in texts[0].lower() and "distance" in texts[1].lower(), (texts, transcripts)
    out = fast(*spoken)
    assert out.values.shape[0] == 2 and out.dim == fast.dim == 384 and fast.transcriber == "faster-whisper"
    assert not any(p.requires_grad for p in fast.parameters())


def test_unknown_transcriber_names_the_choices() -> None:
    with pytest.raises(StarKitError, match="unknown transcriber 'whisper-cpp'; choose one of transformers, faster-"):
        get_registry().load("encoder", "cascade")(transcriber="whisper-cpp")


class TestCascadeContract(EncoderContract):
    """The encoder contract (token sequences, frame_rate 0: lengths follow the transcript, not the audio)."""

    name = "cascade"
    kwargs = {"asr_max_new_tokens": 8}
