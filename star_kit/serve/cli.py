"""``starkit serve``: the web page over a trained run (needs the ``serve`` extra)."""

from __future__ import annotations

from pathlib import Path

import click

from star_kit.errors import StarKitError


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; 0.0.0.0 opens it to others.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--queue-size", default=4, show_default=True, type=click.IntRange(1), help="Waiting requests at most.")
@click.option("--max-upload-mb", default=10.0, show_default=True, type=click.FloatRange(0.01), help="Upload size cap.")
def serve(run_dir: Path, host: str, port: int, queue_size: int, max_upload_mb: float) -> None:
    """Serve a page to speak, upload or type a request and hear the generated sound.

    \b
    Example:
      starkit serve runs/star-tiny        # then open http://127.0.0.1:7860/
    """
    try:
        import uvicorn

        from star_kit.serve.app import Limits, Voices, create_app
    except ImportError as exc:
        missing = f"{exc.name} is missing"
        raise StarKitError(f"starkit serve needs the serve extra ({missing}): pip install 'star-kit[serve]'") from None
    from star_kit.pipeline import StarPipeline
    from star_kit.serve.jobs import LabelHead, Service

    pipe = StarPipeline.from_pretrained(run_dir)
    service = Service(pipe, LabelHead.load(pipe, run_dir), queue_size=queue_size)
    app = create_app(service, Voices(), Limits(max_upload_bytes=int(max_upload_mb * 2**20)))
    click.echo(f"serving {run_dir} on http://{host}:{port}/ (Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
