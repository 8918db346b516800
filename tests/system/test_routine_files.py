"""Where the routine comes from: anything but a regular file is refused
without blocking (a FIFO, a folder, a device, a socket), and a reload reads
again the file calfd runs on, never another one and never the built-in
routine in its place (a calfd on the built-in routine takes a file written
since)."""

import os
import socket
import subprocess
import time

import pytest

from calfsys import (CALFD, EX_CONFIG, clean_env, routine_text, session_ini)


def check_config(path, env=None):
    """calfd --check-config -c PATH; a hang fails the test, not the suite."""
    return subprocess.run([str(CALFD), "--check-config", "-c", str(path)],
                          capture_output=True, text=True, timeout=10,
                          env=env or clean_env(), stdin=subprocess.DEVNULL)


def make_fifo(p):
    os.mkfifo(p)


def make_dir(p):
    os.mkdir(p)


def make_socket(p):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(p))
    s.close()


@pytest.mark.parametrize("kind,make", [("a fifo", make_fifo),
                                       ("a directory", make_dir),
                                       ("a socket", make_socket)])
def test_check_config_refuses_what_is_not_a_regular_file(tmp_path, kind,
                                                         make):
    p = tmp_path / "routine.ini"
    make(p)
    t0 = time.monotonic()
    r = check_config(p)
    assert time.monotonic() - t0 < 5
    assert r.returncode == EX_CONFIG, r
    assert f"{p}: not a regular file ({kind})" in r.stderr, r


def test_check_config_refuses_a_device():
    r = check_config("/dev/null")
    assert r.returncode == EX_CONFIG, r
    assert "/dev/null: not a regular file (a character device)" in r.stderr


def test_reload_from_a_fifo_is_refused_and_calfd_keeps_answering(calf):
    d = calf.start(routine_text(session_ini("a", duration="5m")))
    before = d.status()
    d.config.unlink()
    os.mkfifo(d.config)
    t0 = time.monotonic()
    r = d.ctl("reload", timeout=10)
    assert time.monotonic() - t0 < 5
    assert r.rc == 1, r
    assert f"{d.config}: not a regular file (a fifo)" in r.err, r
    after = d.status()
    assert after["source"] == before["source"] == str(d.config)
    assert d.ctl_json("start", "a") == {"session": "a"}


def xdg_daemon(calf, tmp_path):
    """calfd started with no -c, finding $XDG_CONFIG_HOME/calf/routine.ini."""
    xdg = tmp_path / "xdg"
    (xdg / "calf").mkdir(parents=True)
    d = calf.daemon(None, config=False, env=clean_env(XDG_CONFIG_HOME=str(xdg)))
    return d, xdg / "calf" / "routine.ini"


def test_reload_after_the_found_file_is_removed_is_refused(calf, tmp_path):
    d, path = xdg_daemon(calf, tmp_path)
    path.write_text(routine_text(session_ini("mine", duration="5m")))
    d.start()
    assert d.status()["source"] == str(path)
    path.unlink()
    r = d.ctl("reload")
    assert r.rc == 1, r
    assert str(path) in r.err and "built-in" not in r.out, r
    assert d.status()["source"] == str(path)
    assert d.ctl_json("start", "mine") == {"session": "mine"}
    # The file back: the reload reads it again.
    path.write_text(routine_text(session_ini("mine", duration="5m"),
                                 session_ini("more", duration="5m")))
    assert d.ctl_json("reload") == {"source": str(path), "sessions": 3}


def test_reload_through_a_dangling_link_is_refused(calf, tmp_path):
    d, path = xdg_daemon(calf, tmp_path)
    target = tmp_path / "dotfiles-routine.ini"
    target.write_text(routine_text(session_ini("mine", duration="5m")))
    path.symlink_to(target)
    d.start()
    target.unlink()
    r = d.ctl("reload")
    assert r.rc == 1, r
    assert f"{path}: cannot open" in r.err, r
    assert d.status()["source"] == str(path)


def test_a_dangling_link_in_the_search_order_is_an_error_at_start(tmp_path):
    xdg = tmp_path / "xdg"
    (xdg / "calf").mkdir(parents=True)
    (xdg / "calf" / "routine.ini").symlink_to(tmp_path / "gone.ini")
    r = subprocess.run([str(CALFD), "--check-config"], capture_output=True,
                       text=True, timeout=10,
                       env=clean_env(XDG_CONFIG_HOME=str(xdg)))
    assert r.returncode == EX_CONFIG, r
    assert "routine.ini: cannot open" in r.stderr, r


def test_started_on_the_built_in_routine_a_reload_takes_a_file_written_since(
        calf, tmp_path):
    xdg = tmp_path / "xdg"
    d = calf.daemon(None, config=False, env=clean_env(XDG_CONFIG_HOME=str(xdg)))
    d.start()
    n = d.status()
    assert n["source"] == "built-in"
    # With no file yet, a reload finds none and keeps the built-in routine.
    assert d.ctl_json("reload")["source"] == "built-in"
    # The built-in routine stands in for a missing file: once one is
    # written, a reload takes it (a new user's first routine).
    mine = xdg / "calf" / "routine.ini"
    mine.parent.mkdir(parents=True)
    mine.write_text(routine_text(session_ini("mine", duration="5m")))
    r = d.ctl_json("reload")
    assert r["source"] == str(mine), r
    # From then on calfd stays on that file: gone, it is not replaced.
    mine.unlink()
    r = d.ctl("reload")
    assert r.rc != 0, r
    assert d.status()["source"] == str(mine)


QUIET = "[calfd]\nquiet = 22:00-07:00\n\n"


def test_check_config_warns_of_a_prompt_quiet_hours_always_hide(tmp_path):
    p = tmp_path / "routine.ini"
    p.write_text(QUIET + "[late]\nat = 12:00 23:00\nduration = 5m\n\n"
                 "[early]\nat = 06:30\nduration = 5m\n\n"
                 "[patient]\nat = 23:00\nwindow = 9h\nduration = 5m\n")
    r = check_config(p)
    assert r.returncode == 0, r
    warnings = [ln for ln in r.stderr.splitlines() if "warning:" in ln]
    assert len(warnings) == 1, r.stderr
    assert warnings[0].startswith(f"{p}:5: warning: [late] is due at 23:00 "
                                  "in the quiet hours 22:00-07:00"), r.stderr
    assert "longer than 8h" in warnings[0]
    assert len(r.stdout.splitlines()) == 3


def test_check_config_warns_once_for_an_interval_session(tmp_path):
    p = tmp_path / "routine.ini"
    p.write_text(QUIET + "[hourly]\nevery = 1h\nduration = 5m\n")
    r = check_config(p)
    assert r.returncode == 0, r
    warnings = [ln for ln in r.stderr.splitlines() if "warning:" in ln]
    assert len(warnings) == 1, r.stderr
    assert warnings[0].startswith(f"{p}:5: warning: [hourly] is due 9 times "
                                  "(from 22:00)"), r.stderr
