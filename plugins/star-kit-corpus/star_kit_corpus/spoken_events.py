"""The ``spoken-events`` corpus: sound-event scenes, their captions, and the captions spoken by TTS voices.

Layout under ``out_dir``::

    manifest.jsonl           one JSON object per item (written last, atomically)
    labels.json              the ordered class list
    corpus.json              what was built (version, size, seed, settings); other settings are refused
    audio/<split>/<id>.wav   the sound scene, 22 050 Hz mono
    speech/<split>/<id>.wav  the spoken caption, 16 kHz mono

Every item draws its random numbers from ``(seed, split, index)`` only, so the corpus is byte-identical whatever
the number of workers, and a rerun renders only the items whose files are missing or unreadable.

Ein-notation: n samples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, partial
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from star_kit.audio import check_waveform, resample, write_audio
from star_kit.errors import StarKitError
from star_kit.files import write_text_atomic
from star_kit.sources import Corpus, Voice
from star_kit_corpus import paraphrases, paraphrases_test
from star_kit_corpus.captions import PARAPHRASE, Caption, check_vocabulary, make_caption, rich_caption
from star_kit_corpus.languages import LANGUAGES
from star_kit_corpus.sounds import CLASSES, SAMPLE_RATE, colored_noise, render_event
from star_kit_corpus.variants import LANGUAGE_VARIANTS, names
from star_kit_corpus.voices import VOICES

SPEECH_RATE = 16000
CORPUS_VERSION = 2  # bump whenever a change to this plugin changes the files a build writes
SPLITS = ("train", "val", "dev-paraphrase", "test", "test-paraphrase", "test-noisy", "train-noisy")
# items per split; test-noisy holds one copy of every test item per SNR, train-noisy (optional) one of every train item
SIZES = {
    "tiny": {"train": 52, "val": 13, "test": 26},
    "small": {"train": 1300, "val": 156, "test": 312},
    "medium": {"train": 2600, "val": 156, "test": 312},  # small's val and test, twice its training speech
    "large": {"train": 3900, "val": 156, "test": 312},  # small's val and test, three times its training speech
    "full": {"train": 6500, "val": 650, "test": 1300},
}
# items per split and language of a multilingual build (``languages`` other than English alone)
LANGUAGE_SIZES = {
    "tiny": {"train": 26, "val": 13, "test": 26},
    "small": {"train": 650, "val": 78, "test": 156},
    "medium": {"train": 1300, "val": 156, "test": 312},
}
TRAIN_VOICES = (
    "espeak-en-us", "espeak-en-us-f1", "espeak-en-us-f3", "espeak-en-us-m1", "espeak-en-us-m3",
    "espeak-en-us-nyc-f4", "espeak-en-gb", "espeak-en-gb-f2", "espeak-en-gb-m2", "espeak-en-sc-m4",
)  # fmt: skip
TEST_VOICES = ("hibari", "piper-joe", "espeak-en-gb-m7", "espeak-en-rp-f5")
KINDS = ("single", "single", "overlap", "sequence")  # half single events, a quarter of each two-event kind
NOISES = ("babble", "pink", "white")
MIN_ITEMS_PER_WORKER = 100
# language -> the key of its random stream in a multilingual build (LANGUAGES only ever grows at its end)
LANGUAGE_CODES = {language: k + 1 for k, language in enumerate(LANGUAGES)}
_SPLIT_CODE = {
    "train": 1, "val": 2, "test": 3, "test-noisy": 4, "train-noisy": 5, "dev-paraphrase": 6, "test-paraphrase": 7
}  # fmt: skip
# requests in people's own words per split: dev-paraphrase's may be read and tuned on, test-paraphrase's never
_REQUESTS = {"dev-paraphrase": paraphrases, "test-paraphrase": paraphrases_test}
_BABBLE = (
    "the meeting starts at nine tomorrow morning", "please send me the report before lunch",
    "we will need more chairs for the guests", "my brother moved to a new city last year",
    "could you pass the salt and the pepper", "the train was late again this evening",
    "she bought a blue jacket and a scarf", "the numbers look better than last month",
    "let us talk about the plan after dinner", "he forgot his keys in the office",
)  # fmt: skip
_BABBLE_TRAIN = (  # train-noisy's babble: other sentences, so no test noise is heard in training
    "the garden needs water after this dry week", "i will call you when the bus arrives",
    "our team finished the project on friday", "there is a new bakery near the station",
    "remember to bring the tickets and your passport", "the printer on the second floor is broken",
    "they painted the kitchen a bright yellow", "we watched an old film on sunday night",
    "the doctor said to rest for a few days", "can you help me carry these boxes upstairs",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One planned manifest row. ``source`` is the clean item a noisy copy (test-noisy, train-noisy) is made from."""

    id: str
    split: str
    index: int
    kind: str
    classes: tuple[str, ...]
    caption: Caption
    voice: str
    num_samples: int
    speech_seed: int
    snr_db: float | None = None
    source: str | None = None
    language: str = ""  # the spoken language of a multilingual build ("" in an English-only one)
    stream: tuple[int, ...] = ()  # the extra key of the item's random streams (its language's, in a multilingual build)

    @property
    def audio(self) -> str:
        return f"audio/{self.source_split}/{self.source or self.id}.wav"

    @property
    def source_split(self) -> str:
        return self.split.removesuffix("-noisy")

    @property
    def speech(self) -> str:
        return f"speech/{self.split}/{self.id}.wav"

    @property
    def labels(self) -> list[str]:
        return [c for c in CLASSES if c in self.classes]


