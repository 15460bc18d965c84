/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * sample-util.h: argument checking and listening sockets shared by the
 * sample programs, so that each gives the same clear errors.  Header-only.
 */
#ifndef VIGIL_SAMPLE_UTIL_H
#define VIGIL_SAMPLE_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Parses a port (0 lets the system choose).  Returns 0, or -1 after
 * printing why. */
static inline int
sample_parse_port(const char *prog, const char *s, unsigned short *port)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 65535) {
        fprintf(stderr, "%s: bad port '%s': give a number from 0 to 65535\n",
                prog, s);
        return -1;
    }
    *port = (unsigned short)v;
    return 0;
}

/* Opens a socket of this type on 127.0.0.1:port, a TCP listener for
 * SOCK_STREAM, and prints the address it got, so that a client (or a
 * test) knows where to send.  type is socket(2)'s: SOCK_STREAM or
 * SOCK_DGRAM, with SOCK_NONBLOCK or SOCK_CLOEXEC or'ed in as wanted.
 * Returns the socket, or -1 after printing why. */
static inline int
sample_listen(const char *prog, int type, unsigned short port)
{
    int stream = (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM;
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int one = 1;
    int fd = socket(AF_INET, type, 0);

    if (fd < 0) {
        fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
        return -1;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    /* A listener may take a port whose old connections linger; a
     * datagram socket must not share its port with another. */
    if (stream)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u: %s\n", prog,
                (unsigned)port, strerror(errno));
        close(fd);
        return -1;
    }
    if ((stream && listen(fd, 16) < 0) ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        fprintf(stderr, "%s: listen: %s\n", prog, strerror(errno));
        close(fd);
        return -1;
    }
    printf("%s: listening on 127.0.0.1:%u\n", prog,
           (unsigned)ntohs(sin.sin_port));
    fflush(stdout);
    return fd;
}

/* ROT13 of one byte: letters turn 13 places, everything else stays. */
static inline char
sample_rot13_char(char c)
{
    if ((c >= 'a' && c <= 'm') || (c >= 'A' && c <= 'M'))
        return (char)(c + 13);
    if ((c >= 'n' && c <= 'z') || (c >= 'N' && c <= 'Z'))
        return (char)(c - 13);
    return c;
}

#endif
