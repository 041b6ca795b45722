"""Checking uploaded pictures: real JPEG, PNG or WebP, bounded before a pixel is decoded.

`Image.open` reads only the header, so the file size, the pixel count, the shape and the
memory that decoding would take are all checked from it first: a 49 KB PNG of
1×24,999,999 pixels, or a 195 KB 16-bit RGBA 4999×4999 one, is refused without being
decoded. Product photos use `open_upload`; anything else people upload (a payment slip,
a payout proof) reuses `check_image` / `open_image` with the same limits (shop/config.py).
"""
from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageMode, PngImagePlugin

from shop.services.catalog.media import FULL_SIZE, THUMB_SIZE
from shop.services.errors import DomainError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MB = 1024 * 1024
# Pillow lets a PNG's compressed text chunks grow to 64 MB when the file is opened; photos need
# a few kilobytes (this module is the only reader of uploaded PNGs).
PngImagePlugin.MAX_TEXT_MEMORY = 4 * MB
# libwebp decodes into two canvases of its own and hands Pillow a copy: 3 buffers of 4 bytes a pixel.
WEBP_BUFFERS = 3


class BadImage(DomainError):
    message = _l("That file is not a photo we can use. Please upload a JPEG, PNG or WebP image.")


class ImageTooLarge(DomainError):
    message = _l("The picture is too large.")


@dataclass(frozen=True)
class ImageLimits:
    """What an upload may be; from shop/config.py through `from_config`."""

    max_file_bytes: int
    max_pixels: int
    max_aspect_ratio: int  # the long side at most this many times the short side
    max_decoded_bytes: int  # memory that decoding and resizing may take

    @classmethod
    def from_config(cls, config) -> ImageLimits:
        return cls(max_file_bytes=config["IMAGE_MAX_FILE_MB"] * MB, max_pixels=config["IMAGE_MAX_MEGAPIXELS"] * 1_000_000,
                   max_aspect_ratio=config["IMAGE_MAX_ASPECT_RATIO"], max_decoded_bytes=config["IMAGE_MAX_DECODED_MB"] * MB)


@dataclass(frozen=True)
class ImageInfo:
    """What the header says, and what decoding it will cost."""

    format: str  # JPEG, PNG or WEBP
    width: int  # as stored in the file
    height: int
    mode: str  # Pillow's mode once decoded, e.g. RGB, RGBA, L, I;16
    decoded_bytes: int  # memory to decode it (after any reduction on load) and resize it


def pixel_bytes(mode: str) -> int:
    """Bytes a decoded pixel takes: bands × bytes per band, as Pillow stores them.

    I;16 is one band of 2 bytes; F and I one of 4; RGBA 4 bands of 1. Pillow keeps any
    picture of 2 to 4 eight-bit bands in 4 bytes a pixel, so RGB and LA take 4 too.
    """
    descriptor = ImageMode.getmode(mode)
    bands, per_band = len(descriptor.bands), int(descriptor.typestr[-1])
    return max(bands * per_band, 4 if bands > 1 else per_band)


def _working_bytes(mode: str) -> int:
    """Bytes a pixel takes to decode and then resize.

    A palette picture is expanded to RGBA and a one-bit one to grey before resizing; resizing
    a picture with transparency works on a premultiplied copy of it.
    """
    if mode in ("P", "PA"):
        return pixel_bytes(mode) + 4 + 4
    if mode == "1":
        return pixel_bytes(mode) + 1
    if mode in ("LA", "RGBA"):
        return 2 * pixel_bytes(mode)
    return pixel_bytes(mode)


def _jpeg_coefficient_bytes(image: Image.Image, width: int, height: int) -> int:
    """A progressive JPEG is decoded from a buffer of every DCT coefficient (2 bytes each)
    of the whole picture, whatever size it is reduced to; a baseline one needs no such buffer."""
    if not (image.info.get("progressive") or image.info.get("progression")):
        return 0
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    total = 0
    for _id, h, v, _table in layers:
        blocks_wide = math.ceil(math.ceil(width * h / h_max) / 8)
        blocks_high = math.ceil(math.ceil(height * v / v_max) / 8)
        total += blocks_wide * blocks_high * 64 * 2
    return total


