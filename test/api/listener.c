/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * listener.c: evconnlistener accepts connections on loopback and hands
 * them over with the options asked for; it can be disabled, re-enabled,
 * freed from its own callback, and reports accept() errors.
 */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest.h"

#define MAXCONN 8

struct accepted {
    int n;
    int fds[MAXCONN];
    struct sockaddr_in peers[MAXCONN];
    int free_in_cb;
    int break_after;
    struct event_base *base;
};

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
          int socklen, void *arg)
{
    struct accepted *acc = arg;

    ck_assert_int_lt(acc->n, MAXCONN);
    ck_assert_int_eq(socklen, (int)sizeof(struct sockaddr_in));
    ck_assert_int_eq(sa->sa_family, AF_INET);
    memcpy(&acc->peers[acc->n], sa, sizeof(struct sockaddr_in));
    acc->fds[acc->n++] = fd;
    if (acc->free_in_cb)
        evconnlistener_free(lev);
    if (acc->break_after && acc->n >= acc->break_after)
        event_base_loopbreak(acc->base);
}

static struct evconnlistener *
bind_loopback(struct event_base *base, struct accepted *acc, unsigned flags,
              struct sockaddr_in *addr)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(*addr);
    struct evconnlistener *lev;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lev = evconnlistener_new_bind(base, accept_cb, acc, flags, -1,
                                  (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(lev);
    ck_assert_int_eq(
        getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)addr, &len),
        0);
    ck_assert_uint_ne(ntohs(addr->sin_port), 0);
    return lev;
}

/* Runs the loop until acc has n connections (or 5 s pass). */
static void
run_until(struct event_base *base, struct accepted *acc, int n)
{
    struct timeval limit = {5, 0};

    acc->base = base;
    acc->break_after = n;
    ck_assert_int_eq(event_base_loopexit(base, &limit), 0);
    ck_assert_int_ge(event_base_dispatch(base), 0);
    ck_assert_int_eq(acc->n, n);
}

static void
close_all(struct accepted *acc, int *clients, int n)
{
    int i;

    for (i = 0; i < acc->n; i++)
        close(acc->fds[i]);
    for (i = 0; i < n; i++)
        close(clients[i]);
}

START_TEST(accepts_connections_nonblocking)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    int clients[3], i;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    lev = bind_loopback(base, &acc, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                        &addr);
    ck_assert_ptr_eq(evconnlistener_get_base(lev), base);
    for (i = 0; i < 3; i++) {
        clients[i] = vt_tcp_connect(&addr);
        ck_assert_int_ge(clients[i], 0);
    }
    run_until(base, &acc, 3);
    for (i = 0; i < 3; i++) {
        struct sockaddr_in local;
        socklen_t len = sizeof(local);

        ck_assert_int_ne(fcntl(acc.fds[i], F_GETFL) & O_NONBLOCK, 0);
        /* The peer address given is the client's end. */
        ck_assert_int_eq(
            getsockname(clients[i], (struct sockaddr *)&local, &len), 0);
        ck_assert_uint_eq(acc.peers[i].sin_port, local.sin_port);
    }
    evconnlistener_free(lev);
    close_all(&acc, clients, 3);
    event_base_free(base);
}
END_TEST

