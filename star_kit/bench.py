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
* median and 90th percentile in milliseconds. Latency does not depend on trained weights, so a config (random
  weights) can stand in for a run directory.

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
from star_kit.pipeline import Models

STEPS = (10, 20, 50)


def load_system(source: str | Path | DictConfig, device: str = "cpu") -> tuple[Models, DictConfig, str]:
    """A finished run directory (its trained weights), or a config (shipped name, YAML path, or DictConfig) built
    with random weights. Returns ``(models, cfg, description)``."""
    from star_kit.pipeline import MODEL_DIR, StarPipeline, build_models

    if isinstance(source, DictConfig):
        cfg, what = source, "config (random weights)"
    elif Path(source).is_dir():
        if not (Path(source) / MODEL_DIR).is_dir():
            raise StarKitError(f"{source}: no exported model ({MODEL_DIR}/); finish the run, or give a config instead")
        pipe = StarPipeline.from_pretrained(source, device=device)
        return pipe.models, pipe.cfg, f"run {source}"
    else:
        from star_kit.registry import get_registry
        from star_kit.runs import resolve

        _, cfg, _ = resolve(get_registry(), str(source))
        what = f"config {source} (random weights)"
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
    from star_kit.evaluate import manifest_of

    found = read_manifest(manifest_of(cfg, manifest), split=split)
    if len(found) < n:
        raise StarKitError(f"{found.path}: split '{split}' has {len(found)} clips, fewer than n={n}")
    return [load_audio(found.speech_path(i)) for i in found.items[:n]]


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
    if hasattr(encoder, "transcribe") and hasattr(encoder, "encode_text"):
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
    systems: dict[str, tuple[Models, DictConfig]],
    speech: list[tuple[np.ndarray, int]],
    warmup: int,
    n_generate: int,
    steps: Sequence[int],
    seconds: float,
    guidance: float,
    solver: str | None,
    device: torch.device,
) -> dict[str, dict[str, Any]]:
    """Times every system on every utterance, alternating systems per utterance so that a change in machine load
    during the run hits them alike."""
    parts: dict[str, dict[str, list[float]]] = {name: {} for name in systems}
    rows: dict[str, dict[int, list[dict[str, float]]]] = {name: {s: [] for s in steps} for name in systems}
    for wav, rate in speech[:warmup]:
        for models, _ in systems.values():
            front_end(models, wav, rate, device)
    for wav, rate in speech:
        for name, (models, _) in systems.items():
            for k, v in front_end(models, wav, rate, device)[1].items():
                parts[name].setdefault(k, []).append(v)
    for models, _ in systems.values():  # warm the generator and vocoder
        generate(models, front_end(models, *speech[0], device)[0], seconds, min(steps), guidance, solver, device)
    for s in steps:
        for wav, rate in speech[:n_generate]:
            for name, (models, _) in systems.items():
                cond, timed = front_end(models, wav, rate, device)
                gen = generate(models, cond, seconds, s, guidance, solver, device)
                rows[name][s].append({"front_end": sum(timed.values()), **gen})
    out = {}
    for name, (_, cfg) in systems.items():
        totals = np.sum([v for v in parts[name].values()], axis=0)
        generation = {}
        for s, r in rows[name].items():
            generation[str(s)] = {
                "end_of_speech_to_waveform_ms": stats([x["front_end"] + x["sampling"] + x["vocoder"] for x in r]),
                "sampling_ms": stats([x["sampling"] for x in r]),
                "vocoder_ms": stats([x["vocoder"] for x in r]),
                "real_time_factor": float(
                    np.median([(x["sampling"] + x["vocoder"]) / 1000 / x["audio_seconds"] for x in r])
                ),
            }
        out[name] = {
            "encoder": str(cfg.encoder._component_),
            "bridge": str(cfg.bridge._component_),
            "front_end_ms": stats(totals),
            "parts_ms": {k: stats(v) for k, v in parts[name].items()},
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
    threads: int = 2,
    warmup: int = 3,
    steps: Sequence[int] = STEPS,
    n_generate: int = 5,
    seconds: float | None = None,
    split: str = "test",
    manifest: str | Path | None = None,
    speech: list[tuple[np.ndarray, int]] | None = None,
    device: str = "cpu",
    out: str | Path | None = None,
) -> dict[str, Any]:
    """Front-end latency of the end-to-end model vs the cascade, and end-of-speech-to-waveform latency of both.

    Args:
        run_dir_e2e, run_dir_cascade: finished run directories, or configs (name, YAML path, DictConfig).
        n: utterances timed through the front ends (each system gets the same ones).
        threads: torch intra-op threads for the whole benchmark (restored afterwards).
        warmup: untimed utterances first.
        steps: sampler step counts for the generation timings.
        n_generate: utterances timed through the whole generation, per step count.
        seconds: audio to generate (default: the end-to-end config's ``sampling.seconds``).
        split, manifest: where the utterances come from (default: the end-to-end run's manifest).
        speech: ``[(wav, rate)]`` to use instead of a manifest.
        device: where the models run.
        out: write the result as JSON there and a markdown table beside it (``.md``); default for a run
            directory: ``<run_dir_e2e>/bench/latency.json``.

    Returns:
        The result dict (see :func:`markdown` for a table).
    """
    if n < 1 or warmup < 0 or n_generate < 1 or threads < 1:
        raise StarKitError(
            f"bench: need n >= 1, warmup >= 0, n_generate >= 1, threads >= 1 (got {n}, {warmup}, "
            f"{n_generate}, {threads})"
        )
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        dev = torch.device(device)
        e2e, cfg_e2e, what_e2e = load_system(run_dir_e2e, device)
        cascade, cfg_cascade, what_cascade = load_system(run_dir_cascade, device)
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
        measured = _measure(
            {"end-to-end": (e2e, cfg_e2e), "cascade": (cascade, cfg_cascade)},
            timed,
            warmup,
            min(n_generate, n),
            steps,
            seconds,
            float(s.guidance),
            s.solver,
            dev,
        )
        systems = {
            name: {"source": what, **measured[name]}
            for name, what in (("end-to-end", what_e2e), ("cascade", what_cascade))
        }
    finally:
        torch.set_num_threads(previous)
    durations = [len(w) / r for w, r in timed]
    result = {
        "settings": {
            "n": n,
            "warmup": warmup,
            "n_generate": min(n_generate, n),
            "threads": threads,
            "steps": list(steps),
            "seconds_generated": seconds,
            "guidance": float(s.guidance),
            "solver": str(s.solver),
            "batch": 1,
            "device": device,
            "load_average_1min": {
                "before": load_before,
                "after": os.getloadavg()[0] if load_before is not None else None,
            },
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
        "front_end_reduction": 1
        - systems["end-to-end"]["front_end_ms"]["median"] / systems["cascade"]["front_end_ms"]["median"],
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


def _load_note(settings: dict[str, Any]) -> str:
    load = settings.get("load_average_1min") or {}
    worst = max((v for v in load.values() if v is not None), default=None)
    if worst is None or settings["device"] != "cpu" or worst <= (settings.get("cpu_count") or 1):
        return ""
    cores = settings["cpu_count"]
    return f" **Load average reached {worst:.1f} on {cores} cores: other processes shared the CPU.**"


def markdown(result: dict[str, Any]) -> str:
    """Two markdown tables: front-end latency with its parts, and end-of-speech -> waveform per step count."""
    st, systems = result["settings"], result["systems"]
    fmt: Callable[[dict[str, float]], str] = lambda t: f"{t['median']:.0f} / {t['p90']:.0f}"  # noqa: E731
    lines = [
        f"Latency on {st['device']} ({st['cpu']}, {st['threads']} threads, torch {st['torch']}); {st['n']} utterances "
        f"({st['speech']}, median {st['speech_seconds']['median']:.1f} s), batch 1, after {st['warmup']} warm-up "
        f"utterances. Milliseconds, median / p90.{_load_note(st)}",
        "",
        "| system | encoder | front end | parts |",
        "|---|---|---|---|",
    ]
    for name, s in systems.items():
        parts = ", ".join(f"{k} {fmt(v)}" for k, v in s["parts_ms"].items())
        lines.append(f"| {name} | {s['encoder']} + {s['bridge']} | **{fmt(s['front_end_ms'])}** | {parts} |")
    lines += [
        "",
        f"Front-end reduction (median): {100 * result['front_end_reduction']:.1f} %.",
        "",
        f"End of speech -> finished waveform ({st['seconds_generated']:g} s of audio, {st['solver']}, guidance "
        f"{st['guidance']:g}; {st['n_generate']} utterances): total ms median / p90, and the generation real-time "
        "factor (sampling + vocoder time / audio duration).",
        "",
        "| system | " + " | ".join(f"{k} steps: total | RTF" for k in systems["end-to-end"]["generation"]) + " |",
        "|---|" + "---|---|" * len(systems["end-to-end"]["generation"]),
    ]
    for name, s in systems.items():
        cells = [
            f"{fmt(g['end_of_speech_to_waveform_ms'])} | {g['real_time_factor']:.2f}" for g in s["generation"].values()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
