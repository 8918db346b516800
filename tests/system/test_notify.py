"""Desktop notifications (doc/daemon.md): calfd against python3-dbusmock's
notification_daemon on a private session bus, and its logind template on a
private "system" bus. Buttons are ActionInvoked signals the mock emits."""

import os
import signal
import time

import pytest

from calfsys import clean_env, future, hms, routine_text, session_ini
from dbusfix import LogindMock, Mock, NotifyMock, PrivateBus, wait_for


@pytest.fixture
def sbus(tmp_path):
    b = PrivateBus(tmp_path)
    yield b
    b.stop()


@pytest.fixture
def mocks():
    started = []
    yield started
    for m in started:
        m.kill()


def notify_env(sbus, system=None):
    return clean_env(DBUS_SESSION_BUS_ADDRESS=sbus.address,
                     DBUS_SYSTEM_BUS_ADDRESS=(system.address if system
                                              else None))


SOAK = dict(duration="25m..30m", title="Warm foot soak",
            prompt="Soak your feet in warm water.", temperature="40",
            remind="0")


def status_of(d, name):
    st = d.status()
    for e in st["due"]:
        if e["session"] == name:
            return e["state"]
    for e in st["running"]:
        if e["session"] == name:
            return "running"
    return "idle"


def test_due_prompt_is_a_bubble_with_buttons_that_act(calf, sbus, mocks):
    srv = NotifyMock(sbus, "actions body")
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    i, n = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    assert n["app"] == "calf"
    assert "Soak your feet in warm water." in n["body"]
    assert "40 °C" in n["body"] and "25m..30m" in n["body"]
    assert n["keys"] == ["default", "start", "snooze", "skip"]
    assert n["expire"] == 0
    assert n["hints"]["category"] == "x-calf.due"
    assert n["hints"]["desktop-entry"] == "calf"
    assert bool(n["hints"]["resident"]) is True
    assert int(n["hints"]["urgency"]) == 1
    assert "sound-name" in n["hints"]
    nid = srv.id_of(i)

    srv.action(nid, "snooze")
    ev = w.expect("snoozed", "soak")
    assert ev["origin"] == "button", ev
    assert status_of(d, "soak") == "snoozed"
    # Handled: its bubble is closed.
    wait_for(lambda: nid in srv.closes(), 10, "CloseNotification")
    assert d.alive()


def test_done_button_ends_a_running_session(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini("soak", **SOAK)),
                   env=notify_env(sbus))
    w = d.watch()
    base = len(srv.notifies())
    d.ctl_json("start", "soak")
    i, n = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak",
                           after=base)
    assert n["keys"] == ["done", "stop"]
    assert "30m left" in n["body"]
    srv.action(srv.id_of(i), "done")
    ev = w.expect("done", "soak")
    assert ev["origin"] == "button", ev
    assert status_of(d, "soak") == "idle"


