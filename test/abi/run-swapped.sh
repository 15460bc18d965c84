#!/bin/sh
# Runs a program built against Debian's libevent with Vigil's libraries in
# its place (the drop-in promise), after checking that the dynamic linker
# really resolves every libevent library to Vigil's:
# run-swapped.sh VIGIL_LIB_DIR PROGRAM [ARG...]
set -eu
lib=$(cd "$1" && pwd -P)
shift
loaded=$(LD_LIBRARY_PATH=$lib ldd "$1" | grep libevent || true)
if [ -z "$loaded" ]; then
    echo "FAIL: $1 links no libevent"
    exit 1
fi
if printf '%s\n' "$loaded" | grep -v "=> $lib/" | grep -q .; then
    echo "FAIL: $1 would not load Vigil's libraries:"
    printf '%s\n' "$loaded"
    exit 1
fi
LD_LIBRARY_PATH=$lib exec "$@"
