/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_socket.c: socket bufferevents on loopback.  Creation with
 * and without a socket, what is enabled at first, reading and writing
 * through the buffers, end of file, connecting (to a listener, to a closed
 * port, by host name), changing the socket, what freeing closes, freeing
 * from a callback, reference counts, a peer that resets or half-closes
 * the connection, and a large transfer both ways.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* accept4 */
#endif
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vt-event.h"
#include "vtest.h"

/* A connected pair of non-blocking TCP sockets on loopback. */
static void
tcp_pair(int fds[2])
{
    struct sockaddr_in addr;
    int lfd = vt_tcp_listener(&addr);

    ck_assert_int_ge(lfd, 0);
    fds[0] = vt_tcp_connect(&addr);
    ck_assert_int_ge(fds[0], 0);
    fds[1] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    ck_assert_int_ge(fds[1], 0);
    ck_assert_int_eq(evutil_make_socket_nonblocking(fds[0]), 0);
    close(lfd);
}

START_TEST(new_with_socket_defaults)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, 0);
    ck_assert_int_eq(bufferevent_getfd(bev), fds[0]);
    ck_assert_ptr_eq(bufferevent_get_base(bev), base);
    ck_assert_ptr_null(bufferevent_get_underlying(bev));
    /* Writing starts enabled, reading does not. */
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_WRITE);
    ck_assert_ptr_nonnull(bufferevent_get_input(bev));
    ck_assert_ptr_nonnull(bufferevent_get_output(bev));
    ck_assert_ptr_ne(bufferevent_get_input(bev), bufferevent_get_output(bev));
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(new_without_socket_then_setfd)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    char buf[8];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_getfd(bev), -1);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_WRITE);
    ck_assert_int_eq(bufferevent_setfd(bev, fds[0]), 0);
    ck_assert_int_eq(bufferevent_getfd(bev), fds[0]);
    /* The new socket works for both directions. */
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(bev, "ping", 4), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 4);
    ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
    ck_assert_int_eq(send(fds[1], "pong", 4, 0), 4);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 4);
    ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(setcb_and_getcb)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    bufferevent_data_cb rcb = NULL, wcb = NULL;
    bufferevent_event_cb ecb = NULL;
    void *arg = NULL;
    struct vt_rec r = {0};

    ck_assert_ptr_nonnull(base);
    bev = bufferevent_socket_new(base, -1, 0);
    ck_assert_ptr_nonnull(bev);
    bufferevent_getcb(bev, &rcb, &wcb, &ecb, &arg);
    ck_assert_ptr_null(rcb);
    ck_assert_ptr_null(wcb);
    ck_assert_ptr_null(ecb);
    ck_assert_ptr_null(arg);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    bufferevent_getcb(bev, &rcb, &wcb, &ecb, &arg);
    ck_assert_ptr_eq(rcb, vt_read_cb);
    ck_assert_ptr_eq(wcb, vt_write_cb);
    ck_assert_ptr_eq(ecb, vt_event_cb);
    ck_assert_ptr_eq(arg, &r);
    /* Any of the outputs may be NULL. */
    bufferevent_getcb(bev, NULL, NULL, NULL, &arg);
    ck_assert_ptr_eq(arg, &r);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

