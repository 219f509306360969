"""Reading a request's submission from JSON or a multipart form (with photos), and the
office's rules for requests as the app's settings give them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from gridsvc.errors import InputError
from gridsvc.services.request_intake import MAX_PHOTOS, Submission
from gridsvc.services.request_rules import RequestRules, rules_from

FORM_LIMIT = 40 * 2**20  # three photos and the text: more is refused before parsing


class SubmissionIn(BaseModel):
    """A request as JSON (photos only through multipart)."""

    category: str = Field(description="a category code from GET /requests/categories")
    text: str = Field(description="what the problem is (personal: staff and above read it)")
    representative: str | None = Field(None, description="the representative's code")
    household: str | None = Field(None, description="a household code (office and reps only)")
    phone: str | None = Field(None, description="a mobile number for the reply")
    lon: float | None = None
    lat: float | None = None
    crs: str = Field("wgs84", description="wgs84 (a phone's GPS), cgcs2000, gcj02 or bd09")


def rules(request: Request) -> RequestRules:
    """The app's request rules, built once from its settings."""
    state = request.app.state
    if getattr(state, "request_rules", None) is None:
        state.request_rules = rules_from(state.settings)
    found: RequestRules = state.request_rules
    return found


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def _number(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: not a number") from None


async def read_submission(request: Request, *, source: str, **fixed: Any) -> Submission:
    """The submission in the body (JSON, urlencoded or multipart), `fixed` fields winning."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    photos: list[bytes] = []
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > FORM_LIMIT:
            raise InputError(f"the form is over {FORM_LIMIT >> 20} MB")
        form = await request.form(max_files=MAX_PHOTOS + 1, max_fields=30)
        data: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename or value.size:
                    photos.append(await value.read())
            else:
                data[key] = value
        await form.close()
        for name in ("lon", "lat"):
            data[name] = _number(data.get(name), name)
        for name in ("representative", "household", "phone"):
            data[name] = data.get(name) or None
        data["crs"] = data.get("crs") or "wgs84"
        data.setdefault("category", "")
        data.setdefault("text", "")
    else:
        try:
            data = await request.json()
        except ValueError:
            raise InputError("body: send JSON or a multipart form") from None
    data.update(fixed)
    try:
        given = SubmissionIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InputError(f"{where}: {first['msg']}") from None
    return Submission(**given.model_dump(), photos=photos, client=client_of(request), source=source)
