"""``starkit bench``: latency of the end-to-end front end against the cascade's, and of the whole generation.

STAR's headline (156 ms -> 36 ms) compares front ends only, with no stated protocol. This benchmark pins one:

* the same utterances (the first ``n`` of a manifest split, or given waveforms) for both systems, one at a time
  (batch 1, as in interactive use), on the same machine and device with the same torch thread count, after
  ``warmup`` untimed utterances; the systems alternate utterance by utterance, so a change in machine load during
  the run affects both alike;
* **front end** = what runs between the end of speech and the first generator step: speech encoder + bridge for the
  end-to-end model; ASR decoding + text encoder + bridge for the cascade (its parts are timed too);
* **end of speech -> finished waveform** = front end + generator sampling + vocoder decoding, for each number of
  sampler steps, with the **real-time factor** of generation (sampling + decoding time / seconds of audio made);
* median and 90th percentile in milliseconds, pooled over ``repeats`` passes over the utterances, with each pass's
  median and their spread (largest - smallest), for each torch thread count asked (one block per count, the models
  loaded once). Latency does not depend on trained weights, so a config (random weights) can stand in for a run
  directory;
* the cascade can run with several transcribers side by side (``transcribers``: ``transformers``,
  ``faster-whisper``; each a ``cascade (<name>)`` system over the same run), and the front-end reduction is stated
  against each of them and against the fastest.

Shapes: b batch (1 here), n samples.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig

from star_kit.errors import StarKitError
from star_kit.interfaces import TextEncoder, Transcriber
from star_kit.pipeline import Models

STEPS = (10, 20, 50)


def load_system(
    source: str | Path | DictConfig, device: str = "cpu", encoder_options: dict[str, Any] | None = None
) -> tuple[Models, DictConfig, str]:
    """A finished run directory (its trained weights), or a config (shipped name, YAML path, or DictConfig) built
    with random weights; ``encoder_options`` replace keys of its encoder config (e.g. ``{"transcriber":
    "faster-whisper"}``). Returns ``(models, cfg, description)``."""
    from star_kit.pipeline import StarPipeline, build_models, override_encoder

    if isinstance(source, DictConfig):
        cfg, what = source.copy(), "config (random weights)"
    elif Path(source).is_dir():  # read_run names what an unfinished run lacks
        pipe = StarPipeline.from_pretrained(source, device=device, encoder_options=encoder_options)
        return pipe.models, pipe.cfg, f"run {source}"
    else:
        from star_kit.registry import get_registry
        from star_kit.runs import resolve

        _, cfg, _ = resolve(get_registry(), str(source))
        what = f"config {source} (random weights)"
    override_encoder(cfg, encoder_options)
    models = build_models(cfg)
    for m in (models.encoder, models.bridge, models.generator, models.vocoder):
        m.to(device).eval()
    return models, cfg, what


def manifest_utterances(
    cfg: DictConfig, n: int, split: str = "test", manifest: str | Path | None = None
) -> list[tuple[np.ndarray, int]]:
    """The first ``n`` speech clips ``(wav, rate)`` of a manifest split (the run's manifest unless given)."""
    from star_kit.audio import load_audio
    from star_kit.data.manifest import read_manifest
    from star_kit.evaluation.protocol import manifest_of

    found = read_manifest(manifest_of(cfg, manifest), split=split)
    if len(found) < n:
        raise StarKitError(f"{found.path}: split '{split}' has {len(found)} clips, fewer than n={n}")
    return [load_audio(found.speech_path(i)) for i in found.items[:n]]


def cascade_systems(transcribers: Sequence[str] | None) -> dict[str, dict[str, str] | None]:
    """The cascade systems to time: one ``cascade`` as its run is configured, or ``cascade (<name>)`` per transcriber,
    each with the encoder options that select it."""
    if not transcribers:
        return {"cascade": None}
    return {f"cascade ({t})": {"transcriber": t} for t in transcribers}


def stats(ms: Sequence[float]) -> dict[str, float]:
    """Median, 90th percentile, mean, min and count of timings in milliseconds."""
    a = np.asarray(ms, dtype=np.float64)
    return {
        "median": float(np.median(a)),
        "p90": float(np.percentile(a, 90)),
        "mean": float(a.mean()),
        "min": float(a.min()),
        "n": int(a.size),
    }


def repeated_stats(per_repeat: Sequence[Sequence[float]]) -> dict[str, Any]:
    """:func:`stats` of all timings pooled, with each repeat's median and p90 and the spread of the medians."""
    medians = [float(np.median(r)) for r in per_repeat]
    return {
        **stats([x for r in per_repeat for x in r]),
        "repeat_medians": medians,
        "repeat_p90s": [float(np.percentile(r, 90)) for r in per_repeat],
        "spread": max(medians) - min(medians),
    }


class _Clock:
    """Milliseconds between marks, synchronising CUDA first so queued kernels are counted."""

    def __init__(self, device: torch.device) -> None:
        self.cuda = device.type == "cuda"
        self.last = self.now()

    def now(self) -> float:
        if self.cuda:
            torch.cuda.synchronize()
        return time.perf_counter()

    def lap(self) -> float:
        now = self.now()
        ms, self.last = 1000 * (now - self.last), now
        return ms


@torch.no_grad()
def front_end(models: Models, wav: np.ndarray, rate: int, device: torch.device) -> tuple[Any, dict[str, float]]:
    """Condition tokens for one utterance, with the milliseconds of each part (the input is resampled untimed)."""
    from star_kit.audio import resample

    encoder = models.encoder
    x = torch.from_numpy(resample(wav, rate, encoder.sample_rate).copy())[None].to(device)  # (1, n)
    lengths = torch.tensor([x.shape[1]], device=device)
    clock = _Clock(device)
    parts: dict[str, float] = {}
    if isinstance(encoder, Transcriber) and isinstance(encoder, TextEncoder):  # the cascade: ASR, then text
        texts = encoder.transcribe(x, lengths)
        parts["asr"] = clock.lap()
        frames = encoder.encode_text(texts)
        parts["text_encoder"] = clock.lap()
    else:
        frames = encoder(x, lengths)
        parts["encoder"] = clock.lap()
    cond = models.bridge(frames)
    parts["bridge"] = clock.lap()
    return cond, parts


@torch.no_grad()
def generate(
    models: Models, cond: Any, seconds: float, steps: int, guidance: float, solver: str | None, device: torch.device
) -> dict[str, float]:
    """Sampling and decoding of one clip: milliseconds of each and the seconds of audio made."""
    clock = _Clock(device)
    latents = models.generator.sample(
        cond, models.vocoder.num_frames(seconds), steps=steps, guidance=guidance, solver=solver, seed=0
    )
    sampling = clock.lap()
    wav, lengths = models.vocoder.decode(latents)
    vocoder = clock.lap()
    return {"sampling": sampling, "vocoder": vocoder, "audio_seconds": int(lengths[0]) / models.vocoder.sample_rate}


def _measure(
    systems: dict[str, Models],
    speech: list[tuple[np.ndarray, int]],
    warmup: int,
    n_generate: int,
    steps: Sequence[int],
    seconds: float,
    guidance: float,
    solver: str | None,
    device: torch.device,
    repeats: int = 1,
) -> dict[str, dict[str, Any]]:
    """Times every system on every utterance, ``repeats`` times, alternating systems per utterance so that a change
    in machine load during the run hits them alike."""
    parts: dict[str, dict[str, list[list[float]]]] = {name: {} for name in systems}
    rows: dict[str, dict[int, list[list[dict[str, float]]]]] = {
        name: {s: [[] for _ in range(repeats)] for s in steps} for name in systems
    }
    for wav, rate in speech[:warmup]:
        for models in systems.values():
            front_end(models, wav, rate, device)
    for r in range(repeats):
        for wav, rate in speech:
            for name, models in systems.items():
                for k, v in front_end(models, wav, rate, device)[1].items():
                    parts[name].setdefault(k, [[] for _ in range(repeats)])[r].append(v)
    for models in systems.values():  # warm the generator and vocoder
        generate(models, front_end(models, *speech[0], device)[0], seconds, min(steps), guidance, solver, device)
    for r in range(repeats):
        for s in steps:
            for wav, rate in speech[:n_generate]:
                for name, models in systems.items():
                    cond, timed = front_end(models, wav, rate, device)
                    gen = generate(models, cond, seconds, s, guidance, solver, device)
                    rows[name][s][r].append({"front_end": sum(timed.values()), **gen})
    out = {}
    for name in systems:
        totals = [np.sum([v[r] for v in parts[name].values()], axis=0).tolist() for r in range(repeats)]
        generation = {}
        for s, per_repeat in rows[name].items():
            pooled = [x for rep in per_repeat for x in rep]
            generation[str(s)] = {
                "end_of_speech_to_waveform_ms": repeated_stats(
                    [[x["front_end"] + x["sampling"] + x["vocoder"] for x in rep] for rep in per_repeat]
                ),
                "sampling_ms": stats([x["sampling"] for x in pooled]),
                "vocoder_ms": stats([x["vocoder"] for x in pooled]),
                "real_time_factor": float(
                    np.median([(x["sampling"] + x["vocoder"]) / 1000 / x["audio_seconds"] for x in pooled])
                ),
            }
        out[name] = {
            "front_end_ms": repeated_stats(totals),
            "parts_ms": {k: repeated_stats(v) for k, v in parts[name].items()},
            "generation": generation,
        }
    return out


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def latency(
    run_dir_e2e: str | Path | DictConfig,
    run_dir_cascade: str | Path | DictConfig,
    n: int = 30,
    threads: int | Sequence[int] = 2,
    warmup: int = 3,
    steps: Sequence[int] = STEPS,
    n_generate: int = 5,
    seconds: float | None = None,
    split: str = "test",
    manifest: str | Path | None = None,
    speech: list[tuple[np.ndarray, int]] | None = None,
    device: str = "cpu",
    out: str | Path | None = None,
    repeats: int = 1,
    transcribers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Front-end latency of the end-to-end model vs the cascade, and end-of-speech-to-waveform latency of both.

    Args:
        run_dir_e2e, run_dir_cascade: finished run directories, or configs (name, YAML path, DictConfig).
        n: utterances timed through the front ends (each system gets the same ones).
        threads: torch intra-op thread counts, each measured in turn (restored afterwards; faster-whisper follows).
        warmup: untimed utterances first, at each thread count.
        steps: sampler step counts for the generation timings.
        n_generate: utterances timed through the whole generation, per step count.
        seconds: audio to generate (default: the end-to-end config's ``sampling.seconds``).
        split, manifest: where the utterances come from (default: the end-to-end run's manifest).
        speech: ``[(wav, rate)]`` to use instead of a manifest.
        device: where the models run.
        out: write the result as JSON there and a markdown table beside it (``.md``); default for a run
            directory: ``<run_dir_e2e>/bench/latency.json``.
        repeats: passes over the utterances (and the generation timings); the spread of their medians is reported.
        transcribers: run the cascade with each of these transcribers (``transformers``, ``faster-whisper``) as
            systems ``cascade (<name>)``; default: one system ``cascade`` as the cascade run is configured.

    Returns:
        The result dict: ``settings``, ``systems`` (what each is) and ``by_threads`` (``{"2": {"systems": timings,
        "front_end_reduction": against the fastest cascade, "front_end_reduction_vs": per cascade}}``); see
        :func:`markdown` for tables.
    """
    thread_counts = [threads] if isinstance(threads, int) else list(threads)
    if n < 1 or warmup < 0 or n_generate < 1 or repeats < 1 or not thread_counts or min(thread_counts) < 1:
        raise StarKitError(
            f"bench: need n >= 1, warmup >= 0, n_generate >= 1, repeats >= 1, threads >= 1 (got {n}, {warmup}, "
            f"{n_generate}, {repeats}, {thread_counts})"
        )
    cascades = cascade_systems(transcribers)
    previous = torch.get_num_threads()
    by_threads: dict[str, Any] = {}
    try:
        torch.set_num_threads(thread_counts[0])
        dev = torch.device(device)
        e2e, cfg_e2e, what_e2e = load_system(run_dir_e2e, device)
        loaded = {"end-to-end": (e2e, cfg_e2e, what_e2e)}
        loaded |= {name: load_system(run_dir_cascade, device, options) for name, options in cascades.items()}
        if speech is None:
            speech = manifest_utterances(cfg_e2e, max(n, warmup), split, manifest)
            source = f"first {len(speech)} clips of split '{split}' of {manifest or 'the end-to-end run manifest'}"
        else:
            source = f"{len(speech)} given clips"
        timed = speech[:n]
        if len(timed) < n:
            raise StarKitError(f"bench: {len(timed)} utterances given, n={n} asked")
        seconds = float(seconds or cfg_e2e.sampling.seconds)
        s = cfg_e2e.sampling
        for count in thread_counts:
            torch.set_num_threads(count)
            load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            measured = _measure(
                {name: models for name, (models, _, _) in loaded.items()},
                timed,
                warmup,
                min(n_generate, n),
                steps,
                seconds,
                float(s.guidance),
                s.solver,
                dev,
                repeats,
            )
            e2e_ms = measured["end-to-end"]["front_end_ms"]["median"]
            vs = {name: 1 - e2e_ms / measured[name]["front_end_ms"]["median"] for name in cascades}
            by_threads[str(count)] = {
                "systems": measured,
                "front_end_reduction": min(vs.values()),  # against the fastest cascade
                "fastest_cascade": min(vs, key=vs.__getitem__),
                "front_end_reduction_vs": vs,
                "load_average_1min": {
                    "before": load_before,
                    "after": os.getloadavg()[0] if load_before is not None else None,
                },
            }
    finally:
        torch.set_num_threads(previous)
    durations = [len(w) / r for w, r in timed]
    systems = {}
    for name, (_, cfg, what) in loaded.items():
        systems[name] = {"source": what, "encoder": str(cfg.encoder._component_), "bridge": str(cfg.bridge._component_)}
        if "transcriber" in cfg.encoder or name != "end-to-end":
            systems[name]["transcriber"] = str(cfg.encoder.get("transcriber", "transformers"))
    result = {
        "settings": {
            "n": n,
            "warmup": warmup,
            "repeats": repeats,
            "n_generate": min(n_generate, n),
            "threads": thread_counts,
            "transcribers": list(transcribers) if transcribers else None,
            "steps": list(steps),
            "seconds_generated": seconds,
            "guidance": float(s.guidance),
            "solver": str(s.solver),
            "batch": 1,
            "device": device,
            "cpu": _cpu_name(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "speech": source,
            "speech_seconds": {
                "median": float(np.median(durations)),
                "min": float(min(durations)),
                "max": float(max(durations)),
            },
        },
        "systems": systems,
        "by_threads": by_threads,
    }
    if out is None and not isinstance(run_dir_e2e, DictConfig) and Path(run_dir_e2e).is_dir():
        out = Path(run_dir_e2e) / "bench" / "latency.json"
    if out is not None:
        from star_kit.data.manifest import atomic_write_bytes

        out = Path(out)
        atomic_write_bytes(out, (json.dumps(result, indent=2) + "\n").encode())
        atomic_write_bytes(out.with_suffix(".md"), markdown(result).encode())
        result["written"] = str(out)
    return result


def _load_note(settings: dict[str, Any], blocks: Sequence[dict[str, Any]]) -> str:
    loads = [v for b in blocks for v in (b.get("load_average_1min") or {}).values() if v is not None]
    worst = max(loads, default=None)
    if worst is None or settings["device"] != "cpu" or worst <= (settings.get("cpu_count") or 1):
        return ""
    cores = settings["cpu_count"]
    return f" **Load average reached {worst:.1f} on {cores} cores: other processes shared the CPU.**"


def markdown(result: dict[str, Any]) -> str:
    """Markdown tables: front-end latency with its parts, and end-of-speech -> waveform per step count, with one
    row per system and thread count."""
    st, systems, by_threads = result["settings"], result["systems"], result["by_threads"]
    fmt: Callable[[dict[str, float]], str] = lambda t: f"{t['median']:.0f} / {t['p90']:.0f}"  # noqa: E731
    spread: Callable[[dict[str, Any]], str] = lambda t: f"{t['spread']:.0f}"  # noqa: E731
    lines = [
        f"Latency on {st['device']} ({st['cpu']}, torch {st['torch']}); {st['n']} utterances ({st['speech']}, median "
        f"{st['speech_seconds']['median']:.1f} s), batch 1, after {st['warmup']} warm-up utterances, "
        f"{st['repeats']} repeats. Milliseconds, median / p90 over all repeats; spread = largest - smallest repeat "
        f"median.{_load_note(st, list(by_threads.values()))}",
        "",
        "| system | threads | encoder | front end | spread | parts |",
        "|---|---|---|---|---|---|",
    ]
    for count, block in by_threads.items():
        for name, s in block["systems"].items():
            what = f"{systems[name]['encoder']} + {systems[name]['bridge']}"
            parts = ", ".join(f"{k} {fmt(v)}" for k, v in s["parts_ms"].items())
            lines.append(
                f"| {name} | {count} | {what} | **{fmt(s['front_end_ms'])}** | {spread(s['front_end_ms'])} | {parts} |"
            )
    lines.append("")
    for count, block in by_threads.items():
        vs = ", ".join(f"{100 * r:.1f} % against {name}" for name, r in block["front_end_reduction_vs"].items())
        lines.append(
            f"Front-end reduction (median), {count} thread{'' if count == '1' else 's'}: {vs}; against the fastest, "
            f"{block['fastest_cascade']}: **{100 * block['front_end_reduction']:.1f} %**."
        )
    first = next(iter(by_threads.values()))["systems"]["end-to-end"]["generation"]
    lines += [
        "",
        f"End of speech -> finished waveform ({st['seconds_generated']:g} s of audio, {st['solver']}, guidance "
        f"{st['guidance']:g}; {st['n_generate']} utterances): total ms median / p90 and spread over repeats, and the "
        "generation real-time factor (sampling + vocoder time / audio duration).",
        "",
        "| system | threads | " + " | ".join(f"{k} steps: total | spread | RTF" for k in first) + " |",
        "|---|---|" + "---|---|---|" * len(first),
    ]
    for count, block in by_threads.items():
        for name, s in block["systems"].items():
            cells = [
                f"{fmt(g['end_of_speech_to_waveform_ms'])} | {spread(g['end_of_speech_to_waveform_ms'])} | "
                f"{g['real_time_factor']:.2f}"
                for g in s["generation"].values()
            ]
            lines.append(f"| {name} | {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
