/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * listener.c: evconnlistener, a listening socket whose accepted
 * connections are handed to a callback.  Each readiness of the socket
 * accepts every pending connection (accept4, so a new socket is
 * non-blocking and close-on-exec in the same call when asked).
 */
#include "event-internal.h"

#include <event2/listener.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mm-internal.h"

#define DEFAULT_BACKLOG 128

struct evconnlistener {
    struct event listener; /* its ev_base is the listener's base */
    evconnlistener_cb cb;
    evconnlistener_errorcb errorcb;
    void *user_data;
    unsigned flags;
    void *lock; /* with LEV_OPT_THREADSAFE */
    int refcnt; /* 1 for the owner, +1 while a callback runs */
    int enabled;
};

#define LOCK(lev) vg_lock((lev)->lock)
#define UNLOCK(lev) vg_unlock((lev)->lock)

/* Drops a reference, the lock held; frees the listener (and unlocks) when
 * it was the last.  Returns 1 when freed. */
static int
listener_decref_and_unlock(struct evconnlistener *lev)
{
    if (--lev->refcnt > 0) {
        UNLOCK(lev);
        return 0;
    }
    event_del(&lev->listener);
    if (lev->flags & LEV_OPT_CLOSE_ON_FREE)
        close(lev->listener.ev_fd);
    UNLOCK(lev);
    vg_lock_free(lev->lock, EVTHREAD_LOCKTYPE_RECURSIVE);
    vg_mm_free(lev);
    return 1;
}

static int
accept_retriable(int err)
{
    return err == EINTR || err == EAGAIN || err == EWOULDBLOCK ||
           err == ECONNABORTED;
}

static void
listener_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evconnlistener *lev = arg;
    int flags = 0;
    int err;

    (void)what;
    LOCK(lev);
    if (!(lev->flags & LEV_OPT_LEAVE_SOCKETS_BLOCKING))
        flags |= SOCK_NONBLOCK;
    if (lev->flags & LEV_OPT_CLOSE_ON_EXEC)
        flags |= SOCK_CLOEXEC;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t socklen = sizeof(ss);
        int new_fd;
        evconnlistener_cb cb;
        void *user_data;

        new_fd = accept4(fd, (struct sockaddr *)&ss, &socklen, flags);
        if (new_fd < 0)
            break;
        if (socklen == 0) {
            /* Some kernels report an aborted connection this way. */
            close(new_fd);
            continue;
        }
        if (lev->cb == NULL) {
            close(new_fd);
            UNLOCK(lev);
            return;
        }
        /* The callback runs unlocked; the extra reference keeps the
         * listener alive if it frees it meanwhile. */
        lev->refcnt++;
        cb = lev->cb;
        user_data = lev->user_data;
        UNLOCK(lev);
        cb(lev, new_fd, (struct sockaddr *)&ss, (int)socklen, user_data);
        LOCK(lev);
        if (lev->refcnt == 1 || !lev->enabled) {
            /* Freed or disabled by the callback: stop accepting. */
            listener_decref_and_unlock(lev);
            return;
        }
        --lev->refcnt;
    }
    err = errno;
    if (accept_retriable(err)) {
        UNLOCK(lev);
        return;
    }
    if (lev->errorcb != NULL) {
        evconnlistener_errorcb errorcb = lev->errorcb;
        void *user_data = lev->user_data;

        lev->refcnt++;
        UNLOCK(lev);
        errno = err;
        errorcb(lev, user_data);
        LOCK(lev);
        listener_decref_and_unlock(lev);
    } else {
        UNLOCK(lev);
        errno = err;
        vg_log_warn("Error from accept() call");
    }
}

