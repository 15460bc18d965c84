/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evmap.c: the fd and signal maps, and the changelist.
 *
 * An I/O event is on its fd's list in base->fds, an array indexed by fd
 * (struct vg_fdslot: the list, counts of readers, writers, EV_CLOSED and
 * EV_ET events, what the backend watches now, one int of backend
 * scratch); adding and deleting are O(1), and the array doubles when an fd
 * beyond it arrives.  The backend is told only when what the fd's events
 * want differs from what it watches: at once, or, with the changelist, in
 * one batch just before it waits.  A signal event is on its signal's list
 * in base->sigs; the first and the last event of a signal install and
 * restore its handler through the signal machinery's ops table.
 */
#include "event-internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "mm-internal.h"

/* ------------------------------------------------------------------ */
/* The fd map.                                                        */

struct vg_fdslot *
vg_evmap_slot(struct event_base *base, int fd)
{
    if (fd < 0 || fd >= base->nfds)
        return NULL;
    return &base->fds[fd];
}

static int
fdmap_reserve(struct event_base *base, int fd)
{
    struct vg_fdslot *nf;
    int ncap, i;

    if (fd < base->nfds)
        return 0;
    ncap = base->nfds ? base->nfds : 64;
    while (ncap <= fd) {
        if (ncap > INT_MAX / 2)
            return -1;
        ncap *= 2;
    }
    nf = vg_mm_reallocarray(base->fds, (size_t)ncap, sizeof(*nf));
    if (nf == NULL)
        return -1;
    /* The event lists' back-pointers point into the array: fix them. */
    for (i = 0; i < base->nfds; i++) {
        struct event *first = LIST_FIRST(&nf[i].events);

        if (first != NULL)
            first->ev_.ev_io.ev_io_next.le_prev = &LIST_FIRST(&nf[i].events);
    }
    for (i = base->nfds; i < ncap; i++) {
        memset(&nf[i], 0, sizeof(nf[i]));
        LIST_INIT(&nf[i].events);
        nf[i].change_pos = -1;
    }
    base->fds = nf;
    base->nfds = ncap;
    return 0;
}

static short
slot_wanted(const struct vg_fdslot *s)
{
    short w = 0;

    if (s->nread)
        w |= EV_READ;
    if (s->nwrite)
        w |= EV_WRITE;
    if (s->nclose)
        w |= EV_CLOSED;
    if (w && s->net)
        w |= EV_ET;
    return w;
}

/* Brings the backend in line with what fd's events want: at once, or at
 * the next dispatch when the changelist is on. */
static int
slot_sync(struct event_base *base, int fd, struct vg_fdslot *s)
{
    short want = slot_wanted(s);
    int rc;

    /* The backend goes with the base: telling it of each delete would
     * only reach fds the program may have closed, and whose numbers may
     * belong to other files by now. */
    if (base->freeing)
        return 0;
    if (base->use_changelist) {
        if (s->change_pos < 0) {
            if (base->nchanges == base->changes_cap) {
                int ncap = base->changes_cap ? base->changes_cap * 2 : 64;
                int *nc = vg_mm_reallocarray(base->changes, (size_t)ncap,
                                             sizeof(*nc));

                if (nc == NULL)
                    return -1;
                base->changes = nc;
                base->changes_cap = ncap;
            }
            s->change_pos = base->nchanges;
            base->changes[base->nchanges++] = fd;
        }
        if (want == 0)
            s->emptied = 1;
        return 0;
    }
    if (want == s->registered)
        return 0;
    rc = base->backend->change(base, fd, s->registered, want, &s->backend_data);
    if (rc == 0)
        s->registered = want;
    return rc;
}

/* Hands the merged changes to the backend before it waits. */
void
vg_evmap_apply_changelist(struct event_base *base)
{
    int i;

    for (i = 0; i < base->nchanges; i++) {
        int fd = base->changes[i];
        struct vg_fdslot *s = &base->fds[fd];
        short want = slot_wanted(s);

        s->change_pos = -1;
        /* When every event left the fd and some came back, the program
         * may have closed the fd and opened another under the same number
         * meanwhile; the kernel dropped the old registration at close, so
         * the registration is renewed (a MOD, or an ADD on ENOENT) rather
         * than assumed.  Only a plain re-add of what stayed costs nothing. */
        if (want == s->registered && !(s->emptied && want != 0)) {
            s->emptied = 0;
            continue;
        }
        s->emptied = 0;
        if (base->backend->change(base, fd, s->registered, want,
                                  &s->backend_data) == 0)
            s->registered = want;
    }
    base->nchanges = 0;
}

