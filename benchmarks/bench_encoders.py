"""Whisper encoder latency: star_kit's trimmed path vs transformers' standard 30 s padded path.

Both timings cover the whole front end of one clip: log-mel (``WhisperFeatureExtractor``) plus the encoder. The
trimmed path is ``star_kit_encoders.whisper.WhisperEncoder`` (features and positions cut to the clip); the padded
path pads the clip to 30 s (3000 mel frames) and calls ``WhisperEncoder.forward`` of transformers, as a cascade
using Whisper normally would. The input is a deterministic noisy harmonic signal: neither path's cost depends on
what is said, only on how long it lasts.

Run: .venv/bin/python benchmarks/bench_encoders.py [--model tiny.en|base] [--runs 7] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import torch
from star_kit_encoders.whisper import WhisperEncoder

SAMPLE_RATE = 16000


def speech_like(seconds: float, seed: int = 0) -> np.ndarray:
    """``(n,)`` float32: harmonics of a gliding 120-220 Hz pitch with noise, amplitude-modulated at 4 Hz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 170 + 50 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    wav = sum(np.sin(k * phase) / k for k in range(1, 8)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    return (0.2 * wav + 0.01 * rng.standard_normal(t.shape)).astype(np.float32)


def median_seconds(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and process CPU seconds of ``fn`` (after one warm-up call).

    CPU time (all threads of this process) does not count time spent waiting for a core, so it stays meaningful
    on a machine shared with other jobs; wall time is what a user waits.
    """
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def trimmed(enc: WhisperEncoder, wav: np.ndarray) -> torch.Tensor:
    """star_kit's path: log-mel and encoder on the clip's own length."""
    return enc(torch.from_numpy(wav)[None], torch.tensor([wav.shape[0]])).values


def padded(enc: WhisperEncoder, wav: np.ndarray) -> torch.Tensor:
    """The standard path: log-mel padded to 30 s, transformers' ``WhisperEncoder.forward`` on 3000 frames."""
    mel = enc.features(wav, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_features  # (1, m, 3000)
    return enc.backbone(mel).last_hidden_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en", choices=["tiny.en", "base"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--durations", type=float, nargs="+", default=[1.0, 3.0, 5.0])
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    enc = WhisperEncoder(f"bundled:{args.model}").eval()
    print(
        f"whisper bundled:{args.model}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, median of {args.runs} runs"
    )
    print("per clip, median; ms/s = wall milliseconds per second of speech")
    print(
        f"{'speech':>6} | {'trimmed: wall ms':>16} {'ms/s':>6} {'cpu ms':>7} | "
        f"{'30 s padded: wall ms':>20} {'ms/s':>6} {'cpu ms':>7} | speed-up wall, cpu"
    )
    for seconds in args.durations:
        wav = speech_like(seconds)
        with torch.no_grad():
            fast, fast_cpu = median_seconds(partial(trimmed, enc, wav), args.runs)
            slow, slow_cpu = median_seconds(partial(padded, enc, wav), args.runs)
        print(
            f"{seconds:5.1f}s | {fast * 1e3:16.1f} {fast * 1e3 / seconds:6.1f} {fast_cpu * 1e3:7.1f} | "
            f"{slow * 1e3:20.1f} {slow * 1e3 / seconds:6.1f} {slow_cpu * 1e3:7.1f} | "
            f"{slow / fast:5.1f}x, {slow_cpu / fast_cpu:5.1f}x"
        )


if __name__ == "__main__":
    main()
