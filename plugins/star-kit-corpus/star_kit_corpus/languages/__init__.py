"""Caption material per spoken language of the multilingual spoken-events corpus.

English is ``captions.py``'s (either vocabulary); every other language has a module here, written by hand by a
native-level writer from the class list and the English structure, with the same parts: ``PHRASES`` (training and
test-only clauses and noun phrases per class), ``TEMPLATES`` per scene kind, request ``FRAMES`` and their test-only
ids. Each module's docstring says which grammar rules its parts keep so that every combination is grammatical.
"""

from __future__ import annotations

import importlib
from functools import cache

from star_kit.errors import StarKitError
from star_kit_corpus.captions import RICH, Frame, Vocabulary

# code -> name; the languages with caption material (Whisper's codes)
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ro": "Romanian",
    "pl": "Polish",
}


@cache
def vocabulary(language: str) -> Vocabulary:
    """The caption material of ``language`` (a code of ``LANGUAGES``)."""
    if language not in LANGUAGES:
        raise StarKitError(f"spoken-events has no captions in language '{language}'; languages: {', '.join(LANGUAGES)}")
    if language == "en":
        return RICH
    module = importlib.import_module(f"{__name__}.{language}")
    frames = {name: Frame(text, needs) for name, (text, needs) in module.FRAMES.items()}
    return Vocabulary(module.PHRASES, module.TEMPLATES, module.TEST_TEMPLATES, frames, module.TEST_FRAMES)
