/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pipe_chain_epoll: the floor for pipe_chain.c.  The same workload
 * (chain-common.h), options and report line, written directly on epoll
 * with the least bookkeeping that keeps the same meaning:
 *
 * - Adding and deleting an event only changes what the program wants and
 *   puts the descriptor on a change list; the kernel is told before the
 *   next epoll_wait, and only when the wish differs from what epoll
 *   already has, so a delete and re-add between two waits costs no system
 *   call (-d).
 * - With -t every descriptor has a deadline in a binary min-heap keyed on
 *   the coarse monotonic clock; a one-shot event leaves the heap when it
 *   runs and its callback puts it back with a new deadline.  The clock is
 *   read before a wait (for its timeout) and after it (for the callbacks).
 *   Without -t the clock is never read.
 *
 *   usage: pipe_chain_epoll [-n PAIRS] [-a ACTIVE] [-w WRITES] [-r ROUNDS]
 *                           [-d] [-t] [-p]
 */
#include "chain-common.h"

#include <stdint.h>
#include <sys/epoll.h>

/* The most events one epoll_wait returns. */
#define MAX_EVENTS 4096

struct fd_state {
    int64_t deadline;        /* with -t, when the timeout would run */
    int heap_index;          /* place in the heap, or -1 */
    unsigned char want;      /* the program wants read events */
    unsigned char in_kernel; /* epoll has the descriptor */
    unsigned char changed;   /* on the change list */
};

static struct {
    struct chain_opts o;
    int ep;
    int *rfd;
    int *wfd;
    struct fd_state *st;
    int *changes; /* descriptors whose wish may differ from epoll's */
    int nchanges;
    int *heap; /* pair indexes, earliest deadline first */
    int nheap;
    struct epoll_event *events;
    int max_events;
    int64_t now;     /* cached coarse clock, for deadlines */
    int64_t timeout; /* the -t timeout, in nanoseconds */
    struct chain_round r;
} g;

static void
heap_place(int pos, int i)
{
    g.heap[pos] = i;
    g.st[i].heap_index = pos;
}

static void
heap_sift_up(int pos, int i)
{
    int64_t d = g.st[i].deadline;

    while (pos > 0) {
        int parent = (pos - 1) / 2;

        if (g.st[g.heap[parent]].deadline <= d)
            break;
        heap_place(pos, g.heap[parent]);
        pos = parent;
    }
    heap_place(pos, i);
}

static void
heap_sift_down(int pos, int i)
{
    int64_t d = g.st[i].deadline;

    for (;;) {
        int child = 2 * pos + 1;

        if (child >= g.nheap)
            break;
        if (child + 1 < g.nheap &&
            g.st[g.heap[child + 1]].deadline < g.st[g.heap[child]].deadline)
            child++;
        if (d <= g.st[g.heap[child]].deadline)
            break;
        heap_place(pos, g.heap[child]);
        pos = child;
    }
    heap_place(pos, i);
}

static void
heap_remove(int i)
{
    int pos = g.st[i].heap_index;
    int last = g.heap[--g.nheap];

    g.st[i].heap_index = -1;
    if (last == i)
        return;
    if (pos > 0 && g.st[last].deadline < g.st[g.heap[(pos - 1) / 2]].deadline)
        heap_sift_up(pos, last);
    else
        heap_sift_down(pos, last);
}

static void
mark_changed(int i)
{
    if (!g.st[i].changed) {
        g.st[i].changed = 1;
        g.changes[g.nchanges++] = i;
    }
}

/* The equivalent of event_add: wants reads, and with -t a new deadline. */
static void
fd_add(int i)
{
    struct fd_state *s = &g.st[i];

    if (!s->want) {
        s->want = 1;
        mark_changed(i);
    }
    if (g.o.timeouts) {
        int64_t old = s->deadline;

        s->deadline = g.now + g.timeout;
        if (s->heap_index < 0)
            heap_sift_up(g.nheap++, i);
        else if (s->deadline < old)
            heap_sift_up(s->heap_index, i);
        else
            heap_sift_down(s->heap_index, i);
    }
}

/* The equivalent of event_del. */
static void
fd_del(int i)
{
    struct fd_state *s = &g.st[i];

    if (s->want) {
        s->want = 0;
        mark_changed(i);
    }
    if (s->heap_index >= 0)
        heap_remove(i);
}

