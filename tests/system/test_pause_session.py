"""pause NAME / resume NAME: a running session's clock stops and goes on;
its cues and end move later by the time it was paused (doc/daemon.md).
pause and resume without a name hold prompts, as before."""

import signal
import time

from calfsys import US, routine_text, session_ini


def test_a_paused_session_keeps_its_time_and_its_end_moves(calf):
    d = calf.start(routine_text(session_ini(
        "soak", duration="4s", cue=["at 2s Halfway."], finish="Dry off.")))
    w = d.watch()
    d.ctl_json("start", "soak")
    t0 = w.expect("started", "soak")["started_us"]
    r = d.ctl("pause", "soak")
    assert r.rc == 0 and r.out.startswith("paused soak"), r
    ev = w.expect("paused", "soak")
    assert ev["session"] == "soak"
    paused_at = time.time()
    st = d.status()
    assert st["paused"] is False            # prompts are not held
    run = st["running"][0]
    assert run["paused"] is True
    el = run["elapsed_us"]
    assert "paused" in d.ctl("status").out
    time.sleep(3)
    run = d.status()["running"][0]
    assert run["elapsed_us"] == el, "the clock ran while paused"
    assert [e for e in w.events if e["event"] in ("cue", "finished")] == []
    r = d.ctl("pause", "soak")
    assert r.rc != 0 and "already paused" in r.err, r
    r = d.ctl("resume", "soak")
    assert r.rc == 0 and r.out.startswith("resumed soak"), r
    gap = time.time() - paused_at
    res = w.expect("resumed", "soak")
    assert res["session"] == "soak"
    cue = w.expect("cue", "soak", timeout=20)
    fin = w.expect("finished", "soak", timeout=20)
    # Both moved by the pause (about 3 s), the end not before it.
    assert cue["due_us"] >= t0 + 2 * US + 2.5 * US
    assert fin["due_us"] >= t0 + 4 * US + 2.5 * US
    assert fin["due_us"] <= t0 + 4 * US + (gap + 1) * US
    assert fin["_recv"] >= paused_at + 3, "finished on the old clock"
    r = d.ctl("resume", "soak")
    assert r.rc != 0 and "not paused" in r.err, r


def test_pause_of_a_session_that_is_not_running_and_of_prompts(calf):
    d = calf.start(routine_text(session_ini("soak", duration="1h")))
    r = d.ctl("pause", "soak")
    assert r.rc != 0 and "not running" in r.err, r
    r = d.ctl("pause", "nosuch")
    assert r.rc != 0 and "no session named" in r.err, r
    d.ctl_json("pause", "10m")              # a duration: prompts
    assert d.status()["paused"] is True
    d.ctl_json("resume")
    assert d.status()["paused"] is False


def test_a_paused_session_stays_paused_across_a_restart(calf):
    d = calf.start(routine_text(session_ini("soak", duration="1h")))
    d.ctl_json("start", "soak")
    time.sleep(1)
    d.ctl_json("pause", "soak")
    el = d.status()["running"][0]["elapsed_us"]
    time.sleep(0.5)
    d.send_signal(signal.SIGKILL)
    d.proc.wait(timeout=10)
    d.expect_dead = True
    time.sleep(1.5)
    d2 = calf.start(d.config.read_text(), name=d.workdir.name)
    run = d2.status()["running"][0]
    assert run["paused"] is True
    assert abs(run["elapsed_us"] - el) < 0.2 * US, (run, el)
    d2.ctl_json("resume", "soak")
    time.sleep(1)
    run = d2.status()["running"][0]
    assert run["paused"] is False
    assert el + 0.9 * US <= run["elapsed_us"] < el + 10 * US
