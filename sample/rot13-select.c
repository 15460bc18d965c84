/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rot13-select: the book's select() ROT13 server, no libevent: one
 * process, non-blocking sockets, and a loop over select().  Its cost grows
 * with the number of descriptors, which is what the book moves on from.
 *
 *   usage: rot13-select PORT      (0: any free port; printed at start)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

#include "sample-util.h"

#define BUFSZ 4096

struct conn {
    int open;
    char line[1024];
    size_t used;
    char out[BUFSZ];
    size_t out_len;
};

static struct conn conns[FD_SETSIZE];
static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void
close_conn(int fd)
{
    close(fd);
    conns[fd].open = 0;
}

/* Reads what the client sent; complete lines move ROT13'd to out. */
static void
do_read(int fd)
{
    struct conn *c = &conns[fd];
    char buf[1024];
    ssize_t n, i;

    n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        close_conn(fd);
        return;
    }
    for (i = 0; i < n; i++) {
        if (c->used < sizeof(c->line))
            c->line[c->used++] = sample_rot13_char(buf[i]);
        if (buf[i] == '\n' || c->used == sizeof(c->line)) {
            if (c->out_len + c->used > sizeof(c->out)) {
                close_conn(fd); /* the client does not read: drop it */
                return;
            }
            memcpy(c->out + c->out_len, c->line, c->used);
            c->out_len += c->used;
            c->used = 0;
        }
    }
}

static void
do_write(int fd)
{
    struct conn *c = &conns[fd];
    ssize_t n = write(fd, c->out, c->out_len);

    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            close_conn(fd);
        return;
    }
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
}

int
main(int argc, char **argv)
{
    const char *prog = "rot13-select";
    struct sigaction sa;
    unsigned short port;
    int listener, fd;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT   (0: any free port)\n", prog);
        return 2;
    }
    if (sample_parse_port(prog, argv[1], &port) < 0)
        return 2;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    listener = sample_listen(prog, SOCK_STREAM | SOCK_NONBLOCK, port);
    if (listener < 0)
        return 1;
    while (!stop) {
        fd_set rd, wr;
        struct timeval tick;
        int maxfd = listener;

        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_SET(listener, &rd);
        for (fd = 0; fd < FD_SETSIZE; fd++) {
            if (!conns[fd].open)
                continue;
            FD_SET(fd, &rd);
            if (conns[fd].out_len > 0)
                FD_SET(fd, &wr);
            if (fd > maxfd)
                maxfd = fd;
        }
        /* Wake now and then to see a stop request even where a signal
         * does not interrupt select() (as under some sanitizers). */
        tick.tv_sec = 0;
        tick.tv_usec = 200 * 1000;
        if (select(maxfd + 1, &rd, &wr, NULL, &tick) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: select: %s\n", prog, strerror(errno));
            break;
        }
        if (FD_ISSET(listener, &rd)) {
            int nfd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);

            if (nfd >= FD_SETSIZE) {
                close(nfd); /* select cannot watch it */
            } else if (nfd >= 0) {
                memset(&conns[nfd], 0, sizeof(conns[nfd]));
                conns[nfd].open = 1;
            }
        }
        for (fd = 0; fd <= maxfd; fd++) {
            if (fd == listener || !conns[fd].open)
                continue;
            if (FD_ISSET(fd, &rd))
                do_read(fd);
            if (conns[fd].open && FD_ISSET(fd, &wr))
                do_write(fd);
        }
    }
    for (fd = 0; fd < FD_SETSIZE; fd++) {
        if (conns[fd].open)
            close_conn(fd);
    }
    close(listener);
    printf("%s: stopped\n", prog);
    return 0;
}
