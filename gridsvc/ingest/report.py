"""The import report: counts for the terminal, and the rejected rows kept in a CSV for Excel."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridsvc.cells import neutralise_frame
from gridsvc.ingest.registers import Issue

PRIVATE = 0o600  # the report repeats names, phones and addresses


@dataclass
class ImportReport:
    """What an import read, accepted and rejected, and why."""

    kind: str
    file: str
    encoding: str
    columns: str
    crs: str = ""
    crs_fractions: dict[str, dict[str, float | None]] = field(default_factory=dict)
    rows_read: int = 0
    blank_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: list[str] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    batch_id: int | None = None
    report_path: str | None = None

    @property
    def accepted(self) -> int:
        return self.new + self.updated + self.unchanged

    def rejected_by_reason(self) -> dict[str, int]:
        return dict(Counter(issue.reason for issue in self.rejected).most_common())

    def warnings_by_reason(self) -> dict[str, int]:
        return dict(Counter(issue.reason for issue in self.warnings).most_common())

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file,
            "encoding": self.encoding,
            "columns": self.columns,
            "crs": self.crs,
            "crs_fractions": self.crs_fractions,
            "rows_read": self.rows_read,
            "blank_rows": self.blank_rows,
            "accepted": self.accepted,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved": len(self.moved),
            "moved_codes": self.moved[:1000],
            "rejected": len(self.rejected),
            "rejected_by_reason": self.rejected_by_reason(),
            "warnings_by_reason": self.warnings_by_reason(),
            "batch_id": self.batch_id,
            "report_path": self.report_path,
        }

    def summary(self) -> str:
        lines = [
            f"{self.file}: {self.kind}, {self.encoding}; {self.columns}",
            f"coordinates: {self.crs}"
            + (
                f" (auto; shares of points by system: {self.crs_fractions})"
                if self.crs_fractions
                else ""
            ),
            f"read {self.rows_read} rows ({self.blank_rows} blank lines skipped): accepted "
            f"{self.accepted} (new {self.new}, updated {self.updated}, unchanged "
            f"{self.unchanged}; moved {len(self.moved)}), rejected {len(self.rejected)}",
        ]
        lines += [f"  rejected {n}: {reason}" for reason, n in self.rejected_by_reason().items()]
        lines += [f"  warning {n}: {reason}" for reason, n in self.warnings_by_reason().items()]
        if self.report_path:
            lines.append(f"row-by-row report: {self.report_path}")
        return "\n".join(lines)


def write_issues(report: ImportReport, original: pd.DataFrame, path: Path) -> Path:
    """Rejected and warned rows with their reasons and the original cells (UTF-8 with BOM),
    readable by the owner only, with every cell safe to open in a spreadsheet."""
    issues = [("rejected", i) for i in report.rejected] + [("warning", i) for i in report.warnings]
    frame = pd.DataFrame(
        {
            "row": [i.row for _, i in issues],
            "status": [s for s, _ in issues],
            "reason": [i.reason for _, i in issues],
            "message": [i.message for _, i in issues],
        }
    )
    if issues:
        cells = original.loc[frame["row"]].reset_index(drop=True)
        frame = pd.concat([frame, cells], axis=1).sort_values(["row", "status"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig"))
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` with mode 0600 (also when the file was there before)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), PRIVATE)
        out.write(data)
