"""Whisper encoder latency: star_kit's trimmed path vs transformers' standard 30 s padded path.

Both timings cover the whole front end of one clip: log-mel (``WhisperFeatureExtractor``) plus the encoder. The
trimmed path is ``star_kit_encoders.whisper.WhisperEncoder`` (features and positions cut to the clip); the padded
path pads the clip to 30 s (3000 mel frames) and calls ``WhisperEncoder.forward`` of transformers, as a cascade
using Whisper normally would. The input is a deterministic noisy harmonic signal: neither path's cost depends on
what is said, only on how long it lasts.

Run: .venv/bin/python benchmarks/bench_encoders.py [--model tiny.en|base] [--runs 15] [--threads 2]

OpenMP threads wait passively here (``OMP_WAIT_POLICY=PASSIVE`` unless set): on a machine shared with other jobs,
spinning threads that wait for a busy core inflate and scatter both timings several-fold.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads OpenMP

import argparse
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


def timings(fns: list[Callable[[], object]], runs: int) -> list[tuple[list[float], list[float]]]:
    """Wall-clock and process CPU seconds of each ``fn`` over ``runs`` interleaved rounds (after one warm-up each).

    Rounds interleave the functions so that load from other jobs on a shared machine hits them alike. CPU time (all
    threads of this process) leaves out time spent waiting for a core; wall time is what a user waits.
    """
    for fn in fns:
        fn()
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in fns]
    for _ in range(runs):
        for fn, (wall, cpu) in zip(fns, out, strict=True):
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
    return out


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
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--durations", type=float, nargs="+", default=[1.0, 3.0, 5.0])
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    enc = WhisperEncoder(f"bundled:{args.model}").eval()
    print(
        f"whisper bundled:{args.model}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}"
    )
    print(f"ms per clip, {args.runs} runs: median wall [min wall] / median CPU; ms/s = median wall ms per s of speech")
    print(f"{'speech':>6} | {'trimmed':>24} {'ms/s':>6} | {'30 s padded':>24} {'ms/s':>6} | speed-up (median wall)")
    for seconds in args.durations:
        wav = speech_like(seconds)
        with torch.no_grad():
            results = timings([partial(trimmed, enc, wav), partial(padded, enc, wav)], args.runs)
        row, medians = f"{seconds:5.1f}s |", []
        for wall, cpu in results:
            med = statistics.median(wall)
            medians.append(med)
            cell = f"{med * 1e3:.1f} [{min(wall) * 1e3:.1f}] / {statistics.median(cpu) * 1e3:.1f}"
            row += f" {cell:>24} {med * 1e3 / seconds:6.1f} |"
        print(f"{row} {medians[1] / medians[0]:6.1f}x")


if __name__ == "__main__":
    main()