int
vg_evmap_io_add(struct event_base *base, struct event *ev)
{
    int fd = ev->ev_fd;
    struct vg_fdslot *s;
    short ev_events = ev->ev_events;

    /* libevent accepts an I/O event without an fd: it counts as added
     * and may time out, but no backend ever watches it, and it is on no
     * fd's list (so event_base_foreach_event does not see it either). */
    if (fd < 0)
        return 0;
    if (fdmap_reserve(base, fd) < 0)
        return -1;
    s = &base->fds[fd];
    if ((ev_events & EV_READ && s->nread == UINT16_MAX) ||
        (ev_events & EV_WRITE && s->nwrite == UINT16_MAX) ||
        (ev_events & EV_CLOSED && s->nclose == UINT16_MAX)) {
        vg_log_warnx("too many events on fd %d", fd);
        errno = EMFILE;
        return -1;
    }
    s->nread += !!(ev_events & EV_READ);
    s->nwrite += !!(ev_events & EV_WRITE);
    s->nclose += !!(ev_events & EV_CLOSED);
    s->net += !!(ev_events & EV_ET);
    if (slot_sync(base, fd, s) < 0) {
        s->nread -= !!(ev_events & EV_READ);
        s->nwrite -= !!(ev_events & EV_WRITE);
        s->nclose -= !!(ev_events & EV_CLOSED);
        s->net -= !!(ev_events & EV_ET);
        return -1;
    }
    LIST_INSERT_HEAD(&s->events, ev, ev_.ev_io.ev_io_next);
    return 0;
}

void
vg_evmap_io_del(struct event_base *base, struct event *ev)
{
    struct vg_fdslot *s;
    short ev_events = ev->ev_events;

    if (ev->ev_fd < 0)
        return;
    s = &base->fds[ev->ev_fd];
    s->nread -= !!(ev_events & EV_READ);
    s->nwrite -= !!(ev_events & EV_WRITE);
    s->nclose -= !!(ev_events & EV_CLOSED);
    s->net -= !!(ev_events & EV_ET);
    LIST_REMOVE(ev, ev_.ev_io.ev_io_next);
    /* A failure to stop watching (the fd was closed already) leaves
     * nothing to undo. */
    (void)slot_sync(base, ev->ev_fd, s);
}

/* ------------------------------------------------------------------ */
/* The signal map.                                                    */

int
vg_evmap_signal_add(struct event_base *base, struct event *ev)
{
    int sig = ev->ev_fd;
    struct vg_sigslot *s;

    if (sig <= 0 || sig >= NSIG) {
        vg_log_warnx("event_add: signal number %d is out of range (1 to %d)",
                     sig, NSIG - 1);
        errno = EINVAL;
        return -1;
    }
    s = &base->sigs[sig];
    if (s->count == 0 && base->sigops->add(base, sig) < 0)
        return -1;
    s->count++;
    LIST_INSERT_HEAD(&s->events, ev, ev_.ev_signal.ev_signal_next);
    return 0;
}

void
vg_evmap_signal_del(struct event_base *base, struct event *ev)
{
    struct vg_sigslot *s = &base->sigs[ev->ev_fd];

    LIST_REMOVE(ev, ev_.ev_signal.ev_signal_next);
    if (--s->count == 0)
        (void)base->sigops->del(base, ev->ev_fd);
}

void
vg_evmap_signal_active(struct event_base *base, int signo, int ncalls)
{
    struct event *ev;

    if (signo <= 0 || signo >= NSIG)
        return;
    if (ncalls > SHRT_MAX)
        ncalls = SHRT_MAX;
    LIST_FOREACH(ev, &base->sigs[signo].events, ev_.ev_signal.ev_signal_next)
    vg_event_active_nolock(ev, EV_SIGNAL, (short)ncalls);
}

/* ------------------------------------------------------------------ */
/* After fork: registering everything again.                          */

void
vg_evmap_forget_registrations(struct event_base *base)
{
    int fd;

    base->nchanges = 0;
    for (fd = 0; fd < base->nfds; fd++) {
        base->fds[fd].change_pos = -1;
        base->fds[fd].emptied = 0;
        base->fds[fd].registered = 0;
        base->fds[fd].backend_data = 0;
    }
}

int
vg_evmap_reregister(struct event_base *base)
{
    int fd, rc = 0;

    for (fd = 0; fd < base->nfds; fd++) {
        struct vg_fdslot *s = &base->fds[fd];
        short want = slot_wanted(s);

        s->change_pos = -1;
        if (want == s->registered)
            continue;
        if (base->backend->change(base, fd, s->registered, want,
                                  &s->backend_data) == 0)
            s->registered = want;
        else
            rc = -1;
    }
    base->nchanges = 0;
    return rc;
}
