"""Generator ablation: retrain only the stage-2 generator of a finished run under other settings, then judge it.

    python benchmarks/generator_ablation.py runs/star-tiny --steps 900 generator.pooled_cond=true stage2.lr=1e-3

Reads the run's resolved config and cached features (its ``data.cache_dir``), conditions on the run's stage-1 bridge
(frozen whole: condition tokens are computed once), trains a fresh generator from the run's config plus the given
``generator.*`` / ``stage2.*`` / ``sampling.*`` overrides for ``--steps`` steps (warm-up + cosine, EMA, clipping, as
the recipe does), then prints its EMA validation loss and the aisfx judge's accuracy (with its 95 % bootstrap
interval over clips) on ``--limit`` clips spread over each of ``--splits`` (the same probe and clip choice as
``starkit eval``) at each ``--guidance``. A JSON line per run is appended to ``--out``. It isolates one generator
setting at a fraction of the main job's cost; it writes nothing into the run. ``--seed`` changes the generator's
initialisation, training noise and batches (the judged clips and their sampling noise stay), for replicates.
``--judge-at 600,1200,2400`` also judges the EMA weights at those steps of the same ``--steps`` schedule (a
quality-versus-compute curve from one run; each line records its training seconds).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf

from star_kit.data.manifest import multi_hot
from star_kit.data.splits import condition_tokens, frames_batch, prepare_splits, stage2_split, validation_loss
from star_kit.evaluation.metrics import bootstrap_interval, event_correct
from star_kit.evaluation.protocol import split_items, train_probe
from star_kit.export import STAGE1_BRIDGE, read_run
from star_kit.features import pad_frames
from star_kit.pipeline import build_models
from star_kit.registry import get_registry
from star_kit.training import EMA, warmup_cosine

SECTIONS = ("generator.", "stage2.", "sampling.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="A finished two_stage run (its exported model/).")
    parser.add_argument("overrides", nargs="*", help="generator.*, stage2.* or sampling.* keys, e.g. stage2.lr=1e-3")
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--limit", type=int, default=48, help="Clips judged per split, spread evenly over it.")
    parser.add_argument("--splits", default="test", help="Comma-separated splits to judge, e.g. test,test-noisy.")
    parser.add_argument("--guidance", default="5", help="Comma-separated guidance scales to judge.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--judge-at", default="", help="Comma-separated steps at which to judge too (one schedule of --steps)."
    )
    parser.add_argument("--seed", type=int, default=0, help="Seeds the generator's init, noise and batches.")
    parser.add_argument("--name", default="")
    parser.add_argument("--out", type=Path, default=Path("generator_ablation.jsonl"))
    args = parser.parse_intermixed_args()
    bad = [o for o in args.overrides if not o.startswith(SECTIONS)]
    if bad:
        parser.error(f"only {', '.join(s + '*' for s in SECTIONS)} overrides are ablated, not {', '.join(bad)}")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run = read_run(args.run_dir)
    cfg = OmegaConf.merge(run.config, OmegaConf.from_dotlist(args.overrides))
    device = torch.device("cpu")
    models = build_models(cfg)
    manifest, splits = prepare_splits(cfg, models, device)
    models.bridge.load_state_dict(run.weights(STAGE1_BRIDGE))  # stage 1's bridge
    bridge = models.bridge.eval().requires_grad_(False)
    train, val = stage2_split(splits), splits["val"]
    cond_train = condition_tokens(bridge, train, device)
    assert train.latents is not None

    generator, s2 = models.generator.train(), cfg.stage2
    generator.prepare(train.latents)
    opt = torch.optim.AdamW(generator.parameters(), lr=s2.lr, weight_decay=s2.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(s2.warmup_steps, args.steps))
    ema, draw = EMA(generator, s2.ema_decay), torch.Generator().manual_seed(cfg.seed + args.seed)
    judge = get_registry().load("metric", "aisfx")(device="cpu")
    probe, _ = train_probe(judge, manifest, cfg.sampling.seconds, cfg.data.cache_dir)

    @torch.no_grad()
    def judge_snapshot(step: int, seconds: float) -> None:
        """Judges the EMA weights after ``step`` steps: one JSON line, printed and appended to ``--out``."""
        result = {"name": args.name, "run": str(args.run_dir), "overrides": args.overrides, "steps": step}
        result |= {"schedule_steps": args.steps, "seed": args.seed, "train_seconds": round(seconds, 1)}
        result["seconds_per_step"] = round(seconds / step, 4)
        with ema.applied(generator):
            val_loss = validation_loss(bridge, generator, val, device, 32)
            result["val_loss"] = round(val_loss, 4)
            bridge.eval()  # validation_loss leaves the model in train mode
            generator.eval()
            for split_name, guidance in itertools.product(args.splits.split(","), map(float, args.guidance.split(","))):
                correct = judged(split_name, guidance)
                key = f"aisfx_acc@{guidance:g}" if split_name == "test" else f"{split_name}:aisfx_acc@{guidance:g}"
                result[key] = round(float(correct.mean()), 4)
                result[f"{key}_ci95"] = [round(x, 4) for x in bootstrap_interval(correct)]
        generator.train()
        print(json.dumps(result), flush=True)
        with args.out.open("a") as f:
            f.write(json.dumps(result) + "\n")

    def judged(split_name: str, guidance: float) -> np.ndarray:
        """Per-clip correctness (judge top class among the labels) of generated audio for ``--limit`` clips."""
        split = splits[split_name]
        items = split_items(manifest, split_name, args.limit)
        position = {item_id: k for k, item_id in enumerate(split.ids)}
        chosen = [position[i.id] for i in items]
        targets = np.stack([multi_hot(i.labels, manifest.labels) for i in items])
        embeddings, s = [], cfg.sampling
        for batch, begin in enumerate(range(0, len(chosen), 16)):
            cond = bridge(frames_batch(split, torch.tensor(chosen[begin : begin + 16]), device))
            frames = models.vocoder.num_frames(s.seconds)
            latents = generator.sample(cond, frames, steps=s.steps, guidance=guidance, solver=s.solver, seed=batch)
            wav, lengths = models.vocoder.decode(latents)
            for j in range(wav.shape[0]):
                embeddings.append(judge.embed(wav[j, : int(lengths[j])].float().numpy(), models.vocoder.sample_rate))
        return event_correct(probe.posteriors(np.stack(embeddings)), targets)

    snapshots, seconds = {*map(int, args.judge_at.split(",")), args.steps} if args.judge_at else {args.steps}, 0.0
    for step in range(args.steps):
        start = time.perf_counter()
        idx = torch.randint(len(cond_train), (s2.batch_size,), generator=draw).tolist()
        cond = pad_frames([cond_train[i] for i in idx], 0.0)
        loss = generator.loss(pad_frames([train.latents[i] for i in idx], 0.0), cond)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(generator.parameters(), s2.grad_clip)
        opt.step()
        sched.step()
        ema.update(generator, step)
        seconds += time.perf_counter() - start
        if (step + 1) % 100 == 0:
            print(f"step {step + 1}: loss {loss.item():.4f}", flush=True)
        if step + 1 in snapshots:
            judge_snapshot(step + 1, seconds)


if __name__ == "__main__":
    main()
