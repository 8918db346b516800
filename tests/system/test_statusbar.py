"""calfctl for status bars: status --format waybar and i3blocks, watch
--format waybar redrawn on every change, and watch --reconnect waiting for
calfd to come back; read as Waybar and i3blocks would read them."""

import json
import queue
import subprocess
import threading
import time

import pytest

from calfsys import CALFCTL, clean_env, ctl, routine_text, session_ini

ROUTINE = routine_text(session_ini("soak", at="07:00", duration="10m",
                                   title="Foot <soak> & rest"),
                       session_ini("cramp", duration="5m"))
WAYBAR_KEYS = {"text", "alt", "tooltip", "class", "percentage"}


@pytest.fixture
def d(calf):
    return calf.start(ROUTINE)


class Lines:
    """A calfctl that keeps printing, read line by line with deadlines."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([str(CALFCTL), *map(str, args)],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=clean_env())
        self.q = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.q.put(line.decode())
        self.q.put(None)

    def next(self, timeout=15):
        line = self.q.get(timeout=timeout)
        assert line is not None, self.proc.stderr.read()
        return line

    def until(self, pred, timeout=15):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            assert left > 0, "no matching line in time"
            line = self.next(left)
            if pred(line):
                return line

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        return self.proc.stderr.read().decode()


def waybar(line):
    o = json.loads(line)
    assert set(o) == WAYBAR_KEYS, o
    assert isinstance(o["percentage"], int) and 0 <= o["percentage"] <= 100
    return o


def test_status_for_waybar_is_one_object(d):
    r = d.ctl("status", "--format", "waybar")
    assert r.rc == 0, r
    assert len(r.out.splitlines()) == 1
    o = waybar(r.out)
    assert o["class"] == o["alt"] == "idle", o
    # Waybar reads Pango markup: the title's < and & arrive escaped.
    assert o["text"].startswith("Foot &lt;soak&gt; &amp; rest "), o
    assert "Next: Foot &lt;soak&gt;" in o["tooltip"], o

    assert d.ctl("start", "cramp").rc == 0
    o = waybar(d.ctl("--format=waybar", "status").out)
    assert o["class"] == "running" and o["text"].startswith("cramp 5m left")
    assert o["percentage"] < 50, o


def test_status_for_i3blocks_is_three_lines(d):
    r = d.ctl("status", "--format", "i3blocks")
    assert r.rc == 0, r
    full, short, colour = r.out.split("\n")[:3]
    assert full.startswith("Foot <soak> & rest") and short == full
    assert colour == ""
    assert d.ctl("start", "cramp").rc == 0
    full, short, colour = d.ctl("status", "--format", "i3blocks").out \
        .split("\n")[:3]
    assert full.startswith("cramp ") and colour.startswith("#"), full


def test_a_bar_still_shows_when_calfd_is_down(tmp_path):
    r = ctl(tmp_path / "none.sock", "status", "--format", "waybar")
    assert r.rc == 69, r
    assert waybar(r.out)["class"] == "stopped"


@pytest.mark.parametrize("args", [["list", "--format", "waybar"],
                                  ["status", "--format", "xml"],
                                  ["status", "--reconnect"],
                                  ["status", "--format", "waybar", "--json"],
                                  ["--format"]])
def test_format_and_reconnect_misuse_is_a_usage_error(tmp_path, args):
    r = ctl(tmp_path / "none.sock", *args)
    assert r.rc == 2 and r.out == "", r


def test_watch_for_waybar_redraws_on_every_change(d):
    w = Lines("-s", d.sock, "watch", "--format", "waybar")
    try:
        assert waybar(w.next())["class"] == "idle"
        assert d.ctl("start", "cramp").rc == 0
        o = waybar(w.until(lambda l: json.loads(l)["class"] == "running"))
        assert o["text"].startswith("cramp ")
        assert d.ctl("stop").rc == 0
        waybar(w.until(lambda l: json.loads(l)["class"] == "idle"))
    finally:
        w.stop()


def test_watch_reconnect_waits_for_calfd(d):
    w = Lines("-s", d.sock, "watch", "--reconnect", "--format", "waybar")
    try:
        assert waybar(w.next())["class"] == "idle"
        d.stop()
        assert waybar(w.next())["class"] == "stopped"
        d.start()
        waybar(w.until(lambda l: json.loads(l)["class"] == "idle"))
        assert d.ctl("start", "cramp").rc == 0
        waybar(w.until(lambda l: json.loads(l)["class"] == "running"))
        assert w.proc.poll() is None
    finally:
        w.stop()


def see_a_start(d, w, timeout=30):
    """Starts and stops cramp until the watcher reports a start: it proves
    the watcher is subscribed, however long that took."""
    deadline = time.time() + timeout
    while True:
        d.ctl("start", "cramp")
        try:
            while True:
                if json.loads(w.next(timeout=1))["event"] == "started":
                    d.ctl("stop", "cramp")
                    return
        except queue.Empty:
            assert time.time() < deadline, "the watcher never saw a start"
        d.ctl("stop", "cramp")


def test_watch_reconnect_with_events(d):
    w = Lines("-s", d.sock, "watch", "--reconnect", "--json")
    try:
        see_a_start(d, w)
        d.stop()
        d.start()
        see_a_start(d, w)
        assert w.proc.poll() is None
    finally:
        err = w.stop()
    assert err.count("waiting for it") == 1, err
