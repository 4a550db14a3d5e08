"""Caption material of the multilingual corpus: every language has the English rich structure, its test-only parts
are new phrasings of words training uses, and every combination the code draws is a well-formed caption."""

from __future__ import annotations

import re

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit_corpus.captions import RICH_PHRASES, RICH_TEMPLATES, rich_caption, vocabulary_counts
from star_kit_corpus.languages import LANGUAGES, vocabulary

OTHERS = [code for code in LANGUAGES if code != "en"]
CLASSES = sorted(RICH_PHRASES)


def _words(text: str) -> set[str]:
    """Lowercase words of any script; apostrophes, hyphens and slots ({n1}) separate them."""
    return set(re.findall(r"[^\W\d_]+", re.sub(r"\{\w+\}", " ", text.lower())))


def _draw(language: str, test: bool, n: int = 1500) -> list:
    rng, pick = np.random.default_rng(3), np.random.default_rng(4)
    captions = []
    for i in range(n):
        kind = ("single", "overlap", "sequence")[i % 3]
        a, b = pick.choice(len(CLASSES), 2, replace=False)
        classes = (CLASSES[a],) if kind == "single" else (CLASSES[a], CLASSES[b])
        captions.append(rich_caption(kind, classes, rng, test, language))
    return captions


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_the_english_structure(language: str) -> None:
    vocab = vocabulary(language)
    assert sorted(vocab.phrases) == CLASSES
    owner: dict[str, str] = {}
    for cls, ((clauses, clauses_held), (nouns, nouns_held)) in vocab.phrases.items():
        every = clauses + clauses_held + nouns + nouns_held
        assert len(clauses) >= 8 and len(nouns) >= 8 and len(clauses_held) == 2 and len(nouns_held) == 2, cls
        assert len(set(every)) == len(every), f"{language} {cls}: a phrase is listed twice"
        for phrase in every:  # a phrase names one class: its label must not depend on which list it came from
            assert owner.setdefault(phrase, cls) == cls, f"{language}: '{phrase}' is {owner[phrase]} and {cls}"
        for phrase in every:
            assert phrase == phrase.strip() and phrase[0] == phrase[0].lower(), phrase
            assert not re.search(r"\d|\.$|\s\s", phrase), phrase
    assert {kind: len(t) for kind, t in vocab.templates.items()} == {k: len(t) for k, t in RICH_TEMPLATES.items()}
    for kind, templates in vocab.templates.items():
        assert len(vocab.test_templates & set(templates)) == 2, kind
    assert vocab.frames["bare"].text == "{x}" and "bare" not in vocab.test_frames
    assert len(vocab.test_frames) == 4 and vocab.test_frames < set(vocab.frames)
    assert len(vocab.frames) - len(vocab.test_frames) - 1 >= 16


@pytest.mark.parametrize("language", OTHERS)
def test_test_only_parts_are_new_phrasings_of_training_words(language: str) -> None:
    """Training hears every word the test uses, as in English: test-only parts recombine training words."""
    vocab = vocabulary(language)
    for cls, ((clauses, clauses_held), (nouns, nouns_held)) in vocab.phrases.items():
        seen = set().union(*map(_words, clauses + nouns))
        for phrase in clauses_held + nouns_held:
            assert phrase not in clauses + nouns and not _words(phrase) - seen, f"{language} {cls}: '{phrase}'"
    train_frames = [fr.text for f, fr in vocab.frames.items() if f not in vocab.test_frames]
    for f in vocab.test_frames:
        assert not _words(vocab.frames[f].text) - set().union(*map(_words, train_frames)), f"{language} frame {f}"
    for templates in vocab.templates.values():
        seen = set().union(*(_words(fmt) for t, (fmt, _) in templates.items() if t not in vocab.test_templates))
        for t in vocab.test_templates & set(templates):
            assert not _words(templates[t][0]) - seen, f"{language} template {t}"


@pytest.mark.parametrize("language", OTHERS)
def test_drawn_captions_keep_the_split_rules_and_read_as_sentences(language: str) -> None:
    vocab = vocabulary(language)
    train, test = _draw(language, False), _draw(language, True)
    assert not any(c.has_test_only_part() for c in train) and all(c.has_test_only_part() for c in test)
    assert not {c.text for c in train} & {c.text for c in test}
    assert {c.frame for c in train} == set(vocab.frames) - vocab.test_frames
    assert {c.frame for c in test} == set(vocab.frames)
    every_template = {t for templates in vocab.templates.values() for t in templates}
    assert {c.template for c in test} == every_template
    for c in train + test:
        assert c.language == language and "{" not in c.text and "  " not in c.text, c.text
        first = next(ch for ch in c.text if ch.isalpha())
        assert first.isupper() and not c.text.endswith((",", ".")), c.text
    assert 0.29 < sum(c.frame == "bare" for c in train) / len(train) < 0.38


def test_counts_per_language_and_an_unknown_language() -> None:
    counts = vocabulary_counts("rich", "de")
    assert set(counts["phrases"]) == set(CLASSES) and counts["frames"]["test"] == 4
    with pytest.raises(StarKitError, match=r"no captions in language 'xx'; languages: en, es, fr, de, it, pt, nl"):
        vocabulary("xx")
