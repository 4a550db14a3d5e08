"""import_csv: AudioCaps- and Clotho-style CSVs into manifests, with relative audio paths and reported gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from star_kit.data.importers import import_csv
from star_kit.data.manifest import read_manifest, write_manifest
from star_kit.errors import StarKitError
from tests.data.conftest import tone, write_wav

AUDIOCAPS = """audiocap_id,youtube_id,start_time,caption
91139,r1nicOVtvkQ,130,A woman talks nearby as water pours
58146,UDGBjjwyaqE,20,"Multiple clanging and clanking sounds, then a bang"
11011,missingYTid,0,A dog barks
"""

CLOTHO = """file_name,caption_1,caption_2,caption_3,caption_4,caption_5
Distorted AM Radio noise.wav,A radio hisses loudly,"Static, then a tone",Noise from a radio,,A radio being tuned
rain on roof.wav,Rain falls on a roof,Raindrops hit metal,Steady rain,Rain and wind,Water drips
"""


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads" / "audio"
    write_wav(folder / "r1nicOVtvkQ.wav", tone(2.0, 32_000), 32_000)  # named by youtube id
    write_wav(folder / "58146.wav", tone(1.5, 44_100), 44_100)  # named by audiocap id
    write_wav(folder / "Distorted AM Radio noise.wav", tone(1.0, 44_100), 44_100)
    write_wav(folder / "rain on roof.wav", tone(0.5, 44_100), 44_100)
    return folder


def test_audiocaps_rows_by_youtube_or_audiocap_id(tmp_path: Path, audio_dir: Path) -> None:
    csv = tmp_path / "val.csv"
    csv.write_text(AUDIOCAPS)
    out = tmp_path / "runs" / "audiocaps"
    result = import_csv(csv, audio_dir, out)
    assert result.added == 2
    assert result.skipped == [
        f"{csv}:4: no audio file (looked for missingYTid.wav, YmissingYTid.wav, 11011.wav in {audio_dir})"
    ]
    manifest = read_manifest(result.manifest)
    first, second = manifest.items
    assert (first.id, first.audio, first.split) == ("91139", "../../downloads/audio/r1nicOVtvkQ.wav", "val")
    assert (first.duration, first.audio_sample_rate) == (2.0, 32_000)
    assert second.caption == "Multiple clanging and clanking sounds, then a bang"
    assert manifest.audio_path(second).resolve() == (audio_dir / "58146.wav").resolve()
    assert (second.speech, second.voice, second.speech_sample_rate, second.labels) == ("", "", 0, [])


def test_clotho_one_item_per_caption_or_first_only(tmp_path: Path, audio_dir: Path) -> None:
    csv = tmp_path / "clotho_captions_evaluation.csv"
    csv.write_text(CLOTHO)
    result = import_csv(csv, audio_dir, tmp_path / "all")
    assert result.added == 9
    assert result.skipped == [f"{csv}:2: empty caption for Distorted AM Radio noise_cap4"]
    items = read_manifest(result.manifest).items
    assert items[1].id == "Distorted AM Radio noise_cap2" and items[1].caption == "Static, then a tone"
    assert {i.split for i in items} == {"test"}
    first = import_csv(csv, audio_dir, tmp_path / "first", split="dev", all_captions=False)
    items = read_manifest(first.manifest).items
    assert [(i.id, i.caption, i.split) for i in items] == [
        ("Distorted AM Radio noise_cap1", "A radio hisses loudly", "dev"),
        ("rain on roof_cap1", "Rain falls on a roof", "dev"),
    ]


def test_imports_add_up_and_keep_speech_of_unchanged_captions(tmp_path: Path, audio_dir: Path) -> None:
    out = tmp_path / "runs"
    (tmp_path / "train.csv").write_text(AUDIOCAPS)
    import_csv(tmp_path / "train.csv", audio_dir, out)
    manifest = read_manifest(out)
    manifest.items[0].speech, manifest.items[0].voice, manifest.items[0].speech_sample_rate = "s/a.wav", "joe", 16000
    manifest.items[0].labels = ["water"]
    manifest.items[1].speech = "s/b.wav"
    write_manifest(out, manifest.items)

    changed = AUDIOCAPS.replace("then a bang", "then a crash").replace("11011", "22022")
    (tmp_path / "test.csv").write_text(changed.replace("missingYTid", "rain on roof"))
    (audio_dir / "22022.wav").write_bytes((audio_dir / "rain on roof.wav").read_bytes())
    import_csv(tmp_path / "test.csv", audio_dir, out)
    items = {i.id: i for i in read_manifest(out).items}
    assert set(items) == {"91139", "58146", "22022"}
    assert (items["91139"].speech, items["91139"].voice, items["91139"].labels) == ("s/a.wav", "joe", ["water"])
    assert items["58146"].speech == "" and items["58146"].caption.endswith("then a crash")  # caption changed
    assert {i.split for i in items.values()} == {"test"}


def test_errors_name_the_file_and_what_to_do(tmp_path: Path, audio_dir: Path) -> None:
    odd = tmp_path / "captions.csv"
    odd.write_text(AUDIOCAPS)
    with pytest.raises(StarKitError, match="cannot tell the split from the file name; pass --split"):
        import_csv(odd, audio_dir, tmp_path / "out")
    odd.write_text("name,text\na.wav,hello\n")
    with pytest.raises(StarKitError, match=r"unknown CSV columns name, text; expected AudioCaps \(audiocap_id"):
        import_csv(odd, audio_dir, tmp_path / "out", split="train")
    odd.write_text(CLOTHO)
    with pytest.raises(StarKitError, match="a audiocaps CSV needs column\\(s\\) audiocap_id, youtube_id, caption"):
        import_csv(odd, audio_dir, tmp_path / "out", split="train", format="audiocaps")
    odd.write_text(AUDIOCAPS)
    with pytest.raises(
        StarKitError, match=r"no row could be imported \(3 skipped\); first: .*captions.csv:2: no audio"
    ):
        import_csv(odd, tmp_path, tmp_path / "out", split="train")
    odd.write_text("audiocap_id,youtube_id,start_time,caption\n1,x,0,a,extra\n")
    with pytest.raises(StarKitError, match="captions.csv:2: more fields than the header has columns"):
        import_csv(odd, audio_dir, tmp_path / "out", split="train")
    with pytest.raises(StarKitError, match="no such audio folder"):
        import_csv(odd, tmp_path / "nope", tmp_path / "out", split="train")
