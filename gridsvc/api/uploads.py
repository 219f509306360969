"""Uploaded files saved under a safe name, with a size limit."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import UploadFile

from gridsvc.errors import InputError

MAX_UPLOAD = 200 * 1024 * 1024
SUFFIXES = {".csv", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".gpkg", ".zip", ".shp"}


def safe_name(given: str | None) -> str:
    """The upload's own name reduced to letters, digits, '-', '_' and one known suffix; never
    a path, never empty."""
    name = Path((given or "").replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"file name {name[:60]!r}: expected a {', '.join(sorted(SUFFIXES))} file")
    stem = re.sub(r"[^\w\-]+", "_", Path(name).stem)[:80].strip("_") or "upload"
    return stem + suffix


def save_upload(upload: UploadFile, folder: Path) -> Path:
    """Copy the upload into `folder`, refusing files over MAX_UPLOAD."""
    path = folder / safe_name(upload.filename)
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InputError(f"{path.name}: larger than {MAX_UPLOAD // 2**20} MB")
            out.write(chunk)
    return path
