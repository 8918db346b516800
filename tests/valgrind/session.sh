#!/bin/sh
# session.sh: `make check-valgrind`. calfd under valgrind memcheck through
# a scripted session: every command, a watcher, a prompt that falls due, a
# reload, a bad request, and a clean stop. Fails on any memcheck error or
# definite leak. BUILD names the build folder (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
calfd=$build/calfd
ctl=$build/calfctl
tmp=$(mktemp -d /tmp/calf-vg.XXXXXX)
sock=$tmp/calfd.sock
log=$tmp/memcheck.log
trap 'kill $(cat $tmp/watch.pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT

due=$(date -u -d @$(( $(date +%s) + 20 )) +%H:%M:%S)
cat > "$tmp/routine.ini" <<INI
[calfd]
snooze = 5m
[soak]
duration = 15m
cue = at 1m Top up.
[circles]
at = $due
duration = 5m
window = 1h
[water]
every = 2h
between = 09:00-17:00
days = weekdays
duration = 1m
INI

TZ=UTC valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
    --error-exitcode=99 --track-fds=no --log-file="$log" \
    "$calfd" -c "$tmp/routine.ini" -s "$sock" --state-dir "$tmp/state" \
    2> "$tmp/calfd.err" &
pid=$!
i=0
until "$ctl" -s "$sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "calfd under valgrind did not start"; cat "$tmp/calfd.err"; exit 1; }
	sleep 0.1
done
"$ctl" -s "$sock" --json watch > "$tmp/watch.out" 2>/dev/null &
echo $! > "$tmp/watch.pid"
run() { "$ctl" -s "$sock" "$@" > /dev/null 2>&1; }
run status; run agenda 100; run start soak; run status; run snooze 5m
run pause 10m; run resume; run stop soak; run start soak; run done
run skip water; run reload; run nope; run agenda 0
printf '{"command": ["status"\n{"command": "x"}\n' |
    socat - "UNIX-CONNECT:$sock" > /dev/null 2>&1 || true
# The prompt falls due (valgrind is slow: wait for it).
i=0
until grep -q '"due"' "$tmp/watch.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "no due event under valgrind"; break; }
	sleep 0.1
done
run snooze circles 1m; run start circles; run status
kill -TERM $pid
wait $pid
rc=$?
head -80 "$log"
if [ $rc -ne 0 ]; then
	echo "check-valgrind: calfd exited $rc (99: memcheck found errors)"
	cat "$tmp/calfd.err"
	exit 1
fi
echo "check-valgrind: 0 errors, no definite leaks"
