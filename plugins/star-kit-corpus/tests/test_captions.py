"""Caption vocabularies: "templates" unchanged, "rich" well formed, with its test-only parts kept out of training."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from star_kit.errors import StarKitError
from star_kit_corpus.captions import (
    RICH_FRAMES,
    RICH_PHRASES,
    RICH_TEMPLATES,
    RICH_TEST_FRAMES,
    RICH_TEST_TEMPLATES,
    TEMPLATES,
    make_caption,
    vocabulary_counts,
)

CLASSES = sorted(RICH_PHRASES)
KINDS = tuple(TEMPLATES)
# class -> its main name words; no phrase of another class may use them (an alarm clock is an alarm)
MAIN_WORDS = {
    "cat": r"\bcats?\b|\bkittens?\b", "cow": r"\bcows?\b", "dog": r"\bdogs?\b", "duck": r"\bducks?\b",
    "frog": r"\bfrogs?\b", "horse": r"horse", "owl": r"\bowls?\b", "pig": r"\bpigs?\b", "rooster": r"\broosters?\b",
    "sheep": r"\bsheep\b", "rain": r"\brain", "wind": r"\bwinds?\b|\bwindy\b", "thunder": r"thunder",
    "siren": r"\bsirens?\b", "car_horn": r"\bhorns?\b", "engine": r"\bengines?\b",
    "clock_ticking": r"(?<!alarm )clock|\btick", "bell": r"bells?\b", "phone_ringing": r"phone",
    "alarm_beeping": r"\balarms?\b", "knocking": r"\bknock",
    "footsteps": r"footstep", "water_dripping": r"\bdrip|\bwater", "birds_chirping": r"bird",
    "applause": r"\bapplau", "typing": r"\btyp|keyboard",
}  # fmt: skip


def _words(text: str) -> set[str]:
    """Lowercase words; apostrophes and hyphens inside a word keep it whole ("won't", "cock-a-doodle-doo")."""
    return set(re.findall(r"[a-z]+(?:['-][a-z]+)*", text.lower()))


def _scenes(n: int, seed: int) -> list[tuple[str, tuple[str, ...]]]:
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(n):
        kind = KINDS[i % 3]
        a, b = rng.choice(len(CLASSES), 2, replace=False)
        scenes.append((kind, (CLASSES[a],) if kind == "single" else (CLASSES[a], CLASSES[b])))
    return scenes


def _draw(vocabulary: str, test: bool, n: int = 3000, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [make_caption(kind, classes, rng, test, vocabulary=vocabulary) for kind, classes in _scenes(n, seed + 1)]


def test_templates_vocabulary_is_unchanged() -> None:
    """The default gives the captions the code gave before the rich vocabulary existed (same rng draws)."""
    rng = np.random.default_rng(7)
    scenes = [("single", ("dog",)), ("overlap", ("rain", "siren")), ("sequence", ("owl", "typing"))]
    got = [make_caption(kind, classes, rng, test).text for kind, classes in scenes for test in (False, True)]
    assert got == [
        "The sound of the barking of a dog",
        "A barking dog can be heard",
        "The patter of rain with the wail of a siren in the background",
        "Rain is pouring down as a siren howls",
        "An owl hoots, then someone types on a keyboard",
        "A hooting owl, and after that a clattering keyboard",
    ]
    explicit = make_caption("overlap", ("cat", "bell"), np.random.default_rng(3), False, vocabulary="templates")
    assert explicit == make_caption("overlap", ("cat", "bell"), np.random.default_rng(3), False)
    assert explicit.frame == ""


def test_templates_vocabulary_digest_is_unchanged() -> None:
    """3000 draws (texts, ids and the generator's state after them) hash as they did before "rich" was added."""
    rng = np.random.default_rng(2024)
    digest = hashlib.sha256()
    for i in range(3000):
        kind = KINDS[i % 3]
        a, b = CLASSES[i % 26], CLASSES[(i * 7 + 3) % 26]
        b = CLASSES[(i + 1) % 26] if b == a else b
        c = make_caption(kind, (a,) if kind == "single" else (a, b), rng, test=bool(i % 2))
        digest.update(repr((c.text, c.template, c.phrases)).encode())
    digest.update(str(int(rng.integers(2**31))).encode())
    assert digest.hexdigest() == "46695fcbd6ee58dbbcc4c0e7ddeb9fd6dcd267585cb795fdd3fcabb5ad0b9770"


@pytest.mark.parametrize("vocabulary", ["templates", "rich"])
def test_test_only_parts_never_in_training_and_always_in_test(vocabulary: str) -> None:
    train, test = _draw(vocabulary, False), _draw(vocabulary, True)
    assert not any(c.has_test_only_part() for c in train)
    assert all(c.has_test_only_part() for c in test)
    assert not {c.text for c in train} & {c.text for c in test}


def test_rich_test_captions_use_test_only_phrases_for_every_event() -> None:
    for c in _draw("rich", True):
        assert c.phrases and all(i >= len(RICH_PHRASES[cls][0 if f == "c" else 1][0]) for cls, f, i in c.phrases)


def test_rich_draws_every_part_of_its_split_and_a_third_bare() -> None:
    train, test = _draw("rich", False), _draw("rich", True)
    assert {c.frame for c in train} == set(RICH_FRAMES) - RICH_TEST_FRAMES
    assert {c.frame for c in test} == set(RICH_FRAMES)
    every_template = {t for templates in RICH_TEMPLATES.values() for t in templates}
    assert {c.template for c in train} == every_template - RICH_TEST_TEMPLATES
    assert {c.template for c in test} == every_template
    for captions in (train, test):
        assert 0.29 < sum(c.frame == "bare" for c in captions) / len(captions) < 0.38


def test_rich_captions_are_sentences() -> None:
    for c in _draw("rich", False) + _draw("rich", True, seed=5):
        assert c.text[0].isupper() and "{" not in c.text and "}" not in c.text, c.text
        assert "  " not in c.text and c.text == c.text.strip() and not c.text.endswith((",", ".")), c.text
        if RICH_FRAMES[c.frame].needs == "1":
            assert re.search(r"(does|what) an? \w", c.text, re.IGNORECASE), c.text
        if "the sound of" in RICH_FRAMES[c.frame].text:
            assert c.text.lower().count("sound") == 1, c.text


def test_rich_phrases_are_many_distinct_and_about_their_class_only() -> None:
    assert set(MAIN_WORDS) == set(CLASSES)
    for cls, ((clauses, clauses_held), (nouns, nouns_held)) in RICH_PHRASES.items():
        every = clauses + clauses_held + nouns + nouns_held
        assert len(clauses) >= 20 and len(nouns) >= 20, cls
        assert len(clauses_held) == 4 and len(nouns_held) == 4, cls
        assert len(set(every)) == len(every), cls
        for phrase in every:
            assert phrase == phrase.strip().lower() and "sound" not in phrase, phrase
            for other, pattern in MAIN_WORDS.items():
                assert other == cls or not re.search(pattern, phrase), f"{cls}: '{phrase}' names {other}"
        for options in (nouns, nouns_held):  # the "what does ... sound like?" frame needs one in each split
            assert any(p.startswith(("a ", "an ")) for p in options), cls


def test_rich_test_only_phrases_are_new_phrasings_of_words_training_uses_for_the_class() -> None:
    """Training hears every word the test uses: a test-only phrase only recombines its class's training words."""
    for cls, ((clauses, clauses_held), (nouns, nouns_held)) in RICH_PHRASES.items():
        seen = set().union(*map(_words, clauses + nouns))
        for phrase in clauses_held + nouns_held:
            assert phrase not in clauses + nouns, f"{cls}: '{phrase}' is a training phrase"
            assert not _words(phrase) - seen, f"{cls}: '{phrase}' has words training never uses for the class"


def test_rich_test_only_frames_are_new_phrasings_of_training_words() -> None:
    train = [fr.text for f, fr in RICH_FRAMES.items() if f not in RICH_TEST_FRAMES]
    seen = set().union(*map(_words, train))
    assert 4 <= len(RICH_TEST_FRAMES) <= 5 and RICH_TEST_FRAMES < set(RICH_FRAMES) and "bare" not in RICH_TEST_FRAMES
    for f in RICH_TEST_FRAMES:
        assert RICH_FRAMES[f].text not in train and not _words(RICH_FRAMES[f].text) - seen, f


def test_vocabulary_counts() -> None:
    rich = vocabulary_counts("rich")
    assert set(rich["phrases"]) == set(CLASSES)
    for counts in rich["phrases"].values():
        for form in ("clauses", "nouns"):
            assert counts[form]["train"] >= 20 and counts[form]["test"] == 4
    assert rich["frames"] == {"train": len(RICH_FRAMES) - len(RICH_TEST_FRAMES), "test": len(RICH_TEST_FRAMES)}
    assert all(t["test"] >= 2 for t in rich["templates"].values())
    templates = vocabulary_counts("templates")
    assert templates["phrases"]["dog"] == {"clauses": {"train": 2, "test": 1}, "nouns": {"train": 2, "test": 1}}
    assert templates["templates"]["single"] == {"train": 3, "test": 2}
    assert templates["frames"] == {"train": 0, "test": 0}


@pytest.mark.parametrize("call", [make_caption, vocabulary_counts])
def test_unknown_vocabulary_is_an_error(call) -> None:
    args = ("single", ("dog",), np.random.default_rng(0), False) if call is make_caption else ()
    with pytest.raises(StarKitError, match=r"unknown caption vocabulary 'fancy'; vocabularies: templates, rich"):
        call(*args, vocabulary="fancy")
