"""Residents' photos checked and re-encoded: JPEG, PNG or HEIC in, a clean JPEG or PNG out
(no EXIF, so no GPS position; no text chunks; nothing but the pixels)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from gridsvc.errors import InputError

ACCEPTED = {"JPEG", "PNG", "HEIF"}
MAX_PIXELS = 40_000_000  # a 20 MB photo of a few pixels per byte is still refused before decode
MAX_SIDE = 2048  # stored photos are shrunk to this: enough to see a broken lamp


@dataclass(frozen=True)
class Photo:
    mime: str
    width: int
    height: int
    data: bytes


def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # HEIC then answers "not a photo" like any unknown format
        return
    register_heif_opener()


def clean_photo(raw: bytes, *, field: str = "photo", max_bytes: int = 8 * 2**20) -> Photo:
    """`raw` re-encoded from its pixels only, or InputError naming the field and why."""
    if len(raw) > max_bytes:
        raise InputError(f"{field}: {len(raw) / 2**20:.1f} MB, the limit is {max_bytes >> 20} MB")
    if not raw:
        raise InputError(f"{field}: empty file")
    _register_heif()
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format not in ACCEPTED:
                raise InputError(f"{field}: {image.format} is not accepted; send JPEG, PNG or HEIC")
            if image.width * image.height > MAX_PIXELS:
                raise InputError(f"{field}: {image.width}×{image.height} pixels is too large")
            keep_png = image.format == "PNG"
            upright = ImageOps.exif_transpose(image)  # keep the picture upright; EXIF goes later
            pixels = upright.convert("RGBA" if keep_png else "RGB")
            pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"{field}: not a readable JPEG, PNG or HEIC image ({exc})") from None
    out = io.BytesIO()
    # a new image object from pixels: no info dict, so no exif, icc, text or xmp is written
    fresh = Image.new(pixels.mode, pixels.size)
    fresh.paste(pixels)
    if keep_png:
        fresh.save(out, "PNG", optimize=True)
        return Photo("image/png", fresh.width, fresh.height, out.getvalue())
    fresh.save(out, "JPEG", quality=85)
    return Photo("image/jpeg", fresh.width, fresh.height, out.getvalue())
