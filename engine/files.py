"""Files only their owner may read: the SQLite database (and its WAL and shared memory), backups,
keys, and the folders that hold them.

The process umask is not ours to trust (022 on most systems makes new files 0644, readable by
every local account), so such files are created with mode 0600 and folders with 0700 explicitly.
SQLite gives its ``-wal``, ``-shm`` and ``-journal`` files the mode of the database file, so a
database created 0600 keeps them 0600 too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger("engine")
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700; folders that exist are left as they are."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=OWNER_ONLY_DIR)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600; refuses (FileExistsError) when it exists."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE))


def write_private_text(path: Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` to ``path`` with mode 0600, all at once, through a fresh temporary file.

    With ``replace`` false an existing file is kept (another process made the same key first)
    and False is returned. Keys are written this way, so none is ever half-written or readable
    by others, even for a moment.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    try:
        if replace:
            tmp.replace(path)
            return True
        try:
            os.link(tmp, path)  # atomic, and refuses to replace a file another process made
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def narrow(path: Path) -> None:
    """Take away what group and others may do with an existing file (never adds a permission)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        try:
            path.chmod(mode & OWNER_ONLY_DIR)
        except OSError as err:
            log.warning("%s is readable by other accounts and cannot be narrowed: %s", path, err)
        else:
            log.warning("%s was readable by other accounts: now owner-only", path)


def private_sqlite_file(path: Path) -> None:
    """Before SQLite opens ``path``: create it 0600 when absent, else narrow it and its side files.

    SQLite takes an empty file as a new database, and makes its side files with the main file's
    mode.
    """
    with contextlib.suppress(OSError):  # it exists; or SQLite will say plainly why it cannot be
        create_private_file(path)
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        narrow(candidate)
