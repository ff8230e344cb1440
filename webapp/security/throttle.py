"""Sign-in attempts per account, per (account, address) and per address; sliding windows.

Account lock-out (engine) stops guessing one password; these limits refuse before a password is
even checked. Only failures use them up (a right password gives its attempt back), and the limits
are kept per account and per account from one address, so many people behind one proxy or office
address never pay for one person's mistakes. The per-address limit is generous: it is there
against one address trying many accounts (password spraying), not against colleagues.

With several web workers each keeps its own windows; put a proxy limit in front for a hard
global cap.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

PER_ACCOUNT_AND_ADDRESS = 10
PER_ACCOUNT = 30
PER_ADDRESS = 100
WINDOW = timedelta(minutes=5)
# A flood of refusals is recorded once a minute per limit, with how many it stands for: the
# audit trail cannot be deleted from, so an attacker must not be able to grow it at will.
RECORD_EVERY = timedelta(minutes=1)

ACCOUNT_AND_ADDRESS, ACCOUNT, ADDRESS = "account and address", "account", "address"


@dataclass(frozen=True)
class Refusal:
    """An attempt refused by ``limit``; ``record`` says whether to audit it now, standing for
    ``refused`` refusals of that limit since its last record (this one included)."""

    limit: str
    record: bool
    refused: int


@dataclass(frozen=True)
class Attempt:
    """An attempt counted against every limit; give it back with :meth:`SignInThrottle.forgive`."""

    keys: tuple[tuple[str, ...], ...]
    moment: datetime


class SignInThrottle:
    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        per_account_and_address: int = PER_ACCOUNT_AND_ADDRESS,
        per_account: int = PER_ACCOUNT,
        per_address: int = PER_ADDRESS,
        window: timedelta = WINDOW,
    ):
        self.now, self.window = now, window
        self.limits = {
            ACCOUNT_AND_ADDRESS: per_account_and_address,
            ACCOUNT: per_account,
            ADDRESS: per_address,
        }
        self._attempts: dict[tuple[str, ...], deque[datetime]] = {}
        self._refusals: dict[tuple[str, ...], tuple[datetime, int]] = {}  # last record, pending
        self._sweep_above = 1024
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str) -> Attempt | Refusal:
        """Count an attempt, or refuse it (counting nothing) when one of its limits is used up."""
        account = username.casefold()
        keys = {
            ACCOUNT_AND_ADDRESS: (ACCOUNT_AND_ADDRESS, account, address),
            ACCOUNT: (ACCOUNT, account),
            ADDRESS: (ADDRESS, address),
        }
        moment = self.now()
        with self._lock:
            self._sweep(moment)
            for limit, key in keys.items():
                if len(self._recent(key, moment)) >= self.limits[limit]:
                    return self._refuse(limit, key, moment)
            for key in keys.values():
                self._attempts.setdefault(key, deque()).append(moment)
        return Attempt(tuple(keys.values()), moment)

    def forgive(self, attempt: Attempt) -> None:
        """A right password: its attempt no longer counts against anyone."""
        with self._lock:
            for key in attempt.keys:
                attempts = self._attempts.get(key)
                if attempts is not None and attempt.moment in attempts:
                    attempts.remove(attempt.moment)

    def _recent(self, key: tuple[str, ...], moment: datetime) -> deque[datetime]:
        attempts = self._attempts.get(key, deque())
        while attempts and moment - attempts[0] > self.window:
            attempts.popleft()
        return attempts

    def _refuse(self, limit: str, key: tuple[str, ...], moment: datetime) -> Refusal:
        last, pending = self._refusals.get(key, (None, 0))
        pending += 1
        if last is None or moment - last >= RECORD_EVERY:
            self._refusals[key] = (moment, 0)
            return Refusal(limit, record=True, refused=pending)
        self._refusals[key] = (last, pending)
        return Refusal(limit, record=False, refused=pending)

    def _sweep(self, moment: datetime) -> None:
        """Forget windows that emptied, so made-up usernames cannot grow memory for ever."""
        if len(self._attempts) + len(self._refusals) <= self._sweep_above:
            return
        for key in list(self._attempts):
            if not self._recent(key, moment):
                del self._attempts[key]
        for key, (last, _pending) in list(self._refusals.items()):
            if moment - last > self.window and key not in self._attempts:
                del self._refusals[key]
        self._sweep_above = max(1024, 2 * (len(self._attempts) + len(self._refusals)))
