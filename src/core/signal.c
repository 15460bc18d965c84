/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * signal.c: signal events.  A handler installed with sigaction() writes
 * the signal's number to a non-blocking pipe; an internal read event on
 * the other end turns each number into activations of that signal's
 * events, in the loop, where any code may run.
 *
 * As in libevent, one base at a time receives signals: the base that
 * added a signal event most recently.  The handler only touches the pipe,
 * with errno saved, so it is safe whatever the program was doing.
 *
 * The core reaches this file only through the ops table vg_signal_ops
 * (signal-internal.h), as it reaches a backend; this file calls down into
 * the core's internal API (vg_evmap_signal_active, the base lock) and the
 * public event calls.
 */
#include "event-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mm-internal.h"

/* The write end of the pipe of the base that receives signals. */
static volatile sig_atomic_t signal_write_fd = -1;
static struct event_base *signal_base;

static void
signal_handler(int sig)
{
    int saved = errno;
    unsigned char msg = (unsigned char)sig;
    int fd = signal_write_fd;

    if (fd >= 0) {
        /* A full pipe only loses a repeat of a signal already queued. */
        ssize_t n = write(fd, &msg, 1);
        (void)n;
    }
    errno = saved;
}

static void
signal_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event_base *base = arg;
    unsigned char buf[1024];
    int ncaught[NSIG];
    ssize_t n, i;
    int sig;

    (void)what;
    memset(ncaught, 0, sizeof(ncaught));
    for (;;) {
        n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < n; i++) {
            if (buf[i] > 0 && buf[i] < NSIG)
                ncaught[buf[i]]++;
        }
        if ((size_t)n < sizeof(buf))
            break;
    }
    BASE_LOCK(base);
    for (sig = 1; sig < NSIG; sig++) {
        if (ncaught[sig] != 0)
            vg_evmap_signal_active(base, sig, ncaught[sig]);
    }
    BASE_UNLOCK(base);
}

static int
open_pipe(struct event_base *base)
{
    if (pipe2(base->sig.pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        vg_log_warn("%s: pipe2", __func__);
        base->sig.pipe[0] = base->sig.pipe[1] = -1;
        return -1;
    }
    event_assign(&base->sig.reader, base, base->sig.pipe[0],
                 EV_READ | EV_PERSIST, signal_read_cb, base);
    base->sig.reader.ev_evcallback.evcb_flags |= EVLIST_INTERNAL;
    base->sig.reader.ev_evcallback.evcb_pri = 0;
    return 0;
}

static void
close_pipe(struct event_base *base)
{
    if (base->sig.reader_added) {
        event_del(&base->sig.reader);
        base->sig.reader_added = 0;
    }
    if (base->sig.pipe[0] >= 0) {
        close(base->sig.pipe[0]);
        close(base->sig.pipe[1]);
    }
    base->sig.pipe[0] = base->sig.pipe[1] = -1;
}

static void
signal_init(struct event_base *base)
{
    base->sig.pipe[0] = base->sig.pipe[1] = -1;
}

static int
signal_add(struct event_base *base, int sig)
{
    struct sigaction sa;
    int rc = -1;

    vg_lock(vg_global_lock);
    if (signal_base != NULL && signal_base != base &&
        signal_base->sig.nsignals > 0)
        vg_log_warnx("Added a signal to event base %p with signals already "
                     "added to event_base %p.  Only one can have signals at "
                     "a time with the %s backend.  The base with the most "
                     "recently added signal or the most recent "
                     "event_base_loop() call gets preference; do not rely "
                     "on this behavior in future Libevent versions.",
                     (void *)base, (void *)signal_base, base->backend->name);
    if (base->sig.pipe[0] < 0 && open_pipe(base) < 0)
        goto done;
    if (base->sig.saved == NULL) {
        base->sig.saved = vg_mm_calloc(NSIG, sizeof(*base->sig.saved));
        if (base->sig.saved == NULL)
            goto done;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = signal_handler;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    if (sigaction(sig, &sa, &base->sig.saved[sig]) < 0) {
        vg_log_warn("%s: sigaction(%d)", __func__, sig);
        goto done;
    }
    if (!base->sig.reader_added) {
        if (event_add(&base->sig.reader, NULL) < 0) {
            sigaction(sig, &base->sig.saved[sig], NULL);
            goto done;
        }
        base->sig.reader_added = 1;
    }
    base->sig.nsignals++;
    signal_base = base;
    signal_write_fd = base->sig.pipe[1];
    rc = 0;
done:
    vg_unlock(vg_global_lock);
    return rc;
}

static int
signal_del(struct event_base *base, int sig)
{
    int rc = 0;

    if (base->sig.saved != NULL &&
        sigaction(sig, &base->sig.saved[sig], NULL) < 0) {
        vg_log_warn("%s: sigaction(%d)", __func__, sig);
        rc = -1;
    }
    if (--base->sig.nsignals == 0 && base->sig.reader_added) {
        /* Keep the pipe, but stop counting its reader as a reason for
         * the loop to keep running. */
        event_del(&base->sig.reader);
        base->sig.reader_added = 0;
    }
    return rc;
}

static void
signal_dealloc(struct event_base *base)
{
    /* The handlers stop writing to this base's pipe before it closes, so
     * a signal arriving meanwhile cannot write into a reused fd number. */
    vg_lock(vg_global_lock);
    if (signal_base == base) {
        signal_base = NULL;
        signal_write_fd = -1;
    }
    vg_unlock(vg_global_lock);
    close_pipe(base);
    vg_mm_free(base->sig.saved);
    base->sig.saved = NULL;
}

static int
signal_reinit(struct event_base *base)
{
    int had_reader = base->sig.reader_added;

    /* After fork the child must not share the parent's pipe. */
    if (base->sig.pipe[0] < 0)
        return 0;
    close_pipe(base);
    if (open_pipe(base) < 0)
        return -1;
    if (had_reader) {
        if (event_add(&base->sig.reader, NULL) < 0)
            return -1;
        base->sig.reader_added = 1;
    }
    vg_lock(vg_global_lock);
    if (signal_base == base)
        signal_write_fd = base->sig.pipe[1];
    vg_unlock(vg_global_lock);
    return 0;
}

static void
signal_claim(struct event_base *base)
{
    if (base->sig.nsignals == 0)
        return;
    vg_lock(vg_global_lock);
    if (signal_base != base) {
        signal_base = base;
        signal_write_fd = base->sig.pipe[1];
    }
    vg_unlock(vg_global_lock);
}

static void
signal_global_shutdown(void)
{
    signal_base = NULL;
    signal_write_fd = -1;
}

const struct vg_signal_ops vg_signal_ops = {
    .init = signal_init,
    .add = signal_add,
    .del = signal_del,
    .dealloc = signal_dealloc,
    .reinit = signal_reinit,
    .claim = signal_claim,
    .global_shutdown = signal_global_shutdown,
};
