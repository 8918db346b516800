"""The control socket (doc/PROTOCOL.md) over plain Python sockets: framing,
requests and replies, and clients that misbehave while a prompt is due."""

import json
import os
import pathlib
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from calfsys import (LATE_MAX_US, ROOT, US, RawClient, ctl, future, hms,
                      routine_text, session_ini)

VERSION = (ROOT / "VERSION").read_text().strip()
SIMPLE = routine_text(session_ini("a", duration="5m"))


@pytest.fixture
def d(calf):
    return calf.start(SIMPLE)


def line(obj):
    return json.dumps(obj).encode() + b"\n"


# --- requests and replies -----------------------------------------------------

def test_request_id_is_echoed_also_in_errors(d):
    c = d.raw()
    r = c.request("version", request_id=42)
    assert r == {"request_id": 42, "error": "success", "code": "success",
                 "data": {"version": VERSION, "protocol": 1, "pid": d.pid}}
    r = c.request("frobnicate", request_id=-7)
    assert (r["request_id"], r["code"]) == (-7, "unknown-command")
    r = c.request("start", "nosuch", request_id=2**63 - 1)
    assert (r["request_id"], r["code"]) == (2**63 - 1, "unknown-session")
    r = c.request("status")
    assert "request_id" not in r and r["code"] == "success"


@pytest.mark.parametrize("bad_id", [2**63, -2**63, "7", 1.5, None, [1]])
def test_invalid_request_id_is_a_bad_request_not_echoed(d, bad_id):
    c = d.raw()
    r = c.request("version", request_id=bad_id)
    assert r["code"] == "bad-request", r
    assert "request_id" not in r and "data" not in r
    assert c.request("version")["code"] == "success"


def test_protocol_mismatch_names_both_versions(d):
    c = d.raw()
    r = c.request("status", protocol=2, request_id=5)
    assert (r["code"], r["request_id"]) == ("protocol", 5), r
    assert "calfd speaks 1" in r["error"] and "client speaks 2" in r["error"]
    assert "data" not in r
    # Checked before "command".
    c.send(line({"protocol": 99}))
    r = c.reply()
    assert r["code"] == "protocol" and "client speaks 99" in r["error"], r
    assert c.request("status", protocol=1)["code"] == "success"


@pytest.mark.parametrize("proto", ["1", 1.5, None, True, 2**64])
def test_a_protocol_that_is_not_an_integer_is_a_bad_request(d, proto):
    r = d.raw().request("status", protocol=proto)
    assert r["code"] == "bad-request", r


def test_unknown_command_names_it(d):
    r = d.raw().request("frobnicate")
    assert r["code"] == "unknown-command" and "frobnicate" in r["error"]
    assert "data" not in r


@pytest.mark.parametrize("req", [
    {}, {"command": "status"}, {"command": []}, {"command": [1]},
    {"command": ["status", None]}, {"command": {"status": 1}},
    {"command": ["status", "1", "2", "3", "4", "5", "6", "7", "8"]},
    {"command": ["start", "x" * 1025]},
    {"command": ["status\u0000"]},
], ids=["empty", "string", "no-strings", "number", "null", "object",
        "nine-strings", "long-arg", "nul-in-string"])
def test_bad_requests_keep_the_connection(d, req):
    c = d.raw()
    c.send(line(req))
    r = c.reply()
    assert r["code"] == "bad-request", r
    assert c.request("version")["code"] == "success"


def test_limits_that_are_still_allowed(d):
    c = d.raw()
    # Eight strings in all is allowed: a usage error, not a bad request.
    r = c.request("status", "1", "2", "3", "4", "5", "6", "7")
    assert r["code"] == "usage", r
    r = c.request("start", "x" * 1024)
    assert r["code"] == "unknown-session", r
    r = c.request("version", extra_key={"ignored": True})
    assert r["code"] == "success", r


@pytest.mark.parametrize("cmd", [
    ["start", "a", "b"], ["status", "x"], ["agenda", "0"], ["agenda", "1001"],
    ["agenda", "+5"], ["agenda", "1e3"], ["pause", "1.5h"],
    ["pause", "until", "25:00"], ["pause", "0s"], ["snooze", "a", "0s"],
    ["snooze", "a", "b", "c"], ["resume", "a", "b"]])
def test_usage_errors(d, cmd):
    r = d.raw().request(*cmd)
    assert r["code"] == "usage", r


