"""star_kit plugin: TTS voices (espeak-ng, hibari, piper) and the spoken-events corpus."""
