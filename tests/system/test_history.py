"""The history log (doc/history.md): every acknowledged outcome survives a
SIGKILL exactly once; two calfd with two state folders and one history
folder read back one merged history; a read-only or full history folder
reaches the client as a warning, calfd keeps serving, and the records
reach the file once it is writable; stats over a generated 60-day history
match counts made here from the same records and routine."""

import contextlib
import datetime as dt
import json
import os
import pathlib
import random
import signal
import subprocess
import time

import pytest

from calfsys import US, RawClient, clean_env, routine_text, session_ini

EX_TEMPFAIL = 75


def kill(d):
    d.send_signal(signal.SIGKILL)
    d.proc.wait(timeout=10)
    d.expect_dead = True


def history(d, *args):
    r = d.ctl("--json", "history", *args)
    assert r.rc == 0, r
    return r.json


def device_files(folder):
    return sorted(p for p in pathlib.Path(folder).iterdir()
                  if p.suffix == ".jsonl")


def test_fifty_crashes_lose_no_acknowledged_record(calf, tmp_path):
    timed = [session_ini(f"t{i}", at=f"{(i % 23):02d}:{i % 60:02d}",
                         duration="5m") for i in range(50)]
    text = routine_text(session_ini("soak", duration="1h"),
                        session_ini("cramp-check", duration="5m"), *timed)
    acked = {"done": 0, "stopped": 0, "skipped": 0, "cramp": []}
    for i in range(50):
        d = calf.start(text, name="crash")
        kind = ("done", "skip", "cramp", "stop")[i % 4]
        if kind in ("done", "stop"):
            assert d.ctl("start", "soak").rc == 0
            r = d.ctl(kind, "soak")
            assert r.rc == 0, r
            acked["done" if kind == "done" else "stopped"] += 1
        elif kind == "skip":
            r = d.ctl("skip", f"t{i}")
            assert r.rc == 0, r
            acked["skipped"] += 1
        else:
            r = d.ctl("cramp", "--leg", "left", "--note", f"round-{i}")
            assert r.rc == 0, r
            acked["cramp"].append(f"round-{i}")
        kill(d)
    d = calf.start(text, name="crash")
    recs = history(d, "--days", "2")["records"]
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))
    by = lambda ev: [r for r in recs if r["event"] == ev]
    assert len([r for r in by("done") if r["session"] == "soak"]) == \
        acked["done"]
    assert len(by("stopped")) == acked["stopped"]
    assert len(by("skipped")) == acked["skipped"]
    assert sorted(r["note"] for r in by("cramp")) == sorted(acked["cramp"])
    # Every start was acknowledged too, and finishes or stops were paired.
    assert len(by("started")) == acked["done"] + acked["stopped"]
    assert [r["at_us"] for r in recs] == sorted(r["at_us"] for r in recs)


def test_two_devices_merge_in_time_order(calf, tmp_path):
    shared = tmp_path / "sync"
    text = routine_text(session_ini("soak", duration="1h"),
                        calfd={"history": str(shared)})
    a = calf.start(text, name="laptop")
    b = calf.start(text, name="desktop")
    assert a.sock != b.sock
    for i in range(6):
        d = (a, b)[i % 2]
        r = d.ctl("cramp", "--note", f"n{i}")
        assert r.rc == 0, r
    files = device_files(shared)
    assert len(files) == 2
    assert (a.state / "device-id").read_text() != \
        (b.state / "device-id").read_text()
    for d in (a, b):
        h = history(d)
        assert h["files"] == 2
        notes = [r["note"] for r in h["records"]]
        assert notes == [f"n{i}" for i in range(6)]
    # A copy of one file (as a sync tool's conflict copy might leave, under
    # another device's name) adds nothing.
    dup = shared / ("f" * 16 + ".jsonl")
    dup.write_bytes(files[0].read_bytes())
    assert [r["note"] for r in history(a)["records"]] == \
        [f"n{i}" for i in range(6)]


