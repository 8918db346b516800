"""What calfd keeps across a restart or a crash (doc/daemon.md "State"):
running sessions, due, snoozed and held prompts, skips and a pause come
back as they were; firings that came while calfd was down are caught up;
a broken state file is set aside; two daemons never share a state folder.

Each test stops a daemon (SIGKILL, as in a crash, or SIGTERM) and starts a
second one on the same socket and state folder."""

import json
import os
import signal
import time

from calfsys import US, future, hms, routine_text, session_ini


def restart(calf, d, sig=signal.SIGKILL, routine=None):
    """Stops d with sig and starts a new calfd on its folder."""
    d.send_signal(sig)
    rc = d.proc.wait(timeout=10)
    d.expect_dead = True
    assert rc == (0 if sig == signal.SIGTERM else -sig)
    text = routine if routine is not None else d.config.read_text()
    return calf.start(text, name=d.workdir.name)


def state_file(d):
    return d.state / "state.json"


def saved_state(**fields):
    """A state file as a calfd of another boot would have written it: the
    fields given over the envelope's defaults."""
    state = {"version": 1, "boot_id": "another boot", "saved_us": 0,
             "handled": 1, "paused": False, "pause_until_us": 0,
             "sessions": []}
    state.update(fields)
    return json.dumps(state).encode()


def write_state(d, **fields):
    d.state.mkdir(parents=True, exist_ok=True)
    state_file(d).write_bytes(saved_state(**fields))


def test_a_crash_loses_nothing(calf):
    t = future()
    text = routine_text(
        session_ini("soak", duration="1h", cue="at 6s Top up."),
        session_ini("circles", at=hms(t), duration="15m", window="1h"),
        session_ini("heat", at="03:00", duration="20m"),
        session_ini("raises", at=hms(t), duration="5m"))
    d = calf.start(text)
    w = d.watch()
    d.ctl_json("start", "soak")
    w.expect("due", "circles", timeout=t - time.time() + 5)
    w.expect("due", "raises", timeout=2)
    assert d.ctl_json("snooze", "raises", "10m")["session"] == "raises"
    assert d.ctl_json("skip", "heat") == {"session": "heat"}
    d.ctl_json("pause", "2h")
    before = d.status()
    agenda = d.ctl_json("agenda", "3")
    # The state is on disk by the time the replies are read.
    saved = json.loads(state_file(d).read_text())
    assert saved["paused"] is True

    d2 = restart(calf, d)
    w2 = d2.watch()
    after = d2.status()
    for key in ("running", "due", "paused", "paused_until_us", "next"):
        got = after[key]
        if key == "running":
            got = [{k: v for k, v in r.items() if k != "elapsed_us"}
                   for r in got]
            want = [{k: v for k, v in r.items() if k != "elapsed_us"}
                    for r in before[key]]
        else:
            want = before[key]
        assert got == want, key
    assert after["running"][0]["elapsed_us"] >= \
        before["running"][0]["elapsed_us"]
    assert d2.ctl_json("agenda", "3") == agenda   # the skip stands
    assert [a["skipped"] for a in agenda["agenda"]
            if a["session"] == "heat"][:1] == [True]
    # The soak's cue comes at its offset from the original start, and the
    # prompt already given is not given again.
    started = before["running"][0]["started_us"]
    ev = w2.expect("cue", "soak", timeout=started / US + 8 - time.time())
    assert ev["due_us"] == started + 6 * US
    assert [e["event"] for e in w2.of("circles")] == []
    assert d2.ctl_json("done", "circles") == {"session": "circles"}
    assert d2.ctl_json("done", "soak") == {"session": "soak"}


def test_a_prompt_that_fell_due_while_down_is_given_at_start(calf):
    t = future(3)
    text = routine_text(
        session_ini("circles", at=hms(t), duration="15m", window="1h"),
        session_ini("heat", duration="30s", start="auto", at=hms(t)))
    d = calf.start(text)
    d.ctl_json("start", "probe")      # something to save
    d.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=10) == 0
    d.expect_dead = True
    time.sleep(max(0, t + 1 - time.time()))
    d2 = calf.start(text, name=d.workdir.name)
    st = d2.status()
    assert [(p["session"], p["state"], p["due_us"]) for p in st["due"]] == \
        [("circles", "due", t * US)]
    # An auto session started itself; `started` says when it was due.
    assert sorted(r["session"] for r in st["running"]) == ["heat", "probe"]
    assert "due circles" in d2.stderr()
    assert st["next"]["at_us"] == (t + 86400) * US
    # No watcher could hear those events when they were sent, during the
    # start: one that subscribes soon after gets them first.
    w = d2.raw_watch()
    ev = w.expect("due", "circles", timeout=2)
    assert ev["due_us"] == t * US and ev["fired_us"] > (t + 1) * US
    w.collect(time.time() + 0.3)
    assert [(e["event"], e["session"]) for e in w.events] == [
        ("due", "circles"), ("due", "heat"), ("started", "heat")]


def test_a_running_session_whose_end_passed_while_down_finishes(calf):
    d = calf.start(routine_text(session_ini("heat", duration="2s",
                                            finish="All warm.")))
    d.ctl_json("start", "heat")
    d.send_signal(signal.SIGKILL)
    d.proc.wait(timeout=10)
    d.expect_dead = True
    time.sleep(2.5)
    d2 = calf.start(d.config.read_text(), name=d.workdir.name)
    assert "finished heat: All warm." in d2.stderr()
    assert d2.status()["running"] == []


