"""calfd's behaviour (doc/daemon.md), driven by the real calfctl: prompts on
time, a session's life, pause, quiet hours, reload, signals, one daemon per
socket. Times are whole seconds a few seconds ahead, in UTC."""

import datetime as dt
import signal
import time

from calfsys import (LATE_MAX_US, US, assert_on_time, future, hms,
                     routine_text, session_ini)


def assert_in_time(t):
    assert time.time() < t - 0.3, "set-up took too long for CALF_TEST_LEAD"


def stable(status):
    """status without the fields that change by themselves."""
    s = dict(status)
    s.pop("now_us")
    s["running"] = [{k: v for k, v in r.items() if k != "elapsed_us"}
                    for r in s["running"]]
    return s


# --- prompts on time ---------------------------------------------------------

def test_prompt_fires_on_time_and_done_falls_back_to_it(calf):
    t = future()
    d = calf.start(routine_text(session_ini(
        "soak", at=hms(t), duration="5m", title="Warm soak",
        prompt="Soak your feet now.", window="1h"),
        session_ini("other", duration="1h")))
    assert str(d.config) in d.stderr()      # says which routine it uses
    w = d.watch()
    raw = d.raw_watch()
    d.ctl_json("start", "other")           # sessions are independent
    assert_in_time(t)
    st = d.status()
    assert st["next"]["session"] == "soak"
    assert st["next"]["at_us"] == t * US
    assert st["due"] == []
    assert [r["session"] for r in st["running"]] == ["other"]

    ev = w.expect("due", "soak", timeout=t - time.time() + 3)
    assert_on_time(ev, t)
    assert ev["_recv"] >= t - 0.05, "announced before its time"
    assert ev["title"] == "Warm soak"
    assert "Soak your feet now." in ev["message"]
    # Every watcher gets the same event.
    ev2 = raw.expect("due", "soak", timeout=2)
    assert (ev2["due_us"], ev2["fired_us"]) == (ev["due_us"], ev["fired_us"])

    assert "soak" in d.stderr().split("Soak your feet now.")[0].splitlines(
    )[-1], "the prompt is not logged to stderr"
    st = d.status()
    assert [r["session"] for r in st["running"]] == ["other"]
    assert st["due"] == [{"session": "soak", "title": "Warm soak",
                          "state": "due", "due_us": t * US, "until_us": 0,
                          "expires_us": (t + 3600) * US}]
    assert st["next"]["session"] == "soak"
    assert st["next"]["at_us"] == (t + 86400) * US      # daily
    # `done` prefers what runs; once nothing runs, it takes the due prompt.
    assert d.ctl_json("stop") == {"session": "other"}
    assert d.ctl_json("done") == {"session": "soak"}
    w.expect("done", "soak", timeout=2)
    st = d.status()
    assert st["due"] == [] and st["running"] == []
    assert [e["event"] for e in w.of("soak")] == ["due", "done"]


def test_auto_start_cues_minimum_finish_and_absorbed_firing(calf):
    t = future()
    # A second firing at t+2 falls while the session runs: absorbed.
    d = calf.start(routine_text(session_ini(
        "heat", at=f"{hms(t)} {hms(t + 2)}", duration="3s..4s",
        start="auto", cue=["at 1s First cue.", "at 2s Second cue."],
        finish="All warm.")))
    w = d.watch()
    assert_in_time(t)
    started = w.expect("started", "heat", timeout=t - time.time() + 3)
    st = d.status()
    assert st["due"] == []
    [run] = st["running"]
    assert run["session"] == "heat"
    assert (run["min_us"], run["max_us"]) == (3 * US, 4 * US)
    assert 0 <= started["fired_us"] - run["started_us"] < 100_000
    assert 0 <= run["elapsed_us"] < 4 * US
    assert run["next_cue_us"] in (run["started_us"] + 1 * US,
                                  run["started_us"] + 2 * US,
                                  run["started_us"] + 3 * US)

    w.expect("finished", "heat", timeout=t + 4 + 3 - time.time())
    w.collect(time.time() + 0.7)
    evs = w.of("heat")
    assert [e["event"] for e in evs] == [
        "due", "started", "cue", "cue", "minimum", "finished"]
    assert_on_time(evs[0], t)
    assert_on_time(evs[1], t)           # started: meant for the due time
    for ev, off in zip(evs[2:], (1, 2, 3, 4)):
        # Meant for start + offset; the start is t plus a little.
        assert abs(ev["due_us"] - (t + off) * US) < 500_000, (off, ev)
        assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US, ev
    assert evs[2]["message"] == "First cue."
    assert evs[3]["message"] == "Second cue."
    assert evs[5]["message"] == "All warm."
    st = d.status()
    assert st["running"] == [] and st["due"] == []