def test_agenda_limits(calf):
    d = calf.start(routine_text(session_ini("a", at="07:00", duration="5m"),
                                session_ini("b", at="19:00", duration="5m")))
    c = d.raw()
    a = c.request("agenda")["data"]["agenda"]
    assert len(a) == 10
    big = c.request("agenda", "1000")["data"]["agenda"]
    assert len(big) == 1000
    ats = [x["at_us"] for x in big]
    assert ats == sorted(ats) and len(set(ats)) == 1000
    assert all(x % US == 0 for x in ats)
    assert {x["session"] for x in big} == {"a", "b"}
    assert all(x["skipped"] is False for x in big)
    assert big[:10] == a


@pytest.mark.parametrize("data", [
    b"hello\n", b"[1, 2]\n", b'"status"\n', b"null\n",
    b'{"command": ["status"]\n', b'{"command": ["status"]} {}\n',
    b'{"command": ["st\x00atus"]}\n', b'{"command": ["\xff\xfe"]}\n',
    b'{"command": ["status"], "x": [[[[[[[[[[1]]]]]]]]]]}\n',
], ids=["word", "array", "string", "null", "unterminated", "trailing",
        "nul-byte", "bad-utf8", "too-deep"])
def test_bad_json_gets_a_reply_and_keeps_the_connection(d, data):
    c = d.raw()
    c.send(data)
    r = c.reply()
    assert r["code"] == "bad-json", r
    assert "data" not in r
    assert c.request("version", request_id=1)["request_id"] == 1


def test_blank_lines_are_ignored(d):
    c = d.raw()
    c.send(b"\n   \n\t\r\n" + line({"command": ["version"], "request_id": 9}))
    assert c.reply()["request_id"] == 9
    assert c.read_line(timeout=0.3) is None


def test_too_long_line_gets_an_error_and_the_connection_closes(d):
    c = d.raw()
    c.send(line({"command": ["status"], "pad": "x" * 5000}))
    r = c.reply()
    assert r["code"] == "too-long", r
    assert c.wait_closed(3)
    # Also without any newline: calfd need not wait for one.
    c2 = d.raw()
    c2.send(b"{" + b" " * 6000)
    assert c2.reply()["code"] == "too-long"
    assert c2.wait_closed(3)
    assert d.raw().request("version")["code"] == "success"


def test_a_full_4096_byte_line_is_accepted(d):
    c = d.raw()
    head = b'{"command": ["version"], "request_id": 3, "pad": "'
    body = head + b"y" * (4095 - len(head) - 2) + b'"}'
    assert len(body) + 1 == 4096
    c.send(body + b"\n")
    r = c.reply()
    assert (r["code"], r["request_id"]) == ("success", 3), r


def test_replies_come_in_request_order(d):
    c = d.raw()
    cmds = [["version"], ["status"], ["nope"], ["agenda", "3"], ["start"],
            ["start", "a"], ["stop", "a"], ["stop", "a"]]
    reqs = b"".join(line({"command": cmds[i % len(cmds)], "request_id": i})
                    for i in range(80))
    c.send(reqs)
    got = [c.reply() for _ in range(80)]
    assert [r["request_id"] for r in got] == list(range(80))
    assert [r["code"] for r in got[:8]] == [
        "success", "success", "unknown-command", "success", "not-due",
        "success", "success", "not-running"]


def test_a_request_split_across_writes(d):
    c = d.raw()
    for part in (b'{"comm', b'and": ["vers', b'ion"], "request_id"', b": 4}"):
        c.send(part)
        time.sleep(0.05)
    assert c.read_line(timeout=0.2) is None
    c.send(b"\n")
    assert c.reply()["request_id"] == 4


def test_last_line_without_newline_is_answered_on_shutdown(d):
    c = d.raw()
    c.send(b'{"command": ["version"], "request_id": 8}')
    c.s.shutdown(socket.SHUT_WR)
    assert c.reply()["request_id"] == 8
    assert c.wait_closed(3)


def test_watch_reply_first_and_events_before_the_reply_they_cause(d):
    c = d.raw()
    c.send(line({"command": ["watch"], "request_id": 1}))
    first = json.loads(c.read_line())
    assert first == {"request_id": 1, "error": "success", "code": "success",
                     "data": {}}
    c.send(line({"command": ["start", "a"], "request_id": 2}))
    ev = json.loads(c.read_line())
    assert (ev["event"], ev["session"]) == ("started", "a")
    r = json.loads(c.read_line())
    assert (r["request_id"], r["data"]) == (2, {"session": "a"})
    for k in ("title", "message", "due_us", "fired_us"):
        assert k in ev
    assert abs(ev["fired_us"] - time.time() * US) < 2 * US


# --- several clients, and clients that misbehave ------------------------------

