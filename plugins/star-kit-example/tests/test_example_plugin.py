"""The example plugin, installed like a third-party package: listed, selectable by name, and contract-tested."""

import json
import subprocess
import sys

from star_kit.testing import BridgeContract


class TestMeanPool(BridgeContract):
    name = "meanpool"
    kwargs = {"in_dim": 16, "out_dim": 8}
    wired = {"in_dim": 16}


def _starkit(*args: str) -> subprocess.CompletedProcess:
    code = "from star_kit.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)


def test_listed_by_starkit_components() -> None:
    out = _starkit("components", "--kind", "bridge", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["meanpool"]["plugin"] == "example"
    assert rows["meanpool"]["target"] == "star_kit_example.meanpool:MeanPoolBridge"


def test_selectable_in_a_recipe_by_name() -> None:
    out = _starkit("recipe", "validate", "star-tiny", "bridge=meanpool")
    assert out.returncode == 0, out.stderr
    assert "bridge=meanpool" in out.stdout
