"""calfd --agenda against an independent implementation of the time rule.

The rule (common/sched.h): a session set for local time T on local date D
fires at the first instant whose local date is D and whose wall-clock time is
T or later. This file computes it with Python's zoneinfo, a different route
from the C code (which scans localtime_r offsets): the naive time with fold=0
is the first occurrence when it exists; when it falls in a gap, the firing is
the end of the gap, found by bisecting utcoffset, if that is still date D.

Both read the system tzdata, so they must agree firing for firing, in every
zone, in every year.
"""
import os
import re
import subprocess
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from calfsys import CALFD  # $CALF_BUILD or the build folder

UTC = timezone.utc
LINE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}(:\d{2})? [a-z0-9_-]{1,64}$")
MARGIN = 27 * 3600          # no offset strays further from UTC

ZONES = [
    "UTC", "Europe/Berlin", "Europe/London", "Europe/Dublin",
    "Europe/Moscow", "Europe/Chisinau", "America/New_York",
    "America/Los_Angeles", "America/St_Johns", "America/Havana",
    "America/Santiago", "America/Sao_Paulo", "America/Asuncion",
    "America/Nuuk", "America/Mexico_City", "America/Caracas",
    "Asia/Beirut", "Asia/Tehran", "Asia/Kathmandu", "Asia/Kolkata",
    "Asia/Gaza", "Asia/Jerusalem", "Asia/Amman", "Asia/Damascus",
    "Asia/Pyongyang", "Asia/Dhaka", "Australia/Lord_Howe",
    "Australia/Adelaide", "Pacific/Chatham", "Pacific/Apia",
    "Pacific/Auckland", "Pacific/Kiritimati", "Pacific/Fakaofo",
    "Pacific/Norfolk", "Africa/Casablanca", "Africa/Cairo",
    "Antarctica/Troll", "Antarctica/Casey",
]
YEARS = (1995, 2036)        # transitions from 1995 up to the end of 2035

# Sessions: (name, ini body, times in seconds of day, days mask). Times sit
# in gaps and repeats; two sessions share 02:30 to check file order.
WD = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


def hm(s):
    h, m = s.split(":")
    return int(h) * 3600 + int(m) * 60


def mask(*names):
    return sum(1 << WD[n] for n in names)


ALL = 0x7F
SESSIONS = [
    ("night", "at = 01:00 01:30 02:00 02:30\ndays = daily\n",
     [hm(t) for t in ("01:00", "01:30", "02:00", "02:30")], ALL),
    ("twin", "at = 02:30\ndays = daily\n", [hm("02:30")], ALL),
    ("edges", "at = 00:00 00:15 23:30 12:00\ndays = daily\n",
     sorted(hm(t) for t in ("00:00", "00:15", "23:30", "12:00")), ALL),
    ("sunday", "at = 00:30 03:00\ndays = sun\n",
     [hm("00:30"), hm("03:00")], mask("sun")),
    ("weekdays", "at = 23:59\ndays = weekdays\n", [hm("23:59")], 0x3E),
    ("sat-fri", "at = 00:00 02:15\ndays = fri,sat\n",
     [hm("00:00"), hm("02:15")], mask("fri", "sat")),
    ("grid", "every = 30m\nbetween = 00:00-03:00\ndays = daily\n",
     list(range(0, 3 * 3600 + 1, 1800)), ALL),
    ("work", "every = 2h\nbetween = 09:00-17:00\ndays = weekdays\n",
     list(range(9 * 3600, 17 * 3600 + 1, 7200)), 0x3E),
    ("walk", "", [], ALL),                  # on demand: never in the agenda
]


def write_routine(path, sessions):
    with open(path, "w") as f:
        for name, body, _, _ in sessions:
            f.write(f"[{name}]\n{body}duration = 5m\n\n")


@pytest.fixture(scope="module")
def routine(tmp_path_factory):
    p = tmp_path_factory.mktemp("agenda") / "routine.ini"
    write_routine(p, SESSIONS)
    return str(p)


# --- the rule, the Python way ----------------------------------------------

def offset(z, ts):
    return datetime.fromtimestamp(ts, z).utcoffset()


def fire(z, d, sod):
    """The instant of local time sod on date d in zone z, or None."""
    naive = datetime(d.year, d.month, d.day, sod // 3600, sod // 60 % 60,
                     sod % 60)
    first = int(naive.replace(tzinfo=z, fold=0).timestamp())
    if datetime.fromtimestamp(first, z).replace(tzinfo=None) == naive:
        # fold=0 is the earlier of two readings in a repeat: the first.
        later = int(naive.replace(tzinfo=z, fold=1).timestamp())
        assert first <= later
        return first
    # In a gap: fold=0 and fold=1 straddle the transition.
    later = int(naive.replace(tzinfo=z, fold=1).timestamp())
    lo, hi = min(first, later), max(first, later)
    o = offset(z, lo)
    assert offset(z, hi) != o
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset(z, mid) == o:
            lo = mid
        else:
            hi = mid
    if datetime.fromtimestamp(hi, z).date() == d:
        assert datetime.fromtimestamp(hi, z).replace(tzinfo=None) > naive
        return hi
    return None


