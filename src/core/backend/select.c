/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * select.c: the select backend.  fd_set holds only fds below FD_SETSIZE;
 * a larger one is refused with a clear error instead of writing past the
 * set (which select(2) would otherwise do silently).
 */
#include "../event-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/select.h>

#include "../mm-internal.h"

struct select_state {
    fd_set readset;
    fd_set writeset;
    fd_set readout;
    fd_set writeout;
    int maxfd; /* highest fd in either set, or -1 */
};

static void *
select_init(struct event_base *base)
{
    struct select_state *st = vg_mm_calloc(1, sizeof(*st));

    (void)base;
    if (st == NULL)
        return NULL;
    FD_ZERO(&st->readset);
    FD_ZERO(&st->writeset);
    st->maxfd = -1;
    return st;
}

static int
select_change(struct event_base *base, int fd, short old_events,
              short new_events, int *slot_data)
{
    struct select_state *st = base->backend_state;

    (void)old_events;
    (void)slot_data;
    if (fd >= FD_SETSIZE) {
        if (new_events == 0)
            return 0;
        vg_log_warnx("select backend: fd %d is not below FD_SETSIZE (%d); "
                     "use the epoll or poll backend for it",
                     fd, FD_SETSIZE);
        errno = EINVAL;
        return -1;
    }
    if (new_events & EV_READ)
        FD_SET(fd, &st->readset);
    else
        FD_CLR(fd, &st->readset);
    if (new_events & EV_WRITE)
        FD_SET(fd, &st->writeset);
    else
        FD_CLR(fd, &st->writeset);
    if (new_events != 0 && fd > st->maxfd)
        st->maxfd = fd;
    while (st->maxfd >= 0 && !FD_ISSET(st->maxfd, &st->readset) &&
           !FD_ISSET(st->maxfd, &st->writeset))
        st->maxfd--;
    return 0;
}

static int
select_dispatch(struct event_base *base, const struct timeval *tv)
{
    struct select_state *st = base->backend_state;
    struct timeval t, *tp = NULL;
    int fd, n, maxfd;

    memcpy(&st->readout, &st->readset, sizeof(fd_set));
    memcpy(&st->writeout, &st->writeset, sizeof(fd_set));
    if (tv != NULL) {
        t = *tv;
        tp = &t;
    }
    maxfd = st->maxfd;
    BASE_RELEASE_FOR_WAIT(base);
    n = select(maxfd + 1, &st->readout, &st->writeout, NULL, tp);
    BASE_REACQUIRE_AFTER_WAIT(base);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        vg_log_warn("select");
        return -1;
    }
    for (fd = 0; fd <= maxfd && n > 0; fd++) {
        short res = 0;

        if (FD_ISSET(fd, &st->readout))
            res |= EV_READ;
        if (FD_ISSET(fd, &st->writeout))
            res |= EV_WRITE;
        if (res == 0)
            continue;
        n--;
        vg_evmap_io_active(base, fd, res);
    }
    return 0;
}

static void
select_dealloc(struct event_base *base)
{
    vg_mm_free(base->backend_state);
    base->backend_state = NULL;
}

const struct vg_backend vg_backend_select = {
    .name = "select",
    .init = select_init,
    .change = select_change,
    .dispatch = select_dispatch,
    .dealloc = select_dealloc,
    .need_reinit = 0,
    .features = EV_FEATURE_FDS,
};
