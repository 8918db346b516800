"""calfctl at its edges: list and show, arguments that are not what they
seem, a daemon that is not ours or says hostile things, and the messages
that point the way (issue: everyday use, hardening of calfctl)."""

import json
import pathlib
import re
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from calfsys import (CALFD, clean_env, ctl, future, hms, routine_text,
                     session_ini)

ROUTINE = routine_text(
    session_ini("soak", at="07:00", duration="10m..15m", prompt="Warm water",
                temperature="40", cue="at 5m halfway"),
    session_ini("circles", every="1h", between="08:00-20:00",
                days="mon-fri", duration="2m"),
    session_ini("cramp", duration="5m"))


@pytest.fixture
def d(calf):
    return calf.start(ROUTINE)


# --- list and show ------------------------------------------------------------

def test_list_shows_every_session_with_its_times(d):
    j = d.ctl_json("list")
    by = {s["session"]: s for s in j["sessions"]}
    assert list(by)[:3] == ["soak", "circles", "cramp"]
    assert by["soak"]["times"] == ["07:00"] and by["soak"]["days"] == "daily"
    assert (by["soak"]["duration_min_s"], by["soak"]["duration_max_s"]) == \
        (600, 900)
    assert by["soak"]["next"]["at_us"] > j["now_us"]
    assert by["circles"]["every_s"] == 3600
    assert by["circles"]["between"] == ["08:00", "20:00"]
    assert by["circles"]["days"] == "weekdays"
    assert by["cramp"]["on_demand"] and by["cramp"]["next"] is None
    assert all(s["state"] == "idle" and not s["held"] for s in by.values())

    r = d.ctl("list")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0].split() == ["SESSION", "WHEN", "DAYS", "DURATION", "NEXT"]
    assert lines[1].startswith("soak ") and "at 07:00" in lines[1]
    assert "every 1h 08:00-20:00" in lines[2] and "weekdays" in lines[2]
    assert "on demand" in lines[3]
    # Columns line up: every DAYS cell starts where the header's does.
    col = lines[0].index("DAYS")
    assert lines[1][col:].startswith("daily")
    assert lines[2][col:].startswith("weekdays")


def test_list_marks_a_skipped_next_firing(d):
    assert d.ctl("skip", "soak").rc == 0
    soak = d.ctl_json("list")["sessions"][0]
    assert soak["next"]["skipped"] is True
    assert "(skipped)" in d.ctl("list").out.splitlines()[1]


def test_show_gives_the_whole_definition_and_state(d):
    j = d.ctl_json("show", "soak")
    assert j["session"] == "soak" and j["prompt"] == "Warm water"
    assert j["temperature"] == 40 and j["start"] == "manual"
    assert j["cues"] == [{"at_s": 300, "every_s": 0, "text": "halfway"}]
    assert j["source"] == str(d.config) and j["line"] >= 1
    assert j["state"] == "idle" and j["started_us"] is None
    assert d.ctl("start", "soak").rc == 0
    j = d.ctl_json("show", "soak")
    assert j["state"] == "running" and j["elapsed_us"] >= 0
    r = d.ctl("show", "soak")
    assert r.rc == 0 and "prompt       Warm water" in r.out, r
    assert "running for" in r.out and "at 5m: halfway" in r.out, r


def test_unknown_session_points_to_list(d):
    for args in (["show", "nosuch"], ["start", "nosuch"]):
        r = d.ctl(*args)
        assert r.rc == 1 and "calfctl list" in r.err, r
        assert "agenda" not in r.err, r


# --- arguments ------------------------------------------------------------------

@pytest.mark.parametrize("word", ["1.5h", "10M", "99999999h", "5 m"])
def test_a_word_that_cannot_be_a_session_gets_the_duration_error(d, word):
    r = d.ctl("snooze", word)
    assert r.rc == 2, r
    assert f'bad duration "{word}"' in r.err, r
    assert "no session" not in r.err, r


def test_a_session_that_looks_like_a_duration_is_still_a_name(calf):
    d = calf.start(routine_text(session_ini("10m", at="07:00",
                                            duration="5m")))
    r = d.ctl("--json", "snooze", "10m")
    # The name wins: calfd says it is not due, not that 10m is bad.
    assert r.rc == 1 and r.json["code"] == "not-due", r


def test_an_argument_that_is_not_utf8_is_a_usage_error(d):
    r = ctl(d.sock, "start", "caf\udce9")
    assert r.rc == 2, r
    assert "not UTF-8" in r.err and "\\xe9" in r.err, r