START_TEST(enable_and_disable)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_READ | EV_WRITE);
    ck_assert_int_eq(bufferevent_disable(bev, EV_WRITE), 0);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_READ);
    /* Enabling twice is harmless. */
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_READ);
    ck_assert_int_eq(bufferevent_disable(bev, EV_READ | EV_WRITE), 0);
    ck_assert_int_eq(bufferevent_get_enabled(bev), 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ | EV_WRITE), 0);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_READ | EV_WRITE);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(enable_write_on_empty_output)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    /* Writing is enabled from the start, but with nothing to write the
     * socket is not watched: no write callback. */
    vt_run_ready(base);
    ck_assert_int_eq(r.writes, 0);
    /* Enabling writing explicitly watches the socket even so; libevent
     * then calls the write callback once for the empty output. */
    ck_assert_int_eq(bufferevent_enable(bev, EV_WRITE), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_run_ready(base);
    ck_assert_int_eq(r.writes, 1);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(disabled_read_waits)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(send(fds[1], "abc", 3, 0), 3);
    /* Reading is off: the bytes stay in the socket. */
    vt_run_ready(base);
    vt_run_ready(base);
    ck_assert_int_eq(r.reads, 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 3);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(write_reaches_peer)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    char buf[32];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    tcp_pair(fds);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_write(bev, "hello, ", 7), 0);
    ck_assert_int_eq(evbuffer_add(bufferevent_get_output(bev), "world", 5), 0);
    /* Nothing is sent before the loop runs. */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 12);
    ck_assert_int_eq(r.writes, 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 0);
    vt_recv_all(base, fds[1], buf, 12);
    ck_assert_int_eq(memcmp(buf, "hello, world", 12), 0);
    /* The output drained once: one write callback, no event. */
    vt_run_ready(base);
    ck_assert_int_eq(r.writes, 1);
    ck_assert_int_eq(r.events, 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(write_buffer_moves_data)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct evbuffer *src = evbuffer_new();
    struct vt_rec r = {0};
    char buf[32];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(src);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, NULL, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(evbuffer_add(src, "moved data", 10), 0);
    ck_assert_int_eq(bufferevent_write_buffer(bev, src), 0);
    ck_assert_uint_eq(evbuffer_get_length(src), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 10);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 10);
    ck_assert_int_eq(memcmp(buf, "moved data", 10), 0);
    evbuffer_free(src);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(read_and_read_buffer)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct evbuffer *dst = evbuffer_new();
    struct vt_rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(dst);
    tcp_pair(fds);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, NULL, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "0123456789", 10, 0), 10);
    while (evbuffer_get_length(bufferevent_get_input(bev)) < 10)
        ck_assert_int_ge(vt_wait_for(base, &r.reads, r.reads + 1), 1);
    /* bufferevent_read takes from the front, at most what is asked. */
    ck_assert_uint_eq(bufferevent_read(bev, buf, 4), 4);
    ck_assert_int_eq(memcmp(buf, "0123", 4), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 6);
    /* bufferevent_read_buffer moves everything left. */
    ck_assert_int_eq(bufferevent_read_buffer(bev, dst), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 0);
    ck_assert_uint_eq(evbuffer_get_length(dst), 6);
    ck_assert_int_eq(evbuffer_remove(dst, buf, sizeof(buf)), 6);
    ck_assert_int_eq(memcmp(buf, "456789", 6), 0);
    /* Reading from an empty input gives nothing. */
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 0);
    ck_assert_int_eq(r.events, 0);
    evbuffer_free(dst);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(eof_reported_and_reading_stops)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    r.got = evbuffer_new();
    ck_assert_ptr_nonnull(r.got);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "last words", 10, 0), 10);
    close(fds[1]);
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_EOF | BEV_EVENT_READING);
    /* The data before the end arrived first. */
    ck_assert_uint_eq(evbuffer_get_length(r.got), 10);
    /* libevent turns reading off when it sees the end of the stream. */
    ck_assert_int_eq(bufferevent_get_enabled(bev) & EV_READ, 0);
    vt_run_ready(base);
    ck_assert_int_eq(r.events, 1);
    evbuffer_free(r.got);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

/* Accepts connections with nothing but a listening socket: the kernel
 * completes the handshake, which is all a connect needs. */
