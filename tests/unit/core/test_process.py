from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from veille.errors import Conflict
from veille.process import (
    LOCK_FILE,
    DataFolderLocked,
    PortUnavailable,
    freeze_long_lived_objects,
    listening_socket,
    lock_data_folder,
)


def test_freezing_moves_existing_objects_out_of_the_collector() -> None:
    kept = [object() for _ in range(100)]
    try:
        freeze_long_lived_objects()
        assert gc.get_freeze_count() >= len(kept)
        # Objects made afterwards are still tracked and collected as usual.
        before = gc.get_freeze_count()
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


# -- the data folder's lock and the port -----------------------------------------------------------


def test_a_data_folder_is_locked_by_one_holder_at_a_time(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with lock_data_folder(folder) as held:
        assert held.path == folder / LOCK_FILE
        assert held.path.read_text().strip() == str(os.getpid())
        # flock locks belong to an open file: a second open, even in this process, is refused.
        with pytest.raises(DataFolderLocked) as refused:
            lock_data_folder(folder)
        assert refused.value.pid == os.getpid()
        assert str(refused.value) == (
            f"the data folder {folder} is in use by another hub (PID {os.getpid()}): "
            "stop it first, or give this one another --data folder"
        )
        assert isinstance(refused.value, Conflict)
    with lock_data_folder(folder):  # released: taken again at once
        pass


def test_the_lock_dies_with_the_process_that_held_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from veille.process import lock_data_folder; "
            "lock_data_folder(pathlib.Path(sys.argv[1])); print('locked', flush=True); sys.stdin.read()",
            str(folder),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(DataFolderLocked) as refused:
            lock_data_folder(folder)
        assert refused.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with lock_data_folder(folder):  # killed with SIGKILL: the kernel released it, nothing stale
        pass


def test_a_port_in_use_names_the_port_and_the_option(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortUnavailable) as refused:
            listening_socket("127.0.0.1", port)
    assert str(refused.value) == f"port {port} is already in use on 127.0.0.1: choose another one with --port"
    assert refused.value.field == "port"
    with listening_socket("127.0.0.1", 0) as free:
        assert free.getsockname()[1] > 0
    with pytest.raises(PortUnavailable) as elsewhere:  # TEST-NET-1: no interface of this machine
        listening_socket("192.0.2.1", 8000)
    assert str(elsewhere.value).startswith("cannot listen on 192.0.2.1:8000: ")
    assert str(elsewhere.value).endswith("(check --host)")