def _rng(seed: int, split: str, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, _SPLIT_CODE[split], *keys])


def _balanced(rng: np.random.Generator, values: Sequence, n: int) -> list:
    """``n`` values, each of ``values`` about equally often, in random order."""
    return [values[i] for i in rng.permutation(np.resize(np.arange(len(values)), n))]


def plan(
    size: str,
    seed: int,
    min_seconds: float = 2.0,
    max_seconds: float = 4.0,
    snr_db: Sequence[float] = (10.0, 5.0, 0.0),
    train_snr_db: tuple[float, float] | None = None,
    vocabulary: str = "templates",
    dev_paraphrase: bool = True,
    languages: Sequence[str] = ("en",),
) -> list[Item]:
    """Every item of a build, in manifest order; cheap (no audio is made).

    English alone is the original corpus; with other ``languages`` every language has ``LANGUAGE_SIZES[size]`` items
    per split, drawn from its own random stream (adding a language leaves the others' items as they were).
    """
    multilingual = tuple(languages) != ("en",)
    sizes = LANGUAGE_SIZES if multilingual else SIZES
    if size not in sizes:
        what = "multilingual spoken-events" if multilingual else "spoken-events"
        raise StarKitError(f"unknown {what} size '{size}'; sizes: {', '.join(sizes)}")
    items: list[Item] = []
    for language in languages:
        for split, n in sizes[size].items():
            tag = language if multilingual else ""
            items += _scene_items(split, n, seed, tag, min_seconds, max_seconds, vocabulary)
    if "en" in languages:
        for split in _REQUESTS:
            if split != "dev-paraphrase" or dev_paraphrase:
                items += _paraphrase_items(split, size, seed, min_seconds, max_seconds, "en" if multilingual else "")
    # a noisy copy's index is its source's position in the split (its index, in an English-only build)
    tests, trains = [it for it in items if it.split == "test"], [it for it in items if it.split == "train"]
    for k, snr in enumerate(snr_db):
        items += [
            _noisy(it, "test-noisy", j * len(snr_db) + k, float(snr), f"-snr{snr:g}") for j, it in enumerate(tests)
        ]
    if train_snr_db is not None:
        draw = _rng(seed, "train-noisy", 0)
        for j, (it, snr) in enumerate(zip(trains, draw.uniform(*train_snr_db, len(trains)), strict=True)):
            items.append(_noisy(it, "train-noisy", j, round(float(snr), 2), ""))
    return items