def test_calfctl_answer_closes_the_bubble(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    i, _ = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    nid = srv.id_of(i)
    assert d.ctl("skip", "soak").rc == 0
    wait_for(lambda: nid in srv.closes(), 10, "CloseNotification")
    # A dismissed bubble (reason 2) is no answer: a button on a closed
    # bubble does nothing either.
    srv.action(nid, "start")
    time.sleep(0.5)
    assert status_of(d, "soak") == "idle"


def test_dismissing_is_not_an_answer(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    i, _ = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    srv.closed(srv.id_of(i), 2)
    time.sleep(0.5)
    assert status_of(d, "soak") == "due"
    assert d.alive()


def test_without_actions_the_body_names_the_command(calf, sbus, mocks):
    srv = NotifyMock(sbus, "body")
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    _, n = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak",
                           timeout=15)
    assert n["actions"] == []
    assert "calfctl start soak" in n["body"]
    assert d.alive()


def test_prompts_falling_due_together_share_one_bubble(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(
        session_ini("soak", at=hms(t), **SOAK),
        session_ini("stretch", at=hms(t), duration="5m", title="Calf "
                    "stretch", remind="0")), env=notify_env(sbus))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    w.expect("due", "stretch", timeout=5)
    i, n = srv.wait_notify(lambda n: "due" in n["summary"])
    assert n["summary"] == "2 sessions due"
    assert "Warm foot soak" in n["body"] and "Calf stretch" in n["body"]
    assert n["keys"] == ["snooze", "skip"]
    time.sleep(0.5)
    mine = [c for c in srv.notifies() if c["summary"] in
            ("Warm foot soak", "Calf stretch", "2 sessions due")]
    assert len(mine) == 1, mine
    srv.action(srv.id_of(i), "snooze")
    w.expect("snoozed", "soak")
    w.expect("snoozed", "stretch")


def test_server_dies_and_comes_back(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    t1 = future(3)
    t2 = t1 + 4
    d = calf.start(routine_text(
        session_ini("soak", at=hms(t1), **SOAK),
        session_ini("stretch", at=hms(t2), duration="5m", title="Calf "
                    "stretch", remind="0")), env=notify_env(sbus))
    w = d.watch()
    srv.kill()
    w.expect("due", "soak", timeout=15)     # still in the log and watch
    assert "Soak your feet" in d.stderr()
    assert d.alive()
    srv.start()                              # a fresh mock: no calls yet
    # The prompt still due is shown on the server that appeared...
    srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    # ... and the next prompt reaches it too.
    w.expect("due", "stretch", timeout=15)
    srv.wait_notify(lambda n: n["summary"] == "Calf stretch")
    assert d.stderr().count("no desktop notification server") == 1
    assert d.alive()


def test_no_session_bus_is_said_once(calf):
    t = future(2)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    d.ctl_json("skip", "soak")
    d.ctl_json("start", "soak")
    d.ctl_json("stop", "soak")
    assert d.stderr().count("no session bus") == 1, d.stderr()


def test_notify_none_sends_nothing(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini("soak", **SOAK),
                                calfd={"notify": "none"}),
                   env=notify_env(sbus))
    w = d.watch()
    d.ctl_json("start", "soak")
    w.expect("started", "soak")
    time.sleep(0.5)
    assert srv.notifies() == []


def test_locked_screen_holds_prompts(calf, sbus, mocks, tmp_path):
    sysbus = PrivateBus(tmp_path)
    try:
        srv = NotifyMock(sbus)
        mocks.append(srv.start())
        login = LogindMock(sysbus)
        mocks.append(login.start())
        login.lock(True)
        t = future(6)   # time to learn the state first
        d = calf.start(routine_text(session_ini("soak", at=hms(t),
                                                **SOAK)),
                       env=notify_env(sbus, sysbus))
        w = d.watch()
        wait_for(lambda: "screen locked" in d.stderr(), 10, "lock seen")
        time.sleep(max(t - time.time(), 0) + 1.5)
        assert status_of(d, "soak") == "held"
        assert not [n for n in srv.notifies()
                    if n["summary"] == "Warm foot soak"]
        assert not [e for e in w.events if e.get("event") == "due"]
        login.lock(False)
        w.expect("due", "soak", timeout=10)
        srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    finally:
        for m in mocks:
            m.kill()
        mocks.clear()
        sysbus.stop()


def test_dunst_paused_holds_prompts(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    # dunst says do-not-disturb as a property of its own interface on the
    # notifications object.
    srv.mock.AddProperty("org.dunstproject.cmd0", "paused", True)
    t = future(6)   # time to learn the state first
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    wait_for(lambda: "dunst: do not disturb on" in d.stderr(), 10, "dnd")
    wait_for(lambda: status_of(d, "soak") == "held", 15, "held prompt")
    assert not [n for n in srv.notifies() if n["summary"] == "Warm foot soak"]
    srv.mock.UpdateProperties("org.dunstproject.cmd0", {"paused": False})
    srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    assert status_of(d, "soak") == "due"


def test_swaync_dnd_holds_prompts(calf, sbus, mocks):
    import dbus
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    sway = Mock(sbus, "org.erikreider.swaync.cc",
                ["org.erikreider.swaync.cc", "/org/erikreider/swaync/cc",
                 "org.erikreider.swaync.cc"])
    mocks.append(sway.start())
    m = dbus.Interface(sway.obj("/org/erikreider/swaync/cc"),
                       "org.freedesktop.DBus.Mock")
    m.AddMethod("", "GetDnd", "", "b", "ret = True")
    t = future(6)   # time to learn the state first
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK)),
                   env=notify_env(sbus))
    wait_for(lambda: "swaync: do not disturb on" in d.stderr(), 10, "dnd")
    wait_for(lambda: status_of(d, "soak") == "held", 15, "held prompt")
    m.EmitSignal("", "SubscribeV2", "ubbb", [dbus.UInt32(0), False, False,
                                            False])
    srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    assert status_of(d, "soak") == "due"


def test_one_bubble_per_session_and_a_critical_end(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini(
        "soak", duration="3s", title="Warm foot soak",
        cue="at 1s Top up the hot water.", finish="Dry your feet.")),
        env=notify_env(sbus))
    w = d.watch()
    base = len(srv.notifies())
    d.ctl_json("start", "soak")
    w.expect("finished", "soak", timeout=15)

    def mine():
        return [n for n in srv.notifies()[base:]
                if n["summary"] == "Warm foot soak"]
    calls = wait_for(lambda: len(mine()) >= 3 and mine(), 10, "3 bubbles")
    started, cue, end = calls[0], calls[1], calls[-1]
    first = srv.id_of(srv.notifies().index(started))
    assert started["replaces"] == 0 and started["keys"] == ["done", "stop"]
    assert "Top up the hot water." in cue["body"]
    assert cue["replaces"] == first and cue["hints"]["category"] == "x-calf.cue"
    assert end["replaces"] == first
    assert "Dry your feet." in end["body"]
    assert end["actions"] == []
    assert int(end["hints"]["urgency"]) == 2
    assert end["hints"]["category"] == "x-calf.finished"


