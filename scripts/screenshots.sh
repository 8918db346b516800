#!/bin/sh
# screenshots.sh: remakes doc/notification.png, the README's picture of a
# real desktop notification, by running the system test that shows one
# under Xvfb with GNOME's notification-daemon (and clicks its Snooze).
set -e
cd "$(dirname "$0")/.."
make -s all
out="$PWD/doc/notification.png"
CALF_BUILD="$PWD/build" CALF_SCREENSHOT="$out.tmp" \
    /usr/bin/python3 -m pytest -q tests/system/test_notify_desktop.py
[ -s "$out.tmp" ] || { echo "screenshots.sh: no screenshot (test skipped?)" >&2; exit 1; }
# Only the bubble's corner of the screen.
convert "$out.tmp" -crop 420x160+385+0 +repage "$out"
rm -f "$out.tmp"
echo "wrote $out"
