"""Building a model from a config, and the speech-to-audio pipeline over an exported run.

``StarPipeline.from_pretrained(run_dir)`` reads ``run_dir/model/`` through :func:`star_kit.export.read_run`
(``config.yaml`` + ``model.safetensors`` with the EMA weights of the bridge and generator); the frozen encoder and
vocoder are rebuilt from the config (their weights come from installed packages or the paths the config names).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn

from star_kit.audio import check_waveform, resample
from star_kit.config import instantiate
from star_kit.errors import StarKitError
from star_kit.export import BRIDGE, GENERATOR, STAGE1_BRIDGE, STAGE1_HEAD, read_run
from star_kit.features import pad_waves
from star_kit.interfaces import Bridge, Encoder, Frames, Generator, Vocoder
from star_kit.registry import Registry, get_registry

# ``progress(stage, done, total)`` of :meth:`StarPipeline.generate`: stage "encoding", "sampling" or "decoding";
# ``done``/``total`` count the generator's steps while sampling and are 0 otherwise.
StageProgress = Callable[[str, int, int], None]


@dataclass
class Models:
    encoder: Encoder
    bridge: Bridge
    generator: Generator
    vocoder: Vocoder


def override_encoder(cfg: DictConfig, options: dict[str, Any] | None) -> None:
    """Replaces keys of ``cfg.encoder`` in place (e.g. ``{"transcriber": "faster-whisper"}`` for a cascade run). Only
    for options of the frozen, untrained encoder: the run's weights do not depend on them."""
    if options:
        cfg.encoder = OmegaConf.merge(cfg.encoder, options)


def build_models(cfg: DictConfig, registry: Registry | None = None) -> Models:
    """Builds the four components of a config, wiring the sizes that connect them.

    The encoder and vocoder are frozen (STAR never trains them); dimension mismatches name both components.
    """
    registry = registry or get_registry()
    encoder = instantiate(registry, "encoder", cfg.encoder)
    vocoder = instantiate(registry, "vocoder", cfg.vocoder)
    bridge = instantiate(
        registry, "bridge", cfg.bridge, in_dim=(f"encoder '{cfg.encoder._component_}' dim", encoder.dim)
    )
    generator = instantiate(
        registry,
        "generator",
        cfg.generator,
        latent_dim=(f"vocoder '{cfg.vocoder._component_}' latent_dim", vocoder.latent_dim),
        cond_dim=(f"bridge '{cfg.bridge._component_}' out_dim", bridge.out_dim),
    )
    encoder.freeze()
    vocoder.freeze()
    return Models(encoder, bridge, generator, vocoder)


class StarPipeline:
    """Speech in, sound out.

    Example::

        pipe = StarPipeline.from_pretrained("runs/star-tiny")
        audio = pipe(speech, sample_rate=16000)          # float32 (n,) at pipe.sample_rate
    """

    def __init__(self, models: Models, cfg: DictConfig, device: str | torch.device = "cpu") -> None:
        self.models, self.cfg, self.device = models, cfg, torch.device(device)
        for m in (models.encoder, models.bridge, models.generator, models.vocoder):
            m.to(self.device).eval()

    @classmethod
    def from_pretrained(
        cls,
        run_dir: str | Path,
        device: str = "cpu",
        registry: Registry | None = None,
        encoder_options: dict[str, Any] | None = None,
    ) -> StarPipeline:
        """Loads an exported run; ``encoder_options`` replace keys of its (frozen, untrained) encoder's config,
        e.g. ``{"transcriber": "faster-whisper"}`` for a cascade run."""
        run = read_run(run_dir)
        cfg = run.config
        override_encoder(cfg, encoder_options)
        models = build_models(cfg, registry)
        for prefix, module in ((BRIDGE, models.bridge), (GENERATOR, models.generator)):
            missing, unexpected = module.load_state_dict(run.weights(prefix), strict=False)
            if missing or unexpected:
                raise StarKitError(
                    f"{run.weights_path}: {prefix.rstrip('.')} weights do not match the config "
                    f"(missing {missing[:3]}, unexpected {unexpected[:3]})"
                )
        return cls(models, cfg, device)

    def stage1_head(self, run_dir: str | Path, num_labels: int) -> tuple[Bridge, nn.Linear]:
        """The run's stage-1 bridge and label head (``stage1.*`` weights) as stage 1 left them (stage 2 may have
        trained the bridge's ``proj`` since), in eval mode on this pipeline's device."""
        run = read_run(run_dir)
        run.head_classes()  # an export without the stage-1 model is refused by name
        bridge = copy.deepcopy(self.models.bridge)
        bridge.load_state_dict(run.weights(STAGE1_BRIDGE))
        head = nn.Linear(bridge.out_dim, num_labels)
        head.load_state_dict(run.weights(STAGE1_HEAD))
        return bridge.to(self.device).eval(), head.to(self.device).eval()

    @property
    def sample_rate(self) -> int:
        return self.models.vocoder.sample_rate

    def check_speech(self, wav: np.ndarray, sample_rate: int, name: str) -> np.ndarray:
        """Mono float32 at the encoder's rate; silent, too short or too long speech is an error naming ``name``."""
        data = self.cfg.data
        check_waveform(wav, name, min_seconds=data.min_speech_seconds, sample_rate=sample_rate)
        if len(wav) > data.max_speech_seconds * sample_rate:
            raise StarKitError(
                f"{name}: {len(wav) / sample_rate:.1f} s of speech is over the limit of {data.max_speech_seconds} s "
                "(raise data.max_speech_seconds to allow it)"
            )
        return resample(wav.astype(np.float32), sample_rate, self.models.encoder.sample_rate)

    @torch.no_grad()
    def condition(self, waves: list[np.ndarray]) -> Frames:
        """Speech at the encoder rate -> condition tokens ``(b, k, cond_dim)``."""
        wav, lengths = pad_waves(waves)
        frames = self.models.encoder(wav.to(self.device), lengths.to(self.device))
        return self.models.bridge(frames)

    @torch.no_grad()
    def generate(
        self,
        speech: list[np.ndarray],
        sample_rate: int,
        seconds: float | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        solver: str | None = None,
        seed: int = 0,
        names: list[str] | None = None,
        progress: StageProgress | None = None,
    ) -> list[np.ndarray]:
        """A batch of speech prompts -> generated waveforms (float32 at :attr:`sample_rate`).

        ``progress(stage, done, total)`` is told each stage as it starts and every generator step as it ends.
        """
        report = progress or (lambda stage, done, total: None)
        names = names or [f"speech[{i}]" for i in range(len(speech))]
        waves = [self.check_speech(w, sample_rate, n) for w, n in zip(speech, names, strict=True)]
        s = self.cfg.sampling
        report("encoding", 0, 0)
        cond = self.condition(waves)
        num_frames = self.models.vocoder.num_frames(seconds or s.seconds)
        steps = steps or s.steps
        report("sampling", 0, steps)
        latents = self.models.generator.sample(
            cond,
            num_frames,
            steps=steps,
            guidance=s.guidance if guidance is None else guidance,
            solver=solver or s.solver,
            seed=seed,
            progress=lambda done, total: report("sampling", done, total),
        )
        report("decoding", 0, 0)
        wav, lengths = self.models.vocoder.decode(latents)
        return [wav[i, : int(lengths[i])].float().cpu().numpy() for i in range(len(waves))]

    def __call__(self, speech: np.ndarray, sample_rate: int, **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
        return self.generate([speech], sample_rate, **kwargs)[0]
