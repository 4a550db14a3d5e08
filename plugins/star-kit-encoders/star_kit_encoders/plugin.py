"""Hook implementations of the ``encoders`` plugin (no torch import here: classes load on first use)."""

from star_kit.hookspecs import hookimpl


@hookimpl
def register_encoders() -> dict[str, str]:
    return {
        "whisper": "star_kit_encoders.whisper:WhisperEncoder",
        "wavlm": "star_kit_encoders.ssl:WavLMEncoder",
        "hubert": "star_kit_encoders.ssl:HubertEncoder",
        "wav2vec2": "star_kit_encoders.ssl:Wav2Vec2Encoder",
    }
