#!/bin/sh
# Installs the build into a temporary prefix, then builds and runs
# consumer.c against it twice: through pkg-config and through CMake's
# find_package.  Each run must load the installed libraries, not Debian's.
# run.sh BUILD_DIR THIS_DIR CC CMAKE
set -eu
build=$1
here=$2
cc=$3
cmake=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
pass=0

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log"
libdir=$(dirname "$(find "$prefix" -name libevent_core.so | head -n 1)")
[ -n "$libdir" ] || { echo "FAIL: no libevent_core.so installed"; exit 1; }
for f in libevent_core-2.1.so.7.0.1 libevent_core-2.1.so.7 libevent_core.a \
    libevent_extra-2.1.so.7 libevent-2.1.so.7 pkgconfig/libevent.pc \
    pkgconfig/libevent_core.pc pkgconfig/libevent_extra.pc \
    cmake/libevent/LibeventConfig.cmake; do
    [ -e "$libdir/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
[ -f "$prefix/include/event2/event-config.h" ] ||
    { echo "FAIL: event-config.h not installed"; exit 1; }
# The man pages (cmake/VigilMan.cmake), when the build made them.
if [ -d "$build/man/man3" ]; then
    for f in event_base_new.3 libevent.3 event2_event.h.3 evbuffer.3; do
        [ -f "$prefix/share/man/man3/$f" ] ||
            { echo "FAIL: share/man/man3/$f not installed"; exit 1; }
    done
    man -M "$prefix/share/man" -w 3 event_base_new >/dev/null ||
        { echo "FAIL: man 3 event_base_new does not find the installed page"; exit 1; }
fi

check_run() {
    # $1: the program; it must load libevent from the prefix.
    loaded=$(LD_LIBRARY_PATH=$libdir ldd "$1" | grep libevent)
    if printf '%s\n' "$loaded" | grep -v "=> $libdir/" | grep -q .; then
        echo "FAIL: $1 loads libevent from outside $libdir:"
        echo "$loaded"
        exit 1
    fi
    LD_LIBRARY_PATH=$libdir "$1"
    pass=$((pass + 1))
}

# pkg-config.
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSTEM_LIBRARY_PATH= \
    pkg-config --cflags --libs libevent_core)
# The .pc files find the prefix relative to themselves: the include folder
# they name must be the installed one.
incdir=$(printf '%s\n' "$flags" | tr ' ' '\n' | sed -n 's/^-I//p' | head -n 1)
if [ -z "$incdir" ] || [ "$(cd "$incdir" && pwd -P)" != "$(cd "$prefix/include" && pwd -P)" ]; then
    echo "FAIL: pkg-config gave $flags"
    exit 1
fi
# shellcheck disable=SC2086
"$cc" "$here/consumer.c" -o "$tmp/consumer-pc" $flags
check_run "$tmp/consumer-pc"

# find_package.
"$cmake" -S "$here/project" -B "$tmp/project" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" >"$tmp/project.log" 2>&1 ||
    { cat "$tmp/project.log"; exit 1; }
"$cmake" --build "$tmp/project" >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log"; exit 1; }
check_run "$tmp/project/consumer"

echo "$pass passed, 0 failed"
