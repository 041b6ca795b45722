"""Checking uploaded photos: real JPEG, PNG or WebP, within size and pixel limits."""
from __future__ import annotations

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image

from shop.services.errors import DomainError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 25 megapixels: more than any phone photo needs


class BadImage(DomainError):
    message = _l("That file is not a photo we can use. Please upload a JPEG, PNG or WebP image.")


class ImageTooLarge(DomainError):
    message = _l("That photo is too large. Please upload one under 10 MB and 25 megapixels.")


def open_upload(data: bytes) -> Image.Image:
    """The decoded image, or BadImage / ImageTooLarge; nothing is stored here."""
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    if not data:
        raise BadImage()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise BadImage()
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageTooLarge()
            probe.verify()  # structure and checksums
            image = Image.open(io.BytesIO(data))
            image.load()  # every pixel: a truncated file fails here
    except (ImageTooLarge, BadImage):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError):
        raise BadImage() from None
    return image
