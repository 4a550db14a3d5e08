"""Where pretrained weights come from: ``bundled:<name>``, a local folder, or a hub id (offline by default).

Every failure is a one-line :class:`StarKitError` that names the folder or id and the model type expected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import torch

from star_kit.errors import StarKitError

_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


def resolve(pretrained: str, model_type: str, component: str) -> str:
    """Turns ``pretrained`` into what ``from_pretrained`` takes: a checked local folder, or a hub id.

    Args:
        pretrained: ``bundled:<name>`` (Whisper only), a folder, or a hub id (``org/name``).
        model_type: the transformers ``model_type`` the folder's ``config.json`` must declare.
        component: the registered name, for error messages.
    """
    if pretrained.startswith("bundled:"):
        if model_type != "whisper":
            raise StarKitError(f"{component}: '{pretrained}': only whisper has bundled weights; give a folder")
        from star_kit_encoders.bundled import bundled_whisper

        return str(bundled_whisper(pretrained.removeprefix("bundled:")))
    folder = Path(pretrained).expanduser()
    if folder.is_dir():
        check_folder(folder, model_type, component)
        return str(folder)
    if _HUB_ID.match(pretrained) and not pretrained.startswith("."):
        return pretrained
    raise StarKitError(
        f"{component}: pretrained folder {folder} does not exist; give a folder with a transformers '{model_type}' "
        "model (config.json and weights), or a hub id with local_files_only: false"
    )


def check_folder(folder: Path, model_type: str, component: str) -> None:
    """Fails unless ``folder/config.json`` declares ``model_type``."""
    config = folder / "config.json"
    found = json.loads(config.read_text()).get("model_type") if config.exists() else None
    if found == model_type:
        return
    what = f"holds a '{found}' model" if found else "has no transformers config.json with a model_type"
    hint = ""
    if model_type == "whisper":
        hint = "; for the CTranslate2 models of pip packages use bundled:tiny.en or bundled:base"
    raise StarKitError(f"{component}: pretrained folder {folder} {what}, expected a '{model_type}' model{hint}")


def from_pretrained(cls: type, source: str, model_type: str, component: str, local_files_only: bool, **kwargs: Any):
    """``cls.from_pretrained`` in fp32; a hub id missing from the local cache says how to download it."""
    try:
        model = cls.from_pretrained(source, local_files_only=local_files_only, dtype=torch.float32, **kwargs)
    except OSError as exc:
        if local_files_only:
            raise StarKitError(
                f"{component}: '{source}' is not a folder and not in the local Hugging Face cache; give a folder with "
                f"a '{model_type}' model, or set local_files_only: false to download it"
            ) from exc
        raise StarKitError(f"{component}: cannot load '{source}': {str(exc).splitlines()[0]}") from exc
    if model.config.model_type != model_type:
        found = model.config.model_type
        raise StarKitError(f"{component}: '{source}' holds a '{found}' model, expected a '{model_type}' model")
    return model
