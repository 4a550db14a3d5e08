"""Atomic file writes (standard library only, so that light modules can use it)."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def atomic_path(path: Path) -> Path:
    """A temporary sibling of ``path`` (unique per process and thread) to write before ``os.replace`` shows it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def write_text_atomic(path: Path, text: str) -> None:
    """Writes ``text`` so that readers see the old file or the whole new one, never half of it."""
    tmp = atomic_path(path)
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