def _scene_items(
    split: str, n: int, seed: int, language: str, min_seconds: float, max_seconds: float, vocabulary: str
) -> list[Item]:
    """``n`` scenes of ``split`` with their captions in ``language`` ("" = the English-only build, whose random
    streams have no language key), spoken by that language's training or test voices."""
    spoken = language or "en"
    stream = (LANGUAGE_CODES[language],) if language else ()
    train_voices, test_voices = (TRAIN_VOICES, TEST_VOICES) if spoken == "en" else language_voices(spoken)
    schedule = _rng(seed, split, 0, *stream)
    kinds = _balanced(schedule, KINDS, n)
    first = _balanced(schedule, CLASSES, n)
    voices = _balanced(schedule, test_voices if split == "test" else train_voices, n)
    items = []
    for i in range(n):
        rng = _rng(seed, split, i + 1, 0, *stream)
        classes = (first[i],)
        if kinds[i] != "single":
            others = [c for c in CLASSES if c != first[i]]
            classes += (others[int(rng.integers(len(others)))],)
        test = split == "test"
        if spoken == "en":
            caption = make_caption(kinds[i], classes, rng, test=test, vocabulary=vocabulary)
        else:
            caption = rich_caption(kinds[i], classes, rng, test=test, language=spoken)
        items.append(
            Item(
                id=f"{split}-{language}-{i:05d}" if language else f"{split}-{i:05d}",
                split=split,
                index=i,
                kind=kinds[i],
                classes=classes,
                caption=caption,
                voice=voices[i],
                num_samples=int(rng.uniform(min_seconds, max_seconds) * SAMPLE_RATE),
                speech_seed=int(rng.integers(2**31)),
                language=language,
                stream=stream,
            )
        )
    return items


