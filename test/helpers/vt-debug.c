/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-debug.c: linked into every black-box test program.  When the
 * environment has VT_DEBUG_THREADS=1 it turns on, before main() runs,
 * what a careful libevent program turns on first: debug mode (every use
 * of an event is checked against its assignment), pthread locking, and
 * lock debugging (every lock and condition use is checked).  ctest runs
 * the groups again that way as debug.<group>.<backend> (issue 13), so the
 * whole suite also proves itself with the checks and the locks on.
 */
#include <event2/event.h>
#include <event2/thread.h>

#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void
vt_debug_threads_setup(void)
{
    const char *v = getenv("VT_DEBUG_THREADS");

    if (v == NULL || v[0] != '1')
        return;
    event_enable_debug_mode();
    if (evthread_use_pthreads() != 0) {
        fputs("vt-debug: evthread_use_pthreads failed\n", stderr);
        abort();
    }
    evthread_enable_lock_debugging();
}
