#!/usr/bin/python3
"""demo_history.py CALFD ROUTINE DAYS OUT.jsonl: a made-up month of history
for the README's `calfctl stats` picture, written in the documented format
(doc/history.md) as if synced from another machine. The firings come from
`calfd --agenda` for the routine, so they are the ones stats counts; which
are kept, late or missed follows a fixed pattern, so the picture is the
same every time it is made (for the same day)."""
import datetime
import json
import subprocess
import sys

calfd, routine, days, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
now = datetime.datetime.now().astimezone()
start = (now - datetime.timedelta(days=days - 1)).replace(
    hour=0, minute=0, second=0, microsecond=0)
agenda = subprocess.run(
    [calfd, "--agenda", str(days * 8), "--from", start.isoformat(timespec="seconds"),
     "-c", routine], check=True, capture_output=True, text=True).stdout
titles = {"ankle-circles": "Ankle circles", "foot-soak": "Warm foot soak",
          "bedtime-heat": "Bedtime heat"}
minutes = {"ankle-circles": 15, "foot-soak": 27, "bedtime-heat": 20}
device = "5eed" + "0" * 12
records = []
n = 0


def rec(**kw):
    global n
    n += 1
    kw = dict(v=1, id=f"{device}-{n:016x}", **kw)
    records.append(kw)


for i, line in enumerate(agenda.splitlines()):
    when, name = line.split()
    due = datetime.datetime.fromisoformat(when)
    if due >= now - datetime.timedelta(hours=1):
        break
    day = (due - start).days
    due_us = int(due.timestamp() * 1e6)
    # The first week is patchy, then the habit takes, with a slip or two.
    missed = (day < 7 and i % 3 == 1) or (day in (9, 17) and "soak" in name)
    if missed:
        rec(event="missed", session=name, title=titles.get(name, name),
            due_us=due_us, at_us=due_us + 3600 * 10**6)
        continue
    late = (i % 4) * 4 * 60
    dur = minutes.get(name, 15) * 60 + (i % 3) * 30
    rec(event="started", session=name, title=titles.get(name, name),
        due_us=due_us, at_us=due_us + late * 10**6)
    rec(event="finished", session=name, title=titles.get(name, name),
        due_us=due_us, at_us=due_us + (late + dur) * 10**6, duration_s=dur)

# A few night cramps early on, fewer as the routine settles.
for back, leg in ((days - 3, "left"), (days - 5, "left"), (days - 9, "right"),
                  (days - 16, "left")):
    at = (now - datetime.timedelta(days=back)).replace(hour=3, minute=10)
    if back < days:
        rec(event="cramp", due_us=0, at_us=int(at.timestamp() * 1e6), leg=leg)

records.sort(key=lambda r: r["at_us"])
with open(out, "w") as f:
    for r in records:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
