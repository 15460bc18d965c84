/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_sock.c: bufferevents over a socket.
 *
 * System calls are the cost that matters here.  A read takes what one
 * read() returns, into space reserved in the input (no FIONREAD first).
 * The write event is registered only while the socket would block: when
 * data is added to the output, a callback queued to run later in the same
 * loop iteration writes it directly, so a connection that keeps up costs
 * one read and one write per exchange and never changes its epoll
 * registration.
 */
#include "bufferevent-internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent_compat.h>

#include "bridge-internal.h"
#include "buffer-internal.h"
#include "mm-internal.h"

struct vg_bev_sock {
    struct vg_bev p;
    /* Writes the output from the loop; each activation holds a
     * reference. */
    struct event_callback write_soon;
    struct evbuffer_cb_entry *outbuf_cb;
    /* Writing was enabled with an empty output: libevent watches the
     * socket anyway and calls the write callback once it is writable,
     * whatever the write low watermark (the output, empty, is below it);
     * Vigil calls it from the loop without the round trip to epoll. */
    unsigned empty_writecb : 1;
    /* bufferevent_socket_connect_hostname() through an evdns_base: the
     * lookup in progress (it holds a reference) and evdns's table. */
    void *dns_request;
    const struct vg_dns_bridge *dns_bridge;
};

/* The most one read asks for, whatever the limits allow. */
#define READ_CAP ((size_t)256 * 1024)

#define SOCK(bev) ((struct vg_bev_sock *)(bev))

static const struct bufferevent_ops vg_bev_ops_socket;

static int
would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

static int
write_pending(struct bufferevent *bev)
{
    return event_pending(&bev->ev_write, EV_WRITE, NULL) != 0;
}

static void
arm_write(struct bufferevent *bev)
{
    if (!write_pending(bev))
        event_add(&bev->ev_write, vg_bev_tv(&bev->timeout_write));
}

static void
schedule_write(struct vg_bev_sock *s)
{
    struct event_base *base = s->p.bev.ev_base;

    if (base == NULL)
        return;
    BASE_LOCK(base);
    if (vg_event_callback_activate(base, &s->write_soon)) {
        s->p.refcnt++;
        vg_base_wake(base);
    }
    BASE_UNLOCK(base);
}

/* Stops a direction after an error, end of file or timeout, and tells the
 * program. */
static void
fail_direction(struct vg_bev *p, short dir, short what)
{
    struct bufferevent *bev = &p->bev;
    int err = errno;

    bev->enabled &= ~dir;
    if (dir & EV_READ)
        event_del(&bev->ev_read);
    if (dir & EV_WRITE)
        event_del(&bev->ev_write);
    errno = err;
    vg_bev_run_eventcb(p, what, 0);
}

/* Writes what the output holds, as far as the socket takes it. */
static void
do_write(struct vg_bev_sock *s)
{
    struct vg_bev *p = &s->p;
    struct bufferevent *bev = &p->bev;
    ev_ssize_t max;
    int n, err;

    if (!vg_bev_can_write(p) || p->connecting || bev->ev_write.ev_fd < 0)
        return;
    if (evbuffer_get_length(bev->output) == 0) {
        event_del(&bev->ev_write);
        return;
    }
    max = vg_bev_max_to_write(p);
    if (max <= 0)
        return;
    /* The front of the output is frozen against the program. */
    evbuffer_unfreeze(bev->output, 1);
    n = evbuffer_write_atmost(bev->output, bev->ev_write.ev_fd, max);
    err = errno;
    evbuffer_freeze(bev->output, 1);
    errno = err;
    if (n < 0) {
        if (would_block(errno))
            arm_write(bev);
        else
            fail_direction(p, EV_WRITE, BEV_EVENT_ERROR | BEV_EVENT_WRITING);
        return;
    }
    if (n == 0) {
        fail_direction(p, EV_WRITE, BEV_EVENT_EOF | BEV_EVENT_WRITING);
        return;
    }
    vg_bev_decrement_write(p, n);
    if (evbuffer_get_length(bev->output) > 0) {
        if (vg_bev_can_write(p))
            arm_write(bev);
    } else {
        event_del(&bev->ev_write);
    }
    if (evbuffer_get_length(bev->output) <= bev->wm_write.low)
        vg_bev_run_writecb(p, 0);
}

