"""Shared fixtures for the system tests (helpers live in calfsys.py).

- `calf_build`: the build folder ($CALF_BUILD, default <repo>/build); fails
  when calfd or calfctl is not built.
- `calf`: a factory; `calf.start(routine_text)` runs calfd on a private
  socket and state folder under tmp_path and returns a `calfsys.Daemon`.
  Every daemon is stopped at teardown (SIGTERM; it must exit 0 with no
  sanitizer report, unless the test ended it on purpose) and its stderr is
  printed when the test failed.
- `slow_daemons`: two daemons whose `window`/`remind` take a minute, started
  as soon as collection ends so the minute passes while other tests run.
"""

import os
import pathlib
import shutil
import tempfile
import threading
import time

import pytest

from calfsys import (BUILD, CALFCTL, CALFD, LEAD, CalfFactory, Daemon, future, hms,
                     routine_text, session_ini)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session")
def calf_build():
    for b in (CALFD, CALFCTL):
        if not os.access(b, os.X_OK):
            pytest.fail(f"{b} is not built (CALF_BUILD={BUILD}); run make")
    return BUILD


@pytest.fixture
def calf(calf_build, tmp_path, request):
    f = CalfFactory(tmp_path)
    yield f
    problems = []
    for d in f.daemons:
        problems += d.teardown()
    failed = any(getattr(getattr(request.node, "rep_" + w, None),
                         "failed", False) for w in ("setup", "call"))
    if failed or problems:
        for d in f.daemons:
            print(f"--- calfd stderr ({d.workdir.name}, pid "
                  f"{d.proc.pid if d.proc else '-'}) ---\n{d.stderr()}")
    if problems:
        pytest.fail("; ".join(problems))


# --- the slow scenarios, started early ---------------------------------------
#
# `window` and `remind` are at least 1m, so whatever needs them takes a
# minute. Two daemons are started as soon as collection ends (when a test
# asks for the `slow_daemons` fixture), so the minute passes while the
# other tests run; the test that checks them comes last.

class SlowScenario:
    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="calf-slow-"))
        self.t0 = future(LEAD + 0.5)
        t0 = hms(self.t0)
        # W1: one prompt whose window passes, one that is reminded.
        self.w1 = Daemon(self.dir / "w1", routine_text(
            session_ini("lapse", at=t0, duration="5m", remind="0",
                        window="1m"),
            session_ini("nag", at=t0, duration="5m", remind="1m",
                        window="1h")))
        # W2: paused; its prompt is held and its window closes while held.
        self.w2 = Daemon(self.dir / "w2", routine_text(
            session_ini("held", at=t0, duration="5m", remind="0",
                        window="1m")))
        self.error = None
        self.streams = {}
        self.pause_reply = None
        self.threads = []
        try:
            for name, d in (("w1", self.w1), ("w2", self.w2)):
                d.start()
                self.streams[name] = d.raw_watch()
            c = self.w2.raw()
            self.pause_reply = c.request("pause")
            self.pause_time = time.time()
        except Exception as e:  # reported by the test, not at collection
            self.error = f"{type(e).__name__}: {e}"
            return
        self.stop_flag = threading.Event()
        for s in self.streams.values():
            t = threading.Thread(target=self._pump, args=(s,), daemon=True)
            t.start()
            self.threads.append(t)

    def _pump(self, stream):
        while not self.stop_flag.is_set():
            try:
                stream._take(0.2)
            except (EOFError, OSError, ValueError):
                return

    def stop_pumps(self):
        if self.error is None:
            self.stop_flag.set()
            for t in self.threads:
                t.join(5)

    def teardown(self):
        self.stop_pumps()
        problems = []
        for d in (self.w1, self.w2):
            problems += [f"{d.workdir.name}: {p}" for p in d.teardown()]
        return problems


_slow = None


def _slow_start():
    global _slow
    if _slow is None:
        _slow = SlowScenario()
    return _slow


def pytest_collection_finish(session):
    if any("slow_daemons" in getattr(it, "fixturenames", ())
           for it in session.items) and CALFD.exists() and CALFCTL.exists():
        _slow_start()


def pytest_sessionfinish(session, exitstatus):
    if _slow is not None:
        _slow.teardown()
        shutil.rmtree(_slow.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def slow_daemons(calf_build):
    s = _slow_start()
    yield s
    problems = s.teardown()
    for d in (s.w1, s.w2):
        if problems:
            print(f"--- calfd stderr ({d.workdir.name}) ---\n{d.stderr()}")
    if problems:
        pytest.fail("; ".join(problems))
