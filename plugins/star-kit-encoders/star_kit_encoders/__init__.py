"""Speech encoders for star_kit: Whisper, WavLM, HuBERT and wav2vec 2.0 on transformers' model classes."""
