"""Uploaded pictures are bounded before they are decoded: pixels, shape and memory.

The memory test runs the real upload path (check, decode, re-encode, thumbnail) in a
separate process, one forked child per file, and reads the child's peak resident size
(`ru_maxrss`): Pillow allocates in C, where tracemalloc sees nothing.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from shop.services.catalog import uploads
from shop.services.catalog.uploads import BadImage, ImageLimits, ImageTooLarge, check_image
from tests.pictures import one_by_25_million, png_of, rgba16_4999

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BUDGET_KB = 150 * 1024  # above the worker's baseline, for any one upload


# A generator process makes the JPEGs (Pillow needs the whole picture in memory to encode one),
# so neither this test process nor the measured one carries that peak.
MAKE_JPEGS = """
import sys
from PIL import Image
folder = sys.argv[1]
picture = Image.linear_gradient("L").resize((6000, 4000)).convert("RGB")
picture.save(folder + "/phone-24mp.jpg", "JPEG", quality=80)
picture.save(folder + "/progressive-24mp.jpg", "JPEG", quality=80, progressive=True)
"""

# The worker's path for a product photo, per file in a forked child with a fresh peak counter.
MEASURE = """
import json, os, resource, sys, time, traceback
from shop import create_app
from shop.config import TestConfig
from shop.services.errors import DomainError
from shop.services.catalog.media import store_image
from shop.services.catalog.uploads import open_upload

folder = sys.argv[1]
app = create_app(TestConfig("sqlite:///" + folder + "/probe.sqlite3", folder))

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

for path in sys.argv[2:]:
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            with app.test_request_context():
                data = open(path, "rb").read()
                baseline, started = peak_kb(), time.monotonic()
                try:
                    stored = store_image(folder + "/media", open_upload(data))
                    outcome = "stored %dx%d" % (stored.width, stored.height)
                except DomainError as error:
                    outcome = "refused: " + str(error.message)
                result = {"file": os.path.basename(path), "bytes": len(data), "baseline_kb": baseline,
                          "peak_kb": peak_kb(), "seconds": time.monotonic() - started, "outcome": outcome}
            sys.stdout.write(json.dumps(result) + "\\n")
            sys.stdout.flush()
            status = 0
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(status)
    os.waitpid(pid, 0)
