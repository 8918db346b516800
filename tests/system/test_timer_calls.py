"""What a firing costs in timer syscalls (issue 13, item 5): calfd re-arms
each timerfd once, at the end of a dispatch, and only when that clock's
earliest deadline changed; never to "the end of time" between two pops.

strace attaches to a running calfd (`-f -e trace=timerfd_settime`) before
two `at` prompts and counts the calls until both have been sent. Skipped
when strace is missing or may not trace calfd (ptrace not permitted)."""

import shutil
import signal
import subprocess
import time

import pytest

from calfsys import assert_on_time, future, hms, routine_text, session_ini

pytestmark = pytest.mark.skipif(shutil.which("strace") is None,
                                reason="needs strace")

FIRINGS = 2
# 2**52 us, the "end of time" a realtime timerfd was once parked at.
END_OF_TIME_S = str((1 << 52) // 1_000_000)


class Strace:
    def __init__(self, pid, out):
        self.out = out
        self.proc = subprocess.Popen(
            ["strace", "-f", "-o", str(out), "-e", "trace=timerfd_settime",
             "-p", str(pid)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode(errors="replace")
        if "attached" not in line:
            self.stop()
            pytest.skip(f"strace cannot attach to calfd: {line.strip()}")

    def calls(self):
        """One line per call (strace -f splits no call calfd makes: it
        has one thread)."""
        try:
            text = self.out.read_text()
        except FileNotFoundError:
            return []
        return [ln for ln in text.splitlines() if "timerfd_settime(" in ln]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)    # detaches
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def test_a_firing_costs_at_most_two_settime_calls(calf, tmp_path):
    t1 = future(4)
    t2 = t1 + 2
    d = calf.start(routine_text(
        session_ini("brush", at=hms(t1), duration="10m", title="Brush"),
        session_ini("feed", at=hms(t2), duration="10m", title="Feed")))
    w = d.watch()
    d.status()
    st = Strace(d.pid, tmp_path / "strace.out")
    try:
        assert_on_time(w.expect("due", "brush",
                                timeout=t1 - time.time() + 5), t1)
        assert_on_time(w.expect("due", "feed",
                                timeout=t2 - time.time() + 5), t2)
        d.status()      # the second dispatch has ended
    finally:
        st.stop()
    calls = st.calls()
    print("\n".join(calls))
    assert 0 < len(calls) <= 2 * FIRINGS, calls
    # The realtime timerfd never waits for the end of time while a
    # calendar deadline (the sessions' next days) is ahead.
    assert not any(END_OF_TIME_S in ln for ln in calls), calls
