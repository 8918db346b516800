"""What a client can do to the log and to the slots (issue: the log):
control and bidi characters are escaped, repeated warnings are rate
limited, and idle connections cannot lock calfctl out."""

import json
import time

from calfsys import RawClient, routine_text, session_ini

TEXT = routine_text(session_ini("soak", duration="1h"))


def test_unsafe_characters_are_escaped_in_the_log(calf):
    d = calf.start(TEXT, args=["-v"])
    nasty = "a\u009b31mb\u009d0;title\u0007c\u202ed\u2028e\u2066f\u0085g"
    c = d.raw()
    r = c.request(nasty)
    assert r["code"] == "unknown-command", r
    c.send(b'{"command": ["x\xc2\x9by\xe2\x80\xaez"]}\n')
    c.reply()
    log = d.stderr()
    for ch in ("\u009b", "\u009d", "\u202e", "\u2028", "\u2066", "\u0085",
               "\u0007"):
        assert ch not in log, repr(ch)
    assert "a\\u009b31mb\\u009d0;title\\x07c\\u202ed\\u2028e\\u2066f" in log
    assert "x\\u009by\\u202ez" in log


def test_repeated_warnings_are_rate_limited(calf):
    d = calf.start(TEXT)
    for _ in range(40):
        c = RawClient(d.sock)
        c.send(b"x" * 5000)
        assert c.wait_closed(5)
        c.close()
    n = d.stderr().count("request line over")
    assert 1 <= n <= 10, n
    time.sleep(10.5)        # the window ends: the count is said
    c = RawClient(d.sock)
    c.send(b"x" * 5000)
    assert c.wait_closed(5)
    assert "30 more warnings like the next one" in d.stderr()


def test_idle_clients_make_room_for_calfctl(calf):
    d = calf.start(TEXT)
    conns = [RawClient(d.sock) for _ in range(256)]
    try:
        time.sleep(2.5)                 # all idle long enough
        assert conns[5].request("version")["code"] == "success"
        r = d.ctl("status")
        assert r.rc == 0, r
        assert conns[0].wait_closed(3), "the oldest idle client was kept"
        assert conns[5].request("version")["code"] == "success"
        assert "idle, to make room" in d.stderr()
    finally:
        for c in conns:
            c.close()
