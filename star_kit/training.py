"""Training utilities shared by recipes: checkpoints, EMA, schedules, distributed set-up, interrupts.

The metrics (mAP, top-1) live in :mod:`star_kit.evaluation.metrics`.

Training state (``.pt``, loaded with ``weights_only=True``) is kept apart from exported weights (safetensors).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.files import atomic_path


# ---------------------------------------------------------------------------------------------------- distributed
def init_distributed() -> tuple[int, int, torch.device]:
    """Joins the process group when launched by torchrun (gloo on CPU, nccl on GPU).

    Returns:
        ``(rank, world_size, device)``; ``(0, 1, device)`` for a single process.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}" if torch.cuda.is_available() else "cpu")
    if world > 1 and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return (dist.get_rank() if dist.is_initialized() else 0), world, device


def is_main() -> bool:
    return not dist.is_initialized() or dist.get_rank() == 0


def barrier() -> None:
    if dist.is_initialized():
        dist.barrier()


def all_reduce_mean(value: float, device: torch.device) -> float:
    if not dist.is_initialized():
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return float(t.item()) / dist.get_world_size()


# ---------------------------------------------------------------------------------------------------- checkpoints
def save_state(path: Path, state: dict[str, Any]) -> None:
    """Atomically saves training state (tensors, numbers, strings, lists, dicts only)."""
    tmp = atomic_path(path)
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_state(path: Path) -> dict[str, Any]:
    """Loads training state without unpickling arbitrary objects."""
    if not path.exists():
        raise StarKitError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - truncated or foreign files raise various errors
        reason = f"{type(exc).__name__}: {exc}"
        raise StarKitError(f"checkpoint {path} cannot be read ({reason}); delete it to restart") from exc


def save_train_state(path: Path, parts: dict[str, Any], **progress: Any) -> None:
    """Atomically saves a resumable training state: the ``state_dict()`` of each of ``parts`` (model, optimizer,
    scheduler, EMA) by name, the RNG states (``rng``) and the ``progress`` entries (epoch, step, history, ...)."""
    save_state(path, {**{name: part.state_dict() for name, part in parts.items()}, "rng": rng_state(), **progress})


def load_train_state(path: Path, parts: dict[str, Any]) -> dict[str, Any]:
    """Restores a :func:`save_train_state` checkpoint into ``parts`` and the RNGs; returns the progress entries."""
    state = load_state(path)
    for name, part in parts.items():
        part.load_state_dict(state.pop(name))
    set_rng_state(state.pop("rng"))
    return state


def save_weights(path: Path, tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> None:
    """Atomically writes a safetensors file."""
    from safetensors.torch import save_file

    tmp = atomic_path(path)
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp), metadata=metadata)
    os.replace(tmp, path)


WEIGHTS_FIX = "train the run first or point to a finished run"


@contextlib.contextmanager
def _readable_weights(path: Path, fix: str) -> Iterator[Any]:
    """``safe_open(path)``; a missing, truncated or foreign file is a :class:`StarKitError` naming it and ``fix``.

    safetensors checks the header and that the file covers every tensor it lists before anything is read.
    """
    from safetensors import SafetensorError, safe_open

    if not path.exists():
        raise StarKitError(f"weights file {path} does not exist; {fix}")
    try:
        with safe_open(str(path), framework="pt") as f:
            yield f
    except SafetensorError as exc:
        raise StarKitError(f"weights file {path} cannot be read (SafetensorError: {exc}); {fix}") from exc


def weights_header(path: Path, fix: str = WEIGHTS_FIX) -> tuple[dict[str, list[int]], dict[str, str]]:
    """The shape of every tensor by key and the metadata of a safetensors file, reading no tensor data."""
    with _readable_weights(path, fix) as f:
        return {k: list(f.get_slice(k).get_shape()) for k in f.keys()}, dict(f.metadata() or {})


def load_weights(path: Path, prefix: str = "", fix: str = WEIGHTS_FIX) -> dict[str, Tensor]:
    """The tensors of a safetensors file whose key starts with ``prefix``, keyed without it (all for ``""``).

    Raises:
        StarKitError: naming a missing, truncated or foreign file, with ``fix`` (what to do about it).
    """
    with _readable_weights(path, fix) as f:
        return {k.removeprefix(prefix): f.get_tensor(k) for k in f.keys() if k.startswith(prefix)}


def load_partial(module: nn.Module, tensors: dict[str, Tensor], prefix: str = "") -> tuple[list[str], list[str]]:
    """Loads what matches by name and shape; returns ``(missing, unexpected_or_mismatched)`` key lists."""
    own = module.state_dict()
    picked = {}
    rejected = []
    for key, value in tensors.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if name in own and own[name].shape == value.shape:
            picked[name] = value
        else:
            rejected.append(key)
    module.load_state_dict(picked, strict=False)
    missing = [f"{prefix}{k}" for k in own if k not in picked]
    return missing, rejected