START_TEST(leave_sockets_blocking_and_close_on_exec)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    int client;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    lev = bind_loopback(base, &acc,
                        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_LEAVE_SOCKETS_BLOCKING |
                            LEV_OPT_CLOSE_ON_EXEC,
                        &addr);
    ck_assert_int_ne(fcntl(evconnlistener_get_fd(lev), F_GETFD) & FD_CLOEXEC,
                     0);
    client = vt_tcp_connect(&addr);
    ck_assert_int_ge(client, 0);
    run_until(base, &acc, 1);
    ck_assert_int_eq(fcntl(acc.fds[0], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_ne(fcntl(acc.fds[0], F_GETFD) & FD_CLOEXEC, 0);
    evconnlistener_free(lev);
    close_all(&acc, &client, 1);
    event_base_free(base);
}
END_TEST

START_TEST(disabled_until_enabled)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    int clients[2];

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    lev = bind_loopback(base, &acc, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED,
                        &addr);
    clients[0] = vt_tcp_connect(&addr);
    ck_assert_int_ge(clients[0], 0);
    /* Disabled: the connection waits in the backlog. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1);
    ck_assert_int_eq(acc.n, 0);
    ck_assert_int_eq(evconnlistener_enable(lev), 0);
    run_until(base, &acc, 1);
    /* Disabled again: a second connection is not accepted. */
    ck_assert_int_eq(evconnlistener_disable(lev), 0);
    clients[1] = vt_tcp_connect(&addr);
    ck_assert_int_ge(clients[1], 0);
    ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(acc.n, 1);
    evconnlistener_free(lev);
    close_all(&acc, clients, 2);
    event_base_free(base);
}
END_TEST

START_TEST(free_inside_callback)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    int clients[2];

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    acc.free_in_cb = 1;
    (void)bind_loopback(base, &acc, LEV_OPT_CLOSE_ON_FREE, &addr);
    clients[0] = vt_tcp_connect(&addr);
    clients[1] = vt_tcp_connect(&addr);
    ck_assert_int_ge(clients[0], 0);
    ck_assert_int_ge(clients[1], 0);
    /* The first connection's callback frees the listener: no second
     * callback, and the loop runs out of events. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(acc.n, 1);
    close_all(&acc, clients, 2);
    event_base_free(base);
}
END_TEST

START_TEST(on_existing_socket)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    int fd, client;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    /* Already listening: backlog 0 leaves it as it is. */
    fd = vt_tcp_listener(&addr);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    lev = evconnlistener_new(base, accept_cb, &acc, 0, 0, fd);
    ck_assert_ptr_nonnull(lev);
    ck_assert_int_eq(evconnlistener_get_fd(lev), fd);
    client = vt_tcp_connect(&addr);
    ck_assert_int_ge(client, 0);
    run_until(base, &acc, 1);
    /* Without LEV_OPT_CLOSE_ON_FREE the socket stays open. */
    evconnlistener_free(lev);
    ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
    close(fd);
    close_all(&acc, &client, 1);
    event_base_free(base);
}
END_TEST

START_TEST(callback_set_later)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in sin, addr;
    socklen_t len = sizeof(addr);
    struct evconnlistener *lev;
    int client;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lev = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, -1,
                                  (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(lev);
    ck_assert_int_eq(
        getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&addr, &len),
        0);
    /* No callback yet: nothing watches the socket. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1);
    client = vt_tcp_connect(&addr);
    ck_assert_int_ge(client, 0);
    evconnlistener_set_cb(lev, accept_cb, &acc);
    run_until(base, &acc, 1);
    evconnlistener_free(lev);
    close_all(&acc, &client, 1);
    event_base_free(base);
}
END_TEST

static int error_seen_errno;

/* The error callback gets the listener's user data: here, the accepted
 * record. */
static void
error_cb(struct evconnlistener *lev, void *arg)
{
    struct accepted *acc = arg;

    error_seen_errno = errno;
    evconnlistener_disable(lev);
    event_base_loopbreak(acc->base);
}

START_TEST(accept_error_reaches_error_callback)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    struct rlimit rl, low;
    int client, spare;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    lev = bind_loopback(base, &acc, LEV_OPT_CLOSE_ON_FREE, &addr);
    evconnlistener_set_error_cb(lev, error_cb);
    client = vt_tcp_connect(&addr);
    ck_assert_int_ge(client, 0);
    /* No descriptor left for accept(): it fails with EMFILE.  The limit
     * allows descriptors below it; the lowest free one, taken, fills it. */
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    spare = dup(0);
    ck_assert_int_ge(spare, 0);
    low = rl;
    low.rlim_cur = (rlim_t)spare + 1;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    error_seen_errno = 0;
    acc.base = base;
    ck_assert_int_ge(event_base_dispatch(base), 0);
    ck_assert_int_eq(error_seen_errno, EMFILE);
    ck_assert_int_eq(acc.n, 0);
    close(spare);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    evconnlistener_free(lev);
    close(client);
    event_base_free(base);
}
END_TEST

