"""Product photos: re-encoded by Pillow, stored under content-hashed names.

Storage is one folder (MEDIA_FOLDER, under instance/ by default). Several app servers
share it as a mounted volume; the names never change meaning, so any server (or a CDN)
can serve them with a year-long cache.

Each photo is made once, at upload, at several widths (RENDITION_WIDTHS, up to its own), each
as WebP and as JPEG, for `srcset`; plus a square thumbnail in both. The full-size JPEG is what
chat apps and the full-size view get.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ExifTags, Image

FULL_SIZE = 1200
THUMB_SIZE = 300
JPEG_QUALITY = 82
WEBP_QUALITY = 80
RENDITION_WIDTHS = (320, 640, 960)  # and the full size itself (at most FULL_SIZE)


@dataclass(frozen=True)
class StoredImage:
    filename: str
    thumb_filename: str
    width: int
    height: int
    # {"widths": [{"width", "height", "jpeg", "webp"}, ...] narrowest first, "thumb_webp": name}
    renditions: dict = field(default_factory=dict)


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Re-encoding from pixels drops EXIF and any other metadata the original carried.
    image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _encode_webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def _write(folder: Path, data: bytes, suffix: str, extension: str = ".jpg") -> str:
    name = f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}{extension}"
    path = folder / name[:2] / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return f"{name[:2]}/{name}"


@dataclass(frozen=True)
class EncodedRendition:
    width: int
    height: int
    jpeg: bytes
    webp: bytes


@dataclass(frozen=True)
class EncodedImage:
    full: bytes
    thumb: bytes
    width: int
    height: int
    renditions: tuple[EncodedRendition, ...] = ()  # narrowest first, the full size last
    thumb_webp: bytes = b""


# EXIF orientation -> the turn that makes the picture upright (as ImageOps.exif_transpose).
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}


def _resizable(image: Image.Image) -> Image.Image:
    """Palette and one-bit pictures are resampled in colour or grey, not pixel-picked."""
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    if image.mode == "1":
        return image.convert("L")
    return image


def _resized(image: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float] | None = None) -> Image.Image:
    # Reducing first (by whole factors) is fast; Pillow cannot reduce 16-bit grey.
    gap = None if image.mode.startswith("I;16") else 3.0
    return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=gap)


def encode_image(image: Image.Image) -> EncodedImage:
    """A full-size JPEG (at most FULL_SIZE px) and a square thumbnail, without metadata.

    Both are resampled straight from the decoded picture and turned upright afterwards, so
    memory stays near one decoded picture (no full-size copies).
    """
    turn = UPRIGHT.get(image.getexif().get(ExifTags.Base.Orientation, 1))
    image = _resizable(image)
    width, height = image.size
    scale = min(1.0, FULL_SIZE / max(width, height))
    full = _resized(image, (max(1, round(width * scale)), max(1, round(height * scale))))
    side = min(width, height)  # the centred square, as ImageOps.fit crops it
    left, top = (width - side) / 2, (height - side) / 2
    thumb = _resized(image, (THUMB_SIZE, THUMB_SIZE), box=(left, top, left + side, top + side))
    if turn is not None:  # a square centre stays the centre when turned
        full, thumb = full.transpose(turn), thumb.transpose(turn)
    full_jpeg = _encode(full)
    return EncodedImage(full_jpeg, _encode(thumb), full.width, full.height,
                        renditions=_renditions(full, full_jpeg), thumb_webp=_encode_webp(thumb))


def _renditions(full: Image.Image, full_jpeg: bytes) -> tuple[EncodedRendition, ...]:
    """The photo at each narrower width (from the full-size copy: at most FULL_SIZE px) and full."""
    made = []
    for width in RENDITION_WIDTHS:
        if width < full.width:
            height = max(1, round(full.height * width / full.width))
            smaller = _resized(full, (width, height))
            made.append(EncodedRendition(width, height, _encode(smaller), _encode_webp(smaller)))
    made.append(EncodedRendition(full.width, full.height, full_jpeg, _encode_webp(full)))
    return tuple(made)


def store_encoded(folder: str | Path, encoded: EncodedImage) -> StoredImage:
    folder = Path(folder)
    filename = _write(folder, encoded.full, "")
    widths = [
        {"width": r.width, "height": r.height,
         "jpeg": filename if r.jpeg is encoded.full else _write(folder, r.jpeg, f"-{r.width}"),
         "webp": _write(folder, r.webp, f"-{r.width}", ".webp")}
        for r in encoded.renditions
    ]
    renditions = {"widths": widths, "thumb_webp": _write(folder, encoded.thumb_webp, "-t", ".webp")} if widths else {}
    return StoredImage(
        filename=filename,
        thumb_filename=_write(folder, encoded.thumb, "-t"),
        width=encoded.width,
        height=encoded.height,
        renditions=renditions,
    )


def store_image(folder: str | Path, image: Image.Image) -> StoredImage:
    """Save a full-size copy and a square thumbnail; return their names and size."""
    return store_encoded(folder, encode_image(image))