def rng_state() -> dict[str, Any]:
    return {
        "torch": torch.get_rng_state(),
        "numpy": torch.from_numpy(np.random.get_state()[1].astype(np.int64)),
        "python": list(random.getstate()[1]),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    np_state = np.random.get_state()
    np.random.set_state((np_state[0], state["numpy"].numpy().astype(np.uint32), *np_state[2:]))
    py = random.getstate()
    random.setstate((py[0], tuple(state["python"]), py[2]))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


# ---------------------------------------------------------------------------------------------------- optimisation
class EMA:
    """Exponential moving average of the trainable parameters of a module (kept in fp32)."""

    def __init__(self, module: nn.Module, decay: float) -> None:
        self.decay = decay
        self.shadow = {n: p.detach().float().clone() for n, p in module.named_parameters() if p.requires_grad}

    @torch.no_grad()
    def update(self, module: nn.Module, step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))  # warm start: follow the weights closely early on
        for n, p in module.named_parameters():
            if n in self.shadow:
                self.shadow[n].lerp_(p.detach().float(), 1 - decay)

    @contextlib.contextmanager
    def applied(self, module: nn.Module) -> Iterator[None]:
        """Temporarily swaps the EMA weights in (for validation, sampling and export)."""
        params = dict(module.named_parameters())
        backup = {n: params[n].detach().clone() for n in self.shadow}
        with torch.no_grad():
            for n, v in self.shadow.items():
                params[n].copy_(v)
        try:
            yield
        finally:
            with torch.no_grad():
                for n, v in backup.items():
                    params[n].copy_(v)

    def state_dict(self) -> dict[str, Tensor]:
        return dict(self.shadow)

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        for n in self.shadow:
            self.shadow[n].copy_(state[n])


def warmup_cosine(warmup: int, total: int, floor: float = 0.05) -> Any:
    """LR multiplier: linear warm-up over ``warmup`` steps, then cosine decay to ``floor`` at ``total``."""

    def fn(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return fn


# ---------------------------------------------------------------------------------------------------- batching
class LengthPooledBatches(torch.utils.data.Sampler[list[int]]):
    """Batches of similar lengths, so less compute goes to padding (fairseq's ``batch_by_size``, torchtext's
    ``BucketIterator``): this rank's shuffled indices from ``sampler`` (a ``DistributedSampler`` with its epoch set)
    are cut into pools of ``pool`` batches, each pool is sorted by ``lengths`` and cut into batches, and the batches
    are shuffled (seeded by ``seed``). ``pool=1`` is plain shuffled batching.
    """

    def __init__(
        self, sampler: torch.utils.data.Sampler[int], lengths: list[int], batch_size: int, pool: int, seed: int
    ) -> None:
        if pool < 1 or batch_size < 1:
            raise StarKitError(f"length pooling needs pool >= 1 and batch_size >= 1, got {pool} and {batch_size}")
        self.sampler, self.lengths, self.batch_size, self.pool, self.seed = sampler, lengths, batch_size, pool, seed

    def _batches(self) -> list[list[int]]:
        order, size = list(self.sampler), self.batch_size * self.pool
        batches = []
        for start in range(0, len(order), size):
            pooled = sorted(order[start : start + size], key=self.lengths.__getitem__)  # stable: ties keep the shuffle
            batches += [pooled[k : k + self.batch_size] for k in range(0, len(pooled), self.batch_size)]
        shuffle = torch.randperm(len(batches), generator=torch.Generator().manual_seed(self.seed)).tolist()
        return [batches[k] for k in shuffle]

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self._batches())

    def __len__(self) -> int:
        return -(-len(self.sampler) // self.batch_size)


# ---------------------------------------------------------------------------------------------------- measuring
class Stopwatch:
    """Wall time and peak resident memory (so far, in MiB) of named phases: ``with watch("stage1"): ...``."""

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, float]] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        import resource
        import time

        start = time.perf_counter()
        yield
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
        self.phases[name] = {"seconds": round(time.perf_counter() - start, 2), "peak_rss_mib": round(peak, 1)}

    @property
    def total_seconds(self) -> float:
        return sum(p["seconds"] for p in self.phases.values())


# ---------------------------------------------------------------------------------------------------- interrupts
class Interrupt:
    """Turns SIGINT/SIGTERM into a flag checked between steps, so the loop can save a resumable checkpoint."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> Interrupt:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
