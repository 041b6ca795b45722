"""Generated placeholder photos for demo products: a patterned square, clearly marked DEMO."""
from __future__ import annotations

import hashlib
import math

from PIL import Image, ImageDraw, ImageFont

PALETTES = {
    "textiles": ((47, 74, 122), (196, 210, 232)),
    "bags": ((150, 85, 50), (240, 222, 200)),
    "baskets": ((160, 120, 60), (245, 232, 205)),
    "herbal": ((77, 122, 58), (222, 238, 210)),
    "food": ((181, 84, 44), (252, 230, 210)),
    "woodcraft": ((110, 75, 45), (235, 220, 200)),
    "workshops": ((90, 60, 120), (230, 220, 240)),
}


def placeholder_image(seed: str, category: str, size: int = 600) -> Image.Image:
    """A deterministic picture for `seed`: leaves for cloth, weave for baskets, dots elsewhere."""
    dark, light = PALETTES.get(category, ((80, 80, 80), (230, 230, 230)))
    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", (size, size), light)
    draw = ImageDraw.Draw(image)
    if category in {"textiles", "bags"}:
        for i in range(9):
            cx = digest[i] / 255 * size
            cy = digest[i + 9] / 255 * size
            length = 60 + digest[i + 18] % 80
            angle = digest[i + 3] / 255 * math.pi
            dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
            draw.ellipse((cx - length / 2, cy - length / 5, cx + length / 2, cy + length / 5), fill=dark)
            draw.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=light, width=3)
    elif category == "baskets":
        step = 24 + digest[0] % 16
        for x in range(0, size, step):
            draw.line((x, 0, x, size), fill=dark, width=step // 3)
        for y in range(0, size, step):
            draw.line((0, y, size, y), fill=light, width=step // 4)
    else:
        for i in range(14):
            r = 15 + digest[i] % 45
            cx = digest[i + 14] / 255 * size
            cy = digest[(i + 7) % 32] / 255 * size
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=dark, width=6)
    font = ImageFont.load_default(size=size // 12)
    draw.rectangle((0, size - size // 7, size, size), fill=dark)
    draw.text((size // 2, size - size // 14), "DEMO", fill=light, font=font, anchor="mm")
    return image
