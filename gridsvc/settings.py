"""Settings from GRIDSVC_* environment variables, built on demand (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """gridsvc's settings; `GRIDSVC_DATABASE_URL`, `GRIDSVC_PORT`, ... override the defaults."""

    model_config = SettingsConfigDict(env_prefix="GRIDSVC_")

    database_url: str | None = Field(
        default=None, description="A PostGIS server to use instead of the private cluster."
    )
    data_dir: Path = Field(
        default=Path(".gridsvc"), description="Folder of the private cluster (git-ignored)."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="HTTP server processes (default: one per core)",
    )
    maps_dir: Path = Field(default=Path("maps"), description="where rendered maps are kept")
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="base of the URLs printed in QR codes"
    )
    tiles_url: str | None = Field(
        default=None, description="a local tile server, e.g. http://10.0.0.5/{z}/{x}/{y}.png"
    )
    pool_size: int = Field(default=8, description="database connections per server process")
    lookup_pool_size: int = Field(
        default=2,
        ge=1,
        le=64,
        description="connections per server process for the hot look-ups (asyncpg): about the "
        "database's cores over the workers; more only queue on its CPU and lengthen the tail",
    )
    key_cache_s: float = Field(
        default=30.0,
        ge=0,
        le=300,
        description="an API key, once checked, is trusted this long by each server process "
        "(seconds): a revoked key may still work for up to this long (0: checked every time)",
    )
    statement_timeout_s: float = Field(
        default=600.0,
        gt=0,
        description="longest single SQL statement of a gridsvc session (generous: runs, imports)",
    )
    idle_in_transaction_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="a session idle inside a transaction this long is ended (its locks freed)",
    )
    visit_key_days: int = Field(
        default=30, ge=1, le=366, description="a key household is due a visit this often (days)"
    )
    visit_overdue_days: int = Field(
        default=90, ge=1, le=730, description="any other household is due a visit this often"
    )
    rota_per_day: int = Field(
        default=2, ge=1, le=20, description="representatives on duty per station and day"
    )
    allowed_hosts: str = Field(
        default="",
        description="Host headers the API answers, comma-separated (default: 127.0.0.1, "
        "localhost, ::1, the host of GRIDSVC_HOST and of GRIDSVC_PUBLIC_URL); `*` for any",
    )
    request_days_onsite: int = Field(
        default=0, ge=0, description="当场 requests: working days to answer (0: the same day)"
    )
    request_days_ordinary: int = Field(
        default=22, ge=1, description="一般 requests: working days to settle (about a month)"
    )
    request_days_major: int = Field(
        default=66, ge=1, description="重大 requests: working days to settle (about three months)"
    )
    request_warn_days: int = Field(
        default=3, ge=0, description="a request is due soon this many working days before"
    )
    request_holidays_dir: Path | None = Field(
        default=None,
        description="folder of State Council schedules (<year>.json) for years past the package",
    )
    request_limit_ip_hour: int = Field(default=10, ge=1, description="requests per IP per hour")
    request_limit_phone_day: int = Field(default=5, ge=1, description="requests per phone per day")
    request_limit_rep_hour: int = Field(
        default=60, ge=1, description="requests per representative per hour"
    )
    request_photo_mb: float = Field(default=8.0, gt=0, description="largest photo accepted, MB")
    session_idle_s: float = Field(
        default=1800.0, gt=0, description="a log-in session unused this long ends (seconds)"
    )
    session_absolute_s: float = Field(
        default=43200.0, gt=0, description="a log-in session ends this long after log-in"
    )
    cookie_secure: bool = Field(
        default=False,
        description="mark the session cookie Secure (set when served behind HTTPS; requests "
        "that arrive over https get it anyway)",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="failed log-ins in a row that lock an account"
    )
    login_lockout_s: float = Field(
        default=900.0, gt=0, description="how long a locked account stays locked (seconds)"
    )
