"""Building spoken-events: the manifest contract, determinism, resuming, and the split rules."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import soundfile as sf

from star_kit.errors import StarKitError
from star_kit.registry import get_registry
from star_kit_corpus import paraphrases, paraphrases_test, spoken_events
from star_kit_corpus.captions import TEST_TEMPLATES, VOCABULARIES
from star_kit_corpus.sounds import CLASSES
from star_kit_corpus.spoken_events import SIZES, SPLITS, TEST_VOICES, TRAIN_VOICES, SpokenEvents, plan

KEYS = {"id", "speech", "audio", "caption", "labels", "split", "voice", "duration", "speech_sample_rate",
        "audio_sample_rate"}  # fmt: skip


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _rows(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]


TRAIN_SNR = (0.0, 20.0)  # the tiny build includes the optional train-noisy split


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spoken-events") / "seed0"
    corpus = get_registry().load("corpus", "spoken-events")(workers=1, progress=False, train_snr_db=TRAIN_SNR)
    assert corpus.build(str(out), size="tiny", seed=0) == str(out / "manifest.jsonl")
    return out


def test_manifest_follows_the_contract(tiny: Path) -> None:
    rows = _rows(tiny)
    sizes = SIZES["tiny"]
    counts = {s: sum(r["split"] == s for r in rows) for s in SPLITS}
    noisy = {"test-noisy": 3 * sizes["test"], "train-noisy": sizes["train"]}
    requests = {"dev-paraphrase": len(CLASSES) + 4, "test-paraphrase": len(CLASSES) + 4}  # one per class, 4 pairs
    assert counts == {**sizes, **noisy, **requests}
    assert len({r["id"] for r in rows}) == len(rows)
    assert json.loads((tiny / "labels.json").read_text()) == list(CLASSES)
    for r in rows:
        assert KEYS <= set(r) <= KEYS | {"snr_db"}
        assert ("snr_db" in r) == r["split"].endswith("-noisy")
        assert r["caption"] and 1 <= len(r["labels"]) <= 2 and set(r["labels"]) <= set(CLASSES)
        assert r["voice"] in get_registry().components("voice")
        speech, audio = sf.info(str(tiny / r["speech"])), sf.info(str(tiny / r["audio"]))
        assert (speech.samplerate, speech.channels) == (16000, 1) == (r["speech_sample_rate"], 1)
        assert (audio.samplerate, audio.channels) == (22050, 1) == (r["audio_sample_rate"], 1)
        assert r["duration"] == pytest.approx(audio.frames / 22050) and 2.0 <= r["duration"] <= 4.0
    wav, _ = sf.read(str(tiny / rows[0]["speech"]))
    assert np.abs(wav).max() > 0.3


def test_classes_are_balanced_in_every_split(tiny: Path) -> None:
    rows = _rows(tiny)
    for split in ("train", "val", "test"):
        seen = {label for r in rows if r["split"] == split for label in r["labels"]}
        n = SIZES["tiny"][split]
        assert len(seen) >= min(n, len(CLASSES)), f"{split}: only {len(seen)} classes in {n} items"


def test_test_voices_and_templates_are_never_in_training(tiny: Path) -> None:
    rows = _rows(tiny)
    splits = ("train", "val", "test", "dev-paraphrase", "test-paraphrase")
    voices = {s: {r["voice"] for r in rows if r["split"] == s} for s in splits}
    assert voices["train"] <= set(TRAIN_VOICES) and voices["val"] <= set(TRAIN_VOICES)
    assert voices["test"] == voices["dev-paraphrase"] == voices["test-paraphrase"] == set(TEST_VOICES)
    for vocabulary in VOCABULARIES:
        items = plan("small", 0, vocabulary=vocabulary)
        for it in items:
            held_out = it.caption.has_test_only_part()
            assert held_out == (it.split not in ("train", "val")), it.id
        train_captions = {it.caption.text for it in items if it.split in ("train", "val")}
        test_captions = {it.caption.text for it in items if it.split == "test"}
        assert not train_captions & test_captions
    test_templates = {it.caption.template for it in plan("small", 0) if it.split == "test"}
    assert test_templates == set(TEST_TEMPLATES)


def test_the_rich_vocabulary_is_a_setting_of_the_folder(tmp_path: Path) -> None:
    """Only the captions change (the scenes and voices do not), and a folder keeps the vocabulary it was built with."""
    rich, plain = plan("tiny", 0, vocabulary="rich"), plan("tiny", 0)
    assert [(a.id, a.classes, a.voice) for a in rich] == [(b.id, b.classes, b.voice) for b in plain]
    assert sum(a.caption.text != b.caption.text for a, b in zip(rich, plain, strict=True)) > len(rich) // 2
    with pytest.raises(StarKitError, match="unknown caption vocabulary 'fancy'; vocabularies: templates, rich"):
        SpokenEvents(vocabulary="fancy")
    SpokenEvents(vocabulary="rich")._check_settings(tmp_path, "tiny", 0)
    with pytest.raises(StarKitError, match="built with vocabulary='rich'; use another output folder"):
        SpokenEvents()._check_settings(tmp_path, "tiny", 0)


@pytest.mark.parametrize(
    ("split", "requests"), [("dev-paraphrase", paraphrases), ("test-paraphrase", paraphrases_test)]
)
def test_paraphrase_splits_ask_for_every_request_in_their_own_words(split: str, requests: ModuleType) -> None:
    """A paraphrase split (small) holds every request of its set once, with a scene of the classes it names: 16 per
    class and 52 pairs, every class in four. Failures print counts, not requests: test-paraphrase stays unread."""
    items = [it for it in plan("small", 0) if it.split == split]
    singles = [((cls,), text.lower()) for cls, texts in requests.SINGLE.items() for text in texts]
    pairs = [((a, b), text.lower()) for _, a, b, text in requests.PAIRS]
    asked = [(it.classes, it.caption.text.lower()) for it in items]
    differ = sum(x != y for x, y in zip(asked, singles + pairs, strict=True))
    assert differ == 0, f"{split}: {differ} items differ from {requests.__name__}"
    per_class = sorted({len(texts) for texts in requests.SINGLE.values()})
    assert list(requests.SINGLE) == list(CLASSES) and per_class == [16], f"{split}: {per_class} requests per class"
    distinct = len({text for _, text in asked})
    assert distinct == len(asked) == 16 * len(CLASSES) + 52, f"{split}: {distinct} distinct of {len(asked)}"
    in_pairs = set(Counter(cls for classes, _ in pairs for cls in classes).items())
    assert in_pairs == {(cls, 4) for cls in CLASSES}, f"{split}: a class is not in exactly four pairs"
    assert {it.kind for it in items} == {"single", "overlap", "sequence"}
    for vocabulary in VOCABULARIES:
        train = {
            it.caption.text.lower() for it in plan("large", 0, vocabulary=vocabulary) if it.split in ("train", "val")
        }
        shared = len(train & {text for _, text in asked})
        assert shared <= 20, f"{split}: {shared} requests are {vocabulary} training captions"  # bare: "a cat meowing"


def test_the_two_request_sets_were_written_apart() -> None:
    """dev- and test-paraphrase share no request, so tuning on one does not tune on the other."""
    dev, test = (
        {t.lower().rstrip("?") for _, _, _, t in r.PAIRS}
        | {t.lower().rstrip("?") for ts in r.SINGLE.values() for t in ts}
        for r in (paraphrases, paraphrases_test)
    )
    shared = len(dev & test)
    assert shared == 0, f"{shared} requests are in both sets"


@pytest.mark.parametrize("split", ["test", "train"])
def test_noisy_copies_share_audio_and_add_noise(tiny: Path, split: str) -> None:
    rows = _rows(tiny)
    clean_rows = {r["id"]: r for r in rows if r["split"] == split}
    noisy = [r for r in rows if r["split"] == f"{split}-noisy"]
    assert len(noisy) == len(clean_rows) * (3 if split == "test" else 1)
    if split == "test":
        assert sorted({r["snr_db"] for r in noisy}) == [0.0, 5.0, 10.0]
    else:  # one copy per item at an SNR drawn from train_snr_db
        assert all(0.0 <= r["snr_db"] <= 20.0 for r in noisy) and len({r["snr_db"] for r in noisy}) > 10
    for r in noisy:
        src = clean_rows[r["id"].replace(f"{split}-noisy", split).rsplit("-snr", 1)[0]]
        assert (r["audio"], r["caption"], r["labels"], r["voice"]) == (
            src["audio"], src["caption"], src["labels"], src["voice"]
        )  # fmt: skip
        clean, _ = sf.read(str(tiny / src["speech"]))
        mixed, _ = sf.read(str(tiny / r["speech"]))
        assert mixed.shape == clean.shape
        residual = mixed / np.abs(mixed).max() - clean / np.abs(clean).max()
        assert np.mean(residual**2) > 1e-4 * (1 + 10 - r["snr_db"])  # lower SNR, more noise


def test_same_seed_is_byte_identical_other_seed_differs(tiny: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    SpokenEvents(workers=1, progress=False, train_snr_db=TRAIN_SNR).build(str(again), "tiny", 0)
    assert _files(again) == _files(tiny)
    # seed 1: another plan, and other audio for the same item ids (rendered through the same path as build)
    other = plan("tiny", 1)
    assert [it.caption.text for it in other] != [it.caption.text for it in plan("tiny", 0)]
    subset = [it for it in other if it.split in ("train", "val")][::5]
    SpokenEvents(workers=1, progress=False)._render(tmp_path / "seed1", 1, subset, "subset")
    for it in subset:
        for rel in (it.audio, it.speech):
            assert (tmp_path / "seed1" / rel).read_bytes() != (tiny / rel).read_bytes(), rel


def test_worker_processes_give_the_same_bytes(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh worker processes (whose libespeak-ng has spoken nothing before) reproduce the in-process build."""
    monkeypatch.setattr(spoken_events, "MIN_ITEMS_PER_WORKER", 0)  # use processes even for a few items
    items = [it for it in plan("tiny", 0) if it.split == "train"][::6]
    SpokenEvents(workers=2, progress=False)._render(tmp_path, 0, items, "subset")
    for it in items:
        for rel in (it.audio, it.speech):
            assert (tmp_path / rel).read_bytes() == (tiny / rel).read_bytes(), rel


