"""Pictures for upload tests, written by hand: valid PNGs that are tiny on disk and huge once decoded."""
from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_of(width: int, height: int, bit_depth: int, colour_type: int, channels: int, text_chunks: int = 0) -> bytes:
    """A valid PNG of one flat colour, written row by row: tiny on disk, huge once decoded.

    `text_chunks` adds compressed text chunks of 1 MB each (about 1 KB in the file).
    """
    row = b"\x00" + bytes(width * channels * bit_depth // 8)  # filter byte "none" + zero samples
    per_unit = max(1, (1 << 20) // len(row))
    units, rest = divmod(height, per_unit)
    unit = row * per_unit
    # Raw deflate with a full flush after one unit of rows: that block stands alone, so the
    # stream is the block repeated (compressed once, not a hundred times).
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(row * rest) + packer.flush()
    check = 1
    for _ in range(units):
        check = zlib.adler32(unit, check)
    check = zlib.adler32(row * rest, check)
    idat = b"\x78\xda" + block * units + tail + struct.pack(">I", check)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    text = _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(1 << 20), 9)) * text_chunks
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + text + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def one_by_25_million() -> bytes:
    return png_of(1, 24_999_999, 8, 0, 1)  # 8-bit grey, 1 pixel wide


def rgba16_4999() -> bytes:
    return png_of(4999, 4999, 16, 6, 4)  # 16-bit RGBA