def test_control_characters_in_arguments_are_escaped(d):
    r = d.ctl("start", "x\x1b]0;owned\x07")
    assert r.rc == 1, r
    assert "\x1b" not in r.err and "\x07" not in r.err, r
    assert "x\\x1b]0;owned\\x07" in r.err, r


# --- the protocol: a key given twice ------------------------------------------

def test_a_key_given_twice_is_refused(d):
    c = d.raw()
    for line in (b'{"command":["status"],"command":["reload"]}\n',
                 b'{"command":["version"],"x":[{"a":1,"a":2}]}\n',
                 b'{"command":["version"],"\\u0063ommand":["x"]}\n'):
        c.send(line)
        r = c.reply()
        assert r["code"] == "bad-request", r
        assert "twice" in r["error"], r
    c.send(b'{"command":["version"],"x":{"a":"\\"a\\"","b":{"a":1}}}\n')
    assert c.reply()["code"] == "success"


# --- a daemon that is not to be trusted -----------------------------------------

FAKE = textwrap.dedent("""
    import json, os, socket, sys
    path, uid = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    if uid >= 0:
        os.chmod(path, 0o777)
        os.setuid(uid)
    s.listen(4)
    print("ready", flush=True)
    evil = "T\\x1b]0;owned\\x07\\x1b[2J\\u009b31m\\u202eX"
    while True:
        c, _ = s.accept()
        f = c.makefile("rwb")
        for line in f:
            req = json.loads(line)
            cmd = req["command"][0]
            if cmd == "status":
                data = {"now_us": 0, "source": evil, "running": [],
                        "due": [{"session": "a", "title": evil,
                                 "state": "due", "due_us": 1}],
                        "next": None, "paused": False, "quiet": False}
                rep = {"error": "success", "code": "success", "data": data}
            elif cmd == "reload":
                rep = {"error": "bad", "code": "config",
                       "data": {"errors": ["r.ini:1: " + evil]}}
            else:
                rep = {"error": "no " + evil, "code": "unknown-session"}
            rep["request_id"] = req.get("request_id")
            f.write((json.dumps(rep) + "\\n").encode())
            f.flush()
        c.close()
""")


def fake_daemon(path, uid=-1):
    p = subprocess.Popen([sys.executable, "-c", FAKE, str(path), str(uid)],
                         stdout=subprocess.PIPE)
    assert p.stdout.readline() == b"ready\n"
    return p


def test_strings_from_calfd_are_escaped(tmp_path):
    sock = tmp_path / "fake.sock"
    p = fake_daemon(sock)
    try:
        r = ctl(sock, "status")
        assert r.rc == 0, r
        for bad in ("\x1b", "\x07", "\u009b", "\u202e"):
            assert bad not in r.out, r
        assert "T\\x1b]0;owned\\x07\\x1b[2J\\u009b31m\\u202eX" in r.out, r
        r = ctl(sock, "start", "a")
        assert r.rc == 1 and "\x1b" not in r.err and "\\x1b" in r.err, r
        r = ctl(sock, "reload")
        assert r.rc == 1 and "\x1b" not in r.err, r
        assert "r.ini:1: T\\x1b]0;owned" in r.err, r
        # --json stays JSON: the control characters travel escaped.
        r = ctl(sock, "--json", "status")
        assert "\x1b" not in r.out and r.json["source"].startswith("T\x1b")
    finally:
        p.kill()
        p.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a fake "
                    "daemon as another user")
def test_a_daemon_of_another_user_is_refused(tmp_path):
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(d, 0o777)
    sock = d / "calfd.sock"
    p = fake_daemon(sock, uid=65534)
    try:
        r = ctl(sock, "status")
        assert r.rc == 69, r
        assert r.out == "", r
        assert "uid 65534" in r.err and "refusing" in r.err, r
    finally:
        p.kill()
        p.wait()


# --- messages that point the right way -------------------------------------------

def test_socket_path_too_long_names_it_and_the_limit(tmp_path):
    long = "/tmp/" + "d" * 120 + "/calfd.sock"
    r = ctl(long, "status")
    assert r.rc == 69, r
    assert "/tmp/ddd" in r.err and "107" in r.err, r
    p = subprocess.run([str(CALFD), "-s", long, "--state-dir",
                        str(tmp_path / "st")], capture_output=True,
                       env=clean_env(), timeout=20)
    assert p.returncode == 64, p
    assert b"107" in p.stderr, p


