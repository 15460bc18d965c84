/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event-read-fifo: makes a FIFO and prints what writers send into it,
 * through a read event, until the last writer closes it (or SIGINT).
 *
 *   usage: event-read-fifo [PATH]     (default: ./event.fifo)
 */
#include <event2/event.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
on_fifo(evutil_socket_t fd, short what, void *arg)
{
    struct event *self = arg;
    char buf[256];
    ssize_t n;

    (void)what;
    n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        printf("event-read-fifo: %s\n",
               n == 0 ? "the writer closed the FIFO" : strerror(errno));
        event_del(self);
        return;
    }
    buf[n] = '\0';
    printf("event-read-fifo: read %zd bytes: %s", n, buf);
    if (buf[n - 1] != '\n')
        putchar('\n');
    fflush(stdout);
}

static int stop;

static void
on_sigint(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    stop = 1;
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "event.fifo";
    struct event_base *base;
    struct event *ev, *sig;
    struct stat st;
    int fd;

    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: event-read-fifo [PATH]\n");
        return 2;
    }
    if (lstat(path, &st) == 0 && !S_ISFIFO(st.st_mode)) {
        fprintf(stderr, "event-read-fifo: %s exists and is not a FIFO\n", path);
        return 1;
    }
    if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
        fprintf(stderr, "event-read-fifo: mkfifo %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    /* Non-blocking, so opening does not wait for a writer. */
    fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "event-read-fifo: open %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    base = event_base_new();
    if (base == NULL)
        return 1;
    ev = event_new(base, fd, EV_READ | EV_PERSIST, on_fifo, event_self_cbarg());
    sig = evsignal_new(base, SIGINT, on_sigint, base);
    event_add(ev, NULL);
    event_add(sig, NULL);
    printf("event-read-fifo: reading %s\n", path);
    fflush(stdout);
    /* Ends when the FIFO event is deleted (the signal event alone keeps
     * the loop waiting, so drop it then) or on SIGINT. */
    while (!stop && event_pending(ev, EV_READ, NULL) &&
           event_base_loop(base, EVLOOP_ONCE) == 0)
        ;
    event_free(ev);
    event_free(sig);
    event_base_free(base);
    close(fd);
    unlink(path);
    return 0;
}