"""


@pytest.fixture(scope="module")
def upload_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    subprocess.run([sys.executable, "-c", MAKE_JPEGS, str(folder)], check=True, timeout=120)
    files = {"1x24999999.png": one_by_25_million(), "rgba16-4999x4999.png": rgba16_4999(),
             "rgb-4000x4000.png": png_of(4000, 4000, 8, 2, 3),
             "rgb-text-64mb.png": png_of(4000, 4000, 8, 2, 3, text_chunks=64)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {p.name: p for p in sorted(folder.iterdir())}


def test_peak_memory_stays_bounded_while_refusing_or_processing_large_pictures(upload_files, tmp_path):
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path), *map(str, upload_files.values())],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    results = {r["file"]: r for r in map(json.loads, run.stdout.splitlines())}
    report = "\n".join(f"{r['file']} ({r['bytes']:,} bytes): baseline {r['baseline_kb'] / 1024:.0f} MB, "
                       f"peak {r['peak_kb'] / 1024:.0f} MB (+{(r['peak_kb'] - r['baseline_kb']) / 1024:.0f} MB), {r['seconds']:.2f} s, {r['outcome']}"
                       for r in results.values())
    print(report)
    assert set(results) == set(upload_files), run.stderr[-3000:]
    for r in results.values():
        assert r["peak_kb"] - r["baseline_kb"] < MEMORY_BUDGET_KB, report
    assert results["1x24999999.png"]["outcome"].startswith("refused")
    assert results["rgba16-4999x4999.png"]["outcome"].startswith("refused")
    assert results["phone-24mp.jpg"]["outcome"] == "stored 1200x800"
    assert results["rgb-4000x4000.png"]["outcome"] == "stored 1200x1200"


# --- The checker itself, from the header --------------------------------------------------------

LIMITS = ImageLimits(max_file_bytes=10 * uploads.MB, max_pixels=25_000_000, max_aspect_ratio=10, max_decoded_bytes=64 * uploads.MB)


def jpeg_of(size: tuple[int, int], **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 60)).save(out, "JPEG", **options)
    return out.getvalue()


@pytest.mark.parametrize(("mode", "size"), [("L", 1), ("1", 1), ("P", 1), ("I;16", 2), ("I;16B", 2), ("I", 4), ("F", 4),
                                            ("RGBA", 4), ("CMYK", 4), ("RGB", 4), ("LA", 4)])
def test_a_decoded_pixel_takes_bands_times_bytes_per_band_as_pillow_stores_it(mode, size):
    assert uploads.pixel_bytes(mode) == size


def test_a_good_photo_is_described_from_its_header():
    info = check_image(jpeg_of((800, 600)), LIMITS)
    assert info == uploads.ImageInfo("JPEG", 800, 600, "RGB", 800 * 600 * 4)


def test_a_one_pixel_wide_strip_is_refused_for_its_shape():
    with pytest.raises(ImageTooLarge) as refused:
        check_image(one_by_25_million(), LIMITS)
    assert str(refused.value.message) == "The picture is too long and narrow: its long side may be at most 10 times its short side."


def test_a_16_bit_rgba_picture_is_refused_for_the_memory_decoding_would_take():
    with pytest.raises(ImageTooLarge) as refused:
        check_image(rgba16_4999(), LIMITS)
    # 4 bytes a pixel, twice over to resize with transparency: 64 MB hold 8.4 megapixels of it
    assert "at most 8.4 megapixels" in str(refused.value.message)


def test_16_bit_grey_counts_two_bytes_a_pixel():
    small = ImageLimits(10 * uploads.MB, 25_000_000, 10, max_decoded_bytes=2 * 1000 * 1000)
    assert check_image(png_of(1000, 1000, 16, 0, 1), small).decoded_bytes == 2_000_000
    with pytest.raises(ImageTooLarge, match="at most 1 megapixels"):
        check_image(png_of(1001, 1000, 16, 0, 1), small)


def test_too_many_megapixels_are_refused_naming_the_limit():
    with pytest.raises(ImageTooLarge) as refused:
        check_image(png_of(6000, 5000, 8, 0, 1), LIMITS)
    assert str(refused.value.message) == "The picture is too large: at most 25 megapixels."


def test_a_file_over_the_size_limit_is_refused_and_a_stream_is_read_no_further():
    class Stream(io.BytesIO):
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    stream = Stream(bytes(11 * uploads.MB))
    with pytest.raises(ImageTooLarge) as refused:
        check_image(stream, LIMITS)
    assert str(refused.value.message) == "The picture is too large: at most 10 MB."
    assert stream.asked == [10 * uploads.MB + 1]


@pytest.mark.parametrize("data", [b"", b"not a picture", jpeg_of((40, 40))[:300]])
def test_what_is_not_a_picture_is_a_bad_image(data):
    with pytest.raises(BadImage):
        uploads.open_image(data, LIMITS)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale():
    picture, info = uploads.open_image(jpeg_of((2400, 1600)), LIMITS, reduce_to=(600, 150))
    assert (info.width, info.height) == (2400, 1600)
    assert picture.size == (600, 400) and info.decoded_bytes == 600 * 400 * 4  # decoded at 1/4


def test_a_progressive_jpeg_counts_its_buffer_of_coefficients():
    info = check_image(jpeg_of((800, 600), progressive=True, subsampling=0), LIMITS)  # 4:4:4, three components
    assert info.decoded_bytes == 800 * 600 * 4 + 3 * 800 * 600 * 2


def test_webp_counts_libwebps_own_buffers():
    out = io.BytesIO()
    Image.new("RGB", (100, 50)).save(out, "WEBP")
    assert check_image(out.getvalue(), LIMITS).decoded_bytes == 100 * 50 * (4 + 3 * 4)


def test_png_text_chunks_cannot_fill_memory_when_the_file_is_opened():
    with pytest.raises(BadImage):
        check_image(png_of(10, 10, 8, 2, 3, text_chunks=8), LIMITS)


def test_limits_come_from_the_configuration():
    from flask import Flask
    from flask_babel import Babel

    settings = Flask(__name__)
    Babel(settings)
    settings.config.update(IMAGE_MAX_FILE_MB=10, IMAGE_MAX_MEGAPIXELS=1, IMAGE_MAX_ASPECT_RATIO=2, IMAGE_MAX_DECODED_MB=64)
    with settings.app_context():
        with pytest.raises(ImageTooLarge, match="at most 1 megapixels"):
            check_image(png_of(1001, 1000, 8, 0, 1))
        with pytest.raises(ImageTooLarge, match="at most 2 times"):
            check_image(png_of(300, 100, 8, 0, 1))


@pytest.mark.parametrize(("name", "value"), [("IMAGE_MAX_MEGAPIXELS", "0"), ("IMAGE_MAX_DECODED_MB", "-1"), ("MAX_PRICE_BAHT", "21474837")])
def test_limits_out_of_range_stop_the_shop_at_start(monkeypatch, tmp_path, name, value):
    from shop.config import Config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=name):
        Config()


# --- Re-encoding stays right for every kind of picture -----------------------------------------

def test_an_upright_turn_from_exif_is_applied_to_both_sizes(tmp_path):
    from shop.services.catalog.media import store_image

    out = io.BytesIO()
    picture = Image.new("RGB", (1600, 800), "white")
    picture.paste((255, 0, 0), (0, 0, 800, 800))  # left half red
    exif = picture.getexif()
    exif[0x0112] = 6  # stored on its side: turn 90° clockwise to view
    picture.save(out, "JPEG", exif=exif)
    stored = store_image(tmp_path, uploads.open_image(out.getvalue(), LIMITS, reduce_to=(1200, 300))[0])
    full = Image.open(tmp_path / stored.filename)
    assert (stored.width, stored.height) == full.size == (600, 1200)
    assert full.getpixel((300, 100))[0] > 200 and full.getpixel((300, 100))[1] < 60  # red on top once turned
    assert Image.open(tmp_path / stored.thumb_filename).size == (300, 300)


@pytest.mark.parametrize("mode", ["P", "1", "LA", "RGBA", "I;16", "L", "CMYK"])
def test_every_kind_of_picture_is_stored_as_an_rgb_jpeg_without_metadata(tmp_path, mode):
    from shop.services.catalog.media import store_image

    out = io.BytesIO()
    picture = Image.new("RGB", (1500, 700), (30, 140, 60)).convert(mode)
    picture.save(out, "JPEG" if mode == "CMYK" else "PNG")
    stored = store_image(tmp_path, uploads.open_image(out.getvalue(), LIMITS, reduce_to=(1200, 300))[0])
    full, thumb = Image.open(tmp_path / stored.filename), Image.open(tmp_path / stored.thumb_filename)
    assert (full.format, full.mode, full.size, thumb.size) == ("JPEG", "RGB", (1200, 560), (300, 300))