/* Tells epoll what changed since the last wait, if anything really did. */
static void
flush_changes(void)
{
    int k;

    for (k = 0; k < g.nchanges; k++) {
        int i = g.changes[k];
        struct fd_state *s = &g.st[i];

        s->changed = 0;
        if (s->want == s->in_kernel)
            continue;
        if (s->want) {
            struct epoll_event ev;

            memset(&ev, 0, sizeof(ev));
            ev.events = EPOLLIN;
            ev.data.u32 = (uint32_t)i;
            if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.rfd[i], &ev) != 0)
                g.r.failures++;
        } else if (epoll_ctl(g.ep, EPOLL_CTL_DEL, g.rfd[i], NULL) != 0) {
            g.r.failures++;
        }
        s->in_kernel = s->want;
    }
    g.nchanges = 0;
}

static void
read_cb(int i)
{
    chain_relay(&g.o, g.rfd[i], g.wfd, i, &g.r);
    if (g.o.timeouts)
        fd_add(i);
}

/* One loop iteration: the equivalent of event_base_loop(EVLOOP_ONCE). */
static void
dispatch_once(void)
{
    int timeout_ms = -1;
    int n;
    int k;

    flush_changes();
    if (g.nheap > 0) {
        int64_t left = g.st[g.heap[0]].deadline - bench_coarse_ns();

        timeout_ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
    }
    n = epoll_wait(g.ep, g.events, g.max_events, timeout_ms);
    if (n < 0) {
        if (errno != EINTR)
            g.r.failures++;
        return;
    }
    if (g.o.timeouts)
        g.now = bench_coarse_ns();
    for (k = 0; k < n; k++) {
        int i = (int)g.events[k].data.u32;

        if (!g.st[i].want)
            continue;
        if (g.o.timeouts)
            fd_del(i); /* One-shot: its callback adds it again. */
        read_cb(i);
    }
    while (g.nheap > 0 && g.st[g.heap[0]].deadline <= g.now) {
        /* A timeout ran: never expected, it is far beyond any round. */
        fd_del(g.heap[0]);
        g.r.failures++;
    }
}

/* One round: its cost is what the benchmark measures. */
static BENCH_MEASURED void
run_round(void)
{
    int i;

    if (g.o.del_readd) {
        if (g.o.timeouts)
            g.now = bench_coarse_ns();
        for (i = 0; i < g.o.n; i++) {
            fd_del(i);
            fd_add(i);
        }
    }
    chain_start(&g.o, g.wfd, &g.r);
    while (chain_running(&g.o, &g.r) && g.r.failures == 0)
        dispatch_once();
}

int
main(int argc, char **argv)
{
    int ret = 1;
    int opened = 0;
    int i;

    chain_parse(argc, argv, &g.o);
    if (g.o.idle > 0) {
        fprintf(stderr, "-T: the floor has no timers\n");
        return 2;
    }
    g.ep = -1;
    g.timeout = (int64_t)CHAIN_TIMEOUT_SECONDS * 1000000000;
    g.rfd = bench_calloc((size_t)g.o.n, sizeof(*g.rfd));
    g.wfd = bench_calloc((size_t)g.o.n, sizeof(*g.wfd));
    g.st = bench_calloc((size_t)g.o.n, sizeof(*g.st));
    g.changes = bench_calloc((size_t)g.o.n, sizeof(*g.changes));
    g.heap = bench_calloc((size_t)g.o.n, sizeof(*g.heap));
    g.max_events = g.o.n < MAX_EVENTS ? g.o.n : MAX_EVENTS;
    g.events = bench_calloc((size_t)g.max_events, sizeof(*g.events));
    if (chain_open(&g.o, g.rfd, g.wfd) != 0)
        goto done;
    opened = 1;
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (g.ep < 0) {
        perror("epoll_create1");
        goto done;
    }
    if (g.o.timeouts)
        g.now = bench_coarse_ns();
    for (i = 0; i < g.o.n; i++)
        g.st[i].heap_index = -1;
    for (i = 0; i < g.o.n; i++)
        fd_add(i);

    if (chain_measure(&g.o, run_round, &g.r) == 0)
        ret = 0;

done:
    if (g.ep >= 0)
        close(g.ep);
    if (opened)
        chain_close(&g.o, g.rfd, g.wfd);
    free(g.events);
    free(g.heap);
    free(g.changes);
    free(g.st);
    free(g.rfd);
    free(g.wfd);
    return ret;
}
