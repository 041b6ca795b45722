"""Product photos: re-encoded by Pillow, stored under content-hashed names.

Storage is one folder (MEDIA_FOLDER, under instance/ by default). Several app servers
share it as a mounted volume; the names never change meaning, so any server (or a CDN)
can serve them with a year-long cache.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

FULL_SIZE = 1200
THUMB_SIZE = 300
JPEG_QUALITY = 82


@dataclass(frozen=True)
class StoredImage:
    filename: str
    thumb_filename: str
    width: int
    height: int


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Re-encoding from pixels drops EXIF and any other metadata the original carried.
    image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _write(folder: Path, data: bytes, suffix: str) -> str:
    name = f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}.jpg"
    path = folder / name[:2] / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return f"{name[:2]}/{name}"


@dataclass(frozen=True)
class EncodedImage:
    full: bytes
    thumb: bytes
    width: int
    height: int


def encode_image(image: Image.Image) -> EncodedImage:
    """A full-size JPEG (at most FULL_SIZE px) and a square thumbnail, without metadata."""
    image = ImageOps.exif_transpose(image)
    full = image.copy()
    full.thumbnail((FULL_SIZE, FULL_SIZE))
    thumb = ImageOps.fit(image, (THUMB_SIZE, THUMB_SIZE))
    return EncodedImage(_encode(full), _encode(thumb), full.width, full.height)


def store_encoded(folder: str | Path, encoded: EncodedImage) -> StoredImage:
    folder = Path(folder)
    return StoredImage(
        filename=_write(folder, encoded.full, ""),
        thumb_filename=_write(folder, encoded.thumb, "-t"),
        width=encoded.width,
        height=encoded.height,
    )


def store_image(folder: str | Path, image: Image.Image) -> StoredImage:
    """Save a full-size copy and a square thumbnail; return their names and size."""
    return store_encoded(folder, encode_image(image))
