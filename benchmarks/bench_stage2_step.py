"""Where one stage-2 training step of a config spends its time (CPU; random inputs, nothing trained or loaded).

    python benchmarks/bench_stage2_step.py [--config star-tiny] [--threads 2] [--speech-frames 130] [overrides ...]

Builds the config's components, freezes the bridge as ``stage2.train_bridge`` says, and times bridge forward,
generator forward (loss), backward, clipping + AdamW, and the EMA update over ``--steps`` steps after 3 warm-up
steps, at the config's ``stage2.batch_size`` and ``data.audio_seconds``. Prints milliseconds per part. A bridge frozen
whole (``none``) runs once, as in the recipe, which caches its tokens. ``--bf16`` runs the bridge and the loss under
CPU bf16 autocast.
"""

from __future__ import annotations

import argparse
import time

import torch

from star_kit.interfaces import Frames
from star_kit.pipeline import build_models
from star_kit.recipes import two_stage
from star_kit.registry import get_registry
from star_kit.runs import resolve
from star_kit.training import EMA

PARTS = ("bridge", "generator forward", "backward", "clip + AdamW", "EMA")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="star-tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--speech-frames", type=int, default=130, help="Encoder frames per clip (Whisper: 50 per second)."
    )
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--bf16", action="store_true", help="CPU bf16 autocast for the forward passes.")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_intermixed_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    _, cfg, _ = resolve(get_registry(), args.config, tuple(args.overrides))
    models = build_models(cfg)
    two_stage.set_bridge_trainable(models.bridge, cfg.stage2.train_bridge)
    model = two_stage.Stage2Model(models.bridge, models.generator, models.encoder.frame_rate).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt, ema = torch.optim.AdamW(params, lr=1e-4), EMA(model, cfg.stage2.ema_decay)
    b, frames = cfg.stage2.batch_size, models.vocoder.num_frames(cfg.data.audio_seconds)
    lengths = torch.full((b,), args.speech_frames)
    speech = Frames.from_lengths(
        torch.randn(b, args.speech_frames, models.encoder.dim), lengths, models.encoder.frame_rate
    )
    latents = Frames.from_lengths(torch.randn(b, frames, models.vocoder.latent_dim), torch.full((b,), frames), 0.0)
    models.generator.prepare(list(latents.values))  # fits a latent transform (PCA) where the config has one
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16)
    cached = cfg.stage2.train_bridge == "none"
    with torch.no_grad(), autocast:
        tokens = model.bridge(speech)
    totals = dict.fromkeys(PARTS, 0.0)
    for step in range(3 + args.steps):
        marks = [time.perf_counter()]
        with autocast:
            cond = tokens if cached else model.bridge(speech)
            marks.append(time.perf_counter())
            loss = model.generator.loss(latents, cond)
        marks.append(time.perf_counter())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        marks.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(params, cfg.stage2.grad_clip)
        opt.step()
        marks.append(time.perf_counter())
        ema.update(model, step)
        marks.append(time.perf_counter())
        if step >= 3:
            for part, begin, end in zip(PARTS, marks[:-1], marks[1:], strict=True):
                totals[part] += (end - begin) / args.steps
    shapes = f"batch {b}, {frames} latent frames, {args.speech_frames} speech frames, {'bf16' if args.bf16 else 'fp32'}"
    print(f"{args.config}: {shapes}, {args.threads} threads")
    for part, seconds in totals.items():
        print(f"  {part:18s} {seconds * 1000:7.1f} ms")
    print(f"  {'total':18s} {sum(totals.values()) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
