/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * cross_thread.c: cross-thread wake-ups.  Two threads each run a base; an
 * event on each base, when it runs, activates the event on the other base
 * with event_active().  Every hop therefore wakes a loop asleep in the
 * backend from another thread (the notification path of event2/thread.h).
 * Reports wake-ups per second, the median of ROUNDS rounds of HOPS hops.
 *
 *   usage: cross_thread [-n HOPS] [-r ROUNDS]
 * Output: cross_thread hops=N wakeups_per_sec=X
 */
#include <event2/event.h>
#include <event2/thread.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench-common.h"

struct side {
    struct event_base *base;
    struct event *ev;
    struct side *other;
    pthread_t tid;
};

static long hops_left;
static long hops_total;

static void
hop_cb(evutil_socket_t fd, short what, void *arg)
{
    struct side *me = arg;
    long left;

    (void)fd;
    (void)what;
    left = __atomic_sub_fetch(&hops_left, 1, __ATOMIC_ACQ_REL);
    if (left <= 0) {
        event_base_loopbreak(me->base);
        event_base_loopbreak(me->other->base);
        return;
    }
    event_active(me->other->ev, EV_READ, 1);
}

static void *
side_main(void *arg)
{
    struct side *s = arg;

    event_base_loop(s->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static double
one_round(struct side *a, struct side *b, long hops)
{
    int64_t start, end;

    __atomic_store_n(&hops_left, hops, __ATOMIC_RELEASE);
    if (pthread_create(&a->tid, NULL, side_main, a) != 0 ||
        pthread_create(&b->tid, NULL, side_main, b) != 0) {
        fprintf(stderr, "cross_thread: pthread_create failed\n");
        exit(1);
    }
    /* Let both loops reach the backend before the first hop. */
    usleep(20 * 1000);
    start = bench_now_ns();
    event_active(a->ev, EV_READ, 1);
    pthread_join(a->tid, NULL);
    pthread_join(b->tid, NULL);
    end = bench_now_ns();
    return (double)hops / ((double)(end - start) / 1e9);
}

int
main(int argc, char **argv)
{
    long hops = 100000, rounds = 5, r;
    struct side a, b;
    double *results;
    int opt;

    while ((opt = getopt(argc, argv, "n:r:")) != -1) {
        switch (opt) {
        case 'n':
            hops = bench_parse_long(optarg, "-n", 2, 100000000);
            break;
        case 'r':
            rounds = bench_parse_long(optarg, "-r", 1, 1000);
            break;
        default:
            fprintf(stderr, "usage: cross_thread [-n HOPS] [-r ROUNDS]\n");
            return 2;
        }
    }
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "cross_thread: evthread_use_pthreads failed\n");
        return 1;
    }
    a.base = event_base_new();
    b.base = event_base_new();
    if (a.base == NULL || b.base == NULL)
        return 1;
    a.other = &b;
    b.other = &a;
    a.ev = event_new(a.base, -1, EV_PERSIST, hop_cb, &a);
    b.ev = event_new(b.base, -1, EV_PERSIST, hop_cb, &b);
    if (a.ev == NULL || b.ev == NULL)
        return 1;
    results = bench_calloc((size_t)rounds, sizeof(*results));
    for (r = 0; r < rounds; r++)
        results[r] = one_round(&a, &b, hops);
    hops_total = hops;
    printf("cross_thread hops=%ld wakeups_per_sec=%.0f\n", hops_total,
           bench_median(results, (size_t)rounds));
    free(results);
    event_free(a.ev);
    event_free(b.ev);
    event_base_free(a.base);
    event_base_free(b.base);
    return 0;
}
