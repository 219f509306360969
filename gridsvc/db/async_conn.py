"""The async driver's connection, as the db functions for it take it: a pooled one or not."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

AsyncConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