START_TEST(reuseable_port_allows_two_listeners)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *a, *b;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    a = bind_loopback(base, &acc,
                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT, &addr);
    b = evconnlistener_new_bind(base, accept_cb, &acc,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT,
                                -1, (struct sockaddr *)&addr, sizeof(addr));
    ck_assert_ptr_nonnull(b);
    evconnlistener_free(b);
    /* Without the option the port is taken. */
    b = evconnlistener_new_bind(base, accept_cb, &acc, LEV_OPT_CLOSE_ON_FREE,
                                -1, (struct sockaddr *)&addr, sizeof(addr));
    ck_assert_ptr_null(b);
    ck_assert_int_eq(errno, EADDRINUSE);
    evconnlistener_free(a);
    event_base_free(base);
}
END_TEST

START_TEST(ipv6_only)
{
    struct event_base *base = event_base_new();
    struct accepted acc;
    struct sockaddr_in6 sin6;
    struct evconnlistener *lev;
    int probe;

    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    lev = evconnlistener_new_bind(base, accept_cb, &acc,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_BIND_IPV6ONLY,
                                  -1, (struct sockaddr *)&sin6, sizeof(sin6));
    /* Whether ::1 exists depends on the machine; what is checked is that
     * the answer agrees with a plain socket's. */
    probe = socket(AF_INET6, SOCK_STREAM, 0);
    if (probe >= 0 &&
        bind(probe, (struct sockaddr *)&sin6, sizeof(sin6)) == 0) {
        int on = 0;
        socklen_t len = sizeof(on);

        ck_assert_ptr_nonnull(lev);
        ck_assert_int_eq(getsockopt(evconnlistener_get_fd(lev), IPPROTO_IPV6,
                                    IPV6_V6ONLY, &on, &len),
                         0);
        ck_assert_int_eq(on, 1);
    } else {
        ck_assert_ptr_null(lev);
    }
    if (probe >= 0)
        close(probe);
    if (lev != NULL)
        evconnlistener_free(lev);
    event_base_free(base);
}
END_TEST

START_TEST(bad_arguments)
{
    struct event_base *base = event_base_new();
    struct sockaddr_in sin;

    ck_assert_ptr_nonnull(base);
    /* Not a socket. */
    ck_assert_ptr_null(evconnlistener_new(base, accept_cb, NULL, 0, 16, -1));
    /* An address the machine does not have. */
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = inet_addr("192.0.2.1");
    ck_assert_ptr_null(
        evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE,
                                -1, (struct sockaddr *)&sin, sizeof(sin)));
    ck_assert_int_eq(errno, EADDRNOTAVAIL);
    event_base_free(base);
}
END_TEST

START_TEST(threadsafe_listener)
{
    struct event_base *base;
    struct accepted acc;
    struct sockaddr_in addr;
    struct evconnlistener *lev;
    int client;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    memset(&acc, 0, sizeof(acc));
    lev = bind_loopback(base, &acc, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_THREADSAFE,
                        &addr);
    client = vt_tcp_connect(&addr);
    ck_assert_int_ge(client, 0);
    run_until(base, &acc, 1);
    evconnlistener_free(lev);
    close_all(&acc, &client, 1);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("listener");
    TCase *tc = vt_tcase("listener", 15);

    tcase_add_test(tc, accepts_connections_nonblocking);
    tcase_add_test(tc, leave_sockets_blocking_and_close_on_exec);
    tcase_add_test(tc, disabled_until_enabled);
    tcase_add_test(tc, free_inside_callback);
    tcase_add_test(tc, on_existing_socket);
    tcase_add_test(tc, callback_set_later);
    tcase_add_test(tc, accept_error_reaches_error_callback);
    tcase_add_test(tc, reuseable_port_allows_two_listeners);
    tcase_add_test(tc, ipv6_only);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, threadsafe_listener);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