static void
write_soon_cb(struct event_callback *cb, void *arg)
{
    struct vg_bev_sock *s = arg;

    (void)cb;
    BEV_LOCK(&s->p.bev);
    if (s->empty_writecb) {
        struct bufferevent *bev = &s->p.bev;

        s->empty_writecb = 0;
        if (evbuffer_get_length(bev->output) == 0 && vg_bev_can_write(&s->p) &&
            !s->p.connecting && bev->ev_write.ev_fd >= 0) {
            vg_bev_run_writecb(&s->p, 0);
            goto done;
        }
    }
    if (!s->p.freed || s->p.refcnt > 1)
        do_write(s);
done:
    vg_bev_decref_and_unlock(&s->p);
}

static void
outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct vg_bev_sock *s = arg;
    struct bufferevent *bev = &s->p.bev;

    (void)buf;
    if (info->n_added == 0 || !vg_bev_can_write(&s->p) || s->p.connecting ||
        bev->ev_write.ev_fd < 0 || bev->ev_base == NULL)
        return;
    if (!write_pending(bev))
        schedule_write(s);
}

/* The buffer space reserved for a read before a chunk of its own takes
 * the rest: a chunk this small is kept for reuse when the program drains
 * it, so a connection exchanging small messages allocates nothing per
 * message. */
#define READ_RESERVE ((size_t)3072)

/* Reads once from the socket: up to the single-read maximum, the rate
 * limit and the room below the high watermark.  Small reads land in
 * reserved space; the rest of a large one in a chunk from the thread's
 * chunk cache (buffer.c), which joins the input only if the read reached
 * it, so nothing is copied and, in the steady state, nothing allocated. */
static int
read_once(struct vg_bev *p, evutil_socket_t fd, size_t want)
{
    struct evbuffer *buf = p->bev.input;
    struct vg_chunk *extra = NULL;
    struct iovec iov[3];
    size_t left, first, got;
    ssize_t n = -1;
    int nv;

    first = want;
    if (want > READ_RESERVE && want - READ_RESERVE <= VG_CHUNK_CACHED_CAP)
        first = READ_RESERVE;
    /* The end of the input is frozen against the program (as libevent
     * does); the bufferevent itself writes there directly. */
    VG_BUF_LOCK(buf);
    nv = vg_evbuffer_reserve_locked(buf, first, iov, 0);
    if (nv < 0) {
        VG_BUF_UNLOCK(buf);
        return -1;
    }
    nv = vg_evbuffer_clamp_extents(iov, nv, want, &got);
    left = want - got;
    /* left is at most the cached chunk's size here: first was lowered
     * only then.  Without the chunk, the read takes what fits. */
    if (left > 0 && (extra = vg_evbuffer_chunk_new(left)) != NULL) {
        iov[nv].iov_base = extra->buf;
        iov[nv].iov_len = left;
        n = readv(fd, iov, nv + 1);
    } else if (nv == 1) {
        n = read(fd, iov[0].iov_base, iov[0].iov_len);
    } else {
        n = readv(fd, iov, nv);
    }
    if (n > 0) {
        vg_evbuffer_commit_locked(buf, iov, nv,
                                  (size_t)n < got ? (size_t)n : got);
        if ((size_t)n > got) {
            extra->off = (size_t)n - got;
            vg_evbuffer_append_chunk(buf, extra);
            extra = NULL;
        }
    }
    if (extra != NULL)
        vg_evbuffer_chunk_release(extra);
    vg_evbuffer_finish(buf);
    return (int)n;
}

