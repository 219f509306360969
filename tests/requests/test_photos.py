"""Photo checks: size limit, re-encoding that drops EXIF (GPS) and PNG text chunks, HEIC."""

from __future__ import annotations

import io
import os
import warnings

import pillow_heif
import pytest
from PIL import Image, PngImagePlugin

from gridsvc.errors import InputError
from gridsvc.ingest.photos import clean_photo

SCRIPT = b"<script>alert('x')</script>"
GPS_IFD = 0x8825


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (27.0, 48.0, 30.5), 3: "E", 4: (113.0, 8.0, 12.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_location_is_removed() -> None:
    raw = _jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo really has a position
    cleaned = clean_photo(raw)
    assert cleaned.mime == "image/jpeg" and (cleaned.width, cleaned.height) == (120, 80)
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert not after.getexif().get_ifd(GPS_IFD)
        assert len(after.getexif()) == 0
        assert "exif" not in after.info
    assert b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data


def test_png_text_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("Description", SCRIPT.decode(), zip=True)
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (255, 0, 0, 128)).save(out, "PNG", pnginfo=info)
    raw = out.getvalue()
    assert SCRIPT in raw
    cleaned = clean_photo(raw)
    assert cleaned.mime == "image/png"
    assert SCRIPT not in cleaned.data
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf"):
        assert chunk not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.info.get("Comment") is None and after.mode == "RGBA"


def test_a_20_mb_file_is_refused_before_decoding() -> None:
    raw = b"\xff\xd8\xff\xe0" + os.urandom(20 * 2**20)
    with pytest.raises(InputError, match=r"photo: 20\.0 MB, the limit is 8 MB"):
        clean_photo(raw)


def test_not_an_image_and_decompression_bombs() -> None:
    with pytest.raises(InputError, match="not a readable"):
        clean_photo(b"<html><script>alert(1)</script></html>", field="photos[1]")
    with pytest.raises(InputError, match="empty"):
        clean_photo(b"")
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 Mpx in a few kB
    with (
        warnings.catch_warnings(),
        pytest.raises(InputError, match=r"10000×10000 pixels is too large"),
    ):
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        clean_photo(out.getvalue())
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(InputError, match="GIF is not accepted"):
        clean_photo(gif.getvalue())


def test_heic_is_read_and_stored_as_jpeg() -> None:
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 200, 0)).save(out, "HEIF")
    cleaned = clean_photo(out.getvalue())
    assert cleaned.mime == "image/jpeg" and cleaned.width == 64


def test_large_photos_are_shrunk() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 90, 90)).save(out, "JPEG")
    cleaned = clean_photo(out.getvalue())
    assert max(cleaned.width, cleaned.height) == 2048
