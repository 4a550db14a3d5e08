"""Generator ablation: retrain only the stage-2 generator of a finished run under other settings, then judge it.

    python benchmarks/generator_ablation.py runs/star-tiny --steps 900 generator.pooled_cond=true stage2.lr=1e-3

Reads the run's resolved config and cached features (its ``data.cache_dir``), conditions on the run's stage-1 bridge
(frozen whole: condition tokens are computed once), trains a fresh generator from the run's config plus the given
``generator.*`` / ``stage2.*`` / ``sampling.*`` overrides for ``--steps`` steps (warm-up + cosine, EMA, clipping, as
the recipe does), then prints its EMA validation loss and the aisfx judge's accuracy (with its 95 % bootstrap
interval over clips) on ``--limit`` test clips spread over the split (the same probe and clip choice as
``starkit eval``) at each ``--guidance``. A JSON line per run is appended to ``--out``. It isolates one generator
setting at a fraction of the main job's cost; it writes nothing into the run. ``--seed`` changes the generator's
initialisation, training noise and batches (the judged clips and their sampling noise stay), for replicates.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf
from torch import Tensor

from star_kit.data.manifest import multi_hot
from star_kit.evaluate import bootstrap_interval, event_correct, split_items, train_probe
from star_kit.features import pad_frames
from star_kit.pipeline import build_models
from star_kit.recipes import two_stage
from star_kit.registry import get_registry
from star_kit.training import EMA, load_weights, warmup_cosine

SECTIONS = ("generator.", "stage2.", "sampling.")


@torch.no_grad()
def condition_tokens(bridge: torch.nn.Module, split: two_stage.Split) -> list[Tensor]:
    """The frozen bridge's tokens ``(k, d)`` for every item of a split."""
    out: list[Tensor] = []
    for start in range(0, len(split.ids), 64):
        idx = torch.arange(start, min(start + 64, len(split.ids)))
        cond = bridge(two_stage.frames_batch(split, idx, torch.device("cpu")))
        out += list(cond.values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="A finished two_stage run (stage1/best.safetensors, config.yaml).")
    parser.add_argument("overrides", nargs="*", help="generator.*, stage2.* or sampling.* keys, e.g. stage2.lr=1e-3")
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--limit", type=int, default=48, help="Test clips judged, spread evenly over the split.")
    parser.add_argument("--guidance", default="5", help="Comma-separated guidance scales to judge.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="Seeds the generator's init, noise and batches.")
    parser.add_argument("--name", default="")
    parser.add_argument("--out", type=Path, default=Path("generator_ablation.jsonl"))
    args = parser.parse_intermixed_args()
    bad = [o for o in args.overrides if not o.startswith(SECTIONS)]
    if bad:
        parser.error(f"only {', '.join(s + '*' for s in SECTIONS)} overrides are ablated, not {', '.join(bad)}")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = OmegaConf.merge(OmegaConf.structured(two_stage.Config), OmegaConf.load(args.run_dir / "config.yaml"))
    cfg = OmegaConf.merge(cfg, OmegaConf.from_dotlist(args.overrides))
    device = torch.device("cpu")
    models = build_models(cfg)
    manifest, splits = two_stage.prepare_data(cfg, models, device)
    weights = load_weights(args.run_dir / "stage1" / "best.safetensors")
    models.bridge.load_state_dict({k.removeprefix("bridge."): v for k, v in weights.items() if k.startswith("bridge.")})
    bridge = models.bridge.eval().requires_grad_(False)
    train, val, test = splits["train"], splits["val"], splits["test"]
    cond_train = condition_tokens(bridge, train)
    assert train.latents is not None

    generator, s2 = models.generator.train(), cfg.stage2
    generator.prepare(train.latents)
    opt = torch.optim.AdamW(generator.parameters(), lr=s2.lr, weight_decay=s2.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(s2.warmup_steps, args.steps))
    ema, draw = EMA(generator, s2.ema_decay), torch.Generator().manual_seed(cfg.seed + args.seed)
    start = time.perf_counter()
    for step in range(args.steps):
        idx = torch.randint(len(cond_train), (s2.batch_size,), generator=draw).tolist()
        cond = pad_frames([cond_train[i] for i in idx], 0.0)
        loss = generator.loss(pad_frames([train.latents[i] for i in idx], 0.0), cond)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(generator.parameters(), s2.grad_clip)
        opt.step()
        sched.step()
        ema.update(generator, step)
        if (step + 1) % 100 == 0:
            print(f"step {step + 1}: loss {loss.item():.4f}", flush=True)
    seconds = time.perf_counter() - start

    judge = get_registry().load("metric", "aisfx")(device="cpu")
    items = split_items(manifest, "test", args.limit)
    position = {item_id: k for k, item_id in enumerate(test.ids)}
    chosen = [position[i.id] for i in items]
    probe, _ = train_probe(judge, manifest, cfg.sampling.seconds, cfg.data.cache_dir)
    targets = np.stack([multi_hot(i.labels, manifest.labels) for i in items])
    result = {"name": args.name, "run": str(args.run_dir), "overrides": args.overrides, "steps": args.steps}
    result["seed"] = args.seed
    result["seconds_per_step"] = round(seconds / max(1, args.steps), 4)
    with ema.applied(generator), torch.no_grad():
        val_loss = two_stage.validation_loss(two_stage.Stage2Model(bridge, generator), val, device, 32)
        result["val_loss"] = round(val_loss, 4)
        bridge.eval()  # validation_loss leaves the model in train mode
        generator.eval()
        for guidance in (float(g) for g in args.guidance.split(",")):
            embeddings = []
            for batch, begin in enumerate(range(0, len(chosen), 16)):
                cond = bridge(two_stage.frames_batch(test, torch.tensor(chosen[begin : begin + 16]), device))
                frames = models.vocoder.num_frames(cfg.sampling.seconds)
                s = cfg.sampling
                latents = generator.sample(cond, frames, steps=s.steps, guidance=guidance, solver=s.solver, seed=batch)
                wav, lengths = models.vocoder.decode(latents)
                for j in range(wav.shape[0]):
                    clip = wav[j, : int(lengths[j])].float().numpy()
                    embeddings.append(judge.embed(clip, models.vocoder.sample_rate))
            correct = event_correct(probe.posteriors(np.stack(embeddings)), targets)
            result[f"aisfx_acc@{guidance:g}"] = round(float(correct.mean()), 4)
            result[f"aisfx_acc@{guidance:g}_ci95"] = [round(x, 4) for x in bootstrap_interval(correct)]
    print(json.dumps(result), flush=True)
    with args.out.open("a") as f:
        f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