def test_unanswered_prompt_is_missed_when_the_next_firing_comes(calf):
    t = future()
    d = calf.start(routine_text(session_ini(
        "circles", at=f"{hms(t)} {hms(t + 2)}", duration="5m")))
    w = d.raw_watch()
    assert_in_time(t)
    assert_on_time(w.expect("due", "circles", timeout=t - time.time() + 3),
                   t)
    missed = w.expect("missed", "circles", timeout=4)
    assert (t + 2) * US <= missed["fired_us"] < (t + 2) * US + LATE_MAX_US
    again = w.expect("due", "circles", timeout=2)
    assert_on_time(again, t + 2)
    assert [e["event"] for e in w.of("circles")] == ["due", "missed", "due"]
    [due] = d.status()["due"]
    assert (due["state"], due["due_us"]) == ("due", (t + 2) * US)
    # A reload without the session drops its pending prompt, and says so.
    d.config.write_text(routine_text(session_ini("x", duration="5m")))
    d.ctl_json("reload")
    w.expect("reloaded", timeout=2)
    w.collect(time.time() + 0.3)
    assert [e["event"] for e in w.of("circles")] == [
        "due", "missed", "due", "skipped"]
    assert w.of("circles")[-1]["due_us"] == (t + 2) * US
    assert d.status()["due"] == []


# --- start, done, stop, skip, snooze -----------------------------------------

def test_start_done_stop_and_their_defaults(calf):
    d = calf.start(routine_text(session_ini("a", duration="1h"),
                                session_ini("b", duration="10m..1h")))
    w = d.raw_watch()
    assert d.ctl_json("start", "a") == {"session": "a"}
    assert d.ctl_json("start", "b") == {"session": "b"}
    st = d.status()
    assert st["next"] is None               # nothing is scheduled
    assert [r["session"] for r in st["running"]] == ["a", "b"]
    b = st["running"][1]
    assert (b["min_us"], b["max_us"]) == (600 * US, 3600 * US)
    assert b["next_cue_us"] == b["started_us"] + 600 * US   # the minimum

    r = d.ctl("--json", "start", "a")
    assert r.rc == 1 and r.json["code"] == "already-running", r
    # No name while two run: both could be meant, so neither is ended.
    for cmd in ("done", "stop"):
        r = d.ctl("--json", cmd)
        assert r.rc == 2 and r.json["code"] == "usage", r
        assert "(a, b)" in r.json["error"] and "name the one" in \
            r.json["error"], r
    assert d.ctl_json("done", "b") == {"session": "b"}
    assert d.ctl_json("stop") == {"session": "a"}     # the one left
    w.expect("stopped", "a", timeout=2)
    assert [(e["event"], e["session"]) for e in w.events] == [
        ("started", "a"), ("started", "b"), ("done", "b"), ("stopped", "a")]
    assert d.status()["running"] == []
    for cmd in (("done",), ("stop",), ("stop", "b")):
        r = d.ctl("--json", *cmd)
        assert r.rc == 1 and r.json["code"] == "not-running", r
    r = d.ctl("--json", "start", "nosuch")
    assert r.rc == 1 and r.json["code"] == "unknown-session", r
    assert "nosuch" in r.json["error"]


