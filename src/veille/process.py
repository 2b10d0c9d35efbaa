"""What a long-running hub process claims and tunes: its data folder, its port, the collector.

The commands that run the hub (``serve``, ``demo``, ``worker``) take the data folder's lock before
anything writes, then bind the port before anything is printed: a second hub on the same folder, or
a port already taken, is a one-line error and nothing has started.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from veille.errors import Conflict, Invalid

__all__ = [
    "LOCK_FILE",
    "DataFolderLock",
    "DataFolderLocked",
    "PortUnavailable",
    "freeze_long_lived_objects",
    "listening_socket",
    "lock_data_folder",
]

LOCK_FILE = "veille.lock"


def freeze_long_lived_objects() -> None:
    """Keep what the hub has built so far (models, gazetteer, language tables) out of the collector.

    Those objects live as long as the process, yet every full garbage collection walked them: about
    15 % of the enrichment chain's time in ``veille bench enrich``. Called once per process, after
    the hub is built; objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()


# -- the data folder ---------------------------------------------------------------------------


class DataFolderLocked(Conflict):
    """Another process holds the data folder's lock (``pid``: its process id, when it could be read)."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        holder = f"PID {pid}" if pid is not None else "a process whose PID could not be read"
        super().__init__(
            f"the data folder {folder} is in use by another hub ({holder}): "
            "stop it first, or give this one another --data folder",
            field="data_dir",
        )
        self.folder = folder
        self.pid = pid


@dataclass
class DataFolderLock:
    """The held lock of a data folder; the OS releases it when the process ends, however it ends."""

    path: Path
    _fd: int | None

    def release(self) -> None:
        if self._fd is None:
            return
        # The file stays (removing it would let a third process lock a new file while a second one
        # holds the old one); its PID is only read by someone who fails to take the lock.
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the last descriptor releases the flock
        self._fd = None

    def __enter__(self) -> DataFolderLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def lock_data_folder(folder: Path) -> DataFolderLock:
    """Take the exclusive lock of ``folder`` (created if missing) and write our PID into it.

    An ``flock`` on ``folder/veille.lock``, not a PID file: the kernel drops it when the process
    dies, even by SIGKILL, so there is never a stale lock to clean. Raises :class:`DataFolderLocked`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _holder_pid(fd)
        os.close(fd)
        raise DataFolderLocked(folder, pid) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return DataFolderLock(path, fd)


def _holder_pid(fd: int) -> int | None:
    """The PID the holder wrote (it writes right after locking: wait a moment for it)."""
    deadline = time.monotonic() + 1.0
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


# -- the port ----------------------------------------------------------------------------------


class PortUnavailable(Invalid):
    """The address cannot be listened on (taken, not ours, or not an address of this machine)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (``port`` 0: any free port).

    Bound here rather than inside uvicorn so that a taken port is known before the hub prints its
    address or builds anything; connections that arrive while the hub starts wait in the backlog.
    Raises :class:`PortUnavailable` naming the address and the option to change.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise PortUnavailable(f"--host: cannot listen on {host!r}: {error.strerror}", field="host") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # As uvicorn does: a restart may bind while the old process's connections sit in TIME_WAIT
        # (a live listener still makes the bind fail).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
        if error.errno == errno.EADDRINUSE:
            message = f"port {port} is already in use on {host}: choose another one with --port"
            raise PortUnavailable(message, field="port") from None
        if error.errno == errno.EACCES:
            message = f"cannot listen on {where}: permission denied: choose a port above 1023 with --port"
            raise PortUnavailable(message, field="port") from None
        message = f"cannot listen on {where}: {error.strerror} (check --host)"
        raise PortUnavailable(message, field="host") from None
    sock.set_inheritable(False)
    return sock
