"""The multilingual spoken-events corpus: per-language splits, voices and captions, and its bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

from star_kit.errors import StarKitError
from star_kit_corpus.spoken_events import LANGUAGE_SIZES, TEST_VOICES, SpokenEvents, language_voices, plan


def test_every_language_has_its_own_splits_voices_and_captions() -> None:
    items = plan("small", 0, vocabulary="rich", languages=("en", "es", "pl"))
    counts = Counter((it.language, it.split) for it in items if not it.source)
    for language in ("en", "es", "pl"):
        for split, n in LANGUAGE_SIZES["small"].items():
            assert counts[language, split] == n, (language, split)
    assert counts["en", "test-paraphrase"] == 468  # English's requests come with English
    for it in items:
        assert it.caption.language == (it.language if it.caption.template != "paraphrase" else "en")
        if it.language == "en":
            assert it.split in ("train", "val") or it.voice in TEST_VOICES
        else:
            train, test = language_voices(it.language)
            assert it.voice in (test if it.split.startswith("test") else train), it
            assert f"-{it.language}-" in it.id
    assert len({it.id for it in items}) == len(items)
    noisy = [it for it in items if it.split == "test-noisy"]
    assert len(noisy) == 3 * sum(it.split == "test" for it in items)


def test_adding_a_language_leaves_the_others_items_as_they_were() -> None:
    alone = plan("tiny", 0, languages=("es",))
    together = [it for it in plan("tiny", 0, languages=("fr", "es")) if it.language == "es" and not it.source]
    assert [it for it in alone if not it.source] == together


def test_english_alone_is_the_original_corpus() -> None:
    items = plan("tiny", 0)
    assert all(it.language == "" and it.stream == () for it in items)
    assert [it.id for it in items if it.split == "train"][:2] == ["train-00000", "train-00001"]


def test_a_multilingual_build_labels_every_row_and_remembers_its_languages(tmp_path: Path) -> None:
    out = tmp_path / "ml"
    corpus = SpokenEvents(workers=1, progress=False, languages="es,pl", snr_db=(5.0,))
    corpus.build(str(out), "tiny", 0)
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert Counter(r["language"] for r in rows) == {"es": 91, "pl": 91}  # 65 clean + 26 noisy each
    for r in rows[:: len(rows) // 12]:
        assert sf.info(str(out / r["speech"])).frames > 0
    assert json.loads((out / "corpus.json").read_text())["languages"] == ["es", "pl"]
    with pytest.raises(StarKitError, match=r"built with languages=\['es', 'pl'\]"):
        SpokenEvents(progress=False, languages="es", snr_db=(5.0,))._check_settings(out, "tiny", 0)


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        ("en,es,en", r"languages lists en more than once; list each once"),
        ("en,,es", r"languages has an empty entry"),
        ([], r"languages has an empty entry"),
        ("en,sw", r"no captions or voices for language 'sw'; languages: en, es, fr, de, it, pt, nl, ro, pl"),
    ],
)
def test_bad_languages_are_one_line_errors(languages: object, message: str) -> None:
    with pytest.raises(StarKitError, match=message):
        SpokenEvents(languages=languages)


def test_sizes_of_a_multilingual_build() -> None:
    with pytest.raises(StarKitError, match=r"unknown multilingual spoken-events size 'large'; sizes: tiny, small"):
        plan("large", 0, languages=("en", "es"))
