"""A large routine (10,000 sessions): reloads swap it without keeping the
old one, and every session is still found by name."""

import pytest

from calfsys import CALFD, session_ini


def is_sanitized():
    # ASan keeps freed memory in quarantine, so RSS says nothing there.
    return b"__asan_init" in CALFD.read_bytes()


def rss_anon_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon")


def big_routine(n):
    return "\n".join(session_ini(f"s{i}", at=f"{(i * 7) % 1440 // 60:02d}:"
                                 f"{(i * 7) % 60:02d}", duration="5m")
                     for i in range(n))


def test_five_reloads_of_10000_sessions_do_not_grow_memory(calf):
    d = calf.start(big_routine(10000))
    first = rss_anon_kb(d.pid)
    for _ in range(5):
        r = d.ctl_json("reload")
        assert r["sessions"] == 10000, r
    after = rss_anon_kb(d.pid)
    if not is_sanitized():
        # Before: each reload kept the old routine's heap (x2 and growing).
        assert after <= first * 1.1 + 512, (first, after)
    assert d.ctl_json("start", "s9999") == {"session": "s9999"}
    assert d.ctl_json("start", "s0") == {"session": "s0"}
    assert d.ctl("start", "s10000").rc != 0
