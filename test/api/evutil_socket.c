/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_socket.c: socket pairs, the socket option helpers, closing, and
 * the socket error macros of event2/util.h.  Loopback only.
 */
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtest.h"

/* Sends a byte each way over a connected pair and checks it arrives. */
static void
check_pair_talks(evutil_socket_t sv[2])
{
    char c = 0;

    ck_assert_int_eq(send(sv[0], "x", 1, 0), 1);
    ck_assert_int_eq(recv(sv[1], &c, 1, 0), 1);
    ck_assert_int_eq(c, 'x');
    ck_assert_int_eq(send(sv[1], "y", 1, 0), 1);
    ck_assert_int_eq(recv(sv[0], &c, 1, 0), 1);
    ck_assert_int_eq(c, 'y');
}

static int
get_int_option(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof(value);

    ck_assert_int_eq(getsockopt(fd, level, name, &value, &len), 0);
    return value;
}

/*
 * evutil_socketpair
 */

START_TEST(socketpair_unix_stream)
{
    evutil_socket_t sv[2] = {-1, -1};

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_ge(sv[0], 0);
    ck_assert_int_ge(sv[1], 0);
    ck_assert_int_ne(sv[0], sv[1]);
    check_pair_talks(sv);
    ck_assert_int_eq(get_int_option(sv[0], SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    /* Blocking, and not close-on-exec, unless asked. */
    ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(evutil_closesocket(sv[0]), 0);
    ck_assert_int_eq(evutil_closesocket(sv[1]), 0);
}
END_TEST

START_TEST(socketpair_unix_dgram)
{
    evutil_socket_t sv[2] = {-1, -1};

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    check_pair_talks(sv);
    ck_assert_int_eq(get_int_option(sv[1], SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

START_TEST(socketpair_flags_pass_through)
{
    evutil_socket_t sv[2] = {-1, -1};

    ck_assert_int_eq(
        evutil_socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          0, sv),
        0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ne(fcntl(sv[i], F_GETFL) & O_NONBLOCK, 0);
        ck_assert_int_ne(fcntl(sv[i], F_GETFD) & FD_CLOEXEC, 0);
    }
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

START_TEST(socketpair_inet_loopback)
{
    evutil_socket_t sv[2] = {-1, -1};
    int r = evutil_socketpair(AF_INET, SOCK_STREAM, 0, sv);

#ifndef VIGIL_ORACLE
    /* Deliberate difference: on Unix libevent 2.1.12 just calls
     * socketpair(), which has no AF_INET (EOPNOTSUPP); Vigil makes a
     * connected TCP pair over 127.0.0.1 instead, as libevent does on
     * Windows. */
    ck_assert_int_eq(r, 0);
#endif
    if (r == 0) {
        struct sockaddr_in a, b;
        socklen_t la = sizeof(a), lb = sizeof(b);

        check_pair_talks(sv);
        ck_assert_int_eq(getsockname(sv[0], (struct sockaddr *)&a, &la), 0);
        ck_assert_int_eq(getpeername(sv[1], (struct sockaddr *)&b, &lb), 0);
        ck_assert_int_eq(a.sin_family, AF_INET);
        ck_assert_uint_eq(ntohl(a.sin_addr.s_addr), INADDR_LOOPBACK);
        ck_assert_int_eq(evutil_sockaddr_cmp((struct sockaddr *)&a,
                                             (struct sockaddr *)&b, 1),
                         0);
        ck_assert_int_eq(get_int_option(sv[0], SOL_SOCKET, SO_TYPE),
                         SOCK_STREAM);
        evutil_closesocket(sv[0]);
        evutil_closesocket(sv[1]);
    } else {
        ck_assert_int_eq(errno, EOPNOTSUPP);
    }
}
END_TEST

START_TEST(socketpair_inet_flags)
{
    evutil_socket_t sv[2] = {-1, -1};
    int r = evutil_socketpair(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);

#ifndef VIGIL_ORACLE
    ck_assert_int_eq(r, 0);
#endif
    if (r == 0) {
        char c;

        ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
        ck_assert_int_ne(fcntl(sv[1], F_GETFL) & O_NONBLOCK, 0);
        ck_assert_int_eq(recv(sv[0], &c, 1, 0), -1);
        ck_assert_int_eq(errno, EAGAIN);
        evutil_closesocket(sv[0]);
        evutil_closesocket(sv[1]);
    }
}
END_TEST

START_TEST(socketpair_inet6_loopback)
{
    evutil_socket_t sv[2] = {-1, -1};
    int r = evutil_socketpair(AF_INET6, SOCK_STREAM, 0, sv);

    /* Where ::1 is not configured the pair cannot be made. */
    if (r == 0) {
        check_pair_talks(sv);
        evutil_closesocket(sv[0]);
        evutil_closesocket(sv[1]);
    }
}
END_TEST

START_TEST(socketpair_bad_arguments)
{
    evutil_socket_t sv[2] = {-1, -1};

    errno = 0;
    ck_assert_int_eq(evutil_socketpair(9999, SOCK_STREAM, 0, sv), -1);
    ck_assert_int_ne(errno, 0);
    ck_assert_int_eq(evutil_socketpair(AF_UNIX, 9999, 0, sv), -1);
    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 9999, sv), -1);
    /* UDP over loopback is not a pair either library makes. */
    ck_assert_int_eq(evutil_socketpair(AF_INET, SOCK_DGRAM, 0, sv), -1);
}
END_TEST

/*
 * Socket options
 */

START_TEST(nonblocking)
{
    evutil_socket_t sv[2];
    char c;

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(evutil_make_socket_nonblocking(sv[0]), 0);
    ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    /* Twice is harmless. */
    ck_assert_int_eq(evutil_make_socket_nonblocking(sv[0]), 0);
    ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(recv(sv[0], &c, 1, 0), -1);
    ck_assert_int_eq(errno, EAGAIN);
    /* The other end is untouched. */
    ck_assert_int_eq(fcntl(sv[1], F_GETFL) & O_NONBLOCK, 0);
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

START_TEST(closeonexec)
{
    evutil_socket_t sv[2];

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(evutil_make_socket_closeonexec(sv[0]), 0);
    ck_assert_int_ne(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(evutil_make_socket_closeonexec(sv[0]), 0);
    ck_assert_int_ne(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(fcntl(sv[1], F_GETFD) & FD_CLOEXEC, 0);
    /* Non-blocking mode is a different flag, left alone. */
    ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

START_TEST(bad_descriptors)
{
    int fd;

    /* A descriptor that is certainly closed. */
    fd = dup(0);
    ck_assert_int_ge(fd, 0);
    close(fd);

    errno = 0;
    ck_assert_int_eq(evutil_make_socket_nonblocking(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_make_socket_closeonexec(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_make_listen_socket_reuseable(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_make_listen_socket_reuseable_port(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_make_listen_socket_ipv6only(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_make_tcp_listen_socket_deferred(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    errno = 0;
    ck_assert_int_eq(evutil_closesocket(fd), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(evutil_closesocket(EVUTIL_INVALID_SOCKET), -1);
}
END_TEST

START_TEST(reuseable)
{
    evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(get_int_option(fd, SOL_SOCKET, SO_REUSEADDR), 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable(fd), 0);
    ck_assert_int_ne(get_int_option(fd, SOL_SOCKET, SO_REUSEADDR), 0);
    evutil_closesocket(fd);
}
END_TEST

START_TEST(reuseable_rebinds_after_close)
{
    /* A listener that served a connection leaves TIME_WAIT state behind;
     * SO_REUSEADDR lets a new listener bind the same port at once. */
    struct sockaddr_in addr;
    evutil_socket_t l, c, a;
    socklen_t len = sizeof(addr);

    l = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(l, 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable(l), 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(l, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(listen(l, 4), 0);
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&addr, &len), 0);
    c = vt_tcp_connect(&addr);
    ck_assert_int_ge(c, 0);
    a = accept(l, NULL, NULL);
    ck_assert_int_ge(a, 0);
    /* The server side closes first, so it holds TIME_WAIT. */
    evutil_closesocket(a);
    evutil_closesocket(l);
    evutil_closesocket(c);

    l = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(l, 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable(l), 0);
    ck_assert_int_eq(bind(l, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(listen(l, 4), 0);
    evutil_closesocket(l);
}
END_TEST

START_TEST(reuseable_port)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    evutil_socket_t a, b;

    a = socket(AF_INET, SOCK_STREAM, 0);
    b = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(a, 0);
    ck_assert_int_ge(b, 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable_port(a), 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable_port(b), 0);
    ck_assert_int_ne(get_int_option(a, SOL_SOCKET, SO_REUSEPORT), 0);

    /* Both listen on the same address and port at once. */
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(a, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(getsockname(a, (struct sockaddr *)&addr, &len), 0);
    ck_assert_int_eq(listen(a, 4), 0);
    ck_assert_int_eq(bind(b, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(listen(b, 4), 0);
    evutil_closesocket(a);
    evutil_closesocket(b);
}
END_TEST

START_TEST(reuseable_port_wrong_family)
{
    evutil_socket_t sv[2];

    /* SO_REUSEPORT means nothing to a Unix socket. */
    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(evutil_make_listen_socket_reuseable_port(sv[0]), -1);
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

START_TEST(ipv6only)
{
    evutil_socket_t fd6 = socket(AF_INET6, SOCK_STREAM, 0);
    evutil_socket_t fd4 = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd4, 0);
    if (fd6 >= 0) {
        ck_assert_int_eq(evutil_make_listen_socket_ipv6only(fd6), 0);
        ck_assert_int_eq(get_int_option(fd6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
        evutil_closesocket(fd6);
    }
    /* An IPv4 socket has no such option. */
    ck_assert_int_eq(evutil_make_listen_socket_ipv6only(fd4), -1);
    evutil_closesocket(fd4);
}
END_TEST

START_TEST(tcp_deferred)
{
    evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);
    evutil_socket_t udp = socket(AF_INET, SOCK_DGRAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(udp, 0);
    ck_assert_int_eq(get_int_option(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    ck_assert_int_eq(evutil_make_tcp_listen_socket_deferred(fd), 0);
    ck_assert_int_gt(get_int_option(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    /* A listener with the option still accepts a client that speaks. */
    {
        struct sockaddr_in addr;
        socklen_t len = sizeof(addr);
        evutil_socket_t c, a;
        char ch = 0;

        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
        ck_assert_int_eq(listen(fd, 4), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
        c = vt_tcp_connect(&addr);
        ck_assert_int_ge(c, 0);
        ck_assert_int_eq(send(c, "q", 1, 0), 1);
        a = accept(fd, NULL, NULL);
        ck_assert_int_ge(a, 0);
        ck_assert_int_eq(recv(a, &ch, 1, 0), 1);
        ck_assert_int_eq(ch, 'q');
        evutil_closesocket(a);
        evutil_closesocket(c);
    }
    /* TCP_DEFER_ACCEPT is a TCP option: a UDP socket refuses it. */
    ck_assert_int_eq(evutil_make_tcp_listen_socket_deferred(udp), -1);
    evutil_closesocket(fd);
    evutil_closesocket(udp);
}
END_TEST

/*
 * Closing and errors
 */

START_TEST(closesocket_closes)
{
    evutil_socket_t sv[2];
    char c;

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(evutil_closesocket(sv[0]), 0);
    ck_assert_int_eq(fcntl(sv[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    /* The peer sees end of file. */
    ck_assert_int_eq(recv(sv[1], &c, 1, 0), 0);
    ck_assert_int_eq(EVUTIL_CLOSESOCKET(sv[1]), 0);
    ck_assert_int_eq(fcntl(sv[1], F_GETFD), -1);
}
END_TEST

START_TEST(socket_error_macros)
{
    evutil_socket_t sv[2];
    char c;
    int err;

    ck_assert_int_eq(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(evutil_make_socket_nonblocking(sv[0]), 0);
    ck_assert_int_eq(recv(sv[0], &c, 1, 0), -1);
    err = EVUTIL_SOCKET_ERROR();
    ck_assert_int_eq(err, EAGAIN);
    ck_assert_int_eq(evutil_socket_geterror(sv[0]), EAGAIN);
    ck_assert_str_eq(evutil_socket_error_to_string(err), strerror(EAGAIN));

    EVUTIL_SET_SOCKET_ERROR(ECONNRESET);
    ck_assert_int_eq(EVUTIL_SOCKET_ERROR(), ECONNRESET);
    ck_assert_int_eq(errno, ECONNRESET);
    ck_assert_ptr_nonnull(evutil_socket_error_to_string(ECONNRESET));
    ck_assert_uint_gt(strlen(evutil_socket_error_to_string(ECONNRESET)), 0);
    /* The setter is a statement that fits anywhere one does. */
    if (sv[0] >= 0)
        EVUTIL_SET_SOCKET_ERROR(0);
    else
        EVUTIL_SET_SOCKET_ERROR(1);
    ck_assert_int_eq(errno, 0);
    evutil_closesocket(sv[0]);
    evutil_closesocket(sv[1]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("evutil_socket");
    TCase *tc;

    tc = vt_tcase("socketpair", 10);
    tcase_add_test(tc, socketpair_unix_stream);
    tcase_add_test(tc, socketpair_unix_dgram);
    tcase_add_test(tc, socketpair_flags_pass_through);
    tcase_add_test(tc, socketpair_inet_loopback);
    tcase_add_test(tc, socketpair_inet_flags);
    tcase_add_test(tc, socketpair_inet6_loopback);
    tcase_add_test(tc, socketpair_bad_arguments);
    suite_add_tcase(s, tc);

    tc = vt_tcase("options", 10);
    tcase_add_test(tc, nonblocking);
    tcase_add_test(tc, closeonexec);
    tcase_add_test(tc, bad_descriptors);
    tcase_add_test(tc, reuseable);
    tcase_add_test(tc, reuseable_rebinds_after_close);
    tcase_add_test(tc, reuseable_port);
    tcase_add_test(tc, reuseable_port_wrong_family);
    tcase_add_test(tc, ipv6only);
    tcase_add_test(tc, tcp_deferred);
    suite_add_tcase(s, tc);

    tc = vt_tcase("close", 10);
    tcase_add_test(tc, closesocket_closes);
    tcase_add_test(tc, socket_error_macros);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