def test_a_torn_tail_is_skipped_and_the_next_record_starts_fresh(
        calf, tmp_path):
    folder = tmp_path / "h"
    text = routine_text(session_ini("soak", duration="1h"),
                        calfd={"history": str(folder)})
    d = calf.start(text, name="torn")
    for i in range(3):
        assert d.ctl("cramp", "--note", f"n{i}").rc == 0
    kill(d)
    f = device_files(folder)[0]
    data = f.read_bytes()
    f.write_bytes(data[:-20])          # the last record cut mid-line
    d = calf.start(text, name="torn")
    assert "cut short" in d.stderr()
    assert d.ctl("cramp", "--note", "after").rc == 0
    h = history(d)
    assert [r["note"] for r in h["records"]] == ["n0", "n1", "after"]
    assert h["skipped_lines"] == 1


@contextlib.contextmanager
def small_tmpfs(path, size="64k"):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                    "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def need_root():
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (runs in CI as root)")


def wait_for(pred, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def notes_in_file(folder):
    out = []
    for f in device_files(folder):
        for line in f.read_text().splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line).get("note"))
    return out


def test_read_only_folder_warns_keeps_serving_and_writes_later(
        calf, tmp_path):
    need_root()
    mnt = tmp_path / "ro-mnt"
    with small_tmpfs(mnt):
        folder = mnt / "h"
        text = routine_text(session_ini("soak", duration="1h"),
                            calfd={"history": str(folder)})
        d = calf.start(text, name="ro")
        assert d.ctl("cramp", "--note", "before").rc == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        r = d.ctl("cramp", "--note", "while-ro")
        assert r.rc == EX_TEMPFAIL, r
        assert "not yet in the history log" in r.err
        assert "Read-only file system" in r.err
        # calfd keeps serving, and reads back what waits in memory.
        assert d.ctl("start", "soak").rc == EX_TEMPFAIL
        assert d.ctl("status").rc == 0
        notes = [x.get("note") for x in history(d)["records"]]
        assert notes[:2] == ["before", "while-ro"]
        assert "cannot write" in d.stderr()
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert wait_for(lambda: "while-ro" in notes_in_file(folder))
        r = d.ctl("done", "soak")
        assert r.rc == 0, r
        assert notes_in_file(folder).count("while-ro") == 1


def test_full_folder_warns_and_writes_when_there_is_room(calf, tmp_path):
    need_root()
    mnt = tmp_path / "full-mnt"
    with small_tmpfs(mnt, size="64k"):
        folder = mnt / "h"
        text = routine_text(session_ini("soak", duration="1h"),
                            calfd={"history": str(folder)})
        d = calf.start(text, name="full")
        filler = mnt / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"x" * 4096)
        os.close(fd)
        r = d.ctl("cramp", "--note", "x" * 150)
        assert r.rc == EX_TEMPFAIL, r
        assert "No space left on device" in r.err
        assert d.ctl("status").rc == 0
        filler.unlink()
        assert wait_for(lambda: "x" * 150 in notes_in_file(folder))
        assert notes_in_file(folder).count("x" * 150) == 1


# --- stats over a generated history -----------------------------------------

SODS = {"am": (7 * 3600 + 30 * 60, 3600), "pm": (21 * 3600, 3600)}


