"""``starkit eval``, ``starkit bench latency`` and ``starkit compare``: the evidence commands.

``compare`` evaluates an end-to-end run and a cascade run (trained with ``cascade-tiny``: the same bridge,
generator and vocoder on caption text) on the clean and noisy test splits, measures both front ends' latency side
by side, and writes one table: end-to-end vs cascade (ASR transcripts) vs text upper bound (true captions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from star_kit.files import write_text_atomic

SPLITS = ("test", "test-noisy")


def _eval_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--steps", type=int, help="Sampler steps [default: the run's sampling.steps]."),
            click.option("--guidance", type=float, help="Guidance scale [default: the run's]."),
            click.option("--solver", help="Sampler [default: the run's]."),
            click.option("--seed", type=int, default=0, show_default=True),
            click.option("--limit", type=int, help="N clips spread evenly over the split (default: all)."),
        ]
    ):
        fn = option(fn)
    return fn


@click.command("eval")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True)
@click.option(
    "--condition",
    type=click.Choice(["speech", "caption"]),
    default="speech",
    show_default=True,
    help="caption: condition on the true caption text (the text upper bound; cascade runs only).",
)
@click.option("--manifest", type=click.Path(exists=True, path_type=Path), help="[default: the run's corpus]")
@_eval_options
def eval_command(
    run_dir: Path,
    split: str,
    condition: str,
    manifest: Path | None,
    steps: int | None,
    guidance: float | None,
    solver: str | None,
    seed: int,
    limit: int | None,
) -> None:
    """Evaluate a finished run: stage-1 mAP/top-1 and generation judged by aisfx (metrics.json + samples.csv).

    \b
    Example:
      starkit eval runs/star-tiny --split test-noisy
    """
    from star_kit.evaluate import evaluate, summary_lines

    metrics = evaluate(
        run_dir,
        split=split,
        steps=steps,
        guidance=guidance,
        solver=solver,
        seed=seed,
        condition=condition,
        limit=limit,
        manifest=manifest,
        progress=True,
    )
    for line in summary_lines(metrics):
        click.echo(line)


@click.group()
def bench() -> None:
    """Benchmarks that print numbers (and write JSON + markdown).

    \b
    Example:
      starkit bench latency runs/star-tiny runs/cascade-tiny
    """


@bench.command("latency")
@click.argument("e2e")
@click.argument("cascade")
@click.option("-n", "n", type=int, default=30, show_default=True, help="Utterances timed per front end.")
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="JSON file [default: E2E/bench/latency.json].")
def bench_latency(e2e: str, cascade: str, n: int, threads: int, out: Path | None) -> None:
    """Speech-processing latency: end-to-end front end vs ASR + text encoder, same utterances, same threads.

    E2E and CASCADE are run directories, or config names (random weights: latency does not depend on training).

    \b
    Example:
      starkit bench latency runs/star-tiny runs/cascade-tiny -n 30
    """
    from star_kit.bench import latency, markdown

    click.echo(markdown(latency(e2e, cascade, n=n, threads=threads, out=out)))


def _evaluated(run_dir: Path, split: str, condition: str, limit: int | None) -> dict[str, Any]:
    from star_kit.evaluate import evaluate

    return evaluate(run_dir, split=split, condition=condition, limit=limit, progress=True)


def comparison(e2e: Path, cascade: Path, limit: int | None = None, n: int = 30) -> str:
    """Runs the evaluations and the latency benchmark; returns the markdown section."""
    from star_kit.bench import latency, markdown
    from star_kit.evaluate import with_interval

    systems = {
        "end-to-end (speech -> encoder -> bridge)": (e2e, "speech"),
        "cascade (ASR -> text -> same generator)": (cascade, "speech"),
        "text upper bound (true caption)": (cascade, "caption"),
    }
    results = {
        (name, split): _evaluated(run, split, cond, limit) for name, (run, cond) in systems.items() for split in SPLITS
    }
    bench = latency(e2e, cascade, n=n)
    e2e_name, cascade_name = list(systems)[:2]
    front = {
        e2e_name: bench["systems"]["end-to-end"]["front_end_ms"]["median"],
        cascade_name: bench["systems"]["cascade"]["front_end_ms"]["median"],
    }
    head = (
        "| system | split | stage-1 mAP | stage-1 top-1 | aisfx-acc | aisfx-FAD | aisfx-KL | front end (ms, median) |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for (name, split), m in results.items():
        g, s1 = m["generation"], m["stage1"]
        latency_cell = f"{front[name]:.0f}" if name in front else "-"
        lines.append(
            f"| {name} | {split} | {with_interval(s1, 'mAP')} | {with_interval(s1, 'top1')} | "
            f"{with_interval(g, 'aisfx-acc')} | {g['aisfx-FAD']:.1f} | {g['aisfx-KL']:.3f} | {latency_cell} |"
        )
    ceiling = results[(next(iter(systems)), "test")]
    c = ceiling["resynthesis_ceiling"]
    settings = ceiling["settings"]
    boot = settings["bootstrap"]
    lines += [
        "",
        f"[low, high]: {100 * boot['level']:g} % percentile-bootstrap intervals over the split's clips "
        f"({boot['resamples']} resamples, seed {boot['seed']}).",
        f"Vocoder resynthesis ceiling (test, reference audio through the vocoder): aisfx-acc "
        f"{with_interval(c, 'aisfx-acc')}, aisfx-FAD {c['aisfx-FAD']:.1f}, aisfx-KL {c['aisfx-KL']:.3f}; real audio "
        f"aisfx-acc {with_interval(ceiling['reference'], 'aisfx-acc')}.",
        f"Speech-processing latency reduction of end-to-end over the cascade: "
        f"**{100 * bench['front_end_reduction']:.1f} %** (STAR reports 76.9 %: 156 ms -> 36 ms).",
        f"Settings: {settings['solver']}, {settings['steps']} steps, guidance {settings['guidance']}, seed "
        f"{settings['seed']}, {settings['seconds']} s clips; judge aisfx (sha256 "
        f"{settings['judge']['checkpoint_sha256'][:12]}), probe fitted on the real train audio. aisfx-* numbers "
        "are not comparable with published VGGish/PANNs FAD or KL.",
        "",
        "### Latency",
        "",
        markdown(bench),
    ]
    return "\n".join(lines) + "\n"


@click.command("compare")
@click.argument("e2e", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("cascade", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=int, help="N clips spread evenly over each split (default: all).")
@click.option("-n", "n", type=int, default=30, show_default=True, help="Utterances for the latency benchmark.")
def compare(e2e: Path, cascade: Path, limit: int | None, n: int) -> None:
    """End-to-end vs cascade vs text upper bound, clean and noisy: one table, added to E2E/report.md.

    \b
    Example:
      starkit compare runs/star-tiny runs/cascade-tiny
    """
    table = comparison(e2e, cascade, limit, n)
    write_text_atomic(e2e / "eval" / "report.md", table)
    report = e2e / "report.md"
    if report.exists():
        text = report.read_text().split("\n## Evaluation\n")[0].rstrip("\n")
        write_text_atomic(report, f"{text}\n\n## Evaluation\n\n{table}")
    click.echo(table)
    click.echo(f"written to {e2e / 'eval' / 'report.md'}" + (f" and {report}" if report.exists() else ""))