static void
sock_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_bev *p = arg;
    struct bufferevent *bev = &p->bev;
    ev_ssize_t max;
    size_t want;
    int n;

    BEV_LOCK(bev);
    p->refcnt++;
    if (what & EV_TIMEOUT) {
        errno = 0;
        fail_direction(p, EV_READ, BEV_EVENT_TIMEOUT | BEV_EVENT_READING);
        goto done;
    }
    if (!vg_bev_can_read(p))
        goto done;
    max = vg_bev_max_to_read(p);
    if (max <= 0) {
        /* Out of tokens without being paused yet (a group member that
         * was busy when its group ran dry): pause until the refill. */
        vg_bev_ratelim_pause_read(p);
        goto done;
    }
    want = (size_t)max;
    /* A generous rate limit must not turn into a huge reservation. */
    if (want > READ_CAP)
        want = READ_CAP;
    if (bev->wm_read.high != 0) {
        size_t len = evbuffer_get_length(bev->input);

        if (len >= bev->wm_read.high) {
            vg_bev_suspend_read(p, VG_BEV_SUSPEND_WM);
            goto done;
        }
        if (want > bev->wm_read.high - len)
            want = bev->wm_read.high - len;
    }
    n = read_once(p, fd, want);
    if (n < 0) {
        if (!would_block(errno))
            fail_direction(p, EV_READ, BEV_EVENT_ERROR | BEV_EVENT_READING);
        goto done;
    }
    if (n == 0) {
        errno = 0;
        fail_direction(p, EV_READ, BEV_EVENT_EOF | BEV_EVENT_READING);
        goto done;
    }
    vg_bev_decrement_read(p, n);
    if (evbuffer_get_length(bev->input) >= bev->wm_read.low)
        vg_bev_run_readcb(p, 0);
done:
    vg_bev_decref_and_unlock(p);
}

/* The socket's connection attempt ended; err is 0 on success. */
static void
connect_done(struct vg_bev_sock *s, int err)
{
    struct vg_bev *p = &s->p;
    struct bufferevent *bev = &p->bev;

    p->connecting = 0;
    if (err != 0) {
        event_del(&bev->ev_write);
        event_del(&bev->ev_read);
        errno = err;
        vg_bev_run_eventcb(p, BEV_EVENT_ERROR, 0);
        return;
    }
    vg_bev_run_eventcb(p, BEV_EVENT_CONNECTED, 0);
    if (vg_bev_can_read(p) && bev->ev_read.ev_fd >= 0)
        event_add(&bev->ev_read, vg_bev_tv(&bev->timeout_read));
    if (vg_bev_can_write(p) && evbuffer_get_length(bev->output) > 0)
        do_write(s);
    else if (!p->connecting)
        event_del(&bev->ev_write);
}

static void
sock_write_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_bev_sock *s = arg;
    struct vg_bev *p = &s->p;

    BEV_LOCK(&p->bev);
    p->refcnt++;
    if (what & EV_TIMEOUT) {
        errno = 0;
        fail_direction(p, EV_WRITE, BEV_EVENT_TIMEOUT | BEV_EVENT_WRITING);
        goto done;
    }
    if (p->connecting) {
        int err = 0;
        socklen_t len = sizeof(err);

        if (p->connection_refused) {
            p->connection_refused = 0;
            err = ECONNREFUSED;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
            err = errno;
        }
        if (err == EINPROGRESS || err == EALREADY || err == EINTR)
            goto done;
        connect_done(s, err);
        goto done;
    }
    do_write(s);
done:
    vg_bev_decref_and_unlock(p);
}

/* ------------------------------------------------------------------ */
/* The ops table.                                                      */

static int
sock_enable(struct bufferevent *bev, short what)
{
    struct vg_bev_sock *s = SOCK(bev);
    int r = 0;

    if (bev->ev_read.ev_fd < 0 || s->p.connecting || bev->ev_base == NULL)
        return 0;
    if (what & EV_READ) {
        if (event_add(&bev->ev_read, vg_bev_tv(&bev->timeout_read)) < 0)
            r = -1;
    }
    if ((what & EV_WRITE) && evbuffer_get_length(bev->output) == 0) {
        s->empty_writecb = 1;
        schedule_write(s);
    } else if (what & EV_WRITE) {
        if (write_pending(bev)) {
            if (event_add(&bev->ev_write, vg_bev_tv(&bev->timeout_write)) < 0)
                r = -1;
        } else {
            schedule_write(s);
        }
    }
    return r;
}

static int
sock_disable(struct bufferevent *bev, short what)
{
    if (bev->ev_base == NULL)
        return 0;
    if (what & EV_READ)
        event_del(&bev->ev_read);
    if ((what & EV_WRITE) && !VG_BEV(bev)->connecting)
        event_del(&bev->ev_write);
    return 0;
}

/* bufferevent_free(): a queued direct write is dropped with its reference
 * (libevent does not write the output of a freed bufferevent either). */
