/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil.c: socket set-up helpers, socket pairs, and the locale-independent
 * string helpers of event2/util.h.
 */
#include <event2/util.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evutil-internal.h"
#include "log-internal.h"

/*
 * Socket options.
 */

int
evutil_make_socket_nonblocking(evutil_socket_t fd)
{
    int flags;
    int rv = -1;

    flags = fcntl(fd, F_GETFL, NULL);
    if (flags < 0) {
        vg_log_warn("fcntl(%d, F_GETFL)", fd);
        goto done;
    }
    if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        vg_log_warn("fcntl(%d, F_SETFL)", fd);
        goto done;
    }
    rv = 0;
done:
    return rv;
}

int
evutil_make_socket_closeonexec(evutil_socket_t fd)
{
    int flags;
    int rv = -1;

    flags = fcntl(fd, F_GETFD, NULL);
    if (flags < 0) {
        vg_log_warn("fcntl(%d, F_GETFD)", fd);
        goto done;
    }
    if (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        vg_log_warn("fcntl(%d, F_SETFD)", fd);
        goto done;
    }
    rv = 0;
done:
    return rv;
}

/* Turns on a boolean socket option. */
static int
set_flag_option(evutil_socket_t fd, int level, int name)
{
    int one = 1;

    return setsockopt(fd, level, name, &one, (socklen_t)sizeof(one));
}

int
evutil_make_listen_socket_reuseable(evutil_socket_t sock)
{
    return set_flag_option(sock, SOL_SOCKET, SO_REUSEADDR);
}

int
evutil_make_listen_socket_reuseable_port(evutil_socket_t sock)
{
    return set_flag_option(sock, SOL_SOCKET, SO_REUSEPORT);
}

int
evutil_make_listen_socket_ipv6only(evutil_socket_t sock)
{
    return set_flag_option(sock, IPPROTO_IPV6, IPV6_V6ONLY);
}

int
evutil_make_tcp_listen_socket_deferred(evutil_socket_t sock)
{
    /* The value is a timeout in seconds; 1 asks for the shortest wait the
     * kernel rounds to, after which it accepts the connection anyway. */
    return set_flag_option(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT);
}

int
evutil_closesocket(evutil_socket_t sock)
{
    int rv = close(sock);

    /* On Linux the descriptor is released even when close() is
     * interrupted, so retrying would close someone else's descriptor. */
    if (rv < 0 && errno == EINTR)
        rv = 0;
    return rv;
}

/*
 * Socket pairs.
 */

/* Closes fd if it is open, keeping errno. */
static void
close_keep_errno(int fd)
{
    int err = errno;

    if (fd >= 0)
        (void)close(fd);
    errno = err;
}

/* Makes a connected pair of TCP sockets over the loopback interface of
 * family (AF_INET or AF_INET6), for callers that need a pair socketpair()
 * cannot make.  flags holds SOCK_NONBLOCK and SOCK_CLOEXEC as asked. */
static int
loopback_tcp_pair(int family, int flags, evutil_socket_t sv[2])
{
    struct sockaddr_storage listen_addr, local, peer;
    socklen_t len;
    int listener = -1, connector = -1, accepted = -1;
    int rv = -1;

    memset(&listen_addr, 0, sizeof(listen_addr));
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&listen_addr;

        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&listen_addr;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = in6addr_loopback;
        len = sizeof(*sin6);
    }

    listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&listen_addr, len) ||
        listen(listener, 1) < 0)
        goto done;
    len = sizeof(listen_addr);
    if (getsockname(listener, (struct sockaddr *)&listen_addr, &len) < 0)
        goto done;
    connector = socket(family, SOCK_STREAM | (flags & SOCK_CLOEXEC), 0);
    if (connector < 0 ||
        connect(connector, (struct sockaddr *)&listen_addr, len) < 0)
        goto done;
    len = sizeof(local);
    if (getsockname(connector, (struct sockaddr *)&local, &len) < 0)
        goto done;

    /* Another local process may connect to the listener first; accept
     * only our own connector, recognised by its address and port. */
    for (int tries = 0; tries < 16; tries++) {
        socklen_t peerlen = sizeof(peer);

        accepted = accept4(listener, (struct sockaddr *)&peer, &peerlen,
                           flags & SOCK_CLOEXEC);
        if (accepted < 0)
            goto done;
        if (peerlen == len &&
            evutil_sockaddr_cmp((struct sockaddr *)&peer,
                                (struct sockaddr *)&local, 1) == 0)
            break;
        (void)close(accepted);
        accepted = -1;
    }
    if (accepted < 0) {
        errno = ECONNABORTED;
        goto done;
    }
    if ((flags & SOCK_NONBLOCK) &&
        (evutil_make_socket_nonblocking(connector) < 0 ||
         evutil_make_socket_nonblocking(accepted) < 0))
        goto done;
    sv[0] = connector;
    sv[1] = accepted;
    connector = accepted = -1;
    rv = 0;
done:
    close_keep_errno(listener);
    close_keep_errno(connector);
    close_keep_errno(accepted);
    return rv;
}

int
evutil_socketpair(int family, int type, int protocol, evutil_socket_t fd[2])
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int rv = -1;

    if (fd == NULL) {
        errno = EINVAL;
        goto done;
    }
    if ((family == AF_INET || family == AF_INET6) &&
        (type & ~flags) == SOCK_STREAM &&
        (protocol == 0 || protocol == IPPROTO_TCP)) {
        rv = loopback_tcp_pair(family, flags, fd);
        goto done;
    }
    rv = socketpair(family, type, protocol, fd);
done:
    return rv;
}

/*
 * Strings.
 */

ev_int64_t
evutil_strtoll(const char *s, char **endptr, int base)
{
    return (ev_int64_t)strtoll(s, endptr, base);
}

int
evutil_vsnprintf(char *buf, size_t buflen, const char *format, va_list ap)
{
    int r = 0;

    /* Like libevent, an empty buffer gets nothing and the result is 0. */
    if (buflen == 0)
        goto done;
    /* vsnprintf() terminates the output itself; only a formatting error
     * may leave the buffer unterminated. */
    r = vsnprintf(buf, buflen, format, ap);
    if (r < 0)
        buf[0] = '\0';
done:
    return r;
}

int
evutil_snprintf(char *buf, size_t buflen, const char *format, ...)
{
    va_list ap;
    int r;

    va_start(ap, format);
    r = evutil_vsnprintf(buf, buflen, format, ap);
    va_end(ap);
    return r;
}

/* ASCII upper case to lower case, leaving every other byte alone. */
static unsigned char
ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

int
evutil_ascii_strncasecmp(const char *s1, const char *s2, size_t n)
{
    const unsigned char *a = (const unsigned char *)s1;
    const unsigned char *b = (const unsigned char *)s2;

    for (size_t i = 0; i < n; i++) {
        unsigned char ca = ascii_lower(a[i]), cb = ascii_lower(b[i]);

        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == '\0')
            break;
    }
    return 0;
}

int
evutil_ascii_strcasecmp(const char *s1, const char *s2)
{
    return evutil_ascii_strncasecmp(s1, s2, (size_t)-1);
}