def test_stats_match_counts_made_from_the_same_files(calf, tmp_path):
    folder = tmp_path / "h"
    folder.mkdir()
    text = routine_text(
        session_ini("am", at="07:30", duration="10m", window="1h"),
        session_ini("pm", at="21:00", duration="10m", window="1h"),
        calfd={"history": str(folder)})
    now = time.time()
    today = int(now // 86400)
    rng = random.Random(7)
    lines, n = [], 0
    exp = {s: {"scheduled": 0, "kept": 0, "practised_s": 0} for s in SODS}
    cal = {}
    cramps = 0
    for day in range(today - 59, today + 1):
        for s, (sod, win) in SODS.items():
            f = day * 86400 + sod
            if f > now - 5:             # not yet due, or due just now
                continue
            how = rng.randrange(4)
            due = f + (0 if how == 0 else win - 60 if how == 1 else
                       win + 60)
            if due + 300 > now - 5:
                how = 3                 # its record would be in the future
            kept = how in (0, 1)
            if how < 3:
                n += 1
                lines.append({"v": 1, "id": f"{'a' * 16}-{n:016x}",
                              "event": "done" if how else "finished",
                              "session": s, "due_us": due * US,
                              "at_us": (due + 300) * US,
                              "duration_s": 300})
                if kept or how == 2:
                    exp[s]["practised_s"] += 300
            if not kept and f + win > now:
                continue                # pending: its window is open
            exp[s]["scheduled"] += 1
            exp[s]["kept"] += kept
            c = cal.setdefault(day, [0, 0])
            c[0] += 1
            c[1] += kept
        if rng.randrange(3) == 0:
            n += 1
            lines.append({"v": 1, "id": f"{'b' * 16}-{n:016x}",
                          "event": "cramp", "due_us": 0,
                          "at_us": (day * 86400 + 3 * 3600) * US})
            cramps += 1
    # A newer version's line and a torn tail: kept out, not fatal.
    body = "".join(json.dumps(x) + "\n" for x in lines)
    body += json.dumps({"v": 9, "id": "z", "event": "new"}) + "\n"
    (folder / ("a" * 16 + ".jsonl")).write_text(body + '{"v":1,"id":')
    d = calf.start(text, name="stats")
    r = d.ctl("--json", "stats", "--days", "60")
    assert r.rc == 0, r
    st = r.json
    got = {x["session"]: x for x in st["sessions"]}
    for s in SODS:
        for k in ("scheduled", "kept", "practised_s"):
            assert got[s][k] == exp[s][k], (s, k)
    assert st["cramps"] == cramps
    assert st["newer_lines"] == 1 and st["skipped_lines"] == 1
    days = [dt.date.fromisoformat(c["date"]).toordinal() -
            dt.date(1970, 1, 1).toordinal() for c in st["calendar"]]
    assert days == list(range(today - 59, today + 1))
    run = best = 0
    for c in st["calendar"]:
        day = days[st["calendar"].index(c)]
        sch, kept = cal.get(day, [0, 0])
        assert (c["scheduled"], c["kept"]) == (sch, kept), c
        if sch:
            run = run + 1 if kept == sch else 0
            best = max(best, run)
    assert st["streak"] == run and st["longest_streak"] == best
    # The human form shows the same numbers and reads without colour.
    h = d.ctl("stats", "--days", "60", env=clean_env(NO_COLOR="1"))
    assert h.rc == 0, h
    assert "\033[" not in h.out
    assert f"{exp['am']['kept']}/{exp['am']['scheduled']}" in h.out
    assert "day " in h.out and " of 30" in h.out
    assert max(len(line) for line in h.out.splitlines()) <= 80, h.out


# --- the loop does not wait for the disk --------------------------------------

def test_prompts_stay_on_time_while_a_thousand_records_are_written(calf):
    from calfsys import LATE_MAX_US, RawClient, future, hms
    import threading
    t = future(3)
    ticks = [t + 2 * i for i in range(4)]
    text = routine_text(
        *[session_ini(f"s{k}", duration="1h") for k in range(4)],
        session_ini("tick", at=" ".join(hms(x) for x in ticks),
                    duration="1m", window="1h"))
    d = calf.start(text, name="burst")
    w = d.watch()
    done = [0] * 4
    errors = []

    def client(k):
        c = RawClient(d.sock, timeout=30)
        try:
            while sum(done) < 1000 or time.time() < ticks[-1] + 1:
                for cmd in ("start", "done"):
                    c.send({"command": [cmd, f"s{k}"]})
                    line = c.read_line(30)
                    if line is None or b'"success"' not in line:
                        errors.append(line)
                        return
                done[k] += 1
        finally:
            c.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=600)
    assert not errors, errors[:3]
    late = []
    for x in ticks:
        ev = w.expect("due", "tick", timeout=5)
        assert ev["due_us"] == x * US, ev
        late.append(ev["fired_us"] - ev["due_us"])
    print(f"prompt lateness during the burst (us): {late}")
    assert all(0 <= x < LATE_MAX_US for x in late), late
    recs = history(d, "--days", "1")["records"]
    assert len([r for r in recs if r["event"] == "done"]) == sum(done)
    assert sum(done) >= 1000