def _decoded_bytes(image: Image.Image, original: tuple[int, int]) -> int:
    width, height = image.size  # after any draft
    total = width * height * _working_bytes(image.mode)
    if image.format == "WEBP":
        total += width * height * 4 * WEBP_BUFFERS
    elif image.format == "JPEG":
        total += _jpeg_coefficient_bytes(image, *original)
    return total


def _read(stream: bytes | BinaryIO, limits: ImageLimits) -> bytes:
    if isinstance(stream, bytes | bytearray | memoryview):
        data = bytes(stream)
    else:
        data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise ImageTooLarge(_l("The picture is too large: at most %(mb)d MB.", mb=limits.max_file_bytes // MB))
    if not data:
        raise BadImage()
    return data


def _megapixels(pixels: float) -> str:
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


def _probe(data: bytes, limits: ImageLimits, reduce_to: tuple[int, int] | None) -> tuple[Image.Image, ImageInfo]:
    """The lazily opened picture (nothing decoded) and its ImageInfo, or a domain error."""
    picture = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    if picture.format not in ALLOWED_FORMATS:
        raise BadImage()
    width, height = picture.size
    if width < 1 or height < 1:
        raise BadImage()
    if width * height > limits.max_pixels:
        raise ImageTooLarge(_l("The picture is too large: at most %(megapixels)s megapixels.",
                               megapixels=_megapixels(limits.max_pixels)))
    if max(width, height) > limits.max_aspect_ratio * min(width, height):
        raise ImageTooLarge(_l("The picture is too long and narrow: its long side may be at most %(ratio)d times its short side.",
                               ratio=limits.max_aspect_ratio))
    if reduce_to and picture.format == "JPEG":
        long_side, short_side = reduce_to
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, keeping both sides at least this size
        picture.draft(None, (long_side, short_side) if width >= height else (short_side, long_side))
    try:
        decoded = _decoded_bytes(picture, (width, height))
    except KeyError:  # a mode Pillow has no layout for
        raise BadImage() from None
    if decoded > limits.max_decoded_bytes:
        per_pixel = decoded / (width * height)
        raise ImageTooLarge(_l("The picture is too large to open: a picture of this kind may have at most %(megapixels)s megapixels. "
                               "Please save it smaller.", megapixels=_megapixels(limits.max_decoded_bytes / per_pixel)))
    return picture, ImageInfo(str(picture.format), width, height, picture.mode, decoded)


def _guarded(action):
    """Pillow's own errors become BadImage; its decompression-bomb alarm becomes ImageTooLarge."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return action()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError):
        raise BadImage() from None


def _limits(limits: ImageLimits | None) -> ImageLimits:
    return limits or ImageLimits.from_config(current_app.config)


def check_image(stream: bytes | BinaryIO, limits: ImageLimits | None = None) -> ImageInfo:
    """Check an uploaded picture from its header and structure, decoding nothing.

    Raises BadImage (not a JPEG, PNG or WebP, or broken) or ImageTooLarge (file size,
    megapixels, aspect ratio or decoded memory over the limits).
    """
    limits = _limits(limits)
    data = _read(stream, limits)

    def probe() -> ImageInfo:
        picture, info = _probe(data, limits, None)
        picture.verify()  # structure and checksums, without decoding
        return info

    return _guarded(probe)


def open_image(stream: bytes | BinaryIO, limits: ImageLimits | None = None,
               reduce_to: tuple[int, int] | None = None) -> tuple[Image.Image, ImageInfo]:
    """Check the picture as `check_image` does, then decode it within the limits.

    With `reduce_to` = (long side, short side), a JPEG is decoded at the smallest 1/2, 1/4 or
    1/8 scale whose sides are still at least that long: all that resized copies need.
    """
    limits = _limits(limits)
    data = _read(stream, limits)

    def decode() -> tuple[Image.Image, ImageInfo]:
        probe, _info = _probe(data, limits, reduce_to)
        probe.verify()
        picture, info = _probe(data, limits, reduce_to)  # verify() leaves its picture unusable
        picture.load()  # every pixel: a truncated file fails here
        return picture, info

    return _guarded(decode)


def open_upload(data: bytes) -> Image.Image:
    """A product photo, decoded just large enough for the shop's sizes; nothing is stored here."""
    picture, _info = open_image(data, reduce_to=(FULL_SIZE, THUMB_SIZE))
    return picture
