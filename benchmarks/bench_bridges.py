"""Bridge forward latency (the part of STAR's "speech processing" after the encoder) and the DiT's size.

Times ``mlp`` and ``qformer`` with their registered defaults on Whisper-tiny-width frames (in_dim 384), 5 s at 50 Hz,
batch 1 and 8: median (and 90th percentile) of ``--runs`` no-grad forwards after warm-up, on ``--threads`` CPU
threads. Then counts the parameters of the paper-size DiT (24 x 1024, 16 heads, cond 1024, latent 128) on the meta
device, which allocates nothing.

    python benchmarks/bench_bridges.py [--runs 30] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from star_kit.interfaces import Frames
from star_kit.nn import DiT
from star_kit.registry import get_registry


def time_forward(bridge: torch.nn.Module, frames: Frames, runs: int, warmup: int = 3) -> tuple[float, float]:
    """Median and 90th-percentile milliseconds of ``bridge(frames)``."""
    times = []
    with torch.no_grad():
        for i in range(warmup + runs):
            start = time.perf_counter()
            bridge(frames)
            if i >= warmup:
                times.append(1000 * (time.perf_counter() - start))
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--in-dim", type=int, default=384, help="frame width (384 = Whisper tiny)")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    frames_per_clip = int(args.seconds * 50)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU, fp32, no_grad, {args.runs} runs")
    print(f"input: {args.seconds:g} s of 50 Hz frames = {frames_per_clip} x {args.in_dim}\n")
    print(f"{'bridge':<8} {'params':>8} {'batch':>5} {'median ms':>10} {'p90 ms':>8} {'output':>16}")
    for name in ("mlp", "qformer"):
        bridge = get_registry().load("bridge", name)(in_dim=args.in_dim).eval()
        for batch in (1, 8):
            values = torch.randn(batch, frames_per_clip, args.in_dim)
            frames = Frames.from_lengths(values, torch.full((batch,), frames_per_clip), 50.0)
            median, p90 = time_forward(bridge, frames, args.runs)
            with torch.no_grad():
                shape = "x".join(map(str, bridge(frames).values.shape))
            params = f"{bridge.num_parameters() / 1e6:.2f}M"
            print(f"{name:<8} {params:>8} {batch:>5} {median:>10.2f} {p90:>8.2f} {shape:>16}")

    with torch.device("meta"):
        dit = DiT(latent_dim=128, cond_dim=1024, width=1024, depth=24, heads=16, long_skips=True)
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    blocks = dit.blocks
    parts = {
        "self-attention": sum(count(b.attn) for b in blocks),
        "cross-attention": sum(count(b.cross) + count(b.norm_cross) for b in blocks),
        "MLP": sum(count(b.mlp) for b in blocks),
        "AdaLN modulation": sum(count(b.modulation) for b in blocks) + count(dit.modulation_out),
        "U-ViT long skips": sum(count(b.skip) for b in blocks if b.skip is not None),
        "in/out/time": count(dit.proj_in) + count(dit.proj_out) + count(dit.time_mlp),
    }
    print("\npaper-size DiT (depth 24, width 1024, 16 heads, cond 1024, latent 128, long skips), meta device:")
    for part, n in parts.items():
        print(f"  {part:<18} {n / 1e6:8.1f}M")
    print(f"  {'total':<18} {count(dit) / 1e6:8.1f}M")
    assert sum(parts.values()) == count(dit)


if __name__ == "__main__":
    main()
