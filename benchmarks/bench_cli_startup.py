"""Wall time of the listing commands, as a user runs them (a fresh process each time).

    python benchmarks/bench_cli_startup.py [--runs 5]

Also checks, in a separate process, that none of them imports torch, transformers or numpy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = (["plugins"], ["components"], ["recipe", "ls"])
PROBE = (
    "import sys; from click.testing import CliRunner; from star_kit.cli import cli, _mount_plugin_commands; "
    "_mount_plugin_commands(); [CliRunner().invoke(cli, a, obj={{}}) for a in {cmds}]; "
    "print(','.join(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules) or 'none')"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| command | median wall time (s) | max (s) |\n|---|---|---|")
    for command in COMMANDS:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "star_kit", *command], capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        print(f"| starkit {' '.join(command)} | {statistics.median(times):.2f} | {max(times):.2f} |")
    heavy = subprocess.run([sys.executable, "-c", PROBE.format(cmds=list(COMMANDS))], capture_output=True, text=True)
    print(f"\nheavy modules imported by these commands: {heavy.stdout.strip()}")


if __name__ == "__main__":
    main()
