"""Every zone in the system's tzdata, from 1970 on: calfd --agenda against
the independent Python implementation of the time rule in
tests/system/test_agenda.py, firing for firing (100000 firings a zone:
four times a night and two on Sundays, into the 2030s).

Too slow for `make check` (about seven minutes on one core); run it with
`make check-zones` after touching common/sched.c or common/timeutil.c.
Prints one line per mismatch and a summary; exits 1 on any mismatch."""
import pathlib
import sys
import tempfile
import time
from datetime import datetime, timezone
from zoneinfo import available_timezones

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] /
                       "system"))
import test_agenda as ta  # noqa: E402

N = 100000


def main():
    sessions = [ta.SESSIONS[0], ta.SESSIONS[3]]     # night, sunday
    routine = pathlib.Path(tempfile.mkdtemp()) / "routine.ini"
    ta.write_routine(routine, sessions)
    zones = sorted(z for z in available_timezones()
                   if not z.startswith(("posix/", "right/")))
    start = int(datetime(1970, 1, 2, tzinfo=timezone.utc).timestamp())
    bad, t0 = 0, time.time()
    for z in zones:
        try:
            got = ta.run_agenda(str(routine), z, start, N)
            want = ta.expected(z, sessions, start, N)
        except AssertionError as e:
            print(f"{z}: {e}", flush=True)
            bad += 1
            continue
        if got != want:
            bad += 1
            k = next((i for i, (a, b) in enumerate(zip(got, want))
                      if a != b), min(len(got), len(want)))
            print(f"{z}: firing {k}: calfd {got[k:k + 1]}, "
                  f"python {want[k:k + 1]}", flush=True)
    print(f"{len(zones)} zones, {N} firings each: {len(zones) - bad} "
          f"passed, {bad} failed ({time.time() - t0:.0f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
