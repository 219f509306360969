"""API keys already checked, trusted for a bounded time by each server process."""

from __future__ import annotations

import time
from collections.abc import Callable

from gridsvc.access import Actor

LIMIT = 10_000  # keys remembered at most (all forgotten at once past that: no unbounded growth)


class KeyCache:
    """Key -> the actor it stood for when checked, for `seconds` (GRIDSVC_KEY_CACHE_S): a key
    revoked meanwhile keeps working in a process that checked it for at most that long. Only
    known keys are kept, so a flood of wrong keys still asks the store every time."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._known: dict[str, tuple[float, Actor]] = {}

    def get(self, key: str) -> Actor | None:
        found = self._known.get(key)
        if found is None:
            return None
        if found[0] <= self.clock():
            del self._known[key]
            return None
        return found[1]

    def put(self, key: str, actor: Actor) -> None:
        if self.seconds <= 0:
            return
        if len(self._known) >= LIMIT:
            self._known.clear()
        self._known[key] = (self.clock() + self.seconds, actor)