static void
sock_unlink(struct bufferevent *bev)
{
    struct vg_bev_sock *s = SOCK(bev);

    if (s->dns_request != NULL) {
        void *req = s->dns_request;

        /* The lookup's callback runs now, with EVUTIL_EAI_CANCEL, and
         * drops the lookup's reference. */
        s->dns_request = NULL;
        s->dns_bridge->getaddrinfo_cancel(req);
    }
    if (bev->ev_base == NULL)
        return;
    BASE_LOCK(bev->ev_base);
    if (vg_event_callback_cancel(bev->ev_base, &s->write_soon))
        s->p.refcnt--;
    BASE_UNLOCK(bev->ev_base);
}

static void
sock_destruct(struct bufferevent *bev)
{
    struct vg_bev_sock *s = SOCK(bev);
    evutil_socket_t fd = bev->ev_read.ev_fd;

    if (bev->ev_base != NULL) {
        event_del(&bev->ev_read);
        event_del(&bev->ev_write);
        BASE_LOCK(bev->ev_base);
        vg_event_callback_cancel(bev->ev_base, &s->write_soon);
        BASE_UNLOCK(bev->ev_base);
    }
    if (s->outbuf_cb != NULL) {
        evbuffer_remove_cb_entry(bev->output, s->outbuf_cb);
        s->outbuf_cb = NULL;
    }
    if ((s->p.options & BEV_OPT_CLOSE_ON_FREE) && fd >= 0)
        close(fd);
}

/* Re-adds a pending event with a new timeout.  event_add() without a
 * timeout keeps the old one, so clearing it takes a delete first. */
static int
readd_with_timeout(struct event *ev, short what, const struct timeval *tv)
{
    if (!event_pending(ev, what, NULL))
        return 0;
    if (tv == NULL) {
        if (!event_pending(ev, EV_TIMEOUT, NULL))
            return 0;
        event_del(ev);
    }
    return event_add(ev, tv);
}

static int
sock_adj_timeouts(struct bufferevent *bev)
{
    int r = 0;

    if (readd_with_timeout(&bev->ev_read, EV_READ,
                           vg_bev_tv(&bev->timeout_read)) < 0)
        r = -1;
    if (readd_with_timeout(&bev->ev_write, EV_WRITE,
                           vg_bev_tv(&bev->timeout_write)) < 0)
        r = -1;
    return r;
}

/* Points the events at fd (or none). */
static void
assign_events(struct vg_bev_sock *s, evutil_socket_t fd)
{
    struct bufferevent *bev = &s->p.bev;

    if (bev->ev_read.ev_base != NULL) {
        event_del(&bev->ev_read);
        event_del(&bev->ev_write);
    }
    event_assign(&bev->ev_read, bev->ev_base, fd, EV_READ | EV_PERSIST,
                 sock_read_cb, s);
    event_assign(&bev->ev_write, bev->ev_base, fd, EV_WRITE | EV_PERSIST,
                 sock_write_cb, s);
    event_priority_set(&bev->ev_read, s->p.priority);
    event_priority_set(&bev->ev_write, s->p.priority);
}

static int
sock_ctrl(struct bufferevent *bev, enum vg_bev_ctrl_op op,
          union vg_bev_ctrl_data *data)
{
    struct vg_bev_sock *s = SOCK(bev);

    switch (op) {
    case VG_BEV_CTRL_GET_FD:
        data->fd = bev->ev_read.ev_fd;
        return 0;
    case VG_BEV_CTRL_SET_FD:
        assign_events(s, data->fd);
        s->p.connecting = 0;
        s->p.connection_refused = 0;
        if (data->fd >= 0) {
            short impl = bev->enabled;

            if (s->p.read_suspended)
                impl &= ~EV_READ;
            if (s->p.write_suspended)
                impl &= ~EV_WRITE;
            if (impl)
                sock_enable(bev, impl);
        }
        return 0;
    default:
        return -1;
    }
}

/* The events and the direct write follow the bufferevent's priority. */
static int
sock_set_priority(struct bufferevent *bev, int pri)
{
    if (event_priority_set(&bev->ev_read, pri) < 0 ||
        event_priority_set(&bev->ev_write, pri) < 0)
        return -1;
    BASE_LOCK(bev->ev_base);
    vg_bev_callback_set_priority(bev->ev_base, &SOCK(bev)->write_soon, pri);
    BASE_UNLOCK(bev->ev_base);
    return 0;
}