START_TEST(connect_to_listener)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct sockaddr_in addr;
    struct vt_rec r = {0};
    char buf[8];
    int lfd, sfd;

    ck_assert_ptr_nonnull(base);
    lfd = vt_tcp_listener(&addr);
    ck_assert_int_ge(lfd, 0);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(
        bufferevent_socket_connect(bev, (struct sockaddr *)&addr, sizeof(addr)),
        0);
    /* The socket exists and is non-blocking as soon as the call returns. */
    ck_assert_int_ge(bufferevent_getfd(bev), 0);
    ck_assert_int_ne(fcntl(bufferevent_getfd(bev), F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(vt_wait_for(base, &r.connected, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_CONNECTED);
    /* After connecting, writing works, and CONNECTED is not repeated. */
    ck_assert_int_eq(bufferevent_write(bev, "hi", 2), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    sfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(sfd, 0);
    ck_assert_int_eq(recv(sfd, buf, 2, MSG_WAITALL), 2);
    ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
    vt_run_ready(base);
    ck_assert_int_eq(r.connected, 1);
    ck_assert_int_eq(r.events, 1);
    close(sfd);
    close(lfd);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

START_TEST(connect_with_socket_already_set)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct sockaddr_in addr;
    struct vt_rec r = {0};
    int lfd, fd;

    ck_assert_ptr_nonnull(base);
    lfd = vt_tcp_listener(&addr);
    ck_assert_int_ge(lfd, 0);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, NULL, NULL, vt_event_cb, &r);
    ck_assert_int_eq(
        bufferevent_socket_connect(bev, (struct sockaddr *)&addr, sizeof(addr)),
        0);
    /* The given socket is the one connected. */
    ck_assert_int_eq(bufferevent_getfd(bev), fd);
    ck_assert_int_eq(vt_wait_for(base, &r.connected, 1), 1);
    ck_assert_int_eq(r.events, 1);
    bufferevent_free(bev);
    close(lfd);
    event_base_free(base);
}
END_TEST

START_TEST(connect_refused)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct sockaddr_in addr;
    struct vt_rec r = {0};

    ck_assert_ptr_nonnull(base);
    vt_closed_port(&addr);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    /* The refusal is reported through the event callback, not the call. */
    ck_assert_int_eq(
        bufferevent_socket_connect(bev, (struct sockaddr *)&addr, sizeof(addr)),
        0);
    ck_assert_int_eq(r.events, 0);
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_ne(r.what & BEV_EVENT_ERROR, 0);
    ck_assert_int_eq(r.what & (BEV_EVENT_CONNECTED | BEV_EVENT_EOF), 0);
    ck_assert_int_eq(r.err, ECONNREFUSED);
    ck_assert_int_eq(r.connected, 0);
    vt_run_ready(base);
    ck_assert_int_eq(r.events, 1);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

static void
connect_by_name(const char *host, int family)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct sockaddr_in addr, peer;
    socklen_t len = sizeof(peer);
    struct vt_rec r = {0};
    int lfd;

    ck_assert_ptr_nonnull(base);
    lfd = vt_tcp_listener(&addr);
    ck_assert_int_ge(lfd, 0);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, NULL, NULL, vt_event_cb, &r);
    /* Without a DNS base the name is resolved with the system resolver. */
    ck_assert_int_eq(bufferevent_socket_connect_hostname(
                         bev, NULL, family, host, ntohs(addr.sin_port)),
                     0);
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_CONNECTED);
    ck_assert_int_eq(bufferevent_socket_get_dns_error(bev), 0);
    ck_assert_int_eq(
        getpeername(bufferevent_getfd(bev), (struct sockaddr *)&peer, &len), 0);
    ck_assert_uint_eq(peer.sin_port, addr.sin_port);
    ck_assert_uint_eq(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    bufferevent_free(bev);
    close(lfd);
    event_base_free(base);
}

START_TEST(connect_hostname_numeric)
{
    connect_by_name("127.0.0.1", AF_UNSPEC);
}
END_TEST

START_TEST(connect_hostname_localhost)
{
    /* AF_INET: "localhost" may also name ::1, where nothing listens. */
    connect_by_name("localhost", AF_INET);
}
END_TEST

START_TEST(close_on_free_closes_socket)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_free(bev);
    /* libevent finishes freeing from the loop (or when the base is freed),
     * so the socket may still be open right after bufferevent_free. */
    vt_run_ready(base);
    errno = 0;
    ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(without_close_on_free_socket_stays)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    char c;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, 0);
    bufferevent_free(bev);
    vt_run_ready(base);
    event_base_free(base);
    ck_assert_int_ne(fcntl(fds[0], F_GETFD), -1);
    /* Still connected and usable. */
    ck_assert_int_eq(send(fds[0], "x", 1, 0), 1);
    ck_assert_int_eq(recv(fds[1], &c, 1, 0), 1);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(free_inside_read_callback)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    r.free_in_read = 1;
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "bye", 3, 0), 3);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    /* Nothing of the freed bufferevent runs again, even with more data
     * and the peer gone; the loop then has nothing left to wait for. */
    (void)send(fds[1], "more", 4, 0);
    close(fds[1]);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(r.reads, 1);
    ck_assert_int_eq(r.events, 0);
    errno = 0;
    ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    event_base_free(base);
}
END_TEST

