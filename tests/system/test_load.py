"""Timers come first (issue: busy clients delay prompts): a burst of
expensive requests from many clients just before a prompt falls due must
not make the prompt late, and a watcher that reads is never dropped for a
burst of events made in one turn of the loop."""

import os
import socket
import time

import pytest

from calfsys import US, clean_env, future, hms, routine_text, session_ini

CLIENTS = 250
# Generous: the floor is well under 10 ms, the old loop gave about 1 s.
LATE_BOUND_US = 200_000


def test_busy_clients_do_not_delay_a_prompt(calf):
    t = future(6)
    text = routine_text(
        session_ini("water", every="1m", duration="1m"),
        session_ini("circles", at=hms(t), duration="5m"))
    d = calf.start(text)
    w = d.raw_watch()
    socks = []
    for _ in range(CLIENTS):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(d.sock))
        socks.append(s)
    req = b'{"command": ["agenda", "1000"]}\n' * 3
    # Just before the prompt, every client asks for three long agendas.
    while time.time() < t - 0.15:
        time.sleep(0.01)
    for s in socks:
        s.sendall(req)
    ev = w.expect("due", "circles", timeout=t - time.time() + 10)
    late = ev["fired_us"] - ev["due_us"]
    for s in socks:
        s.close()
    assert ev["due_us"] == t * US
    assert 0 <= late < LATE_BOUND_US, f"the prompt was {late / 1000:.1f} ms late"


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@pytest.mark.skipif(not os.path.exists(FAKETIME), reason="needs libfaketime")
def test_a_reading_watcher_survives_a_catch_up_burst(calf, tmp_path):
    """A jump of two days that the kernel does not report as a clock step
    (libfaketime) makes thousands of events in one turn; a watcher that
    reads them all is not "not reading". The burst comes with the next
    firing after the jump, within a minute."""
    ft = tmp_path / "faketime"
    ft.write_text("+0\n")
    env = clean_env(LD_PRELOAD=FAKETIME, FAKETIME_TIMESTAMP_FILE=str(ft),
                    FAKETIME_NO_CACHE="1", FAKETIME_DONT_RESET="1")
    text = routine_text(*[session_ini(f"s{i}", every="1m", duration="1m",
                                      window="1m") for i in range(20)])
    d = calf.start(text, env=env)
    w = d.raw_watch()
    ft.write_text("+2d\n")
    n, start = 0, time.time()
    while time.time() - start < 150:
        try:
            line = w.read_line(timeout=5 if n else 70)
        except EOFError:
            raise AssertionError(f"the watcher was dropped after {n} "
                                 f"events:\n{d.stderr()[-2000:]}")
        if line is None:
            break
        n += 1
    assert n > 1000, n
    assert "not reading" not in d.stderr()
    assert d.raw().request("version")["code"] == "success"
