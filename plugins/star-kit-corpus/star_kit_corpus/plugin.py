from star_kit.hookspecs import hookimpl
from star_kit_corpus.variants import VARIANT_VOICES

_VOICES = "star_kit_corpus.voices"


@hookimpl
def register_voices() -> dict[str, str]:
    return {
        "espeak-en-us": f"{_VOICES}:EspeakEnUs",
        "espeak-en-us-f1": f"{_VOICES}:EspeakEnUsF1",
        "espeak-en-us-f3": f"{_VOICES}:EspeakEnUsF3",
        "espeak-en-us-m1": f"{_VOICES}:EspeakEnUsM1",
        "espeak-en-us-m3": f"{_VOICES}:EspeakEnUsM3",
        "espeak-en-us-nyc-f4": f"{_VOICES}:EspeakEnUsNycF4",
        "espeak-en-gb": f"{_VOICES}:EspeakEnGb",
        "espeak-en-gb-f2": f"{_VOICES}:EspeakEnGbF2",
        "espeak-en-gb-m2": f"{_VOICES}:EspeakEnGbM2",
        "espeak-en-sc-m4": f"{_VOICES}:EspeakEnScM4",
        "espeak-en-gb-m7": f"{_VOICES}:EspeakEnGbM7",
        "espeak-en-rp-f5": f"{_VOICES}:EspeakEnRpF5",
        "hibari": f"{_VOICES}:HibariVoice",
        "piper-joe": f"{_VOICES}:PiperJoeVoice",
        **{name: f"{_VOICES}:{cls_name}" for name, (cls_name, _) in VARIANT_VOICES.items()},
    }


@hookimpl
def register_corpora() -> dict[str, str]:
    return {"spoken-events": "star_kit_corpus.spoken_events:SpokenEvents"}
