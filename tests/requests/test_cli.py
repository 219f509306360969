"""`gridsvc requests` at the terminal, and the sample's year of requests loaded."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gridsvc import sample_requests
from gridsvc.cli import main
from gridsvc.db.frames import one

pytestmark = pytest.mark.db


@pytest.fixture
def cli(small_street, monkeypatch, capsys):
    monkeypatch.setenv("GRIDSVC_DATABASE_URL", small_street.dsn)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_load_list_and_act(cli, small_street, small_street_folder, tmp_path) -> None:
    reps = pd.read_csv(small_street_folder / "representatives.csv")
    homes = pd.read_csv(small_street_folder / "households.csv")
    made = sample_requests.generate(reps, homes, count=60, resolved=50, seed=3)
    path = sample_requests.write(made, tmp_path)
    code, out, _ = cli("requests", "load", "--file", str(path))
    assert code == 0 and "loaded 60 requests" in out
    assert cli("requests", "load", "--file", str(path))[1].startswith("loaded 0 requests")
    figures = one(
        small_street, "SELECT count(*) FILTER (WHERE status = 'closed') AS n FROM request"
    )
    assert figures and figures["n"] == 50
    code, out, _ = cli("requests", "figures")
    assert code == 0 and " 60 " in out and " 50 " in out
    code, out, _ = cli("requests", "list", "--status", "all", "--limit", "5")
    assert code == 0 and len(out.splitlines()) == 6
    received = made[made["status"] == "received"]["tracking_code"].iloc[0]
    assert cli("requests", "accept", received, "--tier", "重大")[0] == 0
    assert cli("requests", "transfer", received, "--department", "城管")[0] == 0
    assert cli("requests", "extend", received, "--days", "3", "--reason", "材料未到")[0] == 0
    assert cli("requests", "answer", received, "--text", "已办")[0] == 0
    code, out, _ = cli("requests", "close", received)
    assert code == 0 and "已办结" in out
    shown = json.loads(cli("requests", "show", received)[1])
    assert [e["kind"] for e in shown["events"]][-5:] == [
        "accepted", "transferred", "extended", "answered", "closed",
    ]  # fmt: skip
    code, _, err = cli("requests", "close", received)
    assert code == 2 and "cannot be closed" in err and err.count("\n") == 1
    code, _, err = cli("requests", "extend", "ZZZZZZZZZZ", "--days", "1", "--reason", "x")
    assert code == 2 and "no such request" in err
