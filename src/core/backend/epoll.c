/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * epoll.c: the epoll backend.  One epoll_ctl per change of what an fd
 * wants (the core merges changes when the changelist is on); edge
 * triggering and EV_CLOSED (EPOLLRDHUP); with EVENT_BASE_FLAG_PRECISE_TIMER
 * a timerfd gives timeouts finer than epoll_wait's milliseconds.
 */
#include "../event-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "../mm-internal.h"

_Static_assert(EPOLLIN << 1 == EV_READ, "EPOLLIN maps to EV_READ by a shift");
_Static_assert(EPOLLOUT == EV_WRITE, "EPOLLOUT is EV_WRITE");
_Static_assert(EPOLLRDHUP >> 6 == EV_CLOSED, "EPOLLRDHUP maps to EV_CLOSED");

#define INITIAL_NEVENT 32
#define MAX_NEVENT 4096
/* epoll_wait's timeout is an int of milliseconds; longer waits are cut
 * into pieces (the loop simply waits again). */
#define MAX_TIMEOUT_MSEC (35 * 60 * 1000)

struct epoll_state {
    int epfd;
    int timerfd; /* -1 unless precise timers were asked for */
    struct epoll_event *events;
    int nevents;
};

static void *
epoll_init(struct event_base *base)
{
    struct epoll_state *st = vg_mm_calloc(1, sizeof(*st));

    if (st == NULL)
        return NULL;
    st->timerfd = -1;
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (st->epfd < 0) {
        if (errno != ENOSYS)
            vg_log_warn("epoll_create1");
        goto fail;
    }
    st->events = vg_mm_calloc(INITIAL_NEVENT, sizeof(*st->events));
    if (st->events == NULL)
        goto fail;
    st->nevents = INITIAL_NEVENT;
    if (base->flags & EVENT_BASE_FLAG_PRECISE_TIMER) {
        struct epoll_event ev;

        st->timerfd =
            timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (st->timerfd >= 0) {
            memset(&ev, 0, sizeof(ev));
            ev.events = EPOLLIN;
            ev.data.fd = st->timerfd;
            if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->timerfd, &ev) < 0) {
                close(st->timerfd);
                st->timerfd = -1;
            }
        }
    }
    return st;

fail:
    if (st->epfd >= 0)
        close(st->epfd);
    vg_mm_free(st->events);
    vg_mm_free(st);
    return NULL;
}

static uint32_t
to_epoll(short events)
{
    uint32_t e = 0;

    if (events & EV_READ)
        e |= EPOLLIN;
    if (events & EV_WRITE)
        e |= EPOLLOUT;
    if (events & EV_CLOSED)
        e |= EPOLLRDHUP;
    if (events & EV_ET)
        e |= EPOLLET;
    return e;
}

static int
epoll_change(struct event_base *base, int fd, short old_events,
             short new_events, int *slot_data)
{
    struct epoll_state *st = base->backend_state;
    struct epoll_event ev;
    int op;

    (void)slot_data;
    memset(&ev, 0, sizeof(ev));
    ev.data.fd = fd;
    ev.events = to_epoll(new_events);
    if (new_events == 0)
        op = EPOLL_CTL_DEL;
    else if (old_events == 0)
        op = EPOLL_CTL_ADD;
    else
        op = EPOLL_CTL_MOD;
    if (epoll_ctl(st->epfd, op, fd, &ev) == 0)
        return 0;
    switch (op) {
    case EPOLL_CTL_ADD:
        /* Registered already (a dup, or a stale record): modify it. */
        if (errno == EEXIST && epoll_ctl(st->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
            return 0;
        break;
    case EPOLL_CTL_MOD:
        /* Closed and reopened under the same number: add it afresh. */
        if (errno == ENOENT && epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
            return 0;
        break;
    case EPOLL_CTL_DEL:
        /* Closed already: the kernel forgot it by itself. */
        if (errno == ENOENT || errno == EBADF || errno == EPERM)
            return 0;
        break;
    }
    vg_log_warn("epoll_ctl(%d, fd %d, events 0x%x -> 0x%x)", op, fd,
                (unsigned)old_events, (unsigned)new_events);
    return -1;
}

static int
epoll_dispatch(struct event_base *base, const struct timeval *tv)
{
    struct epoll_state *st = base->backend_state;
    int timeout = -1;
    int i, n;

    if (tv != NULL) {
        if (st->timerfd >= 0 && (tv->tv_sec != 0 || tv->tv_usec != 0)) {
            struct itimerspec its;

            memset(&its, 0, sizeof(its));
            its.it_value.tv_sec = tv->tv_sec;
            its.it_value.tv_nsec = (long)tv->tv_usec * 1000;
            if (timerfd_settime(st->timerfd, 0, &its, NULL) < 0) {
                vg_log_warn("timerfd_settime");
                return -1;
            }
        } else if (tv->tv_sec >= MAX_TIMEOUT_MSEC / 1000) {
            timeout = MAX_TIMEOUT_MSEC;
        } else {
            /* Round up: waking before the timer is due only spins. */
            timeout = (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000);
        }
    }
    BASE_RELEASE_FOR_WAIT(base);
    n = epoll_wait(st->epfd, st->events, st->nevents, timeout);
    BASE_REACQUIRE_AFTER_WAIT(base);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        vg_log_warn("epoll_wait");
        return -1;
    }
    for (i = 0; i < n; i++) {
        uint32_t what = st->events[i].events;
        int fd = st->events[i].data.fd;
        short res;

        if (fd == st->timerfd) {
            uint64_t expirations;
            ssize_t r = read(fd, &expirations, sizeof(expirations));
            (void)r;
            continue;
        }
        /* The bits line up by shifts (checked above), so the common case
         * costs no branch; a hang-up or an error wakes readers and
         * writers alike.  A peer's close() reports EPOLLHUP together
         * with EPOLLRDHUP, and EV_CLOSED events must still see it. */
        res = (short)(((what & EPOLLIN) << 1) | (what & EPOLLOUT) |
                      ((what & EPOLLRDHUP) >> 6));
        if (what & (EPOLLHUP | EPOLLERR))
            res |= EV_READ | EV_WRITE;
        if (res != 0)
            vg_evmap_io_active(base, fd, res | EV_ET);
    }
    if (n == st->nevents && st->nevents < MAX_NEVENT) {
        struct epoll_event *ne = vg_mm_reallocarray(
            st->events, (size_t)st->nevents * 2, sizeof(*ne));

        if (ne != NULL) {
            st->events = ne;
            st->nevents *= 2;
        }
    }
    return 0;
}

static void
epoll_dealloc(struct event_base *base)
{
    struct epoll_state *st = base->backend_state;

    if (st == NULL)
        return;
    if (st->timerfd >= 0)
        close(st->timerfd);
    close(st->epfd);
    vg_mm_free(st->events);
    vg_mm_free(st);
    base->backend_state = NULL;
}

const struct vg_backend vg_backend_epoll = {
    .name = "epoll",
    .init = epoll_init,
    .change = epoll_change,
    .dispatch = epoll_dispatch,
    .dealloc = epoll_dealloc,
    .need_reinit = 1,
    .features = EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE,
};
