import subprocess
import sys
from pathlib import Path

import pytest

from star_kit.errors import StarKitError
from star_kit.hookspecs import hookimpl
from star_kit.registry import Registry


def test_components_are_listed_without_importing_them(fake_registry: Registry) -> None:
    sys.modules.pop("starkit_fake", None)
    bridges = fake_registry.components("bridge")
    assert list(bridges) == ["other_bridge", "tiny_bridge"]
    assert "starkit_fake" not in sys.modules  # listing reads "module:Class" strings only
    assert bridges["tiny_bridge"].plugin == "fake"


def test_lazy_target_failure_names_component_and_plugin(star_registry: Registry) -> None:
    class Broken:
        @hookimpl
        def register_encoders(self) -> dict[str, str]:
            return {"ghost": "no_such_module_xyz:Ghost"}

    star_registry.register("ghosts", Broken())
    assert "ghost" in star_registry.components("encoder")  # listing works
    with pytest.raises(StarKitError, match="encoder 'ghost' \\(plugin ghosts\\) failed to load.*ModuleNotFoundError"):
        star_registry.load("encoder", "ghost")


def test_unknown_name_lists_registered_names(fake_registry: Registry) -> None:
    with pytest.raises(
        StarKitError,
        match="unknown bridge 'tiny_bridg' \\(did you mean 'tiny_bridge'\\?\\); "
        "registered bridges: other_bridge, tiny_bridge",
    ):
        fake_registry.get("bridge", "tiny_bridg")


def test_duplicate_name_names_both_plugins(star_registry: Registry) -> None:
    class A:
        @hookimpl
        def register_vocoders(self) -> dict[str, str]:
            return {"hifigan": "a:Voc"}

    class B:
        @hookimpl
        def register_vocoders(self) -> dict[str, str]:
            return {"hifigan": "b:Voc"}

    star_registry.register("plugin_a", A())
    star_registry.register("plugin_b", B())
    with pytest.raises(StarKitError, match="vocoder 'hifigan' is registered twice: by plugin '.*' and by plugin '.*'"):
        star_registry.components("vocoder")
    message = ""
    try:
        star_registry.components("vocoder")
    except StarKitError as exc:
        message = str(exc)
    assert "plugin_a" in message and "plugin_b" in message


def test_defaults_come_from_the_constructor(fake_registry: Registry) -> None:
    assert fake_registry.get("bridge", "tiny_bridge").defaults() == {"in_dim": "???", "out_dim": 4, "layers": 1}


def _broken_dist(root: Path) -> None:
    """A real installed distribution (dist-info on sys.path) whose star_kit entry point raises on import."""
    info = root / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[star_kit]\nbroken = broken_plugin_mod\n")
    (root / "broken_plugin_mod.py").write_text("raise RuntimeError('boom at import')\n")


def _starkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    code = "from star_kit.cli import main; main()"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=full_env)


def test_broken_plugin_is_reported_and_the_cli_still_works(tmp_path: Path) -> None:
    import json

    _broken_dist(tmp_path)
    env = {"PYTHONPATH": str(tmp_path)}
    out = _starkit("plugins", env=env)
    assert out.returncode == 0, out.stderr
    broken = {p["name"]: p for p in json.loads(out.stdout)}["broken"]
    assert broken["error"].startswith("RuntimeError: boom at import")
    assert broken["version"] == "0.1"
    listed = _starkit("recipe", "ls", env=env)
    assert listed.returncode == 0 and "two_stage" in listed.stdout


def test_load_plugins_env_limits_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARKIT_LOAD_PLUGINS", "")
    assert Registry().plugins == {}
    monkeypatch.setenv("STARKIT_LOAD_PLUGINS", "example")
    registry = Registry()
    assert list(registry.plugins) == ["example"]
    assert list(registry.components("bridge")) == ["meanpool"]


def test_unknown_kind(star_registry: Registry) -> None:
    with pytest.raises(StarKitError, match="unknown component kind 'encoders' \\(did you mean 'encoder'\\?\\)"):
        star_registry.components("encoders")


VOICES = """
class Narrow:
    sample_rate = 16000


class WideB:
    sample_rate = 24000


class WideA:
    sample_rate = 24000
"""


def test_the_default_voice_is_the_fullest_band_first_by_name(
    star_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert star_registry.default_voice() == ""
    (tmp_path / "starkit_voices.py").write_text(VOICES)
    monkeypatch.syspath_prepend(str(tmp_path))

    class Voices:
        @hookimpl
        def register_voices(self) -> dict[str, str]:
            return {
                "narrow": "starkit_voices:Narrow",
                "wide-b": "starkit_voices:WideB",
                "wide-a": "starkit_voices:WideA",
                "broken": "starkit_no_such_module:Voice",
            }

    star_registry.register("voices", Voices())
    assert star_registry.default_voice() == "wide-a"
