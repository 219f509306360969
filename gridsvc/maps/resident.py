"""The resident's pages (behind the contact card's QR code) from Jinja templates, autoescaped:
nothing a resident typed reaches the page unescaped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridsvc.maps.sheets import environment

CHINA = dt.timezone(dt.timedelta(hours=8))
RATINGS = ("满意", "基本满意", "不满意")


def rep_page(
    rep: dict[str, Any],
    categories: list[dict[str, Any]],
    *,
    nonce: str,
    form: dict[str, Any] | None = None,
    error: str | None = None,
) -> str:
    """The representative's contact and the form to report a problem (refilled after an
    error, with the error said)."""
    given = {"category": "", "text": "", "phone": "", "lon": "", "lat": "", **(form or {})}
    return (
        environment()
        .get_template("rep_page.html")
        .render(rep=rep, categories=categories, form=given, error=error, nonce=nonce)
    )


def track_page(view: Any, *, new: bool = False) -> str:
    """A request's progress as its resident follows it, with the rating form when due."""
    return (
        environment().get_template("track.html").render(v=view, new=new, ratings=RATINGS, tz=CHINA)
    )


def track_lookup(code: str = "", error: str | None = None) -> str:
    return environment().get_template("track_lookup.html").render(code=code, error=error)


def limit_page(message: str, retry_after: int, back: str | None) -> str:
    minutes = max(1, retry_after // 60)
    return (
        environment()
        .get_template("limit_page.html")
        .render(message=message, minutes=minutes, back=back)
    )
