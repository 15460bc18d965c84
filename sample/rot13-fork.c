/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rot13-fork: the book's forking ROT13 server, no libevent: a process per
 * connection, each blocking on its one client.  Lines come back ROT13'd.
 *
 *   usage: rot13-fork PORT        (0: any free port; printed at start)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sample-util.h"

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void
serve_client(int fd)
{
    char line[1024];
    size_t used = 0;

    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);

        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        if (used < sizeof(line))
            line[used++] = sample_rot13_char(c);
        if (c == '\n' || used == sizeof(line)) {
            if (write(fd, line, used) < 0)
                break;
            used = 0;
        }
    }
    close(fd);
}

int
main(int argc, char **argv)
{
    const char *prog = "rot13-fork";
    struct sigaction sa;
    unsigned short port;
    int listener;

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
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = SA_NOCLDWAIT; /* children reap themselves */
    sigaction(SIGCHLD, &sa, NULL);
    listener = sample_listen(prog, SOCK_STREAM, port);
    if (listener < 0)
        return 1;
    while (!stop) {
        int fd = accept(listener, NULL, NULL);
        pid_t pid;

        if (fd < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: accept: %s\n", prog, strerror(errno));
            break;
        }
        pid = fork();
        if (pid == 0) {
            close(listener);
            serve_client(fd);
            _exit(0);
        }
        if (pid < 0)
            fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
        close(fd);
    }
    close(listener);
    printf("%s: stopped\n", prog);
    return 0;
}
