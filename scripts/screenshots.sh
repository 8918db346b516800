#!/bin/sh
# screenshots.sh (make screenshots): remakes the README's pictures, each
# from the real programs:
#   doc/notification.png  a desktop notification with its buttons: the
#                         system test that shows one under Xvfb with GNOME's
#                         notification-daemon (and clicks its Snooze);
#   doc/status.png        `calfctl status` with a foot soak running, and
#   doc/stats.png         `calfctl stats` with its calendar, each in an
#                         xterm under Xvfb, against a calfd of its own (the
#                         month of history behind stats is made up by
#                         scripts/demo_history.py, in the documented format);
#   doc/waybar.png        Waybar with the module doc/statusbars.md shows
#                         (its very text), in a headless sway.
set -e
cd "$(dirname "$0")/.."
make -s all
# make deps installs what the notification's test needs; the rest is only
# for the pictures.
for t in Xvfb xdotool import convert xterm sway waybar grim; do
	command -v $t >/dev/null || {
		echo "screenshots.sh: $t is not installed; run make deps, then" >&2
		echo "  apt-get install --no-install-recommends xterm sway waybar grim" >&2
		exit 1
	}
done
top=$PWD
work=$(mktemp -d /tmp/calf-shots.XXXXXX)
cleanup() {
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
	[ -n "$calfd" ] && kill "$calfd" 2>/dev/null
	[ -n "$sway" ] && kill "$sway" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# 1. The notification.
out="$top/doc/notification.png"
CALF_BUILD="$top/build" CALF_SCREENSHOT="$work/notification.png" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/system/test_notify_desktop.py
[ -s "$work/notification.png" ] || { echo "screenshots.sh: no notification screenshot (test skipped?)" >&2; exit 1; }
convert "$work/notification.png" -crop 420x160+385+0 +repage "$out"
echo "wrote $out"

# 2. A calfd of its own, on the built-in routine, with a month of history.
export CALFD_SOCKET="$work/calfd.sock"
mkdir -p "$work/state/history"
/usr/bin/python3 scripts/demo_history.py build/calfd config/routine.ini 30 \
    "$work/state/history/5eed000000000000.jsonl"
build/calfd -c config/routine.ini --state-dir "$work/state" 2>"$work/calfd.log" &
calfd=$!
i=0; until build/calfctl version >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$work/calfd.log"; exit 1; }; sleep 0.1
done
build/calfctl start foot-soak >/dev/null
sleep 3

Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
xvfb=$!
i=0; until [ -s "$work/display" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1
done
export DISPLAY=":$(cat "$work/display")"

# shot NAME COLS ROWS COMMAND...: the command's output in an xterm of that
# size, as a person would see it after typing it.
shot() {
	name=$1 cols=$2 rows=$3; shift 3
	cat > "$work/$name.sh" <<SH
printf '\033[1m\$ %s\033[0m\n' "$*"
PATH="$top/build:\$PATH" $*
printf 'ready' > "$work/$name.ready"
sleep 60
SH
	xterm -T "calf-$name" -geometry "${cols}x${rows}+0+0" -fa 'DejaVu Sans Mono' \
	    -fs 11 -bg '#1d1f21' -fg '#d8d8d8' -b 8 +sb -e sh "$work/$name.sh" &
	term=$!
	i=0; until [ -f "$work/$name.ready" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "screenshots.sh: $name did not finish" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.5
	win=$(xdotool search --name "^calf-$name\$" | head -1)
	import -window "$win" "$top/doc/$name.png"
	kill "$term" 2>/dev/null || true
	echo "wrote $top/doc/$name.png"
}

shot status 80 8 calfctl status
shot stats 80 32 calfctl stats

# 3. Waybar, in a headless sway. sway will not run as root, so as root it
# runs as nobody in a folder of its own; Waybar runs as us (root may use
# nobody's Wayland socket), so its calfctl reaches our calfd.
wl="$work/wayland"
mkdir -m 0700 "$wl"
as_sway=""
if [ "$(id -u)" = 0 ]; then
	chown nobody "$wl"
	chmod 0711 "$work"
	as_sway="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
printf 'output HEADLESS-1 resolution 720x60 bg #2b303b solid_color\n' > "$work/sway.conf"
$as_sway env -i HOME="$wl" XDG_RUNTIME_DIR="$wl" WLR_BACKENDS=headless \
    WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman PATH=/usr/bin:/bin \
    sway -c "$work/sway.conf" >"$work/sway.log" 2>&1 &
sway=$!
i=0; until [ -S "$wl/wayland-1" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$work/sway.log"; exit 1; }; sleep 0.1
done
# The module exactly as doc/statusbars.md shows it, in a bar of its own.
/usr/bin/python3 - "$work/waybar.json" <<'PY'
import json, re, sys
doc = open("doc/statusbars.md").read()
block = re.search(r"## Waybar\n\n((?:    .*\n)+)", doc).group(1)
module = json.loads("{" + block + "}")
conf = {"layer": "top", "position": "top", "height": 30,
        "modules-left": ["custom/calf"], "modules-right": ["clock"],
        "clock": {"format": "{:%H:%M}"}}
conf.update(module)
open(sys.argv[1], "w").write(json.dumps(conf))
style = re.search(r"Style by state.*\n\n((?:    .*\n)+)", doc).group(1)
open(sys.argv[1].replace("waybar.json", "style.css"), "w").write(
    style.replace("    ", ""))
PY
cat >> "$work/style.css" <<'CSS'
* { font-family: "DejaVu Sans"; font-size: 15px; }
window#waybar { background: #1d1f21; color: #d8d8d8; }
#custom-calf, #clock { padding: 0 14px; }
CSS
XDG_RUNTIME_DIR="$wl" WAYLAND_DISPLAY=wayland-1 PATH="$top/build:$PATH" \
    waybar -c "$work/waybar.json" -s "$work/style.css" >"$work/waybar.log" 2>&1 &
waybar=$!
sleep 3
$as_sway env XDG_RUNTIME_DIR="$wl" WAYLAND_DISPLAY=wayland-1 grim "$wl/bar.png"
kill "$waybar" 2>/dev/null || true
convert "$wl/bar.png" -crop 720x30+0+0 +repage "$top/doc/waybar.png"
echo "wrote $top/doc/waybar.png"