START_TEST(incref_keeps_it_alive)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_incref(bev);
    bufferevent_incref(bev);
    ck_assert_int_eq(bufferevent_decref(bev), 0);
    /* Freed by the user, still referenced: the socket stays open and
     * the object stays readable. */
    bufferevent_free(bev);
    vt_run_ready(base);
    ck_assert_int_ne(fcntl(fds[0], F_GETFD), -1);
    ck_assert_int_eq(bufferevent_getfd(bev), fds[0]);
    /* The last reference frees it. */
    ck_assert_int_eq(bufferevent_decref(bev), 1);
    vt_run_ready(base);
    errno = 0;
    ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(peer_reset_while_writing)
{
    enum {
        BIG = 4 << 20
    };
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct linger lg = {1, 0};
    struct vt_rec r = {0};
    char *data = calloc(1, BIG);
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(data);
    tcp_pair(fds);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, NULL, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_write(bev, data, BIG), 0);
    /* Let part of it go: the peer's buffers fill, the rest waits. */
    while (evbuffer_get_length(bufferevent_get_output(bev)) == BIG)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_uint_gt(evbuffer_get_length(bufferevent_get_output(bev)), 0);
    /* The peer resets the connection. */
    ck_assert_int_eq(setsockopt(fds[1], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
                     0);
    close(fds[1]);
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_ERROR | BEV_EVENT_WRITING);
    ck_assert_msg(r.err == ECONNRESET || r.err == EPIPE, "errno %d", r.err);
    ck_assert_int_eq(r.writes, 0);
    /* Writing is turned off after the error. */
    ck_assert_int_eq(bufferevent_get_enabled(bev) & EV_WRITE, 0);
    bufferevent_free(bev);
    free(data);
    event_base_free(base);
}
END_TEST

START_TEST(peer_half_close)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    tcp_pair(fds);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(shutdown(fds[1], SHUT_WR), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_EOF | BEV_EVENT_READING);
    /* The other direction still works. */
    ck_assert_int_eq(bufferevent_get_enabled(bev) & EV_WRITE, EV_WRITE);
    ck_assert_int_eq(bufferevent_write(bev, "still here", 10), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 10);
    ck_assert_int_eq(memcmp(buf, "still here", 10), 0);
    ck_assert_int_eq(r.events, 1);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(setfd_replaces_socket)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    char buf[8];
    int a[2], b[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(a), 0);
    ck_assert_int_eq(vt_socketpair(b), 0);
    bev = bufferevent_socket_new(base, a[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_setfd(bev, b[0]), 0);
    ck_assert_int_eq(bufferevent_getfd(bev), b[0]);
    /* The old socket is the program's again: not closed, even with
     * BEV_OPT_CLOSE_ON_FREE. */
    ck_assert_int_ne(fcntl(a[0], F_GETFD), -1);
    /* What is enabled carries over to the new socket. */
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_READ | EV_WRITE);
    /* libevent watches the new socket for writing at once, and calls the
     * write callback for the empty output when it is writable. */
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    ck_assert_int_eq(r.events, 0);
    ck_assert_int_eq(send(b[1], "new", 3, 0), 3);
    ck_assert_int_eq(send(a[1], "old", 3, 0), 3);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 3);
    ck_assert_int_eq(memcmp(buf, "new", 3), 0);
    ck_assert_int_eq(bufferevent_write(bev, "out", 3), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 2), 2);
    vt_recv_all(base, b[1], buf, 3);
    ck_assert_int_eq(memcmp(buf, "out", 3), 0);
    bufferevent_free(bev);
    close(a[0]);
    close(a[1]);
    close(b[1]);
    event_base_free(base);
}
END_TEST

START_TEST(base_set_moves_socket_bufferevent)
{
    struct event_base *one = event_base_new(), *two = event_base_new();
    struct bufferevent *bev, *pair[2];
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    bev = vt_socket_bev(one, fds, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_base_set(two, bev), 0);
    ck_assert_ptr_eq(bufferevent_get_base(bev), two);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "moved", 5, 0), 5);
    /* The old base has nothing of it any more. */
    ck_assert_int_eq(event_base_loop(one, EVLOOP_NONBLOCK), 1);
    ck_assert_int_eq(r.reads, 0);
    ck_assert_int_eq(vt_wait_for(two, &r.reads, 1), 1);
    bufferevent_free(bev);
    /* Only socket bufferevents can move: a pair refuses. */
    ck_assert_int_eq(bufferevent_pair_new(one, 0, pair), 0);
    ck_assert_int_eq(bufferevent_base_set(two, pair[0]), -1);
    ck_assert_ptr_eq(bufferevent_get_base(pair[0]), one);
    bufferevent_free(pair[0]);
    bufferevent_free(pair[1]);
    close(fds[1]);
    event_base_free(one);
    event_base_free(two);
}
END_TEST

