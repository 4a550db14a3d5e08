"""Data plumbing: the JSONL manifest, its checker, CSV importers, speaking captions, and the feature cache.

Light to import (no numpy, no torch). ``star_kit.data.speak`` and ``star_kit.data.cache`` import their heavy
dependencies at module level; import them directly.
"""

from star_kit.data.check import check_manifest
from star_kit.data.importers import ImportResult, import_csv
from star_kit.data.manifest import Item, Manifest, Problem, multi_hot, read_manifest, write_manifest

__all__ = [
    "ImportResult",
    "Item",
    "Manifest",
    "Problem",
    "check_manifest",
    "import_csv",
    "multi_hot",
    "read_manifest",
    "write_manifest",
]
