"""The espeak-ng voices of the multilingual corpus, by language, with their registered and class names.

Plain data: the plugin registers these voices before any module that synthesises speech is imported.
"""

from __future__ import annotations

# language -> (training espeak-ng voices, held-out test voices) of the multilingual corpus (English's are in
# voices.py). Every language is heard in training through four voices (its regional variants where espeak-ng has them)
# and tested with two variants (m7, f5) that no training voice of any language uses.
LANGUAGE_VARIANTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "es": (("es", "es+f2", "es+m3", "es-419+f4"), ("es+m7", "es-419+f5")),
    "fr": (("fr", "fr+f2", "fr+m3", "fr-be+f4"), ("fr+m7", "fr-be+f5")),
    "de": (("de", "de+f2", "de+m3", "de+f4"), ("de+m7", "de+f5")),
    "it": (("it", "it+f2", "it+m3", "it+f4"), ("it+m7", "it+f5")),
    "pt": (("pt-br", "pt-br+f2", "pt-br+m3", "pt-br+f4"), ("pt-br+m7", "pt-br+f5")),  # the captions are Brazilian
    "nl": (("nl", "nl+f2", "nl+m3", "nl+f4"), ("nl+m7", "nl+f5")),
    "ro": (("ro", "ro+f2", "ro+m3", "ro+f4"), ("ro+m7", "ro+f5")),
    "pl": (("pl", "pl+f2", "pl+m3", "pl+f4"), ("pl+m7", "pl+f5")),
}


def names(variant: str) -> tuple[str, str]:
    """``es-419+f4`` -> (``espeak-es-419-f4``, ``EspeakEs419F4``): the registered name and the class name."""
    parts = variant.replace("+", "-").split("-")
    return "espeak-" + "-".join(parts), "Espeak" + "".join(map(str.title, parts))


# registered name -> (class name, espeak-ng variant) of every LANGUAGE_VARIANTS voice
VARIANT_VOICES: dict[str, tuple[str, str]] = {
    names(v)[0]: (names(v)[1], v) for train, test in LANGUAGE_VARIANTS.values() for v in train + test
}