def test_missed_while_down_and_a_pause_that_ended(calf):
    now = int(time.time())
    text = routine_text(
        session_ini("late", at=hms(now - 600), duration="5m", window="1m"),
        session_ini("open", at=hms(now - 60), duration="5m", window="1h"))
    d = calf.daemon(text)
    # As a calfd that stopped 20 minutes ago, paused until 10 minutes ago,
    # would have left it.
    write_state(d, handled=now - 1200, paused=True,
                pause_until_us=(now - 600) * US)
    d.start()
    err = d.stderr()
    assert "missed late" in err
    assert "resumed: Prompts resumed" in err
    st = d.status()
    assert st["paused"] is False
    assert [(p["session"], p["due_us"]) for p in st["due"]] == \
        [("open", (now - 60) * US)]


def test_a_running_session_survives_a_reboot_by_the_wall_clock(calf):
    now = time.time()
    d = calf.daemon(routine_text(session_ini("soak", duration="1h")))
    started = int((now - 30) * US)
    write_state(d, saved_us=started, handled=int(now - 30), sessions=[
        {"name": "soak", "state": "running", "started_us": started,
         "start_boot_us": -5 * US, "seq": 4},
        {"name": "gone", "state": "due", "due_us": started, "seq": 3}])
    d.start()
    run = d.status()["running"]
    assert [r["session"] for r in run] == ["soak"]
    assert run[0]["started_us"] == started
    assert 29 * US <= run[0]["elapsed_us"] <= 40 * US
    assert "gone: saved, but no longer in the routine" in d.stderr()


def test_reminders_go_on_from_the_last_one_across_a_restart(calf):
    now = time.time()
    d = calf.daemon(routine_text(session_ini(
        "nag", at="03:00", duration="5m", remind="1m", window="1h")))
    prompted = int((now - 58.5) * US)
    write_state(d, saved_us=prompted, handled=int(now), sessions=[
        {"name": "nag", "state": "due", "due_us": prompted,
         "prompted_us": prompted, "seq": 1}])
    d.start()
    w = d.raw_watch()
    ev = w.expect("reminder", "nag", timeout=5)
    # A minute after the last prompt, not a minute after the restart.
    assert abs(ev["due_us"] - (prompted + 60 * US)) < 300_000, ev
    assert ev["fired_us"] < prompted + 62 * US


def test_unusable_state_files_are_set_aside(calf, tmp_path):
    text = routine_text(session_ini("a", duration="5m"))
    makers = {
        "fifo": lambda p: os.mkfifo(p),
        "dir": lambda p: p.mkdir(),
        "symlink": lambda p: p.symlink_to(tmp_path / "elsewhere.json"),
    }
    (tmp_path / "elsewhere.json").write_text('{"version": 1}')
    for kind, make in makers.items():
        d = calf.daemon(text, name=kind)
        d.state.mkdir(parents=True)
        make(state_file(d))
        d.start()
        assert "set aside" in d.stderr(), kind
        bad = d.state / "state.json.bad"
        assert bad.is_symlink() if kind == "symlink" else bad.exists()
        d.ctl_json("start", "a")
        d.teardown()
        assert json.loads(state_file(d).read_text())["version"] == 1
    assert (tmp_path / "elsewhere.json").read_text() == '{"version": 1}'


def test_a_broken_state_file_is_set_aside(calf):
    for n, junk in enumerate([b"", b"{\"version\": 1,", b"[1, 2]",
                              b"{\"version\": 2}", b"\xff\xfe garbage",
                              saved_state(sessions=[
                                  {"name": "a", "state": "running"}]),
                              saved_state(sessions=[
                                  {"name": "a\u0000b", "state": "idle"}]),
                              b'{"version": 1} {"version": 1}']):
        d = calf.daemon(routine_text(session_ini("a", duration="5m")),
                        name=f"broken{n}")
        d.state.mkdir(parents=True)
        state_file(d).write_bytes(junk)
        d.start()
        assert "set aside" in d.stderr(), junk
        assert (d.state / "state.json.bad").read_bytes() == junk
        assert d.status()["running"] == []
        d.ctl_json("start", "a")
        d.teardown()
        assert json.loads(state_file(d).read_text())["version"] == 1


def test_two_daemons_never_share_a_state_folder(calf):
    text = routine_text(session_ini("a", duration="5m"))
    d1 = calf.start(text)
    d2 = calf.daemon(text, name="second")
    d2.argv[d2.argv.index("--state-dir") + 1] = str(d1.state)
    d2.start(wait=False)
    assert d2.proc.wait(timeout=10) == 69
    d2.expect_dead = True
    assert f"already running (pid {d1.pid})" in d2.stderr()
    assert str(d1.state) in d2.stderr()
    assert d1.ctl_json("version")["pid"] == d1.pid


def test_a_running_session_gets_the_new_routine_after_a_restart(calf):
    d = calf.start(routine_text(session_ini("soak", duration="20s",
                                            cue="at 12s Twelve.")))
    d.ctl_json("start", "soak")
    started = d.status()["running"][0]["started_us"]
    # Restarted with a routine that adds a cue before the pending one: it
    # is still ahead, so it is said, at its offset from the first start.
    d2 = restart(calf, d, routine=routine_text(session_ini(
        "soak", duration="20s", cue=["at 3s Three.", "at 12s Twelve."])))
    w = d2.watch()
    assert time.time() < started / US + 2.5, "restart too slow"
    ev = w.expect("cue", "soak", timeout=5)
    assert (ev["message"], ev["due_us"]) == ("Three.", started + 3 * US)
    assert 0 <= ev["fired_us"] - ev["due_us"] < 1_500_000