def test_skip_a_due_prompt_and_a_next_firing(calf):
    t = future()
    d = calf.start(routine_text(session_ini("a", at=hms(t), duration="5m"),
                                session_ini("b", at=hms(t + 1),
                                            duration="5m")))
    w = d.raw_watch()
    assert d.ctl_json("skip", "b") == {"session": "b"}
    assert w.expect("skipped", "b", timeout=2)["due_us"] == (t + 1) * US
    agenda = d.ctl_json("agenda", "2")["agenda"]
    assert [(x["session"], x["at_us"], x["skipped"]) for x in agenda] == [
        ("a", t * US, False), ("b", (t + 1) * US, True)]
    r = d.ctl("--json", "skip", "b")     # already skipped
    assert r.rc == 1 and r.json["code"] == "not-due", r
    r = d.ctl("--json", "skip")          # nothing is due
    assert r.rc == 1 and r.json["code"] == "not-due", r
    assert_in_time(t)
    assert_on_time(w.expect("due", "a", timeout=t - time.time() + 3), t)
    assert d.ctl_json("skip") == {"session": "a"}
    assert w.expect("skipped", "a", timeout=2)["due_us"] == t * US
    st = d.status()
    assert st["due"] == []
    # b's firing at t+1 is skipped, so the next one is a's tomorrow.
    assert (st["next"]["session"], st["next"]["at_us"]) == (
        "a", (t + 86400) * US)
    w.collect(t + 2.5)
    assert [e["event"] for e in w.of("b")] == ["skipped"]
    assert d.status()["due"] == []


def test_a_skip_survives_a_reload(calf):
    t = future()
    text = routine_text(session_ini("b", at=hms(t), duration="5m"))
    d = calf.start(text)
    w = d.raw_watch()
    assert d.ctl_json("skip", "b") == {"session": "b"}
    d.config.write_text(text + "\n" + session_ini("c", duration="5m"))
    assert d.ctl_json("reload")["sessions"] == 3
    [first] = d.ctl_json("agenda", "1")["agenda"]
    assert (first["at_us"], first["skipped"]) == (t * US, True), first
    assert_in_time(t)
    w.collect(t + 1.6)
    assert [e["event"] for e in w.of("b")] == ["skipped"], (
        "the firing skipped before the reload was prompted after it")


def test_every_cues_and_cues_at_the_same_offset(calf):
    d = calf.start(routine_text(session_ini(
        "tick", duration="3s", cue=["every 1s Tick.", "at 2s Half."])))
    w = d.raw_watch()
    d.ctl_json("start", "tick")
    started = w.expect("started", "tick", timeout=2)
    w.expect("finished", "tick", timeout=5)
    w.collect(time.time() + 0.3)
    got = sorted((round((e["due_us"] - started["fired_us"]) / US),
                  e["event"], e["message"]) for e in w.of("tick")[1:])
    assert got == [(1, "cue", "Tick."), (2, "cue", "Half."),
                   (2, "cue", "Tick."), (3, "finished", got[-1][2])], got
    for e in w.of("tick")[1:]:
        assert 0 <= e["fired_us"] - e["due_us"] < LATE_MAX_US, e


def test_snooze_brings_the_prompt_back_with_a_fresh_window(calf):
    t = future()
    d = calf.start(routine_text(
        session_ini("soak", at=hms(t), duration="5m", window="2m"),
        session_ini("1m", duration="5m"),
        calfd={"snooze": "1m"}))
    w = d.raw_watch()
    r = d.ctl("--json", "snooze", "soak")
    assert r.rc == 1 and r.json["code"] == "not-due", r
    assert_in_time(t)
    w.expect("due", "soak", timeout=t - time.time() + 3)

    before = time.time()
    r = d.ctl_json("snooze")            # the default: [calfd] snooze = 1m
    assert r["session"] == "soak"
    assert (before + 59) * US <= r["until_us"] <= (time.time() + 61) * US
    assert w.expect("snoozed", "soak", timeout=2)["until_us"] == r["until_us"]
    [due] = d.status()["due"]
    assert (due["state"], due["until_us"]) == ("snoozed", r["until_us"])

    # "1m" reads as a duration, but a session has that name: it is NAME.
    r = d.ctl("--json", "snooze", "1m")
    assert r.rc == 1 and r.json["code"] == "not-due", r
    before = time.time()
    r = d.ctl_json("snooze", "2s")      # one argument, a duration
    assert (before + 1.5) * US <= r["until_us"] <= (time.time() + 2.5) * US
    assert r["session"] == "soak"
    assert d.status()["due"][0]["until_us"] == r["until_us"]
    ev = w.expect("due", "soak", timeout=4)
    assert ev["due_us"] == r["until_us"]
    assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US
    assert [e["event"] for e in w.of("soak")] == [
        "due", "snoozed", "snoozed", "due"]
    [due] = d.status()["due"]
    assert due["state"] == "due"
    assert due["expires_us"] == r["until_us"] + 120 * US