def agenda(z, sessions, start, n):
    """The first n firings strictly after start, as (at, session, slot)."""
    d = datetime.fromtimestamp(start, z).date() - timedelta(days=2)
    found = []
    while True:
        earliest = (d - date(1970, 1, 1)).days * 86400 - MARGIN
        if len(found) >= n:
            found.sort()
            if earliest > found[n - 1][0]:
                return found[:n]
        wday = (d.weekday() + 1) % 7
        for i, (_, _, times, days) in enumerate(sessions):
            if not days & (1 << wday):
                continue
            for k, sod in enumerate(times):
                at = fire(z, d, sod)
                if at is not None and at > start:
                    found.append((at, i, k))
        d += timedelta(days=1)


def fmt(z, at):
    """The agenda's line format: Python's own, "+HH:MM", or "+HH:MM:SS"
    for an offset with seconds."""
    t = datetime.fromtimestamp(at, z)
    return t.isoformat(timespec="seconds")


def expected(zone, sessions, start, n):
    z = ZoneInfo(zone)
    return [f"{fmt(z, at)} {sessions[i][0]}"
            for at, i, _ in agenda(z, sessions, start, n)]


def transitions(z, y0, y1):
    """Every offset change in [y0, y1), found by 6-hour steps and bisection."""
    t = int(datetime(y0, 1, 1, tzinfo=UTC).timestamp()) - 86400
    end = int(datetime(y1, 1, 1, tzinfo=UTC).timestamp())
    out = []
    o = offset(z, t)
    while t < end:
        b = t + 6 * 3600
        ob = offset(z, b)
        while o != ob:
            lo, hi = t, b
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(z, mid) == o:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            t, o = hi, offset(z, hi)
        t = b
    return out


# --- running calfd ------------------------------------------------------------

def calfd(*args, tz="UTC"):
    env = dict(os.environ, TZ=tz)
    env.pop("CALFD_CONFIG", None)
    return subprocess.run([CALFD, *args], env=env, capture_output=True,
                          text=True, timeout=30)


def run_agenda(routine, zone, start, n):
    p = calfd("--agenda", str(n), "--from", f"@{start}", "-c", routine,
              tz=zone)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    for line in lines:
        assert LINE_RE.match(line), line
    return lines


def compare(routine, zone, start, n, sessions=SESSIONS):
    got = run_agenda(routine, zone, start, n)
    want = expected(zone, sessions, start, n)
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                pytest.fail(f"TZ={zone} --from @{start} firing {i}: "
                            f"calfd says {g!r}, zoneinfo says {w!r}")
        pytest.fail(f"TZ={zone} --from @{start}: {len(got)} lines, "
                    f"expected {len(want)}")


# --- the tests ---------------------------------------------------------------

def sample(zone, ts):
    """Zones with an ordinary yearly rule are checked every other year (the
    parity differs between zones, so both are covered); zones with fewer
    or irregular changes at every one. Keeps the file fast under ASan."""
    if len(ts) <= 60:
        return ts
    parity = sum(map(ord, zone)) % 2
    return [x for x in ts
            if datetime.fromtimestamp(x, UTC).year % 2 == parity]


@pytest.mark.parametrize("zone", ZONES)
def test_around_transitions(routine, zone):
    """Starts a day and a half before each transition from 1995 to 2035,
    and now and then exactly at it or a second before (strictly after
    excludes a firing at the gap's end)."""
    z = ZoneInfo(zone)
    ts = sample(zone, transitions(z, *YEARS))
    if not ts:
        # No changes at all: a few ordinary days still must agree.
        ts = [int(datetime(y, 6, 1, tzinfo=UTC).timestamp())
              for y in (1995, 2026, 2035)]
    for i, x in enumerate(ts):
        compare(routine, zone, x - 36 * 3600, 70)
        if i % 8 == 0:
            compare(routine, zone, x, 12)
            compare(routine, zone, x - 1, 12)


@pytest.mark.parametrize("zone", ["Europe/Dublin", "Pacific/Apia",
                                  "America/Santiago", "Asia/Beirut",
                                  "Australia/Lord_Howe"])
def test_long_sweep(tmp_path, zone):
    """One agenda across 1995-2035: a transition the scan above missed
    would show here."""
    sessions = [SESSIONS[0], SESSIONS[2]]
    p = tmp_path / "r.ini"
    write_routine(p, sessions)
    start = int(datetime(1995, 1, 1, tzinfo=UTC).timestamp())
    compare(str(p), zone, start, 100000, sessions)


def test_skipped_day(routine):
    """Samoa skipped 2011-12-30: no firing carries that date."""
    start = int(datetime(2011, 12, 28, tzinfo=UTC).timestamp())
    lines = run_agenda(routine, "Pacific/Apia", start, 200)
    dates = {line[:10] for line in lines}
    assert "2011-12-29" in dates and "2011-12-31" in dates
    assert "2011-12-30" not in dates


