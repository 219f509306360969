"""A private PostgreSQL + PostGIS cluster in the project's data folder (unix socket only)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gridsvc.errors import ConfigError, DatabaseError

PG_PORT = 5432  # only names the socket file: the cluster listens on no TCP port


@dataclass(frozen=True)
class LocalCluster:
    """A cluster kept under `data_dir`: `pgdata/` for the data, `run/` for the socket."""

    data_dir: Path
    bindir: Path | None = None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def url(self, dbname: str) -> str:
        """A libpq URL that psql, QGIS and psycopg2 accept."""
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}&port={PG_PORT}"

    def is_running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists() and self._ctl("status") == 0

    def up(self) -> None:
        """Create the cluster if needed and start it; harmless when it already runs."""
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if self.is_running():
            return
        self._prepare_dirs()
        opts = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            f"-c port={PG_PORT} -c max_connections=100 -c shared_buffers=256MB "
            "-c work_mem=32MB -c maintenance_work_mem=256MB"
        )
        code = self._ctl("start", "-w", "-t", "60", "-l", str(self.log_file), "-o", opts)
        if code != 0:
            tail = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise DatabaseError(f"PostgreSQL did not start (see {self.log_file}):\n{tail}")

    def down(self) -> None:
        """Stop the cluster if it runs."""
        if self.is_running():
            self._ctl("stop", "-m", "fast", "-w")

    def _initdb(self) -> None:
        self._prepare_dirs()
        cmd = [
            str(self._bin("initdb")),
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
        result = subprocess.run(self._as_owner(cmd), capture_output=True, text=True)
        if result.returncode != 0:
            raise DatabaseError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    def _ctl(self, *args: str) -> int:
        cmd = [str(self._bin("pg_ctl")), "-D", str(self.pgdata), *args]
        result = subprocess.run(self._as_owner(cmd), capture_output=True, text=True)
        return result.returncode

    def _prepare_dirs(self) -> None:
        for folder in (self.data_dir, self.pgdata, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            owner = pwd.getpwnam("postgres")
            for folder in (self.pgdata, self.socket_dir):
                os.chown(folder, owner.pw_uid, owner.pw_gid)
            self.pgdata.chmod(0o700)
            if not self.log_file.exists():
                self.log_file.touch()
            os.chown(self.log_file, owner.pw_uid, owner.pw_gid)

    @staticmethod
    def _as_owner(cmd: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return cmd
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ConfigError(
                "running as root needs the `postgres` user (apt-get install postgresql-15)"
            ) from exc
        return ["runuser", "-u", "postgres", "--", *cmd]

    def _bin(self, name: str) -> Path:
        candidates = (
            [self.bindir]
            if self.bindir
            else sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        )
        for folder in candidates:
            if folder and (folder / name).exists():
                return folder / name
        found = shutil.which(name)
        if found:
            return Path(found)
        raise ConfigError(f"{name} not found: install PostgreSQL 15 (make setup does it)")
