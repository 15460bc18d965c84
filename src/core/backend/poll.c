/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * poll.c: the poll backend.  A dense pollfd array; each fd's index is kept
 * in the core's per-fd scratch, so adding and removing an fd is O(1)
 * (removal moves the last entry into the hole).
 */
#include "../event-internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "../mm-internal.h"

struct poll_state {
    struct pollfd *fds;
    int nfds;
    int cap;
    /* With a locked base, poll() runs unlocked on this copy, so that other
     * threads may change fds meanwhile. */
    struct pollfd *copy;
    int copy_cap;
};

static void *
poll_init(struct event_base *base)
{
    (void)base;
    return vg_mm_calloc(1, sizeof(struct poll_state));
}

static short
to_poll(short events)
{
    short e = 0;

    if (events & EV_READ)
        e |= POLLIN;
    if (events & EV_WRITE)
        e |= POLLOUT;
    if (events & EV_CLOSED)
        e |= POLLRDHUP;
    return e;
}

/* slot_data holds the fd's index in the array plus one (0: absent). */
static int
poll_change(struct event_base *base, int fd, short old_events, short new_events,
            int *slot_data)
{
    struct poll_state *st = base->backend_state;
    int idx = *slot_data - 1;

    (void)old_events;
    if (new_events == 0) {
        if (idx < 0)
            return 0;
        st->nfds--;
        if (idx != st->nfds) {
            struct vg_fdslot *moved;

            st->fds[idx] = st->fds[st->nfds];
            moved = vg_evmap_slot(base, st->fds[idx].fd);
            VG_ASSERT(moved != NULL);
            moved->backend_data = idx + 1;
        }
        *slot_data = 0;
        return 0;
    }
    if (idx < 0) {
        if (st->nfds == st->cap) {
            int ncap = st->cap ? st->cap * 2 : 32;
            struct pollfd *nf =
                vg_mm_reallocarray(st->fds, (size_t)ncap, sizeof(*nf));

            if (nf == NULL)
                return -1;
            st->fds = nf;
            st->cap = ncap;
        }
        idx = st->nfds++;
        st->fds[idx].fd = fd;
        *slot_data = idx + 1;
    }
    st->fds[idx].events = to_poll(new_events);
    st->fds[idx].revents = 0;
    return 0;
}

static int
poll_dispatch(struct event_base *base, const struct timeval *tv)
{
    struct poll_state *st = base->backend_state;
    struct pollfd *set = st->fds;
    int timeout = -1;
    int i, n, nfds;

    if (tv != NULL) {
        if (tv->tv_sec >= 35 * 60)
            timeout = 35 * 60 * 1000;
        else
            timeout = (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000);
    }
    if (base->th_base_lock != NULL) {
        if (st->copy_cap < st->nfds) {
            struct pollfd *nc =
                vg_mm_reallocarray(st->copy, (size_t)st->cap, sizeof(*nc));

            if (nc == NULL)
                return -1;
            st->copy = nc;
            st->copy_cap = st->cap;
        }
        if (st->nfds > 0)
            memcpy(st->copy, st->fds, (size_t)st->nfds * sizeof(*st->fds));
        set = st->copy;
    }
    nfds = st->nfds;
    BASE_RELEASE_FOR_WAIT(base);
    n = poll(set, (nfds_t)nfds, timeout);
    BASE_REACQUIRE_AFTER_WAIT(base);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        vg_log_warn("poll");
        return -1;
    }
    for (i = 0; i < nfds && n > 0; i++) {
        short what = set[i].revents;
        short res = 0;

        if (what == 0)
            continue;
        n--;
        if (what & (POLLHUP | POLLERR | POLLNVAL))
            res = EV_READ | EV_WRITE;
        if (what & POLLIN)
            res |= EV_READ;
        if (what & POLLOUT)
            res |= EV_WRITE;
        if (what & POLLRDHUP)
            res |= EV_CLOSED;
        vg_evmap_io_active(base, set[i].fd, res);
    }
    return 0;
}

static void
poll_dealloc(struct event_base *base)
{
    struct poll_state *st = base->backend_state;

    if (st == NULL)
        return;
    vg_mm_free(st->fds);
    vg_mm_free(st->copy);
    vg_mm_free(st);
    base->backend_state = NULL;
}

const struct vg_backend vg_backend_poll = {
    .name = "poll",
    .init = poll_init,
    .change = poll_change,
    .dispatch = poll_dispatch,
    .dealloc = poll_dealloc,
    .need_reinit = 0,
    .features = EV_FEATURE_FDS | EV_FEATURE_EARLY_CLOSE,
};
