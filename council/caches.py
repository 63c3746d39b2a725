"""A bounded, thread-safe map for what a process keeps in memory (pages, fragments, powers)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class BoundedCache:
    """A thread-safe map of at most `max_bytes` of values (as their callers measure them); the
    least recently used go first. A value larger than an eighth of it is not kept."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self.lock:
            found = self.items.get(key)
            if found is None:
                return None
            self.items.move_to_end(key)
        return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes // 8:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, size)
            self.size += size
            while self.size > self.max_bytes:
                _key, (_value, dropped) = self.items.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0
