import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from star_kit.cli import cli


def _starkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    code = "from star_kit.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env={**os.environ}
    )


def _all_commands(group: click.Group, prefix: str = "starkit") -> list[tuple[str, click.Command]]:
    out = [(prefix, group)]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.extend(_all_commands(cmd, f"{prefix} {name}"))
        else:
            out.append((f"{prefix} {name}", cmd))
    return out


def test_every_help_ends_with_an_example() -> None:
    from star_kit.cli import _mount_plugin_commands

    _mount_plugin_commands()
    for path, cmd in _all_commands(cli):
        lines = [line.strip() for line in (cmd.help or "").strip().splitlines() if line.strip()]
        assert len(lines) >= 2 and lines[-2] == "Example:" and "starkit " in lines[-1], path


def test_user_error_is_one_line_exit_1() -> None:
    out = _starkit("recipe", "validate", "star-tiny", "bridge=no_such_bridge")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: unknown bridge 'no_such_bridge'")
    assert "Traceback" not in out.stderr


def test_debug_shows_the_traceback() -> None:
    out = _starkit("--debug", "recipe", "validate", "star-tiny", "bridge=no_such_bridge")
    assert out.returncode == 1 and "Traceback" in out.stderr and "StarKitError" in out.stderr


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["recipe", "cat"], obj={})
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["components", "--kind", "nope"], obj={})
    assert result.exit_code == 2


def test_bench_latency_options_are_checked_before_anything_loads() -> None:
    result = CliRunner().invoke(cli, ["bench", "latency", "a", "b", "--transcribers", "transformers,whisper-cpp"])
    assert result.exit_code == 2 and "unknown transcriber ['whisper-cpp']; choose from transformers" in result.output
    result = CliRunner().invoke(cli, ["bench", "latency", "a", "b", "--threads", "1,0"])
    assert result.exit_code == 2 and "positive integers separated by commas" in result.output
    result = CliRunner().invoke(cli, ["compare", ".", ".", "--cascade-transcriber", "nope"])
    assert result.exit_code == 2 and "faster-whisper" in result.output


def test_plugins_json_and_components() -> None:
    out = _starkit("plugins")
    assert out.returncode == 0
    plugins = {p["name"]: p for p in json.loads(out.stdout)}
    assert plugins["example"]["hooks"] == ["register_bridges"] and plugins["example"]["error"] is None
    out = _starkit("components", "--kind", "bridge")
    assert out.returncode == 0 and "meanpool" in out.stdout


def test_recipe_ls_cat_cp(tmp_path: Path) -> None:
    out = _starkit("recipe", "ls")
    assert "two_stage" in out.stdout and "star-tiny" in out.stdout
    cat = _starkit("recipe", "cat", "star-tiny")
    assert cat.stdout.startswith("# recipe: two_stage")
    dest = tmp_path / "mine.yaml"
    assert _starkit("recipe", "cp", "star-tiny", str(dest)).returncode == 0
    assert dest.read_text() == cat.stdout
    again = _starkit("recipe", "cp", "star-tiny", str(dest))
    assert again.returncode == 1 and "exists; pass --force" in again.stderr
    script = _starkit("recipe", "cp", "two_stage", str(tmp_path))
    assert script.returncode == 0 and (tmp_path / "two_stage.py").exists()


def test_validate_a_copied_config_by_path(tmp_path: Path) -> None:
    dest = tmp_path / "mine.yaml"
    _starkit("recipe", "cp", "star-tiny", str(dest))
    out = _starkit("recipe", "validate", str(dest))
    assert out.returncode == 0, out.stderr
    assert "is valid for recipe 'two_stage'" in out.stdout


@pytest.mark.parametrize("kind", ["encoder", "bridge", "generator", "vocoder"])
def test_listing_commands_import_no_torch(kind: str) -> None:
    code = (
        "import sys; from click.testing import CliRunner; from star_kit.cli import cli, _mount_plugin_commands;"
        "_mount_plugin_commands();"
        f"r = CliRunner().invoke(cli, ['components', '--kind', '{kind}'], obj={{}}); assert r.exit_code == 0, r.output;"
        "r = CliRunner().invoke(cli, ['plugins'], obj={}); assert r.exit_code == 0;"
        "r = CliRunner().invoke(cli, ['recipe', 'ls'], obj={}); assert r.exit_code == 0;"
        "bad = [m for m in ('torch', 'transformers', 'numpy') if m in sys.modules]; assert not bad, bad"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
