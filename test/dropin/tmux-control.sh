#!/usr/bin/env bash
# Vigil: Debian's own tmux, built against Debian's libevent, runs its
# control mode (tmux -C) on Vigil's libraries: a pane prints 3,000 lines
# and the control client must receive all of them.  tmux writes control
# output through a bufferevent with a write low-water mark of 512 and
# relies on bufferevent_enable(EV_WRITE) running the write callback
# (issue 13, item 1); without that it hangs.
#   tmux-control.sh LIBDIR
set -euo pipefail
libdir=$1
tmux=/usr/bin/tmux
if [ ! -x "$tmux" ]; then
    echo "FAIL: $tmux is missing (tools/install-deps installs tmux)"
    exit 1
fi

work=$(mktemp -d)
sock="$work/socket"
client=""
cleanup() {
    exec 3>&- 2>/dev/null || true
    "$tmux" -S "$sock" kill-server >/dev/null 2>&1 || true
    [ -z "$client" ] || kill "$client" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Waits up to $2 seconds for the control output to contain $1.
wait_for() {
    local deadline=$((SECONDS + $2))
    until grep -q -- "$1" "$work/out" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "FAIL: no '$1' within $2 s; control output:"
            tail -n 20 "$work/out"
            exit 1
        fi
        sleep 0.1
    done
}

mkfifo "$work/in"
LD_LIBRARY_PATH="$libdir" timeout 60 "$tmux" -S "$sock" -f /dev/null \
    -C new-session -x 200 -y 50 <"$work/in" >"$work/out" 2>&1 &
client=$!
exec 3>"$work/in"
wait_for '%session-changed' 20

# The server must be running on Vigil's libevent_core, not Debian's.
pid=$("$tmux" -S "$sock" display-message -p '#{pid}')
if ! grep -q "$libdir/libevent_core" "/proc/$pid/maps"; then
    echo "FAIL: the tmux server (pid $pid) did not load $libdir"
    exit 1
fi

# The typed command shows 'DONE-$((6*7))'; only its output says DONE-42.
printf 'send-keys "seq 1 3000; echo DONE-$((6*7))" Enter\n' >&3
wait_for 'DONE-42' 30
lines=$(grep -c '^%output' "$work/out" || true)
printf 'kill-server\n' >&3
exec 3>&-
wait "$client" || true
client=""
echo "tmux control mode on Vigil: $lines %output lines, DONE-42 received"
