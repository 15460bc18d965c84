/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * signal-internal.h: the narrow interface between the event core and its
 * signal machinery (signal.c).
 *
 * What it holds: the per-base signal state embedded in struct event_base
 * (struct vg_signal_state) and the const ops table through which the core
 * reaches signal.c (struct vg_signal_ops), in the way it reaches a backend
 * (struct vg_backend).  The core names signal.c only through the table
 * vg_signal_ops, picked up once when a base is made and once by
 * libevent_global_shutdown(); signal.c calls down only into the core's
 * internal API (vg_evmap_signal_active(), the base lock) and the public
 * event calls (event_assign, event_add, event_del).
 *
 * Who may include it: the core loop's files (event-internal.h includes it
 * for the state struct, and signal.c for the rest).  Higher layers have no
 * business with signals' internals.
 *
 * Locking and ownership: the state belongs to its base and is guarded by
 * the base lock, except that which base receives signals (and the write
 * end of the pipe the handler uses) is process-wide and guarded by
 * vg_global_lock.  signal.c opens and closes the pipe and allocates and
 * frees the saved handlers; dealloc() releases both when the base goes.
 */
#ifndef VIGIL_SIGNAL_INTERNAL_H
#define VIGIL_SIGNAL_INTERNAL_H

#include <event2/event_struct.h>

#include <signal.h>

struct event_base;

/* The base's signal machinery (owned by signal.c). */
struct vg_signal_state {
    int pipe[2];             /* the handler writes signal numbers here */
    struct event reader;     /* internal persistent read event on pipe[0] */
    int reader_added;        /* reader is in the fd map */
    int nsignals;            /* signal numbers with a handler installed */
    struct sigaction *saved; /* previous handlers, NSIG entries, or NULL */
};

/*
 * What the core asks of the signal machinery.  Every call but
 * global_shutdown is made with the base lock held (or on a base no other
 * thread can see yet, or any more).
 */
struct vg_signal_ops {
    /* Sets up the state of a new base (nothing allocated yet). */
    void (*init)(struct event_base *base);
    /* Installs the handler for signo: its first event was added.  0 or -1
     * (errno set, nothing installed). */
    int (*add)(struct event_base *base, int signo);
    /* Restores signo's previous handler: its last event went.  0 or -1. */
    int (*del)(struct event_base *base, int signo);
    /* Releases everything the base's signal state holds. */
    void (*dealloc)(struct event_base *base);
    /* In a forked child: a pipe of its own.  0 or -1. */
    int (*reinit)(struct event_base *base);
    /* The base's loop starts: it receives the signals it watches. */
    void (*claim)(struct event_base *base);
    /* libevent_global_shutdown(): no base receives signals any more. */
    void (*global_shutdown)(void);
};

extern const struct vg_signal_ops vg_signal_ops;

#endif
