"""``starkit generate``: speech prompts in, generated sound out, from a trained run."""

from __future__ import annotations

from pathlib import Path

import click

from star_kit.errors import StarKitError

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")


def _inputs(speech: Path | None, manifest: Path | None, split: str, folder: Path | None) -> list[tuple[str, Path]]:
    """``(name, speech file)`` pairs from exactly one of the input options."""
    given = [x for x in (speech, manifest, folder) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --speech, --manifest, --folder or --say")
    if speech is not None:
        return [(speech.stem, speech)]
    if folder is not None:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        if not files:
            raise StarKitError(f"{folder}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
        return [(p.stem, p) for p in files]
    from star_kit.data.manifest import read_manifest

    m = read_manifest(manifest, split=split)  # type: ignore[arg-type]
    return [(i.id, m.speech_path(i)) for i in m.items]


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--speech", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="One spoken prompt.")
@click.option("--manifest", type=click.Path(exists=True, path_type=Path), help="Every item of a manifest split.")
@click.option("--split", default="test", show_default=True, help="The manifest split for --manifest.")
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Every audio file in it.")
@click.option("--say", help="Speak this text with --voice first, then generate from that speech.")
@click.option("--voice", help="Registered voice for --say [default: the registered voice with the fullest band].")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), required=True, help="Output wav (one prompt) or folder (batch)."
)
@click.option("--steps", type=int, help="Sampler steps [default: the run's sampling.steps].")
@click.option("--guidance", type=float, help="Classifier-free guidance scale [default: the run's].")
@click.option("--solver", help="euler, midpoint, rk4, dopri5 (flow matching) or ddim (diffusion).")
@click.option("--duration", type=float, help="Seconds of audio to generate [default: the run's sampling.seconds].")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch-size", type=int, default=8, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def generate(
    run_dir: Path,
    speech: Path | None,
    manifest: Path | None,
    split: str,
    folder: Path | None,
    say: str | None,
    voice: str | None,
    out: Path,
    steps: int | None,
    guidance: float | None,
    solver: str | None,
    duration: float | None,
    seed: int,
    batch_size: int,
    force: bool,
) -> None:
    """Generate sound from spoken descriptions with a trained run.

    \b
    Example:
      starkit generate runs/star-tiny --say "a dog barks while rain falls" -o dog.wav
    """
    from star_kit.audio import load_audio, resample, write_audio
    from star_kit.pipeline import StarPipeline
    from star_kit.registry import get_registry

    if say is not None and any(x is not None for x in (speech, manifest, folder)):
        raise click.UsageError("--say replaces --speech, --manifest and --folder")
    sources = [] if say is not None else _inputs(speech, manifest, split, folder)
    names = ["say"] if say is not None else [name for name, _ in sources]
    labels = [f"--say '{say}'"] if say is not None else [str(path) for _, path in sources]  # named in speech errors
    single = len(names) == 1 and (speech is not None or say is not None)
    targets = [out if single else out / f"{name}.wav" for name in names]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise StarKitError(f"{existing[0]} exists; pass --force to overwrite it")
    pipe = StarPipeline.from_pretrained(run_dir)
    rate = pipe.models.encoder.sample_rate
    if say is not None:
        voice = voice or get_registry().default_voice()
        spoken = get_registry().load("voice", voice)()
        wav = spoken.synthesize(say)
        click.echo(f"spoke '{say}' with voice '{voice}' ({len(wav) / spoken.sample_rate:.1f} s); generating from it")
        waves = [resample(wav, spoken.sample_rate, rate)]
    else:
        waves = [load_audio(path, rate)[0] for _, path in sources]
    for start in range(0, len(waves), batch_size):
        end = start + batch_size
        audio = pipe.generate(
            waves[start:end],
            rate,
            seconds=duration,
            steps=steps,
            guidance=guidance,
            solver=solver,
            seed=seed,
            names=labels[start:end],
        )
        for clip, target in zip(audio, targets[start:end], strict=True):
            write_audio(target, clip, pipe.sample_rate)
            click.echo(f"{target}  ({len(clip) / pipe.sample_rate:.1f} s)")
