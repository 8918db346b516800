"""calfctl as a user and a script meet it: exit statuses 0, 1, 2 and 69,
--json output, help, NO_COLOR, watch."""

import json
import os
import pty
import select
import socket
import threading
import time

import pytest

from calfsys import (CALFCTL, ROOT, clean_env, ctl, routine_text,
                      session_ini)

VERSION = (ROOT / "VERSION").read_text().strip()
COMMANDS = ["status", "agenda", "list", "show", "start", "done", "stop", "skip", "snooze",
            "pause", "resume", "reload", "version", "watch"]
SIMPLE = routine_text(session_ini("a", duration="5m"),
                      session_ini("b", at="07:00", duration="15m..20m"))


@pytest.fixture
def d(calf):
    return calf.start(SIMPLE)


@pytest.fixture
def nosock(tmp_path):
    return tmp_path / "nobody-home.sock"


# --- exit 0 and --json --------------------------------------------------------

def test_status_is_the_default_command(d):
    r = d.ctl()
    assert r.rc == 0 and r.out.strip(), r
    j = d.ctl("--json").json
    assert set(j) >= {"now_us", "source", "running", "due", "next",
                      "paused", "paused_until_us", "quiet"}
    assert j["source"] == str(d.config)
    assert abs(j["now_us"] - time.time() * 1e6) < 5e6


def test_every_json_output_is_one_object(d):
    expect = [
        (["version"], lambda j: j == {"version": VERSION, "protocol": 1,
                                      "pid": d.pid}),
        (["status"], lambda j: j["running"] == [] and j["next"]["session"]
         == "b"),
        (["agenda"], lambda j: len(j["agenda"]) == 10),
        (["agenda", "3"], lambda j: [x["session"] for x in j["agenda"]] ==
         ["b", "b", "b"]),
        (["start", "a"], lambda j: j == {"session": "a"}),
        (["status"], lambda j: [r["session"] for r in j["running"]] == ["a"]),
        (["done", "a"], lambda j: j == {"session": "a"}),
        (["start", "b"], lambda j: j == {"session": "b"}),
        (["stop"], lambda j: j == {"session": "b"}),
        (["skip", "b"], lambda j: j == {"session": "b"}),
        (["pause", "1h"], lambda j: j["until_us"] > 0),
        (["resume"], lambda j: j == {}),
        (["reload"], lambda j: j == {"source": str(d.config), "sessions": 3}),
    ]
    for args, ok in expect:
        r = d.ctl("--json", *args)
        assert r.rc == 0, r
        assert ok(r.json), (args, r.json)
    # Options may follow the command too.
    for args in (["version"], ["agenda", "2"], ["status"]):
        a, b = d.ctl("--json", *args), d.ctl(*args, "--json")
        assert set(a.json) == set(b.json), (a, b)


def test_a_large_reply(d):
    a = d.ctl("--json", "agenda", "1000").json["agenda"]
    assert len(a) == 1000 and all(x["session"] == "b" for x in a)
    assert a[1]["at_us"] - a[0]["at_us"] == 86400 * 10**6


def test_human_output_names_things(d):
    assert d.ctl("start", "a").rc == 0
    r = d.ctl("status")
    assert r.rc == 0 and "a" in r.out and "\x1b[" not in r.out, r
    r = d.ctl("agenda", "2")
    assert r.rc == 0 and r.out.count("b") >= 2, r
    r = d.ctl("version")
    assert r.rc == 0 and VERSION in r.out and str(d.pid) in r.out, r


# --- exit 1: calfd refused ----------------------------------------------------

@pytest.mark.parametrize("args,code", [
    (["start", "nosuch"], "unknown-session"),
    (["done"], "not-running"),
    (["stop", "a"], "not-running"),
    (["skip"], "not-due"),
    (["snooze", "a"], "not-due"),
    (["resume"], "not-paused"),
])
def test_exit_1_when_calfd_refuses(d, args, code):
    r = d.ctl(*args)
    assert r.rc == 1, r
    assert r.out == "", r
    assert r.err.startswith("calfctl: "), r
    r = d.ctl("--json", *args)
    assert r.rc == 1, r
    assert r.json["code"] == code and r.json["error"] != "success", r


def test_a_usage_error_only_calfd_can_see_exits_2(d):
    # One argument may be a name or a duration: calfd decides, and says.
    r = d.ctl("snooze", "0")
    assert r.rc == 2 and "more than 0" in r.err, r
    r = d.ctl("--json", "snooze", "0")
    assert r.rc == 2 and r.json["code"] == "usage", r


def test_already_running_is_refused(d):
    assert d.ctl("start", "a").rc == 0
    r = d.ctl("--json", "start", "a")
    assert r.rc == 1 and r.json["code"] == "already-running", r


def test_unknown_session_message_names_it(d):
    r = d.ctl("start", "nosuch")
    assert r.rc == 1 and "nosuch" in r.err, r


# --- exit 2: usage, found without asking calfd --------------------------------

@pytest.mark.parametrize("args", [
    ["frobnicate"], ["agenda", "0"], ["agenda", "1001"], ["agenda", "ten"],
    ["show"], ["start", "a", "b"], ["status", "extra"], ["done", "a", "b"],
    ["snooze", "a", "5q"], ["snooze", "a", "b", "c"], ["pause", "until"],
    ["pause", "until", "25:00"], ["pause", "1.5h"], ["pause", "at", "10:00"],
    ["resume", "a", "b"], ["--bogus"], ["status", "--bogus"],
    ["help", "frobnicate"], ["watch", "x"], ["pause", "0"],
    ["pause", "0s"], ["snooze", "a", "0m"], ["snooze", "1.5h"],
    ["snooze", "10M"], ["start", "caf\udcff"], ["snooze", "\udcfe1m"],
])
def test_exit_2_on_usage_errors_without_a_daemon(nosock, args):
    r = ctl(nosock, *args)
    assert r.rc == 2, r
    assert r.out == "", r
    assert r.err.startswith("calfctl: ") or r.err.startswith("usage:"), r
    assert "cannot reach" not in r.err, r


