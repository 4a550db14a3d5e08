"""Does the generator draw the silences of its references? Frame loudness of generated vs reference latents.

    python benchmarks/latent_structure.py runs/star-tiny --split test --count 16 --guidance 1,5,8

A sound-event clip alternates events and silence (a scene is "X, then Y" with gaps), so the mean over mel bands of
each latent frame is bimodal in the reference audio. For ``--count`` clips spread over the split (the choice
``starkit eval --limit`` makes), this prints the quantiles of that frame mean for the reference latents (what the
generator is trained on, read from the run's feature cache or encoded into it) and for clips generated from the same
speech at each ``--guidance`` (the run's sampling settings otherwise), and the fraction of frames below the
reference's silence level (the midpoint between its 5 % and 50 % quantiles). A generator that has learned the
structure matches the reference's lower quantiles; one that blurs it fills the silences with sound.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from torch import Tensor

from star_kit.audio import load_audio
from star_kit.evaluation.protocol import load_run, split_items
from star_kit.features import audio_latents, cache_for
from star_kit.pipeline import StarPipeline
from star_kit.registry import get_registry

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def frame_means(latents: list[Tensor]) -> np.ndarray:
    """Mean over the latent width of every frame of every clip: ``[(t_i, d)]`` -> ``(frames,)``."""
    return np.concatenate([x.mean(-1).float().cpu().numpy() for x in latents])


def row(name: str, means: np.ndarray, silence: float) -> str:
    cells = " | ".join(f"{q:.2f}" for q in np.quantile(means, QUANTILES))
    return f"| {name} | {cells} | {(means < silence).mean():.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", help="A finished two_stage run.")
    parser.add_argument("--split", default="test")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--guidance", default="1,5,8", help="Comma-separated guidance scales.")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run = load_run(args.run_dir)
    items = split_items(run.manifest, args.split, args.count)
    pipe = StarPipeline.from_pretrained(args.run_dir)
    vocoder, s = pipe.models.vocoder, pipe.cfg.sampling
    frames = vocoder.num_frames(s.seconds)

    with torch.no_grad():
        data = pipe.cfg.data
        cache = cache_for(data.cache_dir, "latents", pipe.cfg.vocoder, get_registry(), "vocoder")
        refs = audio_latents(vocoder, run.manifest, items, cache, data.audio_seconds, pipe.device, progress=False)
        reference = frame_means(refs)
        low, mid = np.quantile(reference, (0.05, 0.5))
        silence = float((low + mid) / 2)
        speech = [load_audio(run.manifest.speech_path(i), pipe.models.encoder.sample_rate)[0] for i in items]
        cond = pipe.condition(speech)
        settings = f"{len(items)} clips, {s.solver} {s.steps} steps, seed 0"
        print(f"{args.run_dir}, split {args.split}, {settings}; silent frames: frame mean < {silence:.2f}\n")
        print("| latents | " + " | ".join(f"q{round(q * 100)}" for q in QUANTILES) + " | silent frames |")
        print("|---" * (len(QUANTILES) + 2) + "|")
        print(row("reference", reference, silence))
        for guidance in (float(g) for g in args.guidance.split(",")):
            out = pipe.models.generator.sample(cond, frames, steps=s.steps, guidance=guidance, solver=s.solver, seed=0)
            print(row(f"generated, guidance {guidance:g}", frame_means(list(out.values)), silence))


if __name__ == "__main__":
    main()
