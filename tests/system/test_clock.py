"""The time zone changes under a running calfd (doc/daemon.md "Time"): with
no TZ set, calfd follows /etc/localtime, and when it is replaced (as
systemd-timedated does, a new link renamed over the old) every deadline is
recomputed at once.

calfd runs in a private mount namespace whose /etc is a folder of the
test's, so the machine's own /etc/localtime is never touched. Needs root
(CI and `make check` run as root); skipped otherwise."""

import datetime as dt
import os
import shutil
import time
from zoneinfo import ZoneInfo

import pytest

from calfsys import (US, assert_on_time, clean_env, future, routine_text,
                     session_ini, set_zone)


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare for a private /etc")




def test_a_zone_change_moves_every_deadline(calf, tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    set_zone(etc, "UTC")
    t = future(6)
    # 09:00 in Kolkata is 03:30 UTC: the same words, 5h30m apart.
    kolkata = dt.datetime.fromtimestamp(t, ZoneInfo("Asia/Kolkata"))
    env = clean_env()
    del env["TZ"]
    d = calf.daemon(routine_text(session_ini(
        "circles", at=kolkata.strftime("%H:%M:%S"), duration="5m")), env=env)
    d.argv = ["unshare", "-m", "sh", "-c",
              'mount --make-rprivate / && mount --bind "$0" /etc && '
              'exec "$@"', str(etc)] + d.argv
    d.start()
    w = d.watch()
    before = d.status()["next"]["at_us"]
    assert before != t * US and (before - t * US) % (1800 * US) == 0

    set_zone(etc, "Asia/Kolkata")
    deadline = time.time() + 3
    while d.status()["next"]["at_us"] != t * US:
        assert time.time() < deadline, d.status()
        time.sleep(0.05)
    assert "time zone changed" in d.stderr()
    assert d.ctl_json("agenda", "1")["agenda"][0]["at"] == \
        kolkata.isoformat(timespec="seconds")
    assert_on_time(w.expect("due", "circles", timeout=t - time.time() + 3), t)

    # And back: the same words in UTC come 5h30m after that firing.
    set_zone(etc, "UTC")
    want = t + 5 * 3600 + 1800
    deadline = time.time() + 3
    while d.status()["next"]["at_us"] != want * US:
        assert time.time() < deadline, (d.status(), want)
        time.sleep(0.05)