def test_bad_calfctl_timeout_is_a_usage_error(nosock):
    r = ctl(nosock, "status", env=clean_env(CALFCTL_TIMEOUT="soon"))
    assert r.rc == 2 and "CALFCTL_TIMEOUT" in r.err, r


# --- exit 69: calfd not reachable ----------------------------------------------

def test_exit_69_with_a_hint_when_no_daemon(nosock):
    r = ctl(nosock, "status")
    assert r.rc == 69, r
    assert r.out == "", r
    assert str(nosock) in r.err
    assert "calfd &" in r.err or "systemctl" in r.err, r
    r = ctl(nosock, "--json", "start", "a")
    assert r.rc == 69 and r.out == "", r


def test_exit_69_for_a_socket_nobody_listens_on(nosock):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(nosock))
    s.close()
    r = ctl(nosock, "status")
    assert r.rc == 69 and str(nosock) in r.err, r


def test_exit_69_when_calfd_does_not_answer_in_time(nosock):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(nosock))
    srv.listen(4)
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])     # and never answer
            except socket.timeout:
                pass
    th = threading.Thread(target=accept, daemon=True)
    th.start()
    try:
        t0 = time.time()
        r = ctl(nosock, "status", env=clean_env(CALFCTL_TIMEOUT="0.5"))
        assert r.rc == 69, r
        assert time.time() - t0 < 3, "calfctl ignored CALFCTL_TIMEOUT"
        assert r.out == ""
    finally:
        stop.set()
        th.join(2)
        for c in held:
            c.close()
        srv.close()


def test_no_socket_path_at_all_is_69(tmp_path):
    # No -s, no CALFD_SOCKET, no XDG_RUNTIME_DIR, and not root: no path.
    # As root the default is /run/calf/calfd.sock, which must not answer.
    if os.path.exists("/run/calf/calfd.sock"):
        pytest.skip("a system calfd may be running")
    r = ctl(None, "status")
    assert r.rc == 69, r


# --- help and version ----------------------------------------------------------

def test_help_lists_every_command_and_exit_status(nosock):
    r = ctl(nosock, "--help")
    assert r.rc == 0 and r.err == "", r
    for cmd in COMMANDS:
        assert f"\n  {cmd}" in r.out, (cmd, r.out)
    for n in ("0", "1", "2", "69"):
        assert n in r.out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_for_each_command(nosock, cmd):
    r = ctl(nosock, cmd, "--help")
    assert r.rc == 0 and r.err == "", r
    assert r.out.startswith(f"usage: calfctl {cmd}"), r
    assert len(r.out.splitlines()) >= 2, r      # usage and what it does
    r2 = ctl(nosock, "help", cmd)
    assert (r2.rc, r2.out) == (0, r.out), r2
    r3 = ctl(nosock, cmd, "-h")
    assert (r3.rc, r3.out) == (0, r.out), r3


def test_version_option(d, nosock):
    r = d.ctl("-V")
    assert r.rc == 0, r
    assert f"calfctl {VERSION}" in r.out and str(d.pid) in r.out, r
    j = d.ctl("--json", "-V").json
    assert j == {"calfctl": {"version": VERSION, "protocol": 1},
                 "calfd": {"version": VERSION, "protocol": 1, "pid": d.pid}}
    r = ctl(nosock, "--json", "--version")
    assert r.rc == 0 and r.json["calfd"] is None, r


# --- colour ----------------------------------------------------------------------

def run_on_pty(argv, env, timeout=10):
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if pid:
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace")


def test_no_color_is_respected(d):
    assert d.ctl("start", "a").rc == 0
    argv = [str(CALFCTL), "-s", str(d.sock), "status"]
    coloured = run_on_pty(argv, clean_env(TERM="xterm"))
    assert "a" in coloured
    assert "\x1b[" in coloured, "precondition: colour on a terminal"
    plain = run_on_pty(argv, clean_env(TERM="xterm", NO_COLOR="1"))
    assert "a" in plain and "\x1b[" not in plain, plain
    # And never into a pipe.
    assert "\x1b[" not in d.ctl("status").out


# --- watch ------------------------------------------------------------------------

def test_watch_human_output_one_line_per_event(d):
    w = d.watch(json_out=False, sync=False)
    time.sleep(0.3)
    assert d.ctl("start", "a").rc == 0
    assert d.ctl("stop", "a").rc == 0
    ev = w.expect("_line", timeout=5)
    assert "started" in ev["line"] and " a " in ev["line"], ev
    ev = w.expect("_line", timeout=5)
    assert "stopped" in ev["line"], ev
    assert "\x1b[" not in "".join(w.raw_lines)
    assert w.proc.poll() is None


def test_watch_json_prints_only_events(d):
    w = d.watch()
    assert d.ctl("start", "a").rc == 0
    ev = w.expect("started", "a", timeout=5)
    for k in ("event", "session", "title", "message", "due_us", "fired_us"):
        assert k in ev, ev
    assert all("event" in json.loads(x) for x in w.raw_lines)
