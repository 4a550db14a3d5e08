"""An on-disk cache of features of frozen components (encoder frames, vocoder latents), keyed by config and item.

Layout::

    ROOT/NAMESPACE/HASH/config.json                 what produced the entries (for people; never read back)
    ROOT/NAMESPACE/HASH/ab/<sha256(id)[:32]>.safetensors

``HASH`` covers the component's resolved config, its name and its plugin version, so a changed config or upgraded
plugin never reads stale features. Entries are safetensors (never pickles) written atomically; each records its item
id, the config hash and an optional source fingerprint, and a file that fails to load or does not match is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from safetensors import safe_open
from safetensors.torch import save as save_safetensors
from torch import Tensor

from star_kit.data.manifest import atomic_write_bytes
from star_kit.errors import StarKitError


def default_cache_root() -> Path:
    """``$STARKIT_CACHE/features`` (default ``~/.cache/star_kit/features``)."""
    return Path(os.environ.get("STARKIT_CACHE", "~/.cache/star_kit")).expanduser() / "features"


def _plain(value: Any, where: str) -> Any:
    """``value`` as JSON-native data (OmegaConf nodes resolved, paths as strings); anything else is an error."""
    if type(value).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        value = OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise StarKitError(f"feature cache: config value {where} = {value!r} ({type(value).__name__}) is not plain data")


def config_hash(config: Mapping[str, Any], component: str = "", version: str = "") -> str:
    """sha256 (hex) of the canonical JSON of ``config``, the component name and its plugin version."""
    payload = {"component": component, "version": version, "config": _plain(config, "config")}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_fingerprint(path: str | Path) -> str:
    """A cheap fingerprint of a source file (size and modification time): a re-spoken file invalidates its entry."""
    stat = Path(path).stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


class FeatureCache:
    """Features per item id for one component configuration.

    Args:
        root: cache folder (see :func:`default_cache_root`).
        namespace: what is cached, e.g. ``"speech-encoder"`` or ``"audio-latents"`` (a sub-folder).
        config: the component's fully resolved config (defaults included), e.g. ``{"_component_": "whisper", ...}``.
        component: the registered component name (defaults to ``config["_component_"]``).
        version: the version of the plugin that provides the component.

    Attributes:
        config_hash: the key part shared by all entries; ``folder`` holds them.
        hits, misses: counts of :meth:`get` answers since construction.
    """

    def __init__(
        self, root: str | Path, namespace: str, config: Mapping[str, Any], component: str = "", version: str = ""
    ) -> None:
        component = component or str(config.get("_component_", ""))
        self.config_hash = config_hash(config, component, version)
        self.folder = Path(root) / namespace / self.config_hash[:16]
        self.hits = self.misses = 0
        described = self.folder / "config.json"
        if not described.exists():
            record = {
                "namespace": namespace,
                "component": component,
                "version": version,
                "config_hash": self.config_hash,
                "config": _plain(config, "config"),
            }
            atomic_write_bytes(described, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def path(self, item_id: str) -> Path:
        digest = hashlib.sha256(item_id.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest[:32]}.safetensors"

    def get(self, item_id: str, fingerprint: str | None = None) -> dict[str, Tensor] | None:
        """The cached tensors of ``item_id``, or None when absent, unreadable, or made for another id or source.

        Args:
            fingerprint: when given, the entry must have been stored with the same fingerprint.
        """
        found = self._load(item_id, fingerprint)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _load(self, item_id: str, fingerprint: str | None) -> dict[str, Tensor] | None:
        path = self.path(item_id)
        if not path.is_file():
            return None
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
                if meta.get("item_id") != item_id or meta.get("config_hash") != self.config_hash:
                    return None
                if fingerprint is not None and meta.get("fingerprint") != fingerprint:
                    return None
                return {k: f.get_tensor(k) for k in f.keys()}
        except Exception:  # noqa: BLE001 - a truncated or corrupt entry is a miss, recomputed and overwritten
            return None

    def put(self, item_id: str, tensors: Mapping[str, Tensor], fingerprint: str | None = None) -> None:
        """Stores ``tensors`` (moved to CPU) for ``item_id`` atomically, replacing any previous entry."""
        bad = [k for k, v in tensors.items() if not isinstance(v, Tensor)]
        if not tensors or bad:
            raise TypeError(f"FeatureCache.put('{item_id}') needs a non-empty dict of tensors; not tensors: {bad}")
        meta = {"item_id": item_id, "config_hash": self.config_hash, "fingerprint": fingerprint or ""}
        data = save_safetensors({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, metadata=meta)
        atomic_write_bytes(self.path(item_id), data, fsync=False)

    def get_or_compute(
        self,
        ids: Sequence[str],
        fn: Callable[[list[str]], Sequence[Mapping[str, Tensor]]],
        batch_size: int = 32,
        fingerprints: Sequence[str] | None = None,
    ) -> list[dict[str, Tensor]]:
        """Cached tensors for every id, computing the misses with ``fn`` in batches and storing them.

        Args:
            ids: item ids.
            fn: ``fn(ids_batch) -> [tensors per id]`` (same order and length), called only for misses.
            batch_size: ids per ``fn`` call.
            fingerprints: optional per-id source fingerprints (see :func:`file_fingerprint`).

        Returns:
            One ``{name: tensor}`` (on CPU) per id, in the order of ``ids``.
        """
        if fingerprints is not None and len(fingerprints) != len(ids):
            raise ValueError(f"{len(fingerprints)} fingerprints for {len(ids)} ids")
        prints = list(fingerprints) if fingerprints is not None else [None] * len(ids)
        out = [self.get(i, p) for i, p in zip(ids, prints, strict=True)]
        todo = [k for k, found in enumerate(out) if found is None]
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            computed = fn([ids[k] for k in chunk])
            if len(computed) != len(chunk):
                raise ValueError(f"feature function returned {len(computed)} results for {len(chunk)} ids")
            for k, tensors in zip(chunk, computed, strict=True):
                self.put(ids[k], tensors, prints[k])
                out[k] = {name: t.detach().cpu() for name, t in tensors.items()}
        return out  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"FeatureCache({self.folder}, hits={self.hits}, misses={self.misses})"
