/*
 * Vigil: a test helper, a minimal TCP client for the sample smoke tests.
 * It connects to 127.0.0.1:PORT, sends its standard input, then shuts
 * down its sending side and copies everything the server sends to
 * standard output until the server closes.  Sending and receiving
 * overlap, so that a server that answers while it is still being sent to
 * cannot deadlock it.  Gives up after 10 seconds.
 *
 *   usage: tcp-talk PORT < request > answer
 *   exit status: 0 when the server closed, 1 on any error or time-out
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct sockaddr_in sin;
    char inbuf[16384], netbuf[16384];
    size_t in_len = 0, in_off = 0;
    int in_open = 1, fd, status = 1;
    long port;
    char *end;

    if (argc != 2) {
        fprintf(stderr, "usage: tcp-talk PORT < request > answer\n");
        return 2;
    }
    port = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "tcp-talk: bad port '%s'\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    alarm(10); /* the default action ends the process: a time-out */

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("tcp-talk: socket");
        return 1;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((unsigned short)port);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        perror("tcp-talk: connect");
        goto done;
    }
    for (;;) {
        struct pollfd pfd[2];
        int n = 0, net;

        if (in_open && in_off == in_len) {
            pfd[n].fd = 0;
            pfd[n].events = POLLIN;
            n++;
        }
        net = n;
        pfd[n].fd = fd;
        pfd[n].events = POLLIN | (in_off < in_len ? POLLOUT : 0);
        n++;
        if (poll(pfd, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("tcp-talk: poll");
            goto done;
        }
        if (net == 1 && pfd[0].revents != 0) {
            ssize_t r = read(0, inbuf, sizeof(inbuf));

            if (r < 0 && errno != EINTR) {
                perror("tcp-talk: read stdin");
                goto done;
            }
            if (r == 0) {
                in_open = 0;
                shutdown(fd, SHUT_WR);
            } else if (r > 0) {
                in_len = (size_t)r;
                in_off = 0;
            }
        }
        if (pfd[net].revents & POLLOUT) {
            ssize_t w = write(fd, inbuf + in_off, in_len - in_off);

            if (w < 0 && errno != EINTR && errno != EAGAIN) {
                perror("tcp-talk: send");
                goto done;
            }
            if (w > 0)
                in_off += (size_t)w;
            if (in_off == in_len)
                in_off = in_len = 0;
        }
        if (pfd[net].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(fd, netbuf, sizeof(netbuf));

            if (r < 0) {
                if (errno == EINTR || errno == EAGAIN)
                    continue;
                perror("tcp-talk: receive");
                goto done;
            }
            if (r == 0)
                break;
            if (write_all(1, netbuf, (size_t)r) < 0) {
                perror("tcp-talk: write stdout");
                goto done;
            }
        }
    }
    status = 0;

done:
    close(fd);
    return status;
}
