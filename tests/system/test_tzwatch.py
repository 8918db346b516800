"""The time-zone watch costs nothing while /etc is busy: calfd watches the
/etc/localtime link itself, and the folder only while the link is missing
(doc/daemon.md "Time"). calfd runs in a private mount namespace whose /etc
is a folder of the test's, as in test_clock.py. Needs root."""

import os
import shutil
import time

import pytest

from calfsys import ZONEINFO, clean_env, routine_text, session_ini, set_zone

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare for a private /etc")





def wakeups(pid):
    """Voluntary context switches: each is calfd waking from its poll."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches")


def churn(etc, n=100):
    """n writes to files in /etc that are not the zone."""
    for i in range(n):
        p = etc / f"unrelated-{i % 7}.conf"
        p.write_text(f"x = {i}\n")
        if i % 10 == 9:
            os.rename(p, etc / "moved.conf")
            (etc / "moved.conf").unlink()


def quiet_for(pid, seconds=0.5):
    """Waits until calfd has been idle, so what is counted next is ours."""
    last = wakeups(pid)
    while True:
        time.sleep(seconds)
        now = wakeups(pid)
        if now == last:
            return now
        last = now


def zone_daemon(calf, tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    set_zone(etc, "UTC")
    env = clean_env()
    del env["TZ"]
    d = calf.daemon(routine_text(session_ini("later", at="12:00",
                                             duration="5m")), env=env)
    d.argv = ["unshare", "-m", "sh", "-c",
              'mount --make-rprivate / && mount --bind "$0" /etc && '
              'exec "$@"', str(etc)] + d.argv
    d.start()
    return d, etc


def wait_for_log(d, text, count, timeout=3):
    deadline = time.time() + timeout
    while d.stderr().count(text) < count:
        assert time.time() < deadline, d.stderr()
        time.sleep(0.05)


def test_writes_in_etc_do_not_wake_calfd(calf, tmp_path):
    d, etc = zone_daemon(calf, tmp_path)
    before = quiet_for(d.pid)
    churn(etc)
    time.sleep(0.3)
    after = wakeups(d.pid)
    # Before the fix: one wake-up or more per write (189 for 100).
    assert after - before <= 2, (before, after)
    assert "time zone changed" not in d.stderr()
    # The link is still followed after all that.
    set_zone(etc, "Asia/Kolkata")
    wait_for_log(d, "time zone changed", 1)


def test_a_missing_link_is_waited_for_then_watched_again(calf, tmp_path):
    d, etc = zone_daemon(calf, tmp_path)
    (etc / "localtime").unlink()
    wait_for_log(d, "time zone changed", 1)
    # While it is missing, /etc is watched by name.
    set_zone(etc, "Asia/Kolkata")
    wait_for_log(d, "time zone changed", 2)
    # And once it is back, only the link is watched again.
    before = quiet_for(d.pid)
    churn(etc)
    time.sleep(0.3)
    assert wakeups(d.pid) - before <= 2
    assert d.stderr().count("time zone changed") == 2


def test_a_zone_file_copied_in_place_is_seen(calf, tmp_path):
    d, etc = zone_daemon(calf, tmp_path)
    (etc / "localtime").unlink()
    wait_for_log(d, "time zone changed", 1)
    shutil.copyfile(f"{ZONEINFO}/UTC", etc / "localtime")
    wait_for_log(d, "time zone changed", 2)
    with open(etc / "localtime", "wb") as f:
        f.write(open(f"{ZONEINFO}/Asia/Kolkata", "rb").read())
    wait_for_log(d, "time zone changed", 3)