def test_cramp_check_result_and_the_doctor_line(calf):
    text = routine_text(session_ini("cramp-check", duration="5m",
                                    cue="at 2m Has the pain gone?"))
    d = calf.start(text, name="cramp")
    r = d.ctl("cramp", "test")
    assert r.rc == 0 and "cramp result" in r.out, r
    r = d.ctl("--json", "cramp", "result", "not-relieved")
    assert r.rc == 0, r
    assert r.json["event"] == "cramp-test"
    assert r.json["result"] == "not-relieved"
    assert r.json["due_us"] > 0
    recs = history(d)["records"]
    assert [x["event"] for x in recs] == ["started", "cramp-test", "done"]
    assert d.ctl("cramp", "--leg", "both", "--note", 'a "b", c').rc == 0
    only = history(d, "--session", "cramp-check")["records"]
    assert [x["event"] for x in only] == ["started", "cramp-test", "done"]
    csv = d.ctl("history", "--csv")
    assert csv.rc == 0, csv
    rows = csv.out.splitlines()
    assert rows[0].startswith("id,event,session,")
    assert len(rows) == 5 and rows[4].endswith(',both,"a ""b"", c",')
    assert d.ctl("stats", "--csv").rc == 2
    assert d.ctl("--json", "history", "--csv").rc == 2
    st = d.ctl("--json", "stats", "--days", "7").json
    assert st["see_doctor"] and st["cramp_tests_not_relieved"] == 1
    h = d.ctl("stats", env=clean_env(NO_COLOR="1"))
    assert "doctor" in h.out and "does not diagnose" in h.out
    # Bad forms are refused, by calfctl and by calfd alike (one table),
    # with the same reason.
    c = RawClient(d.sock)
    for args, why in (
            (["cramp", "--leg", "middle"], "expected left, right or both"),
            (["cramp", "result", "maybe"], "relieved or not-relieved"),
            (["cramp", "--at", "25:00"], "expected HH:MM or an instant"),
            (["history", "--days", "0"], "from 1 to 3660"),
            (["stats", "--days", "367"], "from 1 to 366"),
            (["stats", "--session", "soak"], "unknown option"),
            (["cramp", "--note"], "--note needs a value"),
            (["history", "--days", "1", "--days", "2"], "given twice")):
        r = d.ctl(*args)
        assert r.rc == 2 and why in r.err, r
        rep = c.request(*args)
        assert rep["code"] == "usage" and why in rep["error"], rep
    r = d.ctl("stats", "--weeks", "2")
    assert r.rc == 2 and "unknown option --weeks" in r.err, r
    c.close()
    # An option's value may start with a dash; calfctl passes it on.
    r = d.ctl("--json", "cramp", "--note", "-5 and cold", "--leg", "left")
    assert r.rc == 0 and r.json["note"] == "-5 and cold", r
    # Without a cramp-check session, the test says what to do.
    d2 = calf.start(routine_text(session_ini("soak", duration="1h")),
                    name="nocheck")
    r = d2.ctl("cramp", "test")
    assert r.rc == 1 and "cramp-check" in r.err, r


def test_a_change_neither_saved_nor_logged_says_both(calf, tmp_path):
    """One hold for both disks: a change whose state save fails and whose
    history record cannot be written is answered once both have failed,
    with both marks and both warnings; calfctl prints them and exits 75.
    Once both are writable again, a change is answered clean."""
    need_root()
    mnt = tmp_path / "both-mnt"
    with small_tmpfs(mnt):
        folder = mnt / "h"
        text = routine_text(session_ini("soak", duration="1h"),
                            calfd={"history": str(folder)})
        d = calf.start(text, name="both")
        r = d.raw().request("start", "soak")
        assert r["saved"] is True and "history_saved" not in r, r
        try:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)],
                           check=True)
            subprocess.run(["chattr", "+i", str(d.state)], check=True)
            # The history's first failure comes while the reply waits.
            r = d.raw().request("stop", "soak")
            assert r["code"] == "success", r
            assert r["saved"] is False, r
            assert r["history_saved"] is False, r
            assert "not saved" in r["warning"], r
            assert "not yet in the history log" in r["warning"], r
            # Known already: the history mark comes at once, the state's
            # after its save.
            r = d.ctl("start", "soak")
            assert r.rc == EX_TEMPFAIL, r
            assert "not saved" in r.err, r
            assert "not yet in the history log" in r.err, r
        finally:
            subprocess.run(["chattr", "-i", str(d.state)], check=False)
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)],
                           check=False)

        def lines():
            return sum(len(f.read_text().splitlines())
                       for f in device_files(folder))
        assert wait_for(lambda: d.status()["saved"] and lines() >= 3,
                        timeout=30)
        r = d.raw().request("stop", "soak")
        assert r["code"] == "success" and r["saved"] is True, r
        assert "history_saved" not in r and "warning" not in r, r