def test_no_socket_hint_is_said_once(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root has a default socket path")
    r = ctl(None, "status")
    assert r.rc == 69 and r.err.count("CALFD_SOCKET") == 1, r


def test_a_state_dir_that_is_a_file_exits_73(tmp_path):
    f = tmp_path / "state"
    f.write_text("")
    p = subprocess.run([str(CALFD), "-s", str(tmp_path / "s.sock"),
                        "--state-dir", str(f)], capture_output=True,
                       env=clean_env(), timeout=20)
    assert p.returncode == 73, p
    assert str(f).encode() in p.stderr, p


def test_one_session_is_singular(calf):
    d = calf.start(routine_text(session_ini("only", duration="5m"),
                                probe=False))
    r = d.ctl("reload")
    assert r.rc == 0 and r.out.endswith(": 1 session\n"), r
    assert "1 session\n" in d.stderr(), d.stderr()
    assert "(built-in)" not in d.stderr()


# --- reading at a glance ------------------------------------------------------

def test_agenda_shows_the_year_beyond_a_week_and_stays_aligned(calf):
    d = calf.start(routine_text(session_ini("soak", at="07:00",
                                            duration="5m"), probe=False))
    r = d.ctl("agenda", "10")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert len(lines) == 10
    year = re.compile(r" \d{4} \d\d:\d\d")
    assert not year.search(lines[0]), lines
    assert year.search(lines[-1]), lines
    cols = {ln.index("soak") for ln in lines}
    assert len(cols) == 1, lines


def test_a_pause_a_year_long_names_the_year(d):
    r = d.ctl("pause", "366d")
    assert r.rc == 0, r
    assert re.search(r"paused until \w{3} \d\d \w{3} \d{4} ", r.out), r


def test_little_time_left_shows_minutes_and_seconds(d):
    assert d.ctl("start", "cramp").rc == 0
    r = d.ctl("status")
    assert r.rc == 0, r
    assert re.search(r", [0-5]:[0-5]\d left", r.out), r


def test_status_of_the_default_routine_fits_80_columns(calf):
    """The built-in routine's longest title, running with a range and cues:
    the status stays within a terminal's 80 columns (the README's picture)."""
    default = pathlib.Path(__file__).parents[2] / "config" / "routine.ini"
    d = calf.start(default.read_text(), name="default80")
    assert d.ctl("start", "foot-soak").rc == 0
    r = d.ctl("status", env=clean_env(NO_COLOR="1"))
    assert r.rc == 0 and "Warm foot soak" in r.out and "next cue in" in r.out, r
    lines = [ln for ln in r.out.splitlines() if not ln.startswith("Routine:")]
    assert max(len(line) for line in lines) <= 80, r.out   # a path may not


def test_status_says_when_the_next_prompt_will_be_held(calf):
    d = calf.start(routine_text(session_ini("soak", at="07:00",
                                            duration="5m"),
                                calfd={"quiet": "06:00-08:00"}, probe=False))
    j = d.ctl_json("status")
    assert j["next"]["held_by"] == "quiet", j
    assert "will be held (quiet hours)" in d.ctl("status").out
    d2 = calf.start(routine_text(session_ini("soak", at="07:00",
                                             duration="5m"), probe=False))
    assert d2.ctl_json("status")["next"]["held_by"] is None
    assert d2.ctl("pause").rc == 0
    assert d2.ctl_json("status")["next"]["held_by"] == "paused"
    assert "will be held (paused)" in d2.ctl("status").out


def test_bare_start_starts_the_one_due_prompt(calf):
    t = future()
    d = calf.start(routine_text(
        session_ini("soak", at=hms(t), duration="10m", window="1h"),
        session_ini("heat", at="03:00", duration="20m")))
    w = d.watch()
    w.expect("due", "soak", timeout=t - time.time() + 10)
    r = d.ctl("start")
    assert r.rc == 0 and "soak" in r.out, r
    w.expect("started", "soak")
    assert [x["session"] for x in d.status()["running"]] == ["soak"]


def test_bare_start_with_two_due_names_both_and_starts_neither(calf):
    t = future()
    d = calf.start(routine_text(
        session_ini("soak", at=hms(t), duration="10m", window="1h"),
        session_ini("raises", at=hms(t), duration="5m", window="1h")))
    w = d.watch()
    w.expect("due", "soak", timeout=t - time.time() + 10)
    w.expect("due", "raises", timeout=5)
    r = d.ctl("start")
    assert r.rc == 2 and "soak" in r.err and "raises" in r.err, r
    r = d.ctl("--json", "start")
    assert r.json["code"] == "usage", r
    status = d.status()
    assert status["running"] == []
    assert {x["session"] for x in status["due"]} == {"soak", "raises"}