def prompt_daemon(calf):
    t = future()
    d = calf.start(routine_text(session_ini("soak", at=hms(t),
                                            duration="5m")))
    return d, t


def assert_prompt_on_time(w, t, setup=True):
    if setup:
        assert time.time() < t - 0.3, "set-up took too long"
    ev = w.expect("due", "soak", timeout=t - time.time() + 3)
    assert ev["due_us"] == t * US
    assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US, ev
    assert ev["_recv"] * US - ev["due_us"] < 2 * US
    return ev


def quick_status(d):
    t0 = time.time()
    r = d.raw(timeout=3).request("status", timeout=3)
    assert r["code"] == "success"
    assert time.time() - t0 < 1.0, "status took over a second"


def rss_kib(pid):
    for ln in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if ln.startswith("VmRSS:"):
            return int(ln.split()[1])
    return 0


def test_two_clients_at_once(calf):
    d, t = prompt_daemon(calf)
    w1 = d.watch()
    w2 = d.raw_watch()
    c1, c2 = d.raw(), d.raw()
    c1.send(line({"command": ["version"], "request_id": 1}))
    c2.send(line({"command": ["status"], "request_id": 2}))
    assert c2.reply()["request_id"] == 2
    assert c1.reply()["request_id"] == 1
    e1 = assert_prompt_on_time(w1, t)
    e2 = assert_prompt_on_time(w2, t, setup=False)
    assert {k: v for k, v in e1.items() if k != "_recv"} == {
        k: v for k, v in e2.items() if k != "_recv"}


def test_silent_clients_do_not_delay_a_prompt(calf):
    d, t = prompt_daemon(calf)
    w = d.raw_watch()
    silent = [RawClient(d.sock) for _ in range(40)]
    half = RawClient(d.sock)
    half.send(b'{"command": ["sta')      # and then nothing
    try:
        quick_status(d)
        assert_prompt_on_time(w, t)
        quick_status(d)
        assert half.read_line(timeout=0.1) is None   # still waiting
    finally:
        for s in silent + [half]:
            s.close()
    assert d.alive()


GARBAGE = [
    lambda: os.urandom(65536),
    lambda: b"x" * 10000,
    lambda: b"not json\n" * 2000,
    lambda: b"\x00" * 3000 + b"\n",
    lambda: b"[" * 4000 + b"\n",
    lambda: b'{"command": ["status"]}\n' * 200 + b"\xff\n",
    lambda: b'{"command": ' + b'"x", ' * 900 + b"}\n",
]


def garbage_flood(sock, stop, counts):
    rnd = random.Random(1)
    while not stop.is_set():
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            s.connect(str(sock))
            counts["connections"] += 1
            for _ in range(5):
                s.sendall(rnd.choice(GARBAGE)())
                counts["bytes"] += 1
                try:
                    s.recv(1 << 20)
                except socket.timeout:
                    pass
        except OSError:
            pass            # closed on us (too-long): that is expected
        finally:
            s.close()


def test_garbage_flood_does_not_delay_a_prompt(calf):
    d, t = prompt_daemon(calf)
    w = d.raw_watch()
    stop, counts = threading.Event(), {"connections": 0, "bytes": 0}
    threads = [threading.Thread(target=garbage_flood,
                                args=(d.sock, stop, counts), daemon=True)
               for _ in range(3)]
    for th in threads:
        th.start()
    try:
        assert_prompt_on_time(w, t)
        quick_status(d)
    finally:
        stop.set()
        for th in threads:
            th.join(5)
    assert counts["connections"] >= 10, counts
    assert d.alive()
    assert d.ctl_json("version")["pid"] == d.pid


def test_a_client_that_never_reads_does_not_hurt_others(calf):
    d, t = prompt_daemon(calf)
    w = d.raw_watch()
    rss0 = rss_kib(d.pid)
    hog = d.raw()
    hog.s.setblocking(False)
    chunk = line({"command": ["status"]}) * 200
    pending, sent_bytes, sent_lines = b"", 0, 0
    deadline = time.time() + 1.5
    while time.time() < deadline:
        pending = pending or chunk
        try:
            k = hog.s.send(pending)
        except BlockingIOError:
            time.sleep(0.01)
            continue
        sent_bytes += k
        sent_lines += pending[:k].count(b"\n")
        pending = pending[k:]
    quick_status(d)
    assert_prompt_on_time(w, t)
    quick_status(d)
    assert rss_kib(d.pid) - rss0 < 64 * 1024, "calfd grew by over 64 MiB"
    # calfd stops reading a client with 256 KiB of replies queued, so only
    # the kernel's buffers (and that much) can have been taken from us.
    sndbuf = hog.s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    assert sent_bytes < 2 * sndbuf + (1 << 20), (
        f"calfd read {sent_bytes} bytes from a client that reads nothing")
    # Nothing was dropped: every whole request gets its reply, in order.
    hog.s.setblocking(True)
    got = 0
    while True:
        ln = hog.read_line(timeout=1)
        if ln is None:
            break
        assert json.loads(ln)["code"] == "success"
        got += 1
    assert got == sent_lines
    assert d.alive()


