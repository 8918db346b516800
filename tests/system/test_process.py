"""calfd as a process (doc/daemon.md "Running it", "Time"): signals, start-up
errors, one daemon per socket, stale sockets, private folders, idle cost,
and the minute-long window and reminder checks."""

import os
import signal
import socket
import stat
import time

import pytest

from calfsys import (EX_CONFIG, LATE_MAX_US, US, assert_on_time, clean_env,
                     ctl, future, hms, routine_text, session_ini,
                     sleep_until)


# --- lifecycle of the process -------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT],
                         ids=["SIGTERM", "SIGINT"])
def test_signal_stops_cleanly_and_removes_the_socket(calf, sig):
    d = calf.start(routine_text(session_ini("a", duration="5m")))
    w = d.watch()
    d.send_signal(sig)
    assert d.proc.wait(timeout=10) == 0
    d.expect_dead = True
    assert not d.sock.exists()
    assert w.proc.wait(timeout=5) == 69
    assert "went away" in w.stop()
    assert d.ctl("status").rc == 69


def test_a_routine_with_errors_stops_calfd_before_it_starts(calf):
    d = calf.daemon("[a]\nduration = 5m\nat = 7pm\n[b]\nduration = 0\n")
    d.start(wait=False)
    assert d.proc.wait(timeout=10) == EX_CONFIG
    d.expect_dead = True
    assert f"{d.config}:3:" in d.stderr()
    assert f"{d.config}:5:" in d.stderr()
    assert not d.sock.exists()


def test_second_daemon_on_the_same_socket_is_refused(calf):
    text = routine_text(session_ini("a", duration="5m"))
    d1 = calf.start(text)
    d2 = calf.daemon(text, name="second", sock=d1.sock)
    d2.start(wait=False)
    assert d2.proc.wait(timeout=10) != 0
    d2.expect_dead = True
    assert f"already running (pid {d1.pid})" in d2.stderr()
    assert d1.sock.exists()
    assert d1.ctl_json("version")["pid"] == d1.pid


def test_a_stale_socket_file_is_replaced(calf):
    d = calf.daemon(routine_text(session_ini("a", duration="5m")))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(d.sock))
    s.close()
    assert stat.S_ISSOCK(os.lstat(d.sock).st_mode)
    d.start()                           # waits for version with its pid
    assert d.ctl_json("version")["pid"] == d.pid


def test_a_file_that_is_not_a_socket_is_left_alone(calf):
    d = calf.daemon(routine_text(session_ini("a", duration="5m")))
    d.sock.write_text("not mine to delete\n")
    d.start(wait=False)
    assert d.proc.wait(timeout=10) != 0
    d.expect_dead = True
    assert d.sock.read_text() == "not mine to delete\n"
    assert str(d.sock) in d.stderr()


def test_the_socket_of_a_killed_daemon_is_replaced(calf):
    text = routine_text(session_ini("a", duration="5m"))
    d1 = calf.start(text)
    assert d1.stop(signal.SIGKILL) == -signal.SIGKILL
    d1.expect_dead = True
    assert d1.sock.exists(), "precondition: SIGKILL leaves the socket"
    d2 = calf.daemon(text, name="again", sock=d1.sock).start()
    assert d2.ctl_json("version")["pid"] == d2.pid


def test_default_socket_and_state_folders_are_private(calf, tmp_path):
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    env = clean_env(XDG_RUNTIME_DIR=str(xdg))
    state = tmp_path / "deep" / "state"
    d = calf.daemon(routine_text(session_ini("a", duration="5m")),
                    env=env, sock=xdg / "calf" / "calfd.sock",
                    sock_arg=False, args=["--state-dir", str(state)])
    d.start()
    assert stat.S_IMODE(os.stat(xdg / "calf").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(d.sock).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    r = ctl(None, "--json", "version", env=env)     # found without -s
    assert r.rc == 0 and r.json["pid"] == d.pid, r
    r = ctl(None, "--json", "version",
            env=clean_env(CALFD_SOCKET=str(d.sock)))
    assert r.rc == 0 and r.json["pid"] == d.pid, r


def test_an_idle_daemon_does_not_wake_up(calf):
    d = calf.start(routine_text(session_ini(
        "a", at=hms(future(3 * 3600)), duration="5m")))
    time.sleep(0.3)

    def switches():
        text = open(f"/proc/{d.pid}/status").read()
        return sum(int(ln.split()[1]) for ln in text.splitlines()
                   if "ctxt_switches:" in ln)
    before = switches()
    time.sleep(3)
    assert switches() - before <= 1, "calfd woke up with nothing to do"


# --- the slow ones: window and remind are at least a minute -------------------

def test_window_passes_reminder_repeats_and_held_prompt_expires(
        slow_daemons):
    s = slow_daemons
    assert s.error is None, s.error
    assert s.pause_reply["code"] == "success", s.pause_reply
    assert s.pause_time < s.t0 - 0.3, "set-up too slow for CALF_TEST_LEAD"
    t0 = s.t0
    sleep_until(t0 + 61)
    resumed_at = time.time()
    assert s.w2.ctl_json("resume") == {}
    time.sleep(1.0)
    s.stop_pumps()

    # The suite may take longer than this scenario's minute (a slow machine,
    # ASan, a busy core): every `remind` after the first would then be in
    # the stream too. Read only what happened before the instants this
    # test reasons about, never how long the other tests took.
    horizon = (t0 + 90) * US
    w1 = s.streams["w1"]
    lapse = w1.of("lapse")
    nag = [e for e in w1.of("nag") if e["due_us"] < horizon]
    assert [e["event"] for e in lapse] == ["due", "missed"], w1.summary()
    assert_on_time(lapse[0], t0)
    assert (t0 + 60) * US <= lapse[1]["fired_us"] < (t0 + 60) * US + LATE_MAX_US
    assert [e["event"] for e in nag] == ["due", "reminder"], w1.summary()
    assert_on_time(nag[0], t0)
    assert (t0 + 60) * US <= nag[1]["fired_us"] < (t0 + 60) * US + LATE_MAX_US
    st = s.w1.status()
    assert [(x["session"], x["state"]) for x in st["due"]] == [("nag", "due")]

    w2 = s.streams["w2"]
    held = w2.of("held")
    assert [e["event"] for e in held] == ["missed"], w2.summary()
    assert (t0 + 60) * US <= held[0]["fired_us"] < (
        resumed_at * US + LATE_MAX_US)
    assert "resumed" in [e["event"] for e in w2.events]
    st = s.w2.status()
    assert st["due"] == [] and st["paused"] is False
