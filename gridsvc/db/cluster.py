"""A private PostgreSQL + PostGIS cluster in the project's data folder (unix socket only)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gridsvc.db import roles
from gridsvc.errors import ConfigError, DatabaseError

PG_PORT = 5432  # only names the socket file: the cluster listens on no TCP port
CONFIG_FILE = "gridsvc.conf"  # included by postgresql.conf; rewritten by every `up`

# The log must not carry personal data: psycopg2 sends values inside the statement text, so a
# logged statement (or a constraint's DETAIL, "Failing row contains ...") would hold names and
# phones. Errors are logged tersely and without their statement.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "port": str(PG_PORT),
    "unix_socket_permissions": "0700",
    "max_connections": "300",  # a serving worker holds 2 x pool_size (16): 16 workers fit
    "shared_buffers": "256MB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "password_encryption": "'scram-sha-256'",
    "log_statement": "'none'",
    "log_min_duration_statement": "-1",
    "log_min_error_statement": "'panic'",
    "log_error_verbosity": "'terse'",
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
    "log_connections": "off",
    "log_disconnections": "off",
    "log_file_mode": "0600",
}


@dataclass(frozen=True)
class LocalCluster:
    """A cluster kept under `data_dir`: `pgdata/` for the data, `run/` for the socket. Only
    the service user (`postgres` when run by root, else the user running it) and root can
    reach the socket; they authenticate by peer, mapped onto gridsvc's roles."""

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

    def url(self, dbname: str, role: str = roles.ADMIN_ROLE) -> str:
        """A libpq URL that psql, QGIS and psycopg2 accept, for `role` (default: the
        superuser, for the operator; the service uses roles.APP_ROLE)."""
        return f"postgresql://{role}@/{dbname}?host={self.socket_dir}&port={PG_PORT}"

    def is_running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists() and self._ctl("status") == 0

    def up(self) -> None:
        """Create the cluster if needed, (re)apply its access rules and start it; harmless
        when it already runs (changed rules are then reloaded). The roles exist afterwards."""
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._prepare_dirs()
        changed = self._write_config()
        if self.is_running():
            if changed:
                self._ctl("reload")
        else:
            code = self._ctl("start", "-w", "-t", "60", "-l", str(self.log_file))
            if code != 0:
                tail = self.log_file.read_text(errors="replace")[-2000:]
                raise DatabaseError(f"PostgreSQL did not start (see {self.log_file}):\n{tail}")
        roles.ensure_roles(self.url("postgres"))

    def down(self) -> None:
        """Stop the cluster if it runs."""
        if self.is_running():
            self._ctl("stop", "-m", "fast", "-w")

    def os_users(self) -> list[str]:
        """Who may connect: the service user, and whoever runs gridsvc (root, when so)."""
        return sorted({self._service_user(), _current_user()})

    def _initdb(self) -> None:
        self._prepare_dirs()
        cmd = [
            str(self._bin("initdb")),
            "-D",
            str(self.pgdata),
            "-U",
            roles.ADMIN_ROLE,
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
        result = subprocess.run(self._as_owner(cmd), capture_output=True, text=True)
        if result.returncode != 0:
            raise DatabaseError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    def _write_config(self) -> bool:
        """Server settings, peer authentication and the user map; True if any file changed."""
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        ident = [
            f"gridsvc {user} {role}"
            for user in self.os_users()
            for role in (roles.ADMIN_ROLE, roles.OWNER_ROLE, roles.APP_ROLE)
        ]
        files = {
            CONFIG_FILE: "".join(f"{k} = {v}\n" for k, v in settings.items()),
            # the socket only, and only for the OS users of the map: never `trust`
            "pg_hba.conf": "local all all peer map=gridsvc\n",
            "pg_ident.conf": "\n".join(ident) + "\n",
        }
        changed = False
        for name, text in files.items():
            changed |= self._write(self.pgdata / name, "# written by gridsvc\n" + text)
        main = self.pgdata / "postgresql.conf"
        include = f"include_if_exists = '{CONFIG_FILE}'\n"
        if include not in main.read_text():
            with main.open("a") as out:
                out.write(include)
            changed = True
        return changed

    def _write(self, path: Path, text: str) -> bool:
        if path.exists() and path.read_text() == text:
            return False
        path.write_text(text)
        path.chmod(0o600)
        self._give_to_service_user(path)
        return True

    def _ctl(self, *args: str) -> int:
        cmd = [str(self._bin("pg_ctl")), "-D", str(self.pgdata), *args]
        result = subprocess.run(self._as_owner(cmd), capture_output=True, text=True)
        return result.returncode

    def _prepare_dirs(self) -> None:
        """The data and socket folders 0700 and the log 0600, all the service user's."""
        for folder in (self.data_dir, self.pgdata, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.log_file.touch(exist_ok=True)
        for path, mode in ((self.pgdata, 0o700), (self.socket_dir, 0o700), (self.log_file, 0o600)):
            self._give_to_service_user(path)
            path.chmod(mode)

    def _give_to_service_user(self, path: Path) -> None:
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            owner = pwd.getpwnam(self._service_user())
            os.chown(path, owner.pw_uid, owner.pw_gid)

    @staticmethod
    def _service_user() -> str:
        if os.geteuid() != 0:
            return _current_user()
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ConfigError(
                "running as root needs the `postgres` user (apt-get install postgresql-15)"
            ) from exc
        return "postgres"

    def _as_owner(self, cmd: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return cmd
        return ["runuser", "-u", self._service_user(), "--", *cmd]

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


def _current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name