# --- pause and quiet hours ----------------------------------------------------

def test_pause_holds_a_prompt_and_resume_releases_it(calf):
    t = future()
    d = calf.start(routine_text(session_ini("soak", at=hms(t),
                                            duration="5m")))
    w = d.raw_watch()
    assert d.ctl_json("pause") == {"until_us": 0}
    ev = w.expect("paused", timeout=2)
    assert ev["session"] is None and ev["until_us"] == 0
    st = d.status()
    assert (st["paused"], st["paused_until_us"]) == (True, 0)
    assert_in_time(t)
    w.collect(t + 1.2)
    assert w.of("soak") == [], "a prompt was given while paused"
    [held] = d.status()["due"]
    assert (held["session"], held["state"], held["due_us"]) == (
        "soak", "held", t * US)

    resumed_at = time.time()
    assert d.ctl_json("resume") == {}
    w.expect("resumed", timeout=2)
    ev = w.expect("due", "soak", timeout=2)
    assert ev["due_us"] == t * US
    assert resumed_at * US - 100_000 <= ev["fired_us"] < (
        resumed_at * US + LATE_MAX_US)
    assert [e["event"] for e in w.events] == ["paused", "resumed", "due"]
    st = d.status()
    assert st["paused"] is False and st["due"][0]["state"] == "due"
    r = d.ctl("--json", "resume")
    assert r.rc == 1 and r.json["code"] == "not-paused", r
    # Starting a due prompt: started is meant for the due time.
    assert d.ctl_json("start", "soak") == {"session": "soak"}
    assert w.expect("started", "soak", timeout=2)["due_us"] == t * US
    st = d.status()
    assert st["due"] == [] and st["running"][0]["session"] == "soak"


def test_pause_for_a_duration_ends_by_itself(calf):
    d = calf.start(routine_text(session_ini("x", duration="5m")))
    w = d.raw_watch()
    before = time.time()
    r = d.ctl_json("pause", "2s")
    assert (before + 1.5) * US <= r["until_us"] <= (time.time() + 2.5) * US
    assert w.expect("paused", timeout=2)["until_us"] == r["until_us"]
    st = d.status()
    assert (st["paused"], st["paused_until_us"]) == (True, r["until_us"])
    ev = w.expect("resumed", timeout=5)
    assert r["until_us"] <= ev["fired_us"] < r["until_us"] + LATE_MAX_US
    st = d.status()
    assert (st["paused"], st["paused_until_us"]) == (False, 0)


def test_pause_until_a_time_of_day(calf):
    d = calf.start(routine_text(session_ini("x", duration="5m")))
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    later = now + dt.timedelta(hours=2)            # today or tomorrow
    r = d.ctl_json("pause", "until", later.strftime("%H:%M"))
    assert r["until_us"] == int(later.timestamp()) * US
    assert d.status()["paused_until_us"] == r["until_us"]
    earlier = now - dt.timedelta(hours=1)           # so: tomorrow
    r = d.ctl_json("pause", "until", earlier.strftime("%H:%M"))
    assert r["until_us"] == int(earlier.timestamp() + 86400) * US
    assert d.ctl_json("resume") == {}
    assert d.status()["paused"] is False


