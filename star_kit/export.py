"""The exported run, in one place: every file name and weight prefix a run has, the writer and the reader.

A run of the two-stage recipe (``starkit recipe run two_stage``)::

    RUN/
      config.yaml, components.json   the resolved config and every component (written when the run starts)
      stage1/best.safetensors        stage 1's bridge + label head at its best validation mAP
      stage1/metrics.json            stage 1's scores; written last, so it marks stage 1 as finished
      stage2/history.json            stage 2's train and validation loss curves
      model/                         the export, written at the end of stage 2 and replaced as a whole
        format.json                  {"format": "star_kit.exported_run", "version": 1}
        config.yaml                  the resolved config (the encoder and vocoder are rebuilt from it)
        components.json, labels.json the components and the ordered label set of the head
        model.safetensors            bridge.* and generator.* (EMA weights: the generation model), stage1.* (the
                                     bridge, head and optional align map as stage 1 left them); metadata "step"

Format versions: 1 adds ``model/format.json``. An export written before it has none and is read as version 0: the
recipe wrote the same files under the same names (``export_model`` since the ``stage1.*`` weights, and every run in
``runs/`` checked), so nothing else differs. A version this module does not know is refused with the command that
re-exports the run, as is a truncated or foreign ``model.safetensors``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from star_kit.data.manifest import LABELS_NAME, read_label_set
from star_kit.errors import StarKitError
from star_kit.files import atomic_path

if TYPE_CHECKING:
    from omegaconf import DictConfig
    from torch import Tensor, nn

# files of a run, relative to its folder
CONFIG = "config.yaml"
COMPONENTS = "components.json"
STAGE1_BEST = "stage1/best.safetensors"
STAGE1_METRICS = "stage1/metrics.json"
STAGE2_HISTORY = "stage2/history.json"
# the export, relative to RUN/MODEL_DIR (it also holds a CONFIG and a COMPONENTS)
MODEL_DIR = "model"
WEIGHTS = "model.safetensors"
LABELS = LABELS_NAME
FORMAT = "format.json"
# key prefixes in WEIGHTS; STAGE1 holds Stage1Model's state dict (bridge.*, head.*, align.* when trained with it)
BRIDGE = "bridge."
GENERATOR = "generator."
STAGE1 = "stage1."
HEAD = "head."  # the stage-1 label head, in STAGE1_BEST and (after STAGE1) in WEIGHTS
STAGE1_BRIDGE = STAGE1 + BRIDGE
STAGE1_HEAD = STAGE1 + HEAD

FORMAT_NAME = "star_kit.exported_run"
VERSION = 1  # what export_run writes
VERSIONS = (0, 1)  # what read_run reads; 0: no format.json (exported before it existed)


def resume_command(run_dir: str | Path) -> str:
    """The command that finishes a run, or, for a finished one, only exports it again (stage 1 and stage 2 find
    their final state in ``RUN/state/`` and train nothing; the report is rendered again)."""
    run_dir = Path(run_dir)
    return f"starkit recipe run two_stage --config {run_dir / CONFIG} --run-dir {run_dir} --resume"


def _reexport(run_dir: Path) -> str:
    return f"re-export the run with `{resume_command(run_dir)}`"


@dataclass(frozen=True)
class ExportedRun:
    """A checked export: its config, labels and components, and its weights read on demand.

    ``shapes`` comes from the weights file's header (no tensor is read until :meth:`weights`).
    """

    run_dir: Path
    version: int  # the format version; 0 for an export without format.json
    config: DictConfig
    labels: list[str] | None  # None: the export has no labels.json
    components: list[dict[str, Any]] | None  # None: the export has no components.json
    shapes: dict[str, list[int]]  # every tensor's shape by key
    step: int | None  # the stage-2 step of the EMA weights (None: the file does not say)

    @property
    def folder(self) -> Path:
        return self.run_dir / MODEL_DIR

    @property
    def weights_path(self) -> Path:
        return self.folder / WEIGHTS

    def weights(self, prefix: str = "") -> dict[str, Tensor]:
        """The tensors whose key starts with ``prefix`` (e.g. :data:`BRIDGE`), keyed without it; all for ``""``."""
        from star_kit.training import load_weights

        return load_weights(self.weights_path, prefix, fix=_reexport(self.run_dir))

    def head_classes(self) -> int:
        """The number of outputs of the stage-1 label head (``stage1.head.weight``), from the header.

        Raises:
            StarKitError: for an export without the stage-1 model (one written before ``stage1.*`` existed).
        """
        shape = self.shapes.get(f"{STAGE1_HEAD}weight")
        if shape is None:
            raise StarKitError(f"{self.weights_path} has no stage-1 model ({STAGE1}*); {_reexport(self.run_dir)}")
        return shape[0]


def read_stage1(run_dir: str | Path, bridge: nn.Module) -> nn.Linear:
    """Stage 1's bridge and label head at its best epoch, from ``stage1/best.safetensors``: a run whose stage 1 has
    finished, exported or not (stage-1 ablations). Loads the bridge weights into ``bridge`` (built from the run's
    config) and returns the head.

    Raises:
        StarKitError: a missing or unreadable file, naming it and the command that finishes the run.
    """
    from torch import nn

    from star_kit.training import load_weights

    run_dir = Path(run_dir)
    path, fix = run_dir / STAGE1_BEST, f"finish stage 1 with `{resume_command(run_dir)}`"
    weights = load_weights(path, HEAD, fix=fix)
    head = nn.Linear(bridge.out_dim, weights["weight"].shape[0])
    head.load_state_dict(weights)
    bridge.load_state_dict(load_weights(path, BRIDGE, fix=fix))
    return head


def export_run(
    run_dir: str | Path,
    config: DictConfig,
    bridge: dict[str, Tensor],
    generator: dict[str, Tensor],
    stage1: dict[str, Tensor],
    labels: list[str],
    components: list[dict[str, Any]],
    step: int,
) -> ExportedRun:
    """Writes ``run_dir/model/`` (see the module docstring) and reads it back.

    The folder is written next to ``model/`` and then swapped in, so a reader sees the previous export, none, or
    this one, never a mix of the two (an interrupted export leaves no ``model/``; resuming the run writes it).

    Args:
        config: the run's config (written resolved).
        bridge, generator: the generation model's state dicts (the EMA weights).
        stage1: the stage-1 model's state dict (``bridge.*``, ``head.*``, optionally ``align.*``).
        labels: the ordered label set of the head.
        components: the run's component rows (path, kind, name, plugin, version).
        step: the stage-2 step the weights are from.
    """
    from omegaconf import OmegaConf

    from star_kit.training import save_weights

    run_dir = Path(run_dir)
    folder = run_dir / MODEL_DIR
    tmp = atomic_path(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        (tmp / CONFIG).write_text(OmegaConf.to_yaml(config, resolve=True))
        (tmp / COMPONENTS).write_text(json.dumps(components, indent=2) + "\n")
        (tmp / LABELS).write_text(json.dumps(labels, indent=1) + "\n")
        tensors = {f"{BRIDGE}{k}": v for k, v in bridge.items()}
        tensors |= {f"{GENERATOR}{k}": v for k, v in generator.items()}
        tensors |= {f"{STAGE1}{k}": v for k, v in stage1.items()}
        save_weights(tmp / WEIGHTS, tensors, {"step": str(step)})
        (tmp / FORMAT).write_text(json.dumps({"format": FORMAT_NAME, "version": VERSION}, indent=2) + "\n")
        old = atomic_path(folder.with_name(f"{MODEL_DIR}.old"))
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return read_run(run_dir)


def read_run(run_dir: str | Path) -> ExportedRun:
    """Reads and checks the export of a run.

    Raises:
        StarKitError: one line naming the file at fault and what to do: no export yet (which stage is unfinished),
            a format version this star_kit does not read, a missing config, an unreadable weights file.
    """
    from omegaconf import DictConfig, OmegaConf

    from star_kit.training import weights_header

    run_dir = Path(run_dir)
    folder = run_dir / MODEL_DIR
    version = _format_version(run_dir)
    if not (folder / WEIGHTS).exists():
        if not (run_dir / CONFIG).exists() and not (folder / CONFIG).exists():
            raise StarKitError(
                f"{run_dir} has no exported model and is not a run directory (no {CONFIG}); "
                "train one with `starkit recipe run`"
            )
        unfinished = "stage 2" if (run_dir / STAGE1_METRICS).exists() else f"stage 1 (no {STAGE1_METRICS}) and stage 2"
        raise StarKitError(
            f"{run_dir} has no exported model (no {MODEL_DIR}/{WEIGHTS}): {unfinished} not finished; "
            f"finish the run with `{resume_command(run_dir)}`"
        )
    if not (folder / CONFIG).exists():
        raise StarKitError(f"{folder / CONFIG} does not exist; {_reexport(run_dir)}")
    config = OmegaConf.load(folder / CONFIG)
    if not isinstance(config, DictConfig):
        raise StarKitError(f"{folder / CONFIG}: not a config (a YAML mapping); {_reexport(run_dir)}")
    shapes, metadata = weights_header(folder / WEIGHTS, fix=_reexport(run_dir))
    components = _json(folder / COMPONENTS, run_dir) if (folder / COMPONENTS).exists() else None
    step = metadata.get("step")
    return ExportedRun(
        run_dir, version, config, read_label_set(folder), components, shapes, int(step) if step else None
    )


def _format_version(run_dir: Path) -> int:
    """The export's format version: 0 without ``format.json``; a version not in :data:`VERSIONS` is refused."""
    path = run_dir / MODEL_DIR / FORMAT
    if not path.exists():
        return 0
    found = _json(path, run_dir)
    version = found.get("version") if isinstance(found, dict) else None
    if not isinstance(found, dict) or found.get("format") != FORMAT_NAME or not isinstance(version, int):
        raise StarKitError(
            f'{path}: not an exported-run format file (want {{"format": "{FORMAT_NAME}", "version": N}}); '
            f"{_reexport(run_dir)}"
        )
    if version not in VERSIONS:
        raise StarKitError(
            f"{path}: exported-run format version {version}, but this star_kit reads versions "
            f"{', '.join(map(str, VERSIONS))}; {_reexport(run_dir)} (or install the star_kit that exported it)"
        )
    return version


def _json(path: Path, run_dir: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StarKitError(f"{path}: not valid JSON ({exc}); {_reexport(run_dir)}") from exc
