"""The control socket under attack or accident: no chmod after bind (it
would follow a symlink swapped in at the path), and a socket file deleted
under a running calfd comes back."""

import os
import shutil
import signal
import subprocess
import time

import pytest

from calfsys import RawClient, routine_text, session_ini

TEXT = routine_text(session_ini("soak", duration="1h"))


def wait_answering(d, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = d.ctl("--json", "version", timeout=5)
        if r.rc == 0:
            return r
        time.sleep(0.05)
    raise AssertionError(f"calfd does not answer at {d.sock}:\n{d.stderr()}")


def test_a_deleted_socket_is_made_again(calf):
    d = calf.start(TEXT)
    keep = d.raw()          # a client connected before survives anyway
    d.sock.unlink()
    wait_answering(d)
    assert d.ctl("start", "soak").rc == 0
    assert keep.request("status")["data"]["running"][0]["session"] == "soak"
    assert "listening there again" in d.stderr()
    # Again: the watch follows the new socket.
    d.sock.unlink()
    wait_answering(d)
    assert d.stop() == 0
    d.expect_dead = True
    assert not d.sock.exists()


def test_another_socket_put_there_is_left_alone(calf, tmp_path):
    d = calf.start(TEXT)
    other = d.sock.parent / "other"
    os.mkfifo(other)
    os.rename(other, d.sock)    # not ours, not a socket: not taken over
    time.sleep(0.5)
    assert d.sock.exists() and not d.sock.is_socket()
    assert d.alive()
    d.sock.unlink()
    wait_answering(d)


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_no_chmod_after_bind(calf, tmp_path):
    trace = tmp_path / "trace"
    d = calf.daemon(TEXT)
    d.argv = ["strace", "-f", "-qq", "-o", str(trace),
              "-e", "trace=chmod,fchmodat,lchown,chown"] + d.argv
    d.start(wait=False)
    r = wait_answering(d, timeout=30)
    pid = r.json["calfd"]["pid"] if "calfd" in r.json else r.json["pid"]
    os.kill(pid, signal.SIGTERM)
    d.proc.wait(timeout=10)
    d.expect_dead = True
    calls = [ln for ln in trace.read_text().splitlines()
             if str(d.sock) in ln]
    assert calls == [], calls