def test_a_reload_that_drops_the_session_closes_its_bubble(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    t = future(3)
    d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK),
                                session_ini("other", duration="5m")),
                   env=notify_env(sbus))
    w = d.watch()
    w.expect("due", "soak", timeout=15)
    i, _ = srv.wait_notify(lambda n: n["summary"] == "Warm foot soak")
    nid = srv.id_of(i)
    d.config.write_text(routine_text(session_ini("other", duration="5m")))
    assert d.ctl("reload").rc == 0
    w.expect("skipped", "soak")
    wait_for(lambda: nid in srv.closes(), 10, "CloseNotification")


CHECK = dict(duration="40s", title="Warm-water check",
             cue="at 2s Has the cramp gone?")


def test_cramp_check_cue_buttons_record_the_result(calf, sbus, mocks):
    srv = NotifyMock(sbus, "actions body")
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini("cramp-check", **CHECK)),
                   env=notify_env(sbus))
    w = d.watch()
    base = len(srv.notifies())
    assert d.ctl("cramp", "test").rc == 0
    i, n = srv.wait_notify(lambda n: n["summary"] == "Warm-water check",
                           after=base)
    # Started, before its cue: the answer is not asked for yet.
    assert n["keys"] == ["done", "stop"]
    w.expect("cue", "cramp-check", timeout=15)
    i, cue = srv.wait_notify(
        lambda n: n["hints"]["category"] == "x-calf.cue", after=base,
        what="the check's cue bubble")
    assert "Has the cramp gone?" in cue["body"]
    assert cue["keys"] == ["cramp-relieved", "cramp-not-relieved", "stop"]
    assert cue["actions"][:4] == ["cramp-relieved", "Relieved",
                                  "cramp-not-relieved", "Not relieved"]
    srv.action(srv.id_of(i), "cramp-relieved")
    ev = w.expect("done", "cramp-check")
    assert ev["origin"] == "button", ev
    assert status_of(d, "cramp-check") == "idle"
    r = d.ctl("--json", "history", "--session", "cramp-check")
    assert r.rc == 0, r
    recs = r.json["records"]
    assert [x["event"] for x in recs] == ["started", "cramp-test", "done"]
    started, test = recs[0], recs[1]
    assert test["session"] == "cramp-check"
    assert test["result"] == "relieved"
    # The check's start (the session's started_us), the instant its
    # "started" record was made or just before.
    assert 0 <= started["at_us"] - test["due_us"] < 1000000, recs
    assert test["at_us"] >= started["at_us"], recs
    # A button the bubble no longer offers does nothing.
    srv.action(srv.id_of(i), "cramp-not-relieved")
    time.sleep(0.5)
    recs = d.ctl("--json", "history", "--session",
                 "cramp-check").json["records"]
    assert [x["event"] for x in recs] == ["started", "cramp-test", "done"]
    assert d.alive()


def test_cramp_check_without_actions_names_the_command(calf, sbus, mocks):
    srv = NotifyMock(sbus, "body")
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini("cramp-check", **CHECK)),
                   env=notify_env(sbus))
    w = d.watch()
    base = len(srv.notifies())
    assert d.ctl("cramp", "test").rc == 0
    w.expect("cue", "cramp-check", timeout=15)
    _, cue = srv.wait_notify(
        lambda n: n["hints"]["category"] == "x-calf.cue", after=base,
        what="the check's cue bubble")
    assert cue["actions"] == []
    assert "calfctl cramp result relieved" in cue["body"]
    assert "not-relieved" in cue["body"]
    assert d.ctl("cramp", "result", "not-relieved").rc == 0
    w.expect("done", "cramp-check")
    assert d.alive()


def test_cramp_check_end_bubble_takes_the_answer_too(calf, sbus, mocks):
    srv = NotifyMock(sbus)
    mocks.append(srv.start())
    d = calf.start(routine_text(session_ini(
        "cramp-check", duration="3s", title="Warm-water check",
        cue="at 1s Has the cramp gone?", finish="Dry your legs.")),
        env=notify_env(sbus))
    w = d.watch()
    base = len(srv.notifies())
    assert d.ctl("cramp", "test").rc == 0
    w.expect("finished", "cramp-check", timeout=15)
    i, end = srv.wait_notify(
        lambda n: n["hints"]["category"] == "x-calf.finished", after=base,
        what="the check's end bubble")
    assert end["keys"] == ["cramp-relieved", "cramp-not-relieved"]
    nid = srv.id_of(i)
    srv.action(nid, "cramp-not-relieved")
    # Answered: the end bubble goes.
    wait_for(lambda: nid in srv.closes(), 10, "CloseNotification")
    recs = d.ctl("--json", "history", "--session",
                 "cramp-check").json["records"]
    assert [x["event"] for x in recs] == ["started", "finished",
                                          "cramp-test"], recs
    assert recs[2]["result"] == "not-relieved"
    assert d.alive()
