/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * time-test: a timer, re-added by its own callback (or persistent with
 * -p), that reports how much time has passed each time it fires.
 *
 *   usage: time-test [-p] [-i MILLISECONDS] [-n COUNT]
 *          -p  a persistent event instead of re-adding it
 *          -i  the interval (default 1000)
 *          -n  how many times to fire before exiting (default 3)
 */
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct timeval start, interval;
static int persistent, remaining;

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct event *self = arg;
    struct timeval now, elapsed;

    (void)fd;
    (void)what;
    evutil_gettimeofday(&now, NULL);
    evutil_timersub(&now, &start, &elapsed);
    printf("time-test: timeout at %ld.%03ld seconds\n", (long)elapsed.tv_sec,
           (long)(elapsed.tv_usec / 1000));
    fflush(stdout);
    if (--remaining == 0) {
        event_del(self);
        return;
    }
    if (!persistent)
        event_add(self, &interval);
}

static int
parse_positive(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int
main(int argc, char **argv)
{
    struct event_base *base;
    struct event *ev;
    long ms = 1000, count = 3;
    int opt;

    while ((opt = getopt(argc, argv, "pi:n:")) != -1) {
        switch (opt) {
        case 'p':
            persistent = 1;
            break;
        case 'i':
            if (parse_positive(optarg, 3600000, &ms) < 0) {
                fprintf(stderr, "time-test: bad interval '%s'\n", optarg);
                return 2;
            }
            break;
        case 'n':
            if (parse_positive(optarg, 1000000, &count) < 0) {
                fprintf(stderr, "time-test: bad count '%s'\n", optarg);
                return 2;
            }
            break;
        default:
            fprintf(stderr,
                    "usage: time-test [-p] [-i MILLISECONDS] [-n COUNT]\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: time-test [-p] [-i MILLISECONDS] [-n COUNT]\n");
        return 2;
    }
    remaining = (int)count;
    interval.tv_sec = ms / 1000;
    interval.tv_usec = (ms % 1000) * 1000;
    base = event_base_new();
    if (base == NULL)
        return 1;
    ev = event_new(base, -1, persistent ? EV_PERSIST : 0, on_timeout,
                   event_self_cbarg());
    if (ev == NULL)
        return 1;
    evutil_gettimeofday(&start, NULL);
    event_add(ev, &interval);
    event_base_dispatch(base);
    event_free(ev);
    event_base_free(base);
    return 0;
}
