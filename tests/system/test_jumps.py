"""Jumps the kernel does not report as a clock step (issue: catch-up
floods): a long SIGSTOP across firings, and the wall clock moved two days
ahead by libfaketime. Either goes through the ordinary firing path, which
must keep the same bound as a step: at most one `missed` per session, with
the count and the span, the watcher that was reading kept, and calfd
answering at once."""

import math
import os
import pathlib
import signal
import time

import pytest

from calfsys import US, clean_env, future, hms, routine_text, session_ini

N_EVERY = 20
DAY = 86400
PROMPT_S = 5.0      # generous: status answers in milliseconds


def watch_kinds(events, since):
    """(kind, session) of the due/missed events received after `since`."""
    return [(e["event"], e.get("session")) for e in events
            if e["_recv"] >= since and e["event"] in ("due", "missed")]


def answers_promptly(d):
    t = time.time()
    st = d.status()
    assert time.time() - t < PROMPT_S, "status was slow after the jump"
    return st


def test_a_long_sigstop_across_firings(calf):
    """calfd stopped for over a minute, across two grid points of five
    `every = 1m` sessions and an `at` prompt: after SIGCONT each interval
    session says one `missed` (the first point, replaced by the second)
    and one `due`, the `at` prompt one late `due`, and nothing more."""
    names = [f"e{i}" for i in range(5)]
    # The grid starts (`between`) a few seconds ahead, so calfd and the
    # watcher are ready before it and the stop covers two points.
    g1 = future(6)
    g2 = g1 + 60
    if hms(g1) > "23:57:00":
        pytest.skip("too near midnight for a grid within one day")
    text = routine_text(
        *[session_ini(n, every="1m", between=f"{hms(g1)}-23:59:59",
                      duration="1m") for n in names],
        session_ini("once", at=hms(g1 + 1), duration="5m"))
    d = calf.start(text)
    w = d.watch()
    assert g1 - time.time() > 0.5, "setup took too long to stop in time"
    d.send_signal(signal.SIGSTOP)
    stopped = time.time()
    try:
        while time.time() < g2 + 3:
            time.sleep(0.2)
    finally:
        d.send_signal(signal.SIGCONT)
    resumed = time.time()
    # Long enough for every catch-up event, well before the next point.
    w.collect(resumed + 5)
    assert not w.closed and w.proc.poll() is None, \
        f"the watcher was cut off: {w.summary()}"
    got = watch_kinds(w.events, stopped)
    for n in names:
        mine = [e for e in w.events if e.get("session") == n
                and e["_recv"] >= stopped and e["event"] in ("due", "missed")]
        assert [e["event"] for e in mine] == ["missed", "due"], (n, got)
        missed, due = mine
        assert missed["count"] == 1, missed
        assert missed["first_due_us"] == g1 * US, missed
        assert due["due_us"] == g2 * US, due
        assert due["fired_us"] >= (g2 + 2) * US, due
    once = [e for e in w.events if e.get("session") == "once"
            and e["event"] in ("due", "missed")]
    assert [e["event"] for e in once] == ["due"], got
    assert once[0]["due_us"] == (g1 + 1) * US, once
    answers_promptly(d)
    d.sync(w)       # still subscribed, and still reading
    assert not w.closed


LIBFAKETIME = next((p for p in (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1") if os.path.exists(p)), None)


def faketime_env(rc):
    """calfd under libfaketime, its offset read from `rc` at every call,
    so writing the file moves the wall clock. The monotonic and boot
    clocks stay real: only the wall clock jumps, unreported."""
    preload = LIBFAKETIME
    if os.environ.get("LD_PRELOAD"):
        preload = os.environ["LD_PRELOAD"] + ":" + preload
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = (asan + ":" if asan else "") + "verify_asan_link_order=0"
    return clean_env(LD_PRELOAD=preload, ASAN_OPTIONS=asan, FAKETIME_TIMESTAMP_FILE=str(rc),
                     FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")


@pytest.mark.skipif(LIBFAKETIME is None,
                    reason="libfaketime is not installed (Debian: libfaketime)")
def test_a_two_day_jump_under_libfaketime(calf, tmp_path):
    rc = pathlib.Path(tmp_path) / "faketime.rc"
    # The fake clock starts a few seconds before a grid point, so calfd's
    # next firing comes soon in real time; the jump happens before it.
    now = time.time()
    lead = 6 if not os.environ.get("CALF_BUILD", "").endswith("san") else 10
    offset = (math.ceil(now / 60) * 60 - lead) - math.floor(now)
    if offset > 0:
        offset -= 60
    rc.write_text(f"{offset:+d}\n")
    names = [f"e{i:02d}" for i in range(N_EVERY)]
    text = routine_text(*[session_ini(n, every="1m", duration="1m")
                          for n in names])
    env = faketime_env(rc)
    d = calf.daemon(text, env=env)
    d.start()
    d.env = clean_env()     # calfctl runs on the real clock
    w = d.watch()
    fake_before = time.time() + offset
    rc.write_text(f"{offset + 2 * DAY:+d}\n")
    jumped = time.time()
    # The firing armed before the jump comes within `lead` s of real time;
    # then the catch-up, all in one turn.
    deadline = jumped + lead + 20
    while time.time() < deadline:
        w.collect(min(deadline, time.time() + 1))
        if all(any(e["event"] == "missed" and e.get("session") == n
                   for e in w.events) for n in names):
            break
    w.collect(time.time() + 2)
    assert not w.closed and w.proc.poll() is None, \
        f"the watcher was cut off after {len(w.events)} events"
    after = [e for e in w.events if e["_recv"] >= jumped]
    assert len(after) < 100, f"{len(after)} events: a flood"
    for n in names:
        missed = [e for e in after if e.get("session") == n
                  and e["event"] == "missed"]
        assert len(missed) == 1, (n, [(e["event"], e.get("count"))
                                      for e in after
                                      if e.get("session") == n])
        m = missed[0]
        # Two days of firings, minus what is still inside the window.
        assert 2 * DAY // 60 - 70 <= m["count"], m
        assert m["count"] <= 2 * DAY // 60 + 2, m
        assert m["first_due_us"] >= (fake_before - 60) * US, m
        assert m["first_due_us"] < m["due_us"], m
        assert m["due_us"] - m["first_due_us"] >= DAY * US, m
    st = answers_promptly(d)
    assert st is not None
    d.sync(w)
    assert not w.closed
