"""The ``vae`` recipe: trains the ``vae`` vocoder on a folder or a JSONL manifest of audio. Copy it to change it.

    starkit recipe run vae --config vae-tiny data.folder=my_sounds/

Each step draws ``batch_size`` random segments of ``segment_seconds`` from the clips (a shorter clip is taken whole),
minimises reconstruction L1 on the normalised log-mel plus ``kl_weight`` x KL, and logs the losses to ``loss.jsonl``.
At the end the latent normalisation is fitted on every clip and the model is written atomically to
``vae.safetensors``; load it with ``vocoder: {_component_: vae, checkpoint: RUN/vae.safetensors}`` (same
architecture arguments). Training state for ``--resume`` lives in ``state/vae.pt``.

Shapes: b batch, n samples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import Tensor

from star_kit.audio import load_audio
from star_kit.config import instantiate
from star_kit.errors import StarKitError
from star_kit.registry import get_registry
from star_kit.training import load_state, rng_state, save_state, seed_everything, set_rng_state
from star_kit_vocoders.mel import N_FFT, SAMPLE_RATE
from star_kit_vocoders.vae import MelVae

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")


@dataclass
class DataConfig:
    manifest: str | None = None  # JSONL with an "audio" field (paths relative to the manifest's folder)
    folder: str | None = None  # or a folder of audio files (searched recursively)
    split: str | None = None  # keep only manifest lines whose "split" equals this (None: every line)
    segment_seconds: float = 2.0


@dataclass
class TrainConfig:
    steps: int = 2000
    batch_size: int = 16
    lr: float = 1e-3
    grad_clip: float = 1.0
    seed: int = 0
    log_every: int = 50
    save_every: int = 500
    device: str = "auto"  # auto | cpu | cuda


@dataclass
class Config:
    vocoder: Any = field(default_factory=lambda: {"_component_": "vae"})
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def audio_files(data: DictConfig) -> list[Path]:
    """The training files named by ``data.manifest`` or found under ``data.folder``."""
    if data.manifest:
        manifest = Path(data.manifest)
        if not manifest.is_file():
            raise StarKitError(f"{manifest}: no such manifest (config key data.manifest)")
        files = []
        for number, line in enumerate(manifest.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                audio = item["audio"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise StarKitError(f"{manifest}:{number}: expected a JSON object with an 'audio' path") from exc
            if audio and (data.split is None or item.get("split") == data.split):
                files.append(manifest.parent / audio)
    elif data.folder:
        folder = Path(data.folder)
        if not folder.is_dir():
            raise StarKitError(f"{folder}: no such folder (config key data.folder)")
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    else:
        raise StarKitError("vae recipe: set data.manifest (JSONL with an 'audio' field) or data.folder (audio files)")
    if not files:
        raise StarKitError(f"vae recipe: no audio files in {data.manifest or data.folder}")
    return files


def load_clips(files: list[Path]) -> list[np.ndarray]:
    """Every file as mono float32 at 22 050 Hz; unreadable, silent or too short files are errors naming the file."""
    clips = []
    for path in files:
        wav, _ = load_audio(path, SAMPLE_RATE)
        if len(wav) < N_FFT:
            raise StarKitError(f"{path}: {len(wav) / SAMPLE_RATE:.3f} s is too short (at least {N_FFT} samples)")
        clips.append(wav)
    return clips


def pad_batch(wavs: list[np.ndarray], device: torch.device) -> tuple[Tensor, Tensor]:
    """1-D waveforms -> ``(wav (b, n), lengths (b,))`` zero-padded."""
    lengths = torch.tensor([len(w) for w in wavs])
    batch = torch.zeros(len(wavs), int(lengths.max()))
    for i, w in enumerate(wavs):
        batch[i, : len(w)] = torch.from_numpy(w)
    return batch.to(device), lengths.to(device)


def sample_batch(clips: list[np.ndarray], rng: np.random.Generator, batch_size: int, segment: int) -> list[np.ndarray]:
    """Random segments of ``segment`` samples from random clips (a shorter clip whole)."""
    out = []
    for i in rng.integers(len(clips), size=batch_size):
        clip = clips[i]
        start = int(rng.integers(len(clip) - segment + 1)) if len(clip) > segment else 0
        out.append(clip[start : start + segment])
    return out


def run(cfg: DictConfig, run_dir: Path, resume: bool = False) -> None:
    """Trains the VAE of ``cfg.vocoder`` and writes ``run_dir/vae.safetensors`` and ``run_dir/loss.jsonl``."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    train = cfg.train
    auto = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(auto if train.device == "auto" else train.device)
    clips = load_clips(audio_files(cfg.data))
    seed_everything(train.seed)
    vae = instantiate(get_registry(), "vocoder", OmegaConf.merge(cfg.vocoder, {"freeze": False}))
    if not isinstance(vae, MelVae):
        raise StarKitError(f"vae recipe: vocoder '{cfg.vocoder._component_}' is not the 'vae' vocoder")
    vae.to(device).train()
    segment = int(cfg.data.segment_seconds * SAMPLE_RATE)
    opt = torch.optim.AdamW([p for p in vae.parameters() if p.requires_grad], lr=train.lr)
    state_path, log_path = run_dir / "state" / "vae.pt", run_dir / "loss.jsonl"
    step = 0
    if resume and state_path.exists():
        state = load_state(state_path)
        vae.load_state_dict(state["model"], strict=False)  # every key but the frozen mel vocoder's weights
        opt.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"])
        step = int(state["step"])
    if log_path.exists():  # drop lines logged after the state being resumed (or every line of a fresh run)
        kept = [line for line in log_path.read_text().splitlines() if resume and json.loads(line)["step"] <= step]
        log_path.write_text("".join(f"{line}\n" for line in kept))

    def checkpoint() -> None:
        save_state(
            state_path, {"model": vae.own_state_dict(), "optimizer": opt.state_dict(), "rng": rng_state(), "step": step}
        )

    sums, count = torch.zeros(3), 0
    while step < train.steps:
        rng = np.random.default_rng([train.seed, step])  # the data of a step does not depend on resuming
        wav, lengths = pad_batch(sample_batch(clips, rng, train.batch_size, segment), device)
        loss = vae.vae_loss(wav, lengths)
        opt.zero_grad(set_to_none=True)
        loss.total.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), train.grad_clip)
        opt.step()
        step += 1
        sums, count = sums + torch.stack([t.detach().cpu() for t in loss]), count + 1
        if step % train.log_every == 0 or step == train.steps:
            total, recon, kl = (sums / count).tolist()
            with log_path.open("a") as f:
                f.write(json.dumps({"step": step, "loss": total, "recon": recon, "kl": kl}) + "\n")
            print(f"vae step {step}/{train.steps}: loss {total:.4f} (recon {recon:.4f}, kl {kl:.4f})", flush=True)
            sums, count = torch.zeros(3), 0
        if step % train.save_every == 0 or step == train.steps:
            checkpoint()
    vae.eval()
    vae.fit_latent_stats(pad_batch([clip[: 10 * SAMPLE_RATE]], device) for clip in clips)
    path = vae.save_checkpoint(run_dir / "vae.safetensors")
    print(f"wrote {path}", flush=True)