def test_a_watcher_that_falls_far_behind_is_disconnected(calf):
    d = calf.start(SIMPLE)
    lazy = d.raw_watch()
    keen = d.raw_watch()
    c = d.raw()
    pairs = 10000
    batch = b"".join(line({"command": ["start", "a"]}) +
                     line({"command": ["stop", "a"]}) for _ in range(50))
    replies = 0
    for _ in range(pairs // 50):
        c.send(batch)
        for _ in range(100):
            assert c.reply(timeout=10)["code"] == "success"
            replies += 1
        keen.drain()                                    # keeps up
    # Each pair makes two events of ~150 bytes: over 2 MiB in all. Not
    # reading is judged by time (3 s with nothing taken), not by one burst:
    # the next event after that drops the lazy watcher.
    assert replies == 2 * pairs
    time.sleep(3.5)
    assert c.request("start", "a")["code"] == "success"
    assert lazy.wait_closed(10), "a watcher 1 MiB behind was kept"
    assert keen.request("version")["code"] == "success"
    assert d.raw().request("version")["code"] == "success"
    assert d.alive()


def test_at_most_256_clients(d):
    conns = []
    time.sleep(0.3)         # the start-up check's connection is gone
    try:
        for _ in range(256):
            conns.append(RawClient(d.sock))
        extra = RawClient(d.sock)
        conns.append(extra)
        try:
            extra.send(line({"command": ["version"]}))
        except (BrokenPipeError, ConnectionResetError):
            pass                        # closed already: fine
        assert extra.wait_closed(3), "client 257 was served"
        assert conns[0].request("version")["code"] == "success"
        for c in conns[:10]:
            c.close()
        time.sleep(0.2)
        assert d.raw().request("version")["code"] == "success"
    finally:
        for c in conns:
            c.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as nobody")
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="no setpriv")
def test_another_uid_is_disconnected_without_a_reply(calf):
    sockdir = pathlib.Path(tempfile.mkdtemp(prefix="calf-uid-"))
    try:
        d = calf.start(SIMPLE, sock=sockdir / "calfd.sock")
        # Let file permissions through so that only SO_PEERCRED refuses.
        os.chmod(sockdir, 0o755)
        os.chmod(d.sock, 0o666)
        wrap = ["setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups"]
        r = ctl(d.sock, "--json", "version", uid_wrap=wrap)
        assert r.rc == 69, r
        assert r.out == "", r
        assert "hung up without a word" in r.err, r
        assert "own user and root" in r.err, r
        # With the file mode closed as calfd makes it, the kernel refuses
        # first, and calfctl says whose socket it is.
        os.chmod(d.sock, 0o600)
        r = ctl(d.sock, "version", uid_wrap=wrap)
        assert r.rc == 69 and "another user" in r.err, r
        assert "systemctl" not in r.err, r
        os.chmod(d.sock, 0o666)
        probe = ("import socket, sys\n"
                 "s = socket.socket(socket.AF_UNIX)\n"
                 "s.connect(sys.argv[1])\n"
                 "s.settimeout(5)\n"
                 "try:\n"
                 "    s.sendall(b'{\"command\": [\"version\"]}\\n')\n"
                 "    print(repr(s.recv(65536)))\n"
                 "except (ConnectionResetError, BrokenPipeError):\n"
                 "    print('reset')\n")
        p = subprocess.run(wrap + ["/usr/bin/python3", "-c", probe,
                                   str(d.sock)],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 0, p.stderr       # connect itself worked
        assert p.stdout.strip() in ("b''", "reset"), p.stdout
        assert d.alive()
        assert d.ctl_json("version")["pid"] == d.pid
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def test_a_client_cannot_forge_log_lines(calf):
    d = calf.start(SIMPLE, args=["-v"])
    c = d.raw()
    r = c.request("bogus\ncalfd: due a: FAKE\u001b[31mRED")
    assert r["code"] == "unknown-command", r
    log = d.stderr()
    assert "\x1b" not in log
    assert not any(line.startswith("calfd: due a: FAKE")
                   for line in log.splitlines()), log
    assert "bogus\\x0acalfd: due a: FAKE\\x1b[31mRED" in log