def test_gap_fires_at_gap_end(routine):
    """Berlin 2026-03-29: 02:00, 02:30 fire at 03:00+02, twin after night."""
    start = int(datetime(2026, 3, 28, 23, 45, tzinfo=UTC).timestamp())
    lines = run_agenda(routine, "Europe/Berlin", start, 12)
    assert lines[:4] == [
        "2026-03-29T01:00:00+01:00 night",
        "2026-03-29T01:00:00+01:00 grid",
        "2026-03-29T01:30:00+01:00 night",
        "2026-03-29T01:30:00+01:00 grid",
    ]
    at3 = [l for l in lines if l.startswith("2026-03-29T03:00:00+02:00")]
    assert at3 == [
        "2026-03-29T03:00:00+02:00 night",      # 02:00
        "2026-03-29T03:00:00+02:00 night",      # 02:30
        "2026-03-29T03:00:00+02:00 twin",       # 02:30, file order
        "2026-03-29T03:00:00+02:00 sunday",     # 03:00
        "2026-03-29T03:00:00+02:00 grid",       # 02:00
        "2026-03-29T03:00:00+02:00 grid",       # 02:30
        "2026-03-29T03:00:00+02:00 grid",       # 03:00
    ]


def test_repeat_fires_once(routine):
    """New York 2026-11-01: 01:30 fires at -04:00 only."""
    start = int(datetime(2026, 11, 1, 4, tzinfo=UTC).timestamp())
    lines = run_agenda(routine, "America/New_York", start, 40)
    ones = [l for l in lines if l.startswith("2026-11-01T01:30")]
    assert ones == ["2026-11-01T01:30:00-04:00 night",
                    "2026-11-01T01:30:00-04:00 grid"]


@pytest.mark.parametrize("spelling", [
    "2026-03-28T20:00:00Z", "2026-03-28T20:00Z", "2026-03-29T01:30:00+05:30",
    "2026-03-28 20:00:00+00:00", "@1774728000", "2026-03-28T15:00-05:00"])
def test_from_spellings(routine, spelling):
    """Every way to write one instant gives the same agenda."""
    p = calfd("--agenda", "15", "--from", spelling, "-c", routine,
              tz="Europe/Berlin")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == expected("Europe/Berlin", SESSIONS,
                                             1774728000, 15)


def test_negative_epoch(routine):
    p = calfd("--agenda", "5", "--from", "@-86400", "-c", routine,
              tz="Asia/Kolkata")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == expected("Asia/Kolkata", SESSIONS,
                                             -86400, 5)


@pytest.mark.parametrize("bad", [
    "junk", "", "2026-03-28T20:00:00", "2026-02-30T00:00Z",
    "2026-03-28T24:00Z", "@", "@12x", "2026-3-28T20:00Z",
    "2026-03-28T20:00+25:00"])
def test_bad_from(routine, bad):
    p = calfd("--agenda", "3", "--from", bad, "-c", routine)
    assert p.returncode == 64
    assert p.stdout == ""
    assert p.stderr.startswith(f"calfd: --from {bad}: ")
    assert len(p.stderr.splitlines()) == 1


@pytest.mark.parametrize("bad", ["0", "-1", "100001", "abc", "5x", ""])
def test_bad_count(routine, bad):
    p = calfd("--agenda", bad, "-c", routine)
    assert p.returncode == 64
    assert p.stdout == ""
    assert "calfd:" in p.stderr


def test_count_limits(routine):
    p = calfd("--agenda", "100000", "--from", "@0", "-c", routine)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 100000
    assert all(LINE_RE.match(l) for l in lines[::997])
    # Strictly after @0: the 00:00 firings of 1970-01-01 are not listed.
    assert lines[:3] == ["1970-01-01T00:15:00+00:00 edges",
                         "1970-01-01T00:30:00+00:00 grid",
                         "1970-01-01T01:00:00+00:00 night"]
    assert lines[:50] == expected("UTC", SESSIONS, 0, 50)


def test_default_from_is_now(routine):
    """Without --from the agenda starts at the current time."""
    import time
    before = int(time.time())
    p = calfd("--agenda", "3", "-c", routine, tz="UTC")
    after = int(time.time())
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    want = [expected("UTC", SESSIONS, t, 3) for t in range(before, after + 1)]
    assert lines in want


def test_only_on_demand(tmp_path):
    p = tmp_path / "r.ini"
    p.write_text("[walk]\nduration = 5m\n")
    r = calfd("--agenda", "5", "--from", "@0", "-c", str(p))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""


def test_bad_routine(tmp_path):
    p = tmp_path / "r.ini"
    p.write_text("[feed]\nat = 25:00\nduration = 5m\n")
    r = calfd("--agenda", "5", "--from", "@0", "-c", str(p))
    assert r.returncode == 78
    assert r.stdout == ""
    assert str(p) + ":2:" in r.stderr


def test_check_config(routine):
    r = calfd("--check-config", "-c", routine)
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"calfd: using routine {routine} (from -c)\n"
    lines = r.stdout.splitlines()
    assert [l.split()[0] for l in lines] == [s[0] for s in SESSIONS]
