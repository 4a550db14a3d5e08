"""FeatureCache: hits and misses, config-keyed folders, untrusted damaged entries, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from star_kit.data.cache import FeatureCache, config_hash, file_fingerprint
from star_kit.errors import StarKitError

CONFIG = {"_component_": "whisper", "size": "tiny.en", "layer": -1, "trim": True}


def features(seed: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return {"values": torch.randn(7, 4, generator=gen), "mask": torch.arange(7) < 5}


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k


def test_miss_then_hit(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path, "speech-encoder", CONFIG, version="0.1.0")
    assert cache.get("clip-1") is None
    cache.put("clip-1", features(1))
    assert_same(cache.get("clip-1"), features(1))
    assert cache.get("clip-2") is None
    assert (cache.hits, cache.misses) == (1, 2)
    record = json.loads((cache.folder / "config.json").read_text())
    assert record["config"] == CONFIG and record["component"] == "whisper" and record["version"] == "0.1.0"
    assert record["config_hash"] == cache.config_hash and cache.folder.name == cache.config_hash[:16]


def test_config_name_and_version_change_the_key(tmp_path: Path) -> None:
    base = config_hash(CONFIG, "whisper", "0.1.0")
    assert config_hash(dict(reversed(list(CONFIG.items()))), "whisper", "0.1.0") == base  # key order is irrelevant
    assert config_hash(OmegaConf.create(CONFIG), "whisper", "0.1.0") == base
    assert config_hash({**CONFIG, "layer": -2}, "whisper", "0.1.0") != base
    assert config_hash(CONFIG, "whisper", "0.2.0") != base
    assert config_hash(CONFIG, "wavlm", "0.1.0") != base

    old = FeatureCache(tmp_path, "speech-encoder", CONFIG, version="0.1.0")
    old.put("clip-1", features(1))
    new = FeatureCache(tmp_path, "speech-encoder", {**CONFIG, "layer": -2}, version="0.1.0")
    assert new.folder != old.folder and new.get("clip-1") is None
    upgraded = FeatureCache(tmp_path, "speech-encoder", CONFIG, version="0.2.0")
    assert upgraded.get("clip-1") is None
    again = FeatureCache(tmp_path, "speech-encoder", CONFIG, version="0.1.0")
    assert_same(again.get("clip-1"), features(1))


def test_config_must_be_plain_data(tmp_path: Path) -> None:
    with pytest.raises(StarKitError, match=r"config value config.weights = tensor\(.*\) \(Tensor\) is not plain data"):
        FeatureCache(tmp_path, "x", {"weights": torch.zeros(2)})
    assert config_hash({"path": Path("/a/b")}) == config_hash({"path": "/a/b"})


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-id", "other-config"])
def test_damaged_or_foreign_entries_are_not_trusted(tmp_path: Path, damage: str) -> None:
    cache = FeatureCache(tmp_path, "latents", CONFIG)
    cache.put("clip-1", features(1))
    path = cache.path("clip-1")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:-10])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 200)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other-id":
        cache.put("clip-2", features(2))
        path.write_bytes(cache.path("clip-2").read_bytes())
    else:
        other = FeatureCache(tmp_path, "latents", {**CONFIG, "size": "base"})
        other.put("clip-1", features(3))
        path.write_bytes(other.path("clip-1").read_bytes())
    assert cache.get("clip-1") is None
    cache.put("clip-1", features(1))  # a miss is recomputed and overwrites the bad file
    assert_same(cache.get("clip-1"), features(1))


def test_fingerprint_of_the_source_must_match(tmp_path: Path) -> None:
    source = tmp_path / "speech.wav"
    source.write_bytes(b"first voice")
    cache = FeatureCache(tmp_path / "cache", "speech-encoder", CONFIG)
    cache.put("clip-1", features(1), fingerprint=file_fingerprint(source))
    assert cache.get("clip-1", fingerprint=file_fingerprint(source)) is not None
    source.write_bytes(b"second voice, longer")  # re-spoken with another voice
    assert cache.get("clip-1", fingerprint=file_fingerprint(source)) is None
    assert cache.get("clip-1") is not None  # no fingerprint asked: the id alone decides


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = FeatureCache(tmp_path, "latents", CONFIG)
    cache.put("clip-1", features(1))

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("star_kit.data.manifest.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        cache.put("clip-1", features(2))
    monkeypatch.undo()
    assert_same(cache.get("clip-1"), features(1))
    with pytest.raises(TypeError, match="not tensors: \\['mask'\\]"):
        cache.put("clip-1", {"values": torch.zeros(2), "mask": [1, 0]})
    assert_same(cache.get("clip-1"), features(1))
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_get_or_compute_computes_only_misses_in_batches(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path, "speech-encoder", CONFIG)
    cache.put("c", features(99))
    batches: list[list[str]] = []

    def encode(ids: list[str]) -> list[dict[str, torch.Tensor]]:
        batches.append(ids)
        return [features(ord(i)) for i in ids]

    ids = ["a", "b", "c", "d", "e", "f"]
    out = cache.get_or_compute(ids, encode, batch_size=2)
    assert batches == [["a", "b"], ["d", "e"], ["f"]]
    assert_same(out[2], features(99))
    assert_same(out[5], features(ord("f")))
    batches.clear()
    again = cache.get_or_compute(ids, encode, batch_size=2)
    assert batches == [] and all(torch.equal(x["values"], y["values"]) for x, y in zip(out, again, strict=True))
    with pytest.raises(ValueError, match="feature function returned 0 results for 1 ids"):
        cache.get_or_compute(["new"], lambda ids: [])
