/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-client-blocking: the book's first program, a client written with
 * blocking calls and no libevent at all.  It connects, sends an HTTP/1.0
 * GET, and copies the whole answer to standard output; while it waits,
 * the whole program waits.  The book's point: with one connection this is
 * fine; with many, it is not.
 *
 *   usage: http-client-blocking HOST PORT [PATH]
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample-util.h"

static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *prog = "http-client-blocking";
    const char *host, *path;
    struct addrinfo hints, *res = NULL, *ai;
    unsigned short port;
    char portstr[8], request[1024], buf[4096];
    int fd = -1, rc;
    ssize_t n;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s HOST PORT [PATH]\n", prog);
        return 2;
    }
    host = argv[1];
    path = argc == 4 ? argv[3] : "/";
    if (sample_parse_port(prog, argv[2], &port) < 0)
        return 2;
    if (port == 0) {
        fprintf(stderr, "%s: bad port 0: nothing can be connected to\n", prog);
        return 2;
    }
    if (path[0] != '/' || strpbrk(path, " \r\n") != NULL) {
        fprintf(stderr, "%s: PATH must start with '/' and hold no spaces\n",
                prog);
        return 2;
    }
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot resolve %s: %s\n", prog, host,
                gai_strerror(rc));
        return 1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot connect to %s port %u: %s\n", prog, host,
                (unsigned)port, strerror(errno));
        return 1;
    }
    n = snprintf(request, sizeof(request),
                 "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                 path, host);
    if (n < 0 || (size_t)n >= sizeof(request) ||
        write_all(fd, request, (size_t)n) < 0) {
        fprintf(stderr, "%s: cannot send the request\n", prog);
        close(fd);
        return 1;
    }
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: read: %s\n", prog, strerror(errno));
            close(fd);
            return 1;
        }
        fwrite(buf, 1, (size_t)n, stdout);
    }
    close(fd);
    return 0;
}
