"""One bf16-autocast training step of the paper-size ``flow_matching`` generator: step time and peak GPU memory.

Paper sizes by default: DiT 24 x 1024, 16 heads, long skips (~0.58 B parameters), latent 128 x 500 frames (10 s at
50 Hz), condition 32 tokens x 1024 (the Q-Former's output), batch 16, AdamW (STAR's lr 2.5e-5), gradient clipping at
1.0, bf16 autocast without a grad scaler. Times ``--steps`` steps after ``--warmup`` and prints the median, with
``torch.cuda.max_memory_allocated`` over the timed steps (weights, gradients and AdamW state included).

    python benchmarks/gpu_generator_step.py [--batch 16] [--frames 500] [--steps 5]

Needs CUDA; ``--device cpu`` with small ``--width/--depth`` only checks that the script runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from star_kit.interfaces import Frames
from star_kit.registry import get_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frames", type=int, default=500, help="latent frames (500 = 10 s at 50 Hz)")
    parser.add_argument("--cond-tokens", type=int, default=32)
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--depth", type=int, default=24)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_generator_step.py: needs a CUDA device and torch found none; run it on a GPU machine")

    torch.manual_seed(0)
    cls = get_registry().load("generator", "flow_matching")
    with device:
        gen = cls(latent_dim=128, cond_dim=1024, width=args.width, depth=args.depth, heads=args.heads).train()
        target = Frames.from_lengths(
            torch.randn(args.batch, args.frames, 128), torch.full((args.batch,), args.frames), 50.0
        )
        cond = Frames.from_lengths(
            torch.randn(args.batch, args.cond_tokens, 1024), torch.full((args.batch,), args.cond_tokens), 0.0
        )
    opt = torch.optim.AdamW(gen.parameters(), lr=2.5e-5, weight_decay=1e-2)

    def step() -> float:
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = gen.loss(target, cond)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(gen.parameters(), 1.0)
        opt.step()
        return float(loss.detach())  # synchronises

    for _ in range(args.warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times, losses = [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - start)

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"device: {name}, torch {torch.__version__}, bf16 autocast, AdamW, grad clip 1.0")
    params = gen.num_parameters() / 1e6
    print(f"flow_matching DiT {args.depth} x {args.width}, {args.heads} heads: {params:.1f}M params")
    print(f"batch {args.batch} x {args.frames} frames x 128, condition {args.cond_tokens} x 1024")
    median, fastest = 1000 * statistics.median(times), 1000 * min(times)
    print(f"step time: median {median:.1f} ms over {args.steps} steps (min {fastest:.1f} ms)")
    print(f"loss: first {losses[0]:.4f}, last {losses[-1]:.4f}")
    if device.type == "cuda":
        print(f"max_memory_allocated: {torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