def test_resume_redoes_only_missing_or_broken_files(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "resume"
    shutil.copytree(tiny, out)
    rows = _rows(out)
    (out / "manifest.jsonl").unlink()
    (out / rows[0]["audio"]).unlink()
    (out / rows[1]["speech"]).unlink()
    (out / rows[2]["audio"]).write_bytes(b"RIFF\x00\x00")  # a file that cannot be decoded
    noisy = next(r for r in rows if r["split"] == "test-noisy")
    (out / noisy["speech"]).unlink()
    # a killed write leaves a half-written temporary file; it must be neither used nor left behind
    stale = out / Path(rows[3]["speech"]).parent / f".{Path(rows[3]['speech']).name}.abc123.tmp"
    stale.write_bytes((out / rows[3]["speech"]).read_bytes()[:100])
    (out / rows[3]["speech"]).unlink()
    untouched = out / rows[5]["audio"]
    mtime = untouched.stat().st_mtime_ns
    SpokenEvents(workers=1, progress=False, train_snr_db=TRAIN_SNR).build(str(out), "tiny", 0)
    assert not stale.exists()
    assert _files(out) == _files(tiny)
    assert untouched.stat().st_mtime_ns == mtime


def test_other_settings_in_the_same_folder_are_refused(tmp_path: Path) -> None:
    SpokenEvents(progress=False)._check_settings(tmp_path, "tiny", 0)
    with pytest.raises(StarKitError, match="seed=0"):
        SpokenEvents(workers=1, progress=False).build(str(tmp_path), "tiny", 1)


def test_bad_arguments_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(StarKitError, match="unknown spoken-events size 'huge'"):
        SpokenEvents(progress=False).build(str(tmp_path), "huge", 0)
    with pytest.raises(StarKitError, match="min_seconds"):
        SpokenEvents(min_seconds=5.0, max_seconds=3.0)


def test_train_babble_is_not_the_test_babble(tiny: Path) -> None:
    """Multi-condition training must not hear the test noise: train-noisy's babble talkers say other sentences."""
    train, test = spoken_events._babble_talkers("train-noisy"), spoken_events._babble_talkers("test-noisy")
    assert len(train) == len(test)
    for a, b in zip(train, test, strict=True):
        n = min(a.size, b.size)
        assert abs(np.corrcoef(a[:n], b[:n])[0, 1]) < 0.5


def test_dev_paraphrase_is_left_out_when_asked_and_the_folder_remembers(tmp_path: Path) -> None:
    counts = Counter(it.split for it in plan("large", 0, dev_paraphrase=False))
    assert "dev-paraphrase" not in counts and (counts["train"], counts["test-paraphrase"]) == (3900, 468)
    assert Counter(it.split for it in plan("large", 0))["dev-paraphrase"] == 468
    SpokenEvents(dev_paraphrase=False)._check_settings(tmp_path, "large", 0)
    with pytest.raises(StarKitError, match="built with dev_paraphrase=False; use another output folder"):
        SpokenEvents()._check_settings(tmp_path, "large", 0)


def test_train_noisy_is_built_only_when_asked() -> None:
    assert not any(it.split == "train-noisy" for it in plan("tiny", 0))
    noisy = [it for it in plan("tiny", 0, train_snr_db=TRAIN_SNR) if it.split == "train-noisy"]
    assert len(noisy) == SIZES["tiny"]["train"]
    with pytest.raises(StarKitError, match="train_snr_db must be a range"):
        SpokenEvents(train_snr_db=(20.0, 0.0))