static const struct bufferevent_ops vg_bev_ops_socket = {
    .type = "socket",
    .enable = sock_enable,
    .disable = sock_disable,
    .unlink = sock_unlink,
    .destruct = sock_destruct,
    .adj_timeouts = sock_adj_timeouts,
    .flush = NULL,
    .ctrl = sock_ctrl,
    .set_priority = sock_set_priority,
};

/* ------------------------------------------------------------------ */
/* Public functions.                                                   */

struct bufferevent *
bufferevent_socket_new(struct event_base *base, evutil_socket_t fd, int options)
{
    struct vg_bev_sock *s;
    struct bufferevent *bev;

    int implicit = base == NULL;

    if (base == NULL)
        base = vg_current_base; /* may still be NULL: see base_set */
    s = vg_mm_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    if (vg_bev_init_common(&s->p, base, &vg_bev_ops_socket, options) < 0) {
        vg_mm_free(s);
        return NULL;
    }
    s->p.implicit_base = implicit;
    bev = &s->p.bev;
    vg_event_callback_init(base, &s->write_soon, write_soon_cb, s,
                           s->p.priority);
    event_assign(&bev->ev_read, base, fd, EV_READ | EV_PERSIST, sock_read_cb,
                 s);
    event_assign(&bev->ev_write, base, fd, EV_WRITE | EV_PERSIST, sock_write_cb,
                 s);
    /* Only the bufferevent adds to its input and drains its output. */
    evbuffer_freeze(bev->input, 0);
    evbuffer_freeze(bev->output, 1);
    s->outbuf_cb = evbuffer_add_cb(bev->output, outbuf_cb, s);
    if (s->outbuf_cb == NULL) {
        bufferevent_free(bev);
        return NULL;
    }
    return bev;
}

int
bufferevent_socket_connect(struct bufferevent *bev, const struct sockaddr *addr,
                           int socklen)
{
    struct vg_bev_sock *s = SOCK(bev);
    struct vg_bev *p = &s->p;
    evutil_socket_t fd;
    int ownfd = 0, in_progress = 0, r = -1;

    BEV_LOCK(bev);
    p->refcnt++;
    if (bev->be_ops != &vg_bev_ops_socket)
        goto done;
    fd = bev->ev_read.ev_fd;
    if (fd < 0) {
        if (addr == NULL)
            goto done;
        fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd < 0)
            goto done;
        ownfd = 1;
    }
    if (addr != NULL) {
        if (connect(fd, addr, (socklen_t)socklen) == 0) {
            in_progress = 0;
        } else if (errno == EINPROGRESS || errno == EINTR || errno == EAGAIN) {
            in_progress = 1;
        } else if (errno == ECONNREFUSED) {
            p->connection_refused = 1;
        } else {
            if (ownfd)
                close(fd);
            goto done;
        }
    } else {
        in_progress = 1;
    }
    if (fd != bev->ev_read.ev_fd)
        assign_events(s, fd);
    else
        event_del(&bev->ev_read);
    p->connecting = 1;
    if (in_progress)
        event_add(&bev->ev_write, vg_bev_tv(&bev->timeout_write));
    else
        event_active(&bev->ev_write, EV_WRITE, 1);
    r = 0;
done:
    vg_bev_decref_and_unlock(p);
    return r;
}

/* The end of a lookup for bufferevent_socket_connect_hostname(), with
 * the lock held: connect, or report the error; frees ai. */
static void
connect_resolved(struct bufferevent *bev, int err, struct evutil_addrinfo *ai)
{
    struct vg_bev *p = VG_BEV(bev);

    p->dns_error = err;
    if (err == EVUTIL_EAI_CANCEL) {
        /* The bufferevent is being freed: nothing to report. */
    } else if (err != 0 || ai == NULL) {
        errno = 0;
        vg_bev_run_eventcb(p, BEV_EVENT_ERROR, 0);
    } else if (bufferevent_socket_connect(bev, ai->ai_addr,
                                          (int)ai->ai_addrlen) < 0) {
        vg_bev_run_eventcb(p, BEV_EVENT_ERROR, 0);
    }
    if (ai != NULL)
        evutil_freeaddrinfo(ai);
}

/* evdns's callback: the lookup's reference goes with it. */
static void
connect_hostname_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
    struct bufferevent *bev = arg;

    BEV_LOCK(bev);
    SOCK(bev)->dns_request = NULL;
    connect_resolved(bev, err, ai);
    vg_bev_decref_and_unlock(VG_BEV(bev));
}