struct evconnlistener *
evconnlistener_new(struct event_base *base, evconnlistener_cb cb, void *ptr,
                   unsigned flags, int backlog, evutil_socket_t fd)
{
    struct evconnlistener *lev;

    if (base == NULL || fd < 0) {
        errno = EINVAL;
        return NULL;
    }
    if (backlog > 0 || backlog < 0) {
        if (listen(fd, backlog > 0 ? backlog : DEFAULT_BACKLOG) < 0)
            return NULL;
    }
    lev = vg_mm_calloc(1, sizeof(*lev));
    if (lev == NULL)
        return NULL;
    lev->cb = cb;
    lev->user_data = ptr;
    lev->flags = flags;
    lev->refcnt = 1;
    if (flags & LEV_OPT_THREADSAFE) {
        lev->lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        /* Without lock callbacks there is nothing to lock with; the
         * listener then works as an unlocked one, as in libevent. */
    }
    event_assign(&lev->listener, base, fd, EV_READ | EV_PERSIST,
                 listener_read_cb, lev);
    if (!(flags & LEV_OPT_DISABLED))
        evconnlistener_enable(lev);
    return lev;
}

struct evconnlistener *
evconnlistener_new_bind(struct event_base *base, evconnlistener_cb cb,
                        void *ptr, unsigned flags, int backlog,
                        const struct sockaddr *sa, int socklen)
{
    struct evconnlistener *lev = NULL;
    int family = sa != NULL ? sa->sa_family : AF_INET;
    int type = SOCK_STREAM | SOCK_NONBLOCK;
    int on = 1;
    int fd, saved;

    if (base == NULL || (sa != NULL && socklen <= 0)) {
        errno = EINVAL;
        return NULL;
    }
    if (flags & LEV_OPT_CLOSE_ON_EXEC)
        type |= SOCK_CLOEXEC;
    fd = socket(family, type, 0);
    if (fd < 0)
        return NULL;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) < 0)
        goto fail;
    if ((flags & LEV_OPT_REUSEABLE) &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
        goto fail;
    if ((flags & LEV_OPT_REUSEABLE_PORT) &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
        goto fail;
    if ((flags & LEV_OPT_DEFERRED_ACCEPT) &&
        setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &on, sizeof(on)) < 0)
        goto fail;
    if ((flags & LEV_OPT_BIND_IPV6ONLY) &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
        goto fail;
    if (sa != NULL && bind(fd, sa, (socklen_t)socklen) < 0)
        goto fail;
    lev = evconnlistener_new(base, cb, ptr, flags, backlog, fd);
    if (lev != NULL)
        return lev;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return NULL;
}

void
evconnlistener_free(struct evconnlistener *lev)
{
    if (lev == NULL)
        return;
    LOCK(lev);
    lev->cb = NULL;
    lev->errorcb = NULL;
    lev->enabled = 0;
    event_del(&lev->listener);
    listener_decref_and_unlock(lev);
}

int
evconnlistener_enable(struct evconnlistener *lev)
{
    int rc = 0;

    LOCK(lev);
    lev->enabled = 1;
    if (lev->cb != NULL)
        rc = event_add(&lev->listener, NULL);
    UNLOCK(lev);
    return rc;
}

int
evconnlistener_disable(struct evconnlistener *lev)
{
    int rc;

    LOCK(lev);
    lev->enabled = 0;
    rc = event_del(&lev->listener);
    UNLOCK(lev);
    return rc;
}

struct event_base *
evconnlistener_get_base(struct evconnlistener *lev)
{
    return lev->listener.ev_base;
}

evutil_socket_t
evconnlistener_get_fd(struct evconnlistener *lev)
{
    evutil_socket_t fd;

    LOCK(lev);
    fd = lev->listener.ev_fd;
    UNLOCK(lev);
    return fd;
}

void
evconnlistener_set_cb(struct evconnlistener *lev, evconnlistener_cb cb,
                      void *arg)
{
    int was_null;

    LOCK(lev);
    was_null = lev->cb == NULL;
    lev->cb = cb;
    lev->user_data = arg;
    /* A listener enabled without a callback starts watching now; one
     * whose callback goes away keeps watching and closes what arrives. */
    if (was_null && cb != NULL && lev->enabled)
        event_add(&lev->listener, NULL);
    UNLOCK(lev);
}

void
evconnlistener_set_error_cb(struct evconnlistener *lev,
                            evconnlistener_errorcb errorcb)
{
    LOCK(lev);
    lev->errorcb = errorcb;
    UNLOCK(lev);
}
