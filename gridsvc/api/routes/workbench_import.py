"""The workbench's register import: an upload checked by a dry run (kept under a random token
for an hour), then imported with the token: the CLI's `import`, with the row report in the page."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from gridsvc.api.deps import Conn, FormSession, LiveSession
from gridsvc.api.routes.workbench import OptionalText, render_page, status_of, to_login
from gridsvc.api.uploads import save_upload
from gridsvc.errors import GridsvcError, InputError
from gridsvc.services import imports

router = APIRouter(prefix="/workbench", tags=["workbench"], include_in_schema=False)
UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
UPLOAD_KEEP_S = 3600.0  # a checked file not imported within this time is dropped


def _uploads(request: Request) -> Path:
    folder = (request.app.state.settings.data_dir / "workbench-uploads").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # checked and never imported
        if old.stat().st_mtime < time.time() - UPLOAD_KEEP_S:
            shutil.rmtree(old, ignore_errors=True)
    return folder


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, session: LiveSession) -> Response:
    if session is None:
        return to_login(request)
    return render_page("workbench_import.html", session)


@router.post("/import", response_class=HTMLResponse)
def import_register(
    request: Request,
    conn: Conn,
    session: FormSession,
    kind: Annotated[Literal["households", "representatives"], Form()],
    file: Annotated[UploadFile | None, File()] = None,
    token: OptionalText = "",
) -> HTMLResponse:
    """First a dry run of the uploaded file (kept under a random token), then, with the
    token, the import itself (the CLI's `import`)."""
    folder = _uploads(request)
    try:
        if token:  # the second step: import the file checked before
            if not UPLOAD_TOKEN.match(token):
                raise InputError("token: not an upload of this workbench")
            staged = folder / token
            found = [p for p in staged.glob("*") if p.suffix.lower() in UPLOAD_SUFFIXES]
            if not found:
                raise InputError("token: the checked file is gone; upload it again")
            report = imports.import_register(conn, session.actor, kind, found[0], report_dir=None)
            shutil.rmtree(staged, ignore_errors=True)
            return render_page("workbench_import.html", session, report=report, committed=True)
        if file is None or not file.filename:
            raise InputError("file: choose a CSV, XLS or XLSX register")
        token = secrets.token_urlsafe(24)
        staged = folder / token
        staged.mkdir()
        path = save_upload(file, staged)
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            shutil.rmtree(staged, ignore_errors=True)
            raise InputError(f"file {path.name}: a register is CSV, XLS or XLSX")
        report = imports.import_register(
            conn, session.actor, kind, path, report_dir=None, dry_run=True
        )
        return render_page("workbench_import.html", session, report=report, token=token, kind=kind)
    except GridsvcError as exc:
        return render_page("workbench_import.html", session, status_of(exc), error=str(exc))