START_TEST(lock_without_threadsafe_is_harmless)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;

    ck_assert_ptr_nonnull(base);
    bev = bufferevent_socket_new(base, -1, 0);
    ck_assert_ptr_nonnull(bev);
    /* Nothing to lock: both calls do nothing, any number of times. */
    bufferevent_lock(bev);
    bufferevent_lock(bev);
    bufferevent_unlock(bev);
    bufferevent_unlock(bev);
    /* A base with one priority: everything is priority 0. */
    ck_assert_int_eq(bufferevent_get_priority(bev), 0);
    ck_assert_int_eq(bufferevent_priority_set(bev, 0), 0);
    ck_assert_int_eq(bufferevent_priority_set(bev, 1), -1);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

/* One end of the large transfer: it sends its pattern and collects what
 * the other end sends. */
struct end {
    struct bufferevent *bev;
    struct evbuffer *got;
    size_t want;
    int done;
};

static void
big_read_cb(struct bufferevent *bev, void *arg)
{
    struct end *e = arg;

    ck_assert_int_eq(bufferevent_read_buffer(bev, e->got), 0);
    if (evbuffer_get_length(e->got) >= e->want)
        e->done = 1;
}

static void
big_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)arg;
    ck_abort_msg("unexpected event 0x%x", (unsigned)what);
}

static void
fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 131u + seed) ^ (i >> 9));
}

START_TEST(large_transfer_both_ways)
{
    enum {
        BIG = 4 << 20
    };
    struct event_base *base = event_base_new();
    unsigned char *pa = malloc(BIG), *pb = malloc(BIG);
    struct end a = {0}, b = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(pa);
    ck_assert_ptr_nonnull(pb);
    fill_pattern(pa, BIG, 7);
    fill_pattern(pb, BIG, 99);
    tcp_pair(fds);
    a.bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    b.bev = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(a.bev);
    ck_assert_ptr_nonnull(b.bev);
    a.got = evbuffer_new();
    b.got = evbuffer_new();
    a.want = b.want = BIG;
    bufferevent_setcb(a.bev, big_read_cb, NULL, big_event_cb, &a);
    bufferevent_setcb(b.bev, big_read_cb, NULL, big_event_cb, &b);
    ck_assert_int_eq(bufferevent_enable(a.bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_enable(b.bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(a.bev, pa, BIG), 0);
    ck_assert_int_eq(bufferevent_write(b.bev, pb, BIG), 0);
    ck_assert_int_eq(vt_wait_for(base, &a.done, 1), 1);
    ck_assert_int_eq(vt_wait_for(base, &b.done, 1), 1);
    ck_assert_uint_eq(evbuffer_get_length(a.got), BIG);
    ck_assert_uint_eq(evbuffer_get_length(b.got), BIG);
    ck_assert_int_eq(memcmp(evbuffer_pullup(a.got, -1), pb, BIG), 0);
    ck_assert_int_eq(memcmp(evbuffer_pullup(b.got, -1), pa, BIG), 0);
    evbuffer_free(a.got);
    evbuffer_free(b.got);
    bufferevent_free(a.bev);
    bufferevent_free(b.bev);
    free(pa);
    free(pb);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bufferevent_socket");
    TCase *tc = vt_tcase("bufferevent_socket", 30);

    /* A write to a reset connection must fail, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    tcase_add_test(tc, new_with_socket_defaults);
    tcase_add_test(tc, new_without_socket_then_setfd);
    tcase_add_test(tc, setcb_and_getcb);
    tcase_add_test(tc, enable_and_disable);
    tcase_add_test(tc, enable_write_on_empty_output);
    tcase_add_test(tc, disabled_read_waits);
    tcase_add_test(tc, write_reaches_peer);
    tcase_add_test(tc, write_buffer_moves_data);
    tcase_add_test(tc, read_and_read_buffer);
    tcase_add_test(tc, eof_reported_and_reading_stops);
    tcase_add_test(tc, connect_to_listener);
    tcase_add_test(tc, connect_with_socket_already_set);
    tcase_add_test(tc, connect_refused);
    tcase_add_test(tc, connect_hostname_numeric);
    tcase_add_test(tc, connect_hostname_localhost);
    tcase_add_test(tc, close_on_free_closes_socket);
    tcase_add_test(tc, without_close_on_free_socket_stays);
    tcase_add_test(tc, free_inside_read_callback);
    tcase_add_test(tc, incref_keeps_it_alive);
    tcase_add_test(tc, peer_reset_while_writing);
    tcase_add_test(tc, peer_half_close);
    tcase_add_test(tc, setfd_replaces_socket);
    tcase_add_test(tc, base_set_moves_socket_bufferevent);
    tcase_add_test(tc, lock_without_threadsafe_is_harmless);
    tcase_add_test(tc, large_transfer_both_ways);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
