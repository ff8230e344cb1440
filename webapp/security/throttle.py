"""Sign-in attempts per client address: a sliding window, per process.

Account lock-out (engine) stops guessing one password; this stops one
address from trying many accounts. With several web workers each keeps its own
window; put a proxy limit in front for a hard global cap.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timedelta


class SignInThrottle:
    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        limit: int = 20,
        window: timedelta = timedelta(minutes=5),
    ):
        self.now, self.limit, self.window = now, limit, window
        self._attempts: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        """Record an attempt; False when the address has used up its window."""
        moment = self.now()
        with self._lock:
            attempts = self._attempts[address]
            while attempts and moment - attempts[0] > self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return False
            attempts.append(moment)
            return True
