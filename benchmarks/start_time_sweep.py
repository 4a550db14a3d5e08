"""Where along t does a generator lose the sound? Sample from partly noised references and judge the result.

    python benchmarks/start_time_sweep.py runs/star-tiny --split test --limit 48 --starts 1,0.97,0.9,0.7,0.5,0.3

For ``--limit`` clips spread over the split (the choice ``starkit eval --limit`` makes), each clip's reference latent
(the run's cached training crop of its audio) is noised to ``x = (1 - ts) x_ref + ts noise`` and the run's guided
flow is integrated from ``ts`` to 0 on its own grid (``FlowMatching.sample(init=..., start=ts)``). ``ts = 1`` is
ordinary generation; ``ts = 0`` is the vocoder's resynthesis of the reference. Each row gives the aisfx judge's
accuracy (as ``starkit eval``, with its 95 % interval over clips) and the share of silent latent frames (as
``benchmarks/latent_structure.py``). The layout of events and silences is decided where the silent share departs
from the reference's; how much sound identity survives each noise level is the accuracy curve.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from latent_structure import frame_means

from star_kit.audio import load_audio
from star_kit.data.manifest import multi_hot
from star_kit.evaluation.metrics import bootstrap_interval, event_correct
from star_kit.evaluation.protocol import load_run, split_items, train_probe
from star_kit.features import audio_latents, cache_for, pad_frames
from star_kit.pipeline import StarPipeline
from star_kit.registry import get_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", help="A finished two_stage run with a flow_matching generator.")
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=48, help="Clips judged, spread evenly over the split.")
    parser.add_argument("--starts", default="1,0.97,0.9,0.7,0.5,0.3", help="Comma-separated start times in (0, 1].")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    starts = [float(ts) for ts in args.starts.split(",")]
    run = load_run(args.run_dir)
    items = split_items(run.manifest, args.split, args.limit)
    pipe = StarPipeline.from_pretrained(args.run_dir)
    vocoder, generator, s, data = pipe.models.vocoder, pipe.models.generator, pipe.cfg.sampling, pipe.cfg.data
    judge = get_registry().load("metric", "aisfx")(device="cpu")
    probe, _ = train_probe(judge, run.manifest, float(s.seconds), data.cache_dir)
    targets = np.stack([multi_hot(i.labels, run.labels) for i in items])

    with torch.no_grad():
        cache = cache_for(data.cache_dir, "latents", pipe.cfg.vocoder, get_registry(), "vocoder")
        refs = audio_latents(vocoder, run.manifest, items, cache, data.audio_seconds, pipe.device, progress=False)
        frames = min(x.shape[0] for x in refs)  # the training crop; a clip shorter than it sets the length
        reference = frame_means([x[:frames] for x in refs])
        low, mid = np.quantile(reference, (0.05, 0.5))
        silence = float((low + mid) / 2)
        speech = [load_audio(run.manifest.speech_path(i), pipe.models.encoder.sample_rate)[0] for i in items]
        print(f"{args.run_dir}, split {args.split}, {len(items)} clips, {frames} latent frames, {s.solver} {s.steps}")
        print(f"steps, guidance {s.guidance:g}, seed k per batch k; silent frames: frame mean < {silence:.2f}\n")
        print("| start time ts | aisfx-acc [95 % interval] | silent frames |\n|---|---|---|")
        print(f"| reference latents | | {(reference < silence).mean():.2f} |")
        for ts in [*starts, 0.0]:
            embeddings, means = [], []
            for k, begin in enumerate(range(0, len(items), args.batch_size)):
                init = pad_frames([x[:frames] for x in refs[begin : begin + args.batch_size]], 0.0)
                if ts == 0.0:
                    latents = init
                else:
                    cond = pipe.condition(speech[begin : begin + args.batch_size])
                    latents = generator.sample(cond, frames, s.steps, s.guidance, s.solver, seed=k, init=init, start=ts)
                means.append(frame_means(list(latents.values)))
                wav, lengths = vocoder.decode(latents)
                for w, n in zip(wav, lengths, strict=True):
                    embeddings.append(judge.embed(w[: int(n)].float().numpy(), vocoder.sample_rate))
            correct = event_correct(probe.posteriors(np.stack(embeddings)), targets)
            low_ci, high_ci = bootstrap_interval(correct)
            name = "0 (resynthesis)" if ts == 0.0 else f"{ts:g}"
            silent = (np.concatenate(means) < silence).mean()
            print(f"| {name} | {correct.mean():.3f} [{low_ci:.3f}, {high_ci:.3f}] | {silent:.2f} |", flush=True)


if __name__ == "__main__":
    main()
