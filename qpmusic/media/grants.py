"""A short memory of who was just allowed to stream which file, so a player's seeks skip the DB.

A juror seeking through a recording sends a Range request for every jump; each would otherwise
repeat the same access query. Only granted, ready files are remembered, per process, for a few
seconds (``MEDIA_GRANT_SECONDS``): a role taken away or a file removed takes effect after at
most that long. Logging out ends it at once, because the session no longer carries the token.
"""

import time
from collections import OrderedDict
from threading import Lock


class GrantCache:
    def __init__(self, seconds: float, size: int = 4096):
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        if self.seconds <= 0:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del self._items[key]
                return None
            return value

    def put(self, key, value) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