def test_quiet_hours_hold_prompts_and_auto_starts(calf):
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    q0, q1 = now - dt.timedelta(minutes=1), now + dt.timedelta(minutes=4)
    t = future()
    sessions = (session_ini("soak", at=hms(t), duration="5m"),
                session_ini("heat", at=hms(t), duration="1h", start="auto"))
    d = calf.start(routine_text(*sessions, calfd={
        "quiet": f"{q0:%H:%M}-{q1:%H:%M}"}))
    w = d.raw_watch()
    assert d.status()["quiet"] is True
    assert_in_time(t)
    w.collect(t + 1.2)
    assert w.events == [], "something was said during quiet hours"
    st = d.status()
    assert st["running"] == []
    assert sorted((x["session"], x["state"], x["due_us"]) for x in st["due"]
                  ) == [("heat", "held", t * US), ("soak", "held", t * US)]
    # The quiet hours end (the new routine has none): held prompts are given.
    d.config.write_text(routine_text(*sessions))
    d.ctl_json("reload")
    assert w.expect("due", "soak", timeout=2)["due_us"] == t * US
    assert w.expect("started", "heat", timeout=2)["due_us"] == t * US
    st = d.status()
    assert st["quiet"] is False
    assert [r["session"] for r in st["running"]] == ["heat"]


# --- reload -------------------------------------------------------------------

def test_good_reload_adds_a_session(calf):
    t2 = future(3600)
    first = routine_text(session_ini("a", at=hms(t2), duration="5m"))
    d = calf.start(first)
    w = d.raw_watch()
    d.config.write_text(first + "\n" + session_ini(
        "b", at=hms(t2 + 60), duration="5m"))
    r = d.ctl_json("reload")
    assert r == {"source": str(d.config), "sessions": 3}
    ev = w.expect("reloaded", timeout=2)
    assert ev["session"] is None
    agenda = d.ctl_json("agenda", "2")["agenda"]
    assert [(x["session"], x["at_us"]) for x in agenda] == [
        ("a", t2 * US), ("b", (t2 + 60) * US)]
    assert d.ctl_json("start", "b") == {"session": "b"}


def test_bad_reload_reports_every_error_and_changes_nothing(calf):
    d = calf.start(routine_text(
        session_ini("a", at=hms(future(3600)), duration="5m"),
        session_ini("b", duration="1h")))
    w = d.raw_watch()
    d.ctl_json("start", "b")
    before, agenda = stable(d.status()), d.ctl_json("agenda")
    d.config.write_text("[a]\nat = 25:00\nduration = 5m\n\n"
                        "[c]\nduration = 5m\nbogus = 1\n")
    r = d.ctl("reload")
    assert r.rc == 1, r
    for line in (2, 7):
        assert f"{d.config}:{line}:" in r.err, r
    r = d.ctl("--json", "reload")
    assert r.rc == 1 and r.json["code"] == "config", r
    errors = r.json["data"]["errors"]
    assert len(errors) == 2, errors
    assert errors[0].startswith(f"{d.config}:2:"), errors
    assert errors[1].startswith(f"{d.config}:7:"), errors
    assert stable(d.status()) == before
    assert d.ctl_json("agenda") == agenda
    w.collect(time.time() + 0.3)
    assert [e["event"] for e in w.events] == ["started"]


def test_sighup_reloads_and_a_bad_file_is_only_logged(calf):
    first = routine_text(session_ini("a", duration="5m"))
    d = calf.start(first)
    w = d.raw_watch()
    d.config.write_text(first + "\n" + session_ini("b", duration="5m"))
    d.send_signal(signal.SIGHUP)
    w.expect("reloaded", timeout=3)
    assert d.ctl_json("start", "b") == {"session": "b"}
    before = stable(d.status())
    d.config.write_text("[a]\nduration = forever\n")
    d.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while f"{d.config}:2:" not in d.stderr() and time.time() < deadline:
        time.sleep(0.05)
    assert f"{d.config}:2:" in d.stderr()
    assert d.alive()
    assert stable(d.status()) == before
    w.collect(time.time() + 0.3)
    assert [e["event"] for e in w.events] == ["reloaded", "started"]


