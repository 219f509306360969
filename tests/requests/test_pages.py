"""The resident's pages: the form, errors refilled, the tracking page, rating; hostile text
escaped on every page that shows it."""

from __future__ import annotations

import re

import pytest

from gridsvc.access import Role
from tests.requests.api_client import client_on, key
from tests.requests.conftest import rep_codes

pytestmark = pytest.mark.db
HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>{{7*7}}"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _unsafe(html: str) -> bool:
    return "<script>alert" in html or "<img src=x" in html or "onerror=alert(2)>" in html


def test_form_submit_follow_and_rate(small_street) -> None:
    rep = rep_codes(small_street)[0]["code"]
    staff = key(small_street, Role.staff)
    with client_on(small_street) as c:
        page = c.get(f"/r/{rep}")
        assert page.status_code == 200 and "您的居民代表" in page.text
        assert 'name="category"' in page.text and "环境卫生" in page.text
        assert "script-src 'nonce-" in page.headers["content-security-policy"]
        assert c.put(f"/r/{rep}").status_code == 405  # POST only
        sent = c.post(
            f"/r/{rep}",
            data={"category": "sanitation", "text": "垃圾没人清", "phone": "13812345678",
                  "lon": "113.1", "lat": "27.8", "crs": "wgs84"},
            follow_redirects=False,
        )  # fmt: skip
        assert sent.status_code == 303
        where = sent.headers["location"]
        code = re.fullmatch(r"/track/([A-Z0-9]{10})\?new=1", where).group(1)
        follow = c.get(where)
        assert code in follow.text and "已受理登记" in follow.text and "138****5678" in follow.text
        assert "13812345678" not in follow.text
        c.post(f"/requests/{code}/answer", json={"answer": "明天清运"}, headers=staff)
        answered = c.get(f"/track/{code}")
        assert "明天清运" in answered.text and "基本满意" in answered.text
        rated = c.post(f"/track/{code}/rating", data={"rating": "基本满意"})
        assert rated.status_code == 200 and "您的评价" in rated.text
        assert c.get(f"/track?code={code.lower()}", follow_redirects=False).status_code == 303
        assert c.get("/track?code=x").status_code == 400
        assert c.get("/track/ZZZZZZZZZZ").status_code == 404


def test_hostile_text_is_escaped_everywhere(small_street) -> None:
    rep = rep_codes(small_street)[0]["code"]
    staff = key(small_street, Role.staff)
    with small_street.cursor() as cur:
        cur.execute("UPDATE representative SET name = %s WHERE code = %s", (HOSTILE[:60], rep))
    small_street.commit()
    with client_on(small_street) as c:
        form = c.get(f"/r/{rep}")
        assert not _unsafe(form.text) and ESCAPED in form.text
        refused = c.post(f"/r/{rep}", data={"category": "other", "text": HOSTILE, "phone": "1"})
        assert refused.status_code == 400 and "phone" in refused.text
        assert not _unsafe(refused.text) and ESCAPED in refused.text  # refilled, escaped
        sent = c.post(
            f"/r/{rep}",
            data={"category": "other", "text": HOSTILE, "phone": "13812345678"},
            follow_redirects=False,
        )
        code = sent.headers["location"].split("/")[2].split("?")[0]
        c.post(f"/requests/{code}/accept", json={"tier": "一般"}, headers=staff)
        c.post(f"/requests/{code}/transfer", json={"department": HOSTILE}, headers=staff)
        c.post(f"/requests/{code}/extend", json={"days": 2, "reason": HOSTILE}, headers=staff)
        c.post(f"/requests/{code}/answer", json={"answer": HOSTILE}, headers=staff)
        page = c.get(f"/track/{code}")
        assert page.status_code == 200
        assert not _unsafe(page.text)
        assert page.text.count(ESCAPED) >= 4  # text, answer, department, reason
        assert "{{7*7}}" in page.text  # typed text is never a template
        lookup = c.get(f"/track?code={HOSTILE[:9]}")
        assert not _unsafe(lookup.text)
        limit = c.get("/track/<script>")
        assert not _unsafe(limit.text)