int
bufferevent_socket_connect_hostname(struct bufferevent *bev,
                                    struct evdns_base *evdns_base, int family,
                                    const char *hostname, int port)
{
    struct vg_bev *p = VG_BEV(bev);
    struct vg_bev_sock *s;
    struct evutil_addrinfo hints, *ai = NULL;
    char portbuf[16];
    int err;

    /* A NULL host name means the loopback address, as getaddrinfo()
     * has it. */
    if (port < 1 || port > 65535)
        return -1;
    if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC)
        return -1;
    if (bev->be_ops != &vg_bev_ops_socket)
        return -1;
    s = SOCK(bev);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(portbuf, sizeof(portbuf), "%d", port);
    if (evdns_base != NULL) {
        const struct vg_dns_bridge *dns = vg_dns_bridge_of(evdns_base);
        void *req;

        BEV_LOCK(bev);
        if (s->dns_request != NULL) {
            BEV_UNLOCK(bev);
            return -1;
        }
        /* The lookup holds a reference until its callback has run (it may
         * run before getaddrinfo returns). */
        p->refcnt++;
        s->dns_bridge = dns;
        req = dns->getaddrinfo(evdns_base, hostname, portbuf, &hints,
                               connect_hostname_cb, bev);
        if (req != NULL)
            s->dns_request = req;
        BEV_UNLOCK(bev);
        return 0;
    }
    /* Without evdns: the system's resolver, now, then the same ending. */
    err = evutil_getaddrinfo(hostname, portbuf, &hints, &ai);
    BEV_LOCK(bev);
    p->refcnt++;
    connect_resolved(bev, err, ai);
    vg_bev_decref_and_unlock(p);
    return 0;
}

int
bufferevent_socket_get_dns_error(struct bufferevent *bev)
{
    int r;

    BEV_LOCK(bev);
    r = VG_BEV(bev)->dns_error;
    BEV_UNLOCK(bev);
    return r;
}

int
bufferevent_base_set(struct event_base *base, struct bufferevent *bufev)
{
    struct vg_bev_sock *s = SOCK(bufev);
    struct event_base *old;
    int r = -1;

    BEV_LOCK(bufev);
    if (bufev->be_ops != &vg_bev_ops_socket || base == NULL)
        goto done;
    old = bufev->ev_base;
    s->p.implicit_base = 0;
    if (old == base) {
        r = 0;
        goto done;
    }
    if (old != NULL) {
        event_del(&bufev->ev_read);
        event_del(&bufev->ev_write);
        BASE_LOCK(old);
        if (vg_event_callback_cancel(old, &s->p.deferred))
            s->p.refcnt--;
        if (vg_event_callback_cancel(old, &s->write_soon))
            s->p.refcnt--;
        BASE_UNLOCK(old);
    }
    bufev->ev_base = base;
    if (s->p.priority >= base->nactivequeues)
        s->p.priority = base->nactivequeues / 2;
    vg_event_callback_init(base, &s->p.deferred,
                           s->p.deferred.evcb_cb_union.evcb_selfcb, s,
                           s->p.priority);
    vg_event_callback_init(base, &s->write_soon, write_soon_cb, s,
                           s->p.priority);
    assign_events(s, bufev->ev_read.ev_fd);
    r = 0;
done:
    BEV_UNLOCK(bufev);
    return r;
}

/* ------------------------------------------------------------------ */
/* libevent 1.x names (event2/bufferevent_compat.h).                   */

struct bufferevent *
bufferevent_new(evutil_socket_t fd, evbuffercb readcb, evbuffercb writecb,
                everrorcb errorcb, void *cbarg)
{
    struct bufferevent *bev = bufferevent_socket_new(NULL, fd, 0);

    if (bev != NULL)
        bufferevent_setcb(bev, readcb, writecb, errorcb, cbarg);
    return bev;
}

void
bufferevent_settimeout(struct bufferevent *bufev, int timeout_read,
                       int timeout_write)
{
    struct timeval tr, tw;

    tr.tv_sec = timeout_read;
    tr.tv_usec = 0;
    tw.tv_sec = timeout_write;
    tw.tv_usec = 0;
    bufferevent_set_timeouts(bufev, timeout_read > 0 ? &tr : NULL,
                             timeout_write > 0 ? &tw : NULL);
}