def test_reload_keeps_a_running_session_and_stops_a_removed_one(calf):
    d = calf.start(routine_text(session_ini("keep", duration="1h"),
                                session_ini("gone", duration="1h")))
    w = d.raw_watch()
    d.ctl_json("start", "keep")
    d.ctl_json("start", "gone")
    d.config.write_text(routine_text(session_ini("keep", duration="1h",
                                                 title="Kept")))
    assert d.ctl_json("reload")["sessions"] == 2
    w.expect("stopped", "gone", timeout=2)
    w.expect("reloaded", timeout=2)
    [run] = d.status()["running"]
    assert (run["session"], run["title"]) == ("keep", "Kept")
    assert not any(e["session"] == "keep" and e["event"] != "started"
                   for e in w.events)


def test_reload_gives_a_running_session_its_new_definition(calf):
    old = session_ini("soak", duration="4s", cue=["at 1s One.", "at 2s Two."])
    d = calf.start(routine_text(old))
    w = d.raw_watch()
    d.ctl_json("start", "soak")
    started = w.expect("started", "soak", timeout=2)
    w.expect("cue", "soak", timeout=3)
    d.config.write_text(routine_text(session_ini(
        "soak", duration="4s", finish="Done anew.",
        cue=["at 1s One.", "at 2s Two.", "at 3s Three."])))
    d.ctl_json("reload")
    w.expect("finished", "soak", timeout=5)
    evs = w.of("soak")
    assert [(e["event"], e["message"]) for e in evs] == [
        ("started", evs[0]["message"]), ("cue", "One."), ("cue", "Two."),
        ("cue", "Three."), ("finished", "Done anew.")]
    for ev, off in zip(evs[1:], (1, 2, 3, 4)):
        assert abs(ev["due_us"] - (started["fired_us"] + off * US)) < 300_000
        assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US


def test_reload_says_new_marks_still_ahead_of_a_running_session(calf):
    d = calf.start(routine_text(session_ini("soak", duration="8s",
                                            cue="at 6s Old six.")))
    w = d.raw_watch()
    d.ctl_json("start", "soak")
    started = w.expect("started", "soak", timeout=2)
    # Cues before the old pending one, and a minimum, all still ahead.
    d.config.write_text(routine_text(session_ini(
        "soak", duration="5s..8s", cue=["at 3s Three.", "at 4s Four."])))
    d.ctl_json("reload")
    assert time.time() < started["fired_us"] / US + 2.5, "reload too late"
    w.expect("finished", "soak", timeout=10)
    evs = w.of("soak")
    assert [(e["event"], e.get("message")) for e in evs[1:3]] == [
        ("cue", "Three."), ("cue", "Four.")]
    assert [e["event"] for e in evs] == [
        "started", "cue", "cue", "minimum", "finished"]
    for ev, off in zip(evs[1:], (3, 4, 5, 8)):
        assert ev["due_us"] == started["due_us"] + off * US
        assert 0 <= ev["fired_us"] - ev["due_us"] < LATE_MAX_US


def test_reload_drops_a_removed_prompt_and_logs_a_refusal(calf):
    t = future()
    d = calf.start(routine_text(session_ini("gone", at=hms(t),
                                            duration="5m"),
                                session_ini("kept", duration="5m")))
    w = d.raw_watch()
    w.expect("due", "gone", timeout=t - time.time() + 3)
    d.config.write_text("[kept]\nduration = 5x\n")
    r = d.ctl("reload")
    assert r.rc == 1 and f"{d.config}:2:" in r.err, r
    # The refusal is in calfd's log too, not only with the caller.
    assert "reload refused" in d.stderr()
    assert f"{d.config}:2:" in d.stderr()
    d.config.write_text(routine_text(session_ini("kept", duration="5m")))
    d.ctl_json("reload")
    ev = w.expect("skipped", "gone", timeout=2)
    assert ev["due_us"] == t * US and "no longer" in ev["message"]
    assert d.status()["due"] == []
