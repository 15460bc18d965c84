/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pthreads.c: libevent_pthreads will hold evthread_use_pthreads(), which
 * lands with the threading work.  Until then the library carries only this
 * identification string under Debian's name and soname.
 */
#include <event2/event-config.h>

const char vigil_pthreads_ident_[] =
    "Vigil " VIGIL_VERSION " libevent_pthreads";
