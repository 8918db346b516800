"""calfctl extend: a running session's end (and a minimum still ahead)
moves later; cues keep their offsets from the start (doc/daemon.md)."""

import signal
import time

from calfsys import US, future, hms, routine_text, session_ini


def test_extend_moves_the_end_and_keeps_the_cues(calf):
    d = calf.start(routine_text(session_ini(
        "soak", duration="3s", cue=["at 2s Halfway."], finish="Dry off.")))
    w = d.watch()
    d.ctl_json("start", "soak")
    started = w.expect("started", "soak")
    t0 = started["started_us"]
    r = d.ctl_json("extend", "4s")          # the one running: no name
    assert r["session"] == "soak"
    assert r["until_us"] == t0 + 7 * US
    ev = w.expect("extended", "soak")
    assert ev["until_us"] == t0 + 7 * US
    assert ev["dur_max_s"] == 7
    assert "now ends at" in ev["message"]
    run = d.status()["running"][0]
    assert run["max_us"] == 7 * US
    cue = w.expect("cue", "soak", timeout=15)
    assert cue["due_us"] == t0 + 2 * US     # its offset from the start
    fin = w.expect("finished", "soak", timeout=20)
    assert fin["due_us"] == t0 + 7 * US
    assert fin["_recv"] >= t0 / US + 7 - 0.05, "finished at the old end"
    assert fin["message"] == "Dry off."


def test_extend_without_a_name_refuses_when_several_run(calf):
    d = calf.start(routine_text(session_ini("soak", duration="1h"),
                                session_ini("wrap", duration="1h"),
                                session_ini("idle", duration="1h")))
    r = d.ctl("extend", "5m")
    assert r.rc != 0 and "nothing is running" in r.err, r
    d.ctl_json("start", "soak")
    d.ctl_json("start", "wrap")
    r = d.ctl("extend", "5m")
    assert r.rc != 0, r
    assert "soak" in r.err and "wrap" in r.err and "name" in r.err, r
    assert all(x["max_us"] == 3600 * US for x in d.status()["running"])
    r = d.ctl("extend", "idle", "5m")
    assert r.rc != 0 and "not running" in r.err, r
    r = d.ctl("extend", "wrap", "5x")
    assert r.rc == 2 and "bad duration" in r.err, r
    r = d.ctl("extend", "wrap")
    assert r.rc == 2 and "bad duration" in r.err, r
    r = d.ctl("extend", "wrap", "10m")
    assert r.rc == 0 and r.out.startswith("extended wrap"), r
    by = {x["session"]: x["max_us"] for x in d.status()["running"]}
    assert by == {"soak": 3600 * US, "wrap": 4200 * US}


def test_an_extension_survives_a_restart(calf):
    d = calf.start(routine_text(session_ini("soak", duration="1h")))
    d.ctl_json("start", "soak")
    d.ctl_json("extend", "soak", "30m")
    time.sleep(0.5)         # the save follows the reply's change
    d.send_signal(signal.SIGKILL)
    d.proc.wait(timeout=10)
    d.expect_dead = True
    d2 = calf.start(d.config.read_text(), name=d.workdir.name)
    run = d2.status()["running"][0]
    assert run["session"] == "soak" and run["max_us"] == 5400 * US



def test_done_stop_skip_without_a_name_refuse_when_two_could_be_meant(calf):
    # As in the field: ankle circles fall due while a soak runs; a bare
    # `done` must not end the soak, it names both instead.
    t = future()
    d = calf.start(routine_text(
        session_ini("soak", duration="1h"),
        session_ini("circles", at=hms(t), duration="5m", window="1h"),
        session_ini("raises", at=hms(t), duration="5m", window="1h")))
    w = d.watch()
    d.ctl_json("start", "soak")
    w.expect("due", "circles", timeout=t - time.time() + 15)
    w.expect("due", "raises", timeout=5)
    r = d.ctl("done")
    assert r.rc != 0 and "could be meant" in r.err, r
    assert all(n in r.err for n in ("soak", "circles", "raises")), r
    r = d.ctl("skip")
    assert r.rc != 0 and "circles, raises" in r.err, r
    st = d.status()
    assert [x["session"] for x in st["running"]] == ["soak"]
    assert sorted(x["session"] for x in st["due"]) == ["circles", "raises"]
    assert d.ctl_json("skip", "circles") == {"session": "circles"}
    assert d.ctl_json("skip") == {"session": "raises"}    # the one due
    assert d.ctl_json("done") == {"session": "soak"}      # the one left
    d.ctl_json("start", "circles")
    d.ctl_json("start", "raises")
    r = d.ctl("stop")
    assert r.rc != 0 and "circles, raises" in r.err, r
    assert len(d.status()["running"]) == 2
