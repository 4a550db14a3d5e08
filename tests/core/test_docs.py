"""Every hook has a section in docs/architecture.md (datasette's rule: an undocumented hook fails the build)."""

import inspect
from pathlib import Path

from star_kit import hookspecs

DOC = Path(__file__).parents[2] / "docs" / "architecture.md"


def test_every_hook_is_documented() -> None:
    text = DOC.read_text()
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("register_")]
    assert len(hooks) == 9
    missing = [h for h in hooks if f"### {h}" not in text]
    assert not missing, f"hooks without a docs section in {DOC.name}: {missing}"
