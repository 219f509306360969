"""The notice board (阳光栏) and the printable monthly rota as HTML from Jinja templates: they
print what they are given (representatives' names and counts; never household data)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from gridsvc.maps.sheets import environment

WEEKDAYS = "一二三四五六日"


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, None for missing values."""
    return list(frame.astype(object).where(frame.notna(), None).to_dict("records"))


COUNTED = ("visits", "receptions", "residents", "requests_raised", "requests_on_time")


def notice_board(
    community: str, period: str, start: dt.date, end: dt.date, board: pd.DataFrame
) -> str:
    """An A3 page: each representative's points, rank, visits, receptions and requests."""
    reps = records(board)
    totals = {"reps": len(reps), **{k: int(board[k].sum()) if len(board) else 0 for k in COUNTED}}
    return (
        environment()
        .get_template("noticeboard.html")
        .render(
            community=community,
            period=period,
            start=start.isoformat(),
            end=end.isoformat(),
            reps=[{**r, "points": float(r["points"])} for r in reps],
            totals=totals,
            today=dt.date.today().isoformat(),
        )
    )


def rota_month(month: str, stations: pd.DataFrame, duties: pd.DataFrame) -> str:
    """A month's rota per station: days (moved ones marked), who is on duty, attendance."""
    pages = []
    for st in stations.itertuples():
        mine = duties[duties["station_code"] == st.code] if len(duties) else duties
        days = []
        for (day, nominal), part in mine.groupby(["day", "nominal"], sort=True):
            came = part["attended"].dropna()
            days.append(
                {
                    "day": day.isoformat(),
                    "weekday": "周" + WEEKDAYS[day.weekday()],
                    "nominal": nominal.isoformat(),
                    "moved": day != nominal,
                    "reps": list(part["rep_name"]),
                    "attended": f"{int(came.sum())}/{len(part)}" if len(came) else "—",
                    "residents": int(part["residents"].fillna(0).sum()) if len(came) else "—",
                }
            )
        if days:
            pages.append({"name": st.name, "days": days})
    return (
        environment()
        .get_template("rota.html")
        .render(month=month, stations=pages, today=dt.date.today().isoformat())
    )
