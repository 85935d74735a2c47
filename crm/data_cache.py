"""Results kept per process while the data they were computed from stay the same.

The coverage of a district quarter takes about half a second to compute at 50,000 enterprises,
and the dashboard, the report, its drill-down lists, the export and the trends all ask for it
again and again between two visits being logged. Each result is kept under the coverage data
stamps (`crm.data_version`), which database triggers change in the same transaction as any
write to the engine's tables, whatever wrote it: a result is reused only while nobody changed
those tables, in this process or another. A visit changes only its own quarter's stamp, so
past quarters stay computed while today's visits are logged. No stamp, no reuse.

Values are shared between requests and threads: callers must treat them as read-only (numpy
arrays are handed out with writing switched off, so a mistake fails loudly).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
from flask import current_app

from crm import data_version

T = TypeVar("T")

#: Results kept per process; a district quarter's coverage is about 6 MB at 50,000 enterprises (measured).
DEFAULT_SIZE = 16


class _Store:
    """A small least-recently-used store, safe for the threads of one worker."""

    def __init__(self) -> None:
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
            self.misses += 1
            return None

    def put(self, key: tuple, value: Any, size: int) -> None:
        """Store `value`; what the same computation gave under an older stamp (key[2]) goes:
        nobody will ask for it again."""
        with self.lock:
            for old in [k for k in self.items if k[:2] == key[:2] and k[3:] == key[3:]]:
                del self.items[old]
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > size:
                self.items.popitem(last=False)


def _store() -> _Store:
    return current_app.extensions.setdefault("crm_data_cache", _Store())


def remember(name: str, key: Hashable, compute: Callable[[], T], *, quarter=None) -> T:
    """compute(), or what it returned for the same name and key while the coverage data stamp
    was what it is now. `key` must hold every other input of `compute` (today, filters,
    settings). With `quarter`, compute may read that quarter's visits (and no other's): a
    visit logged in another quarter leaves the result valid. Without it, compute must not
    read visits at all."""
    size = int(current_app.config.get("DATA_CACHE_SIZE", DEFAULT_SIZE))
    stamp = data_version.coverage_stamp(quarter) if size > 0 else None
    if stamp is None:
        return compute()
    store, full_key = _store(), (name, str(quarter), stamp, key)
    found = store.get(full_key)
    if found is None:
        found = _read_only(compute())
        store.put(full_key, found, size)
    return found


def remember_under(stamp_name: str, name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or what it returned for the same name and key while the `stamp_name` stamp
    (crm.data_version) was what it is now; `compute` must read only the tables behind that
    stamp, and `key` hold every other input. Values that are not arrays are not write-protected:
    callers must treat them as read-only."""
    size = int(current_app.config.get("DATA_CACHE_SIZE", DEFAULT_SIZE))
    stamp = data_version.current(stamp_name) if size > 0 else None
    if stamp is None:
        return compute()
    store, full_key = _store(), (name, stamp_name, stamp, key)
    found = store.get(full_key)
    if found is None:
        found = _read_only(compute())
        store.put(full_key, found, size)
    return found


def statistics() -> dict:
    """Hits, misses and entries of this process's store (for the benchmark and tests)."""
    store = _store()
    return {"hits": store.hits, "misses": store.misses, "entries": len(store.items)}


def _read_only(value: T) -> T:
    """Switch off writing on the numpy arrays inside `value` (a tuple, dict or array)."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            _read_only(item)
    elif isinstance(value, tuple):
        for item in value:
            _read_only(item)
    return value