def language_voices(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The registered names of ``language``'s training and test voices."""
    train, test = LANGUAGE_VARIANTS[language]
    return tuple(names(v)[0] for v in train), tuple(names(v)[0] for v in test)


def _paraphrase_items(
    split: str, size: str, seed: int, min_seconds: float, max_seconds: float, language: str
) -> list[Item]:
    """dev- or test-paraphrase: the split's English requests (``_REQUESTS``; tiny: one per class and four pairs),
    spoken by the English test voices, each with a scene of the classes it asks for."""
    singles = _REQUESTS[split].SINGLE.items()
    pairs = [(kind, (a, b), text) for kind, a, b, text in _REQUESTS[split].PAIRS]
    if size == "tiny":  # one request per class (rotating through each list) and four pairs
        requests = [("single", (cls,), texts[k % len(texts)]) for k, (cls, texts) in enumerate(singles)]
        requests += pairs[:: len(pairs) // 4]
    else:
        requests = [("single", (cls,), text) for cls, texts in singles for text in texts] + pairs
    voices = _balanced(_rng(seed, split, 0), TEST_VOICES, len(requests))
    items = []
    for i, (kind, classes, text) in enumerate(requests):
        rng = _rng(seed, split, i + 1, 0)
        items.append(
            Item(
                id=f"{split}-{i:05d}",
                split=split,
                index=i,
                kind=kind,
                classes=classes,
                caption=Caption(text[0].upper() + text[1:], PARAPHRASE, ()),
                voice=voices[i],
                num_samples=int(rng.uniform(min_seconds, max_seconds) * SAMPLE_RATE),
                speech_seed=int(rng.integers(2**31)),
                language=language,
            )
        )
    return items


def _noisy(item: Item, split: str, index: int, snr_db: float, suffix: str) -> Item:
    """The noisy copy of a clean ``item`` in ``split``: the same scene and caption, its speech mixed with noise."""
    return replace(
        item, id=item.id.replace(item.split, split) + suffix, split=split, index=index, snr_db=snr_db, source=item.id
    )


# ------------------------------------------------------------------------------------------------ rendering
def render_scene(kind: str, classes: tuple[str, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    """One event, two mixed events ("overlap") or two events one after the other ("sequence"): ``(n,)`` float32."""
    if kind == "single":
        return render_event(classes[0], rng, n)
    gain = 10 ** (rng.uniform(-4, 4) / 20)  # loudness of the second event relative to the first (equal RMS = 0 dB)
    if kind == "overlap":
        a = render_event(classes[0], rng, n)
        b = render_event(classes[1], rng, int(n * rng.uniform(0.6, 1.0)))
        offset = int(rng.integers(0, n - b.size + 1))
        x = a / _rms(a)
        x[offset : offset + b.size] += gain * b / _rms(b)
    elif kind == "sequence":
        cut = int(n * rng.uniform(0.4, 0.6))
        a, b = render_event(classes[0], rng, cut), render_event(classes[1], rng, n - cut)
        x = np.concatenate([a / _rms(a), gain * b / _rms(b)])
    else:
        raise StarKitError(f"unknown scene kind '{kind}'; kinds: single, overlap, sequence")
    return (x / np.abs(x).max() * rng.uniform(0.3, 0.95)).astype(np.float32)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) + 1e-9


@cache
def _voice(name: str) -> Voice:
    return VOICES[name]()


def speak(voice: str, text: str, seed: int) -> np.ndarray:
    """``text`` spoken by a registered voice at 16 kHz with short random pauses around it, ``(n,)`` float32."""
    v = _voice(voice)
    wav = resample(v.synthesize(text, seed=seed), v.sample_rate, SPEECH_RATE)
    check_waveform(wav, f"voice '{voice}' speaking '{text}'")
    rng = np.random.default_rng([seed, 1])
    pads = (int(rng.uniform(0.05, 0.3) * SPEECH_RATE), int(rng.uniform(0.05, 0.3) * SPEECH_RATE))
    wav = np.pad(wav, pads)
    return (wav / np.abs(wav).max() * rng.uniform(0.5, 0.95)).astype(np.float32)


def _active_power(x: np.ndarray, frame: int = 320) -> float:
    """Mean power over 20 ms frames within 30 dB of the loudest (speech level without the pauses)."""
    frames = x[: x.size // frame * frame].reshape(-1, frame)
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    return float(power[power > power.max() * 1e-3].mean())


@cache
def _babble_talkers(split: str, count: int = 10, seconds: float = 20.0) -> tuple[np.ndarray, ...]:
    """Long unit-RMS monologues by the training voices; babble mixes random stretches of them (made once per split:
    train-noisy's talkers say other sentences than test-noisy's)."""
    sentences, rng = (
        (_BABBLE_TRAIN, np.random.default_rng(4321))
        if split == "train-noisy"
        else (_BABBLE, np.random.default_rng(1234))
    )
    talkers = []
    for k in range(count):
        parts, total = [], 0
        while total < seconds * SPEECH_RATE:
            text = sentences[int(rng.integers(len(sentences)))]
            parts.append(speak(TRAIN_VOICES[k % len(TRAIN_VOICES)], text, int(rng.integers(2**31))))
            total += parts[-1].size
        talker = np.concatenate(parts)
        talkers.append(talker / _rms(talker))
    return tuple(talkers)


def noise(kind: str, n: int, rng: np.random.Generator, split: str = "test-noisy") -> np.ndarray:
    """``(n,)`` noise at 16 kHz: "babble" (five to seven espeak talkers at once, the split's own), "pink" or "white"."""
    if kind == "white":
        return rng.standard_normal(n)
    if kind == "pink":
        return colored_noise(rng, n, 1.0)
    talkers = _babble_talkers(split)
    out = np.zeros(n)
    for k in rng.choice(len(talkers), int(rng.integers(5, 8)), replace=False):
        start = int(rng.integers(0, talkers[k].size - n + 1))
        out += talkers[k][start : start + n]
    return out


def add_noise(speech: np.ndarray, snr_db: float, rng: np.random.Generator, split: str = "test-noisy") -> np.ndarray:
    """Mixes a random noise kind into ``speech (n,)`` at ``snr_db`` (against the active speech level)."""
    x = noise(NOISES[int(rng.integers(len(NOISES)))], speech.size, rng, split)
    x *= np.sqrt(_active_power(speech) / (np.mean(x**2) * 10 ** (snr_db / 10)))
    mixed = speech + x
    peak = np.abs(mixed).max()
    return (mixed * (0.95 / peak if peak > 0.95 else 1.0)).astype(np.float32)


def is_complete(path: Path) -> bool:
    """True when ``path`` is a readable, non-empty audio file (files appear only by atomic rename)."""
    import soundfile as sf

    try:
        return sf.info(str(path)).frames > 0
    except (RuntimeError, OSError):  # missing or undecodable (soundfile's LibsndfileError is a RuntimeError)
        return False


def render_item(out: Path, seed: int, item: Item) -> None:
    """Writes the missing files of one item."""
    speech_path, audio_path = out / item.speech, out / item.audio
    if item.source:  # a noisy copy: the clean speech plus noise
        if not is_complete(speech_path):
            import soundfile as sf

            assert item.snr_db is not None
            clean, _ = sf.read(str(out / f"speech/{item.source_split}/{item.source}.wav"), dtype="float32")
            rng = _rng(seed, item.split, item.index + 1, 2)
            write_audio(speech_path, add_noise(clean, item.snr_db, rng, item.split), SPEECH_RATE)
        return
    if not is_complete(audio_path):
        rng = _rng(seed, item.split, item.index + 1, 1, *item.stream)
        write_audio(audio_path, render_scene(item.kind, item.classes, item.num_samples, rng), SAMPLE_RATE)
    if not is_complete(speech_path):
        write_audio(speech_path, speak(item.voice, item.caption.text, item.speech_seed), SPEECH_RATE)


def _row(out: Path, item: Item) -> dict:
    import soundfile as sf

    row = {
        "id": item.id,
        "speech": item.speech,
        "audio": item.audio,
        "caption": item.caption.text,
        "labels": item.labels,
        "split": item.split,
        "voice": item.voice,
        "duration": round(sf.info(str(out / item.audio)).frames / SAMPLE_RATE, 6),
        "speech_sample_rate": SPEECH_RATE,
        "audio_sample_rate": SAMPLE_RATE,
    }
    if item.snr_db is not None:
        row["snr_db"] = item.snr_db
    if item.language:
        row["language"] = item.language
    return row


def parse_languages(languages: str | Sequence[str]) -> tuple[str, ...]:
    """``"en,es"`` or ``["en", "es"]`` -> ``("en", "es")``; an empty, repeated or unknown entry is a one-line error."""
    entries = [part.strip() for part in languages.split(",")] if isinstance(languages, str) else list(languages)
    entries = [str(e).strip() for e in entries]
    if not entries or "" in entries:
        raise StarKitError(f"spoken-events: languages has an empty entry ({languages!r}); give codes such as en,es,fr")
    repeated = sorted({e for e in entries if entries.count(e) > 1})
    if repeated:
        raise StarKitError(f"spoken-events: languages lists {', '.join(repeated)} more than once; list each once")
    available = [code for code in LANGUAGES if code == "en" or code in LANGUAGE_VARIANTS]
    for code in entries:
        if code not in available:
            raise StarKitError(
                f"spoken-events has no captions or voices for language '{code}'; languages: {', '.join(available)}"
            )
    return tuple(entries)


class SpokenEvents(Corpus):
    """26 sound-event classes in single and two-event scenes, captioned and spoken by TTS voices (14 in English).

    Splits: ``train`` and ``val`` spoken by 10 espeak-ng voices with training caption templates; ``test`` by voices
    never heard in training (hibari, piper-joe, two held-out espeak voices) with test-only templates;
    ``test-paraphrase`` = requests in people's own words (``paraphrases_test.py``, never read while developing) and
    ``dev-paraphrase`` = others written the same way (``paraphrases.py``, for reading misses and tuning), both by the
    same voices; ``test-noisy`` = the test speech mixed with babble, pink or white noise at each of ``snr_db``;
    ``train-noisy`` (only with ``train_snr_db``) = the train speech mixed the same way at one SNR drawn uniformly
    from that range (for multi-condition training, ``data.train_splits`` of the two-stage recipe; its babble talkers
    say other sentences than test-noisy's).

    Args:
        workers: processes rendering items (1 = in this process). The output does not depend on it. Fewer than
            ``MIN_ITEMS_PER_WORKER`` items per worker are rendered in this process (a worker takes seconds to start).
        min_seconds: shortest scene length.
        max_seconds: longest scene length.
        snr_db: signal-to-noise ratios of the test-noisy copies.
        train_snr_db: ``[low, high]``: also build ``train-noisy``, its SNRs drawn from this range (default: none).
        vocabulary: the captions' words (``captions.VOCABULARIES``): ``templates`` (three paraphrases per class, five
            templates per kind) or ``rich`` (45-55 clause and noun phrases per class, 54 request frames such as
            "play me ...", "what does ... sound like?"; docs/data.md).
        dev_paraphrase: also build ``dev-paraphrase`` (a training run never reads it; the benchmarks that tune on it
            can use another build).
        languages: the spoken languages (codes of ``languages.LANGUAGES``, a list or "en,es,fr"). English alone is
            the corpus above; with others, every split has ``LANGUAGE_SIZES[size]`` items per language, captioned
            from that language's own phrases, templates and frames (English: ``vocabulary``) and spoken by its own
            espeak-ng voices (test voices held out), and every manifest row carries its ``language``. The English
            request splits (``*-paraphrase``) come with English.
        progress: show a progress bar on stderr.
    """

    def __init__(
        self,
        workers: int = 2,
        min_seconds: float = 2.0,
        max_seconds: float = 4.0,
        snr_db: tuple[float, ...] = (10.0, 5.0, 0.0),
        train_snr_db: tuple[float, float] | None = None,
        vocabulary: str = "templates",
        dev_paraphrase: bool = True,
        languages: str | Sequence[str] = ("en",),
        progress: bool = True,
    ) -> None:
        if not 1.0 <= min_seconds <= max_seconds <= 30.0:
            raise StarKitError(
                f"spoken-events: need 1 <= min_seconds <= max_seconds <= 30, got {min_seconds} and {max_seconds}"
            )
        self.workers, self.progress = max(1, int(workers)), progress
        if train_snr_db is not None and (len(train_snr_db) != 2 or train_snr_db[0] > train_snr_db[1]):
            raise StarKitError(f"spoken-events: train_snr_db must be a range [low, high], got {list(train_snr_db)}")
        self.min_seconds, self.max_seconds, self.snr_db = float(min_seconds), float(max_seconds), tuple(snr_db)
        self.train_snr_db = None if train_snr_db is None else (float(train_snr_db[0]), float(train_snr_db[1]))
        check_vocabulary(vocabulary)
        self.vocabulary, self.dev_paraphrase = vocabulary, dev_paraphrase
        self.languages = parse_languages(languages)

    @property
    def labels(self) -> list[str]:
        return list(CLASSES)

    def build(self, out_dir: str, size: str = "small", seed: int = 0) -> str:
        """Builds (or finishes building) the corpus; returns the manifest path."""
        out = Path(out_dir)
        items = plan(
            size,
            seed,
            self.min_seconds,
            self.max_seconds,
            self.snr_db,
            self.train_snr_db,
            self.vocabulary,
            self.dev_paraphrase,
            self.languages,
        )
        out.mkdir(parents=True, exist_ok=True)
        self._check_settings(out, size, seed)
        for stale in (*out.glob("audio/*/.*.tmp"), *out.glob("speech/*/.*.tmp")):
            stale.unlink()  # left by a killed write; never trusted
        clean = [it for it in items if not it.source]
        self._render(out, seed, clean, "scenes and speech")
        self._render(out, seed, [it for it in items if it.source], "noisy speech")  # needs the clean speech
        write_text_atomic(out / "labels.json", json.dumps(self.labels, indent=1) + "\n")
        rows = [json.dumps(_row(out, it)) for it in items]
        write_text_atomic(out / "manifest.jsonl", "\n".join(rows) + "\n")
        return str(out / "manifest.jsonl")

    def _check_settings(self, out: Path, size: str, seed: int) -> None:
        settings = {
            "corpus": "spoken-events",
            "version": CORPUS_VERSION,
            "size": size,
            "seed": seed,
            "min_seconds": self.min_seconds,
            "max_seconds": self.max_seconds,
            "snr_db": list(self.snr_db),
        }
        if self.train_snr_db is not None:  # absent otherwise, so folders built before the option stay valid
            settings["train_snr_db"] = list(self.train_snr_db)
        if self.vocabulary != "templates":  # likewise
            settings["vocabulary"] = self.vocabulary
        if not self.dev_paraphrase:  # likewise
            settings["dev_paraphrase"] = False
        if self.languages != ("en",):  # likewise
            settings["languages"] = list(self.languages)
        path = out / "corpus.json"
        if path.exists():
            old = json.loads(path.read_text())
            if old != settings:
                diff = ", ".join(f"{k}={old.get(k)!r}" for k in {**old, **settings} if old.get(k) != settings.get(k))
                raise StarKitError(
                    f"{path}: this folder was built with {diff}; use another output folder or delete this one"
                )
        else:
            write_text_atomic(path, json.dumps(settings, indent=1) + "\n")

    def _render(self, out: Path, seed: int, items: list[Item], what: str) -> None:
        todo = [it for it in items if not (is_complete(out / it.audio) and is_complete(out / it.speech))]
        if not todo:
            return
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"spoken-events: {what}", disable=not self.progress, unit="item")
        job = partial(render_item, out, seed)
        if self.workers == 1 or len(todo) < MIN_ITEMS_PER_WORKER * self.workers:
            for it in todo:
                job(it)
                bar.update()
        else:
            with ProcessPoolExecutor(self.workers, mp_context=get_context("spawn")) as pool:
                for _ in pool.map(job, todo, chunksize=8):
                    bar.update()
        bar.close()
