/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers_floor: the floor for timers.c.  The same timer work, options and
 * report lines (timers-common.h), written here without libevent:
 *
 * - Timers live in a plain binary min-heap of pointers, each timer knowing
 *   its place, so a delete or a reschedule is O(log n) in place.
 * - A common timeout is a FIFO list of timers sharing one duration, whose
 *   deadlines therefore arrive in order: adding and deleting are O(1), and
 *   only the list's own timer, due when its first member is, sits in the
 *   heap.
 * - Deadlines are nanoseconds on the coarse monotonic clock, read once
 *   before each batch of work (the equivalent of the loop's time cache).
 * - Firing is one pass of a loop: a non-blocking epoll_wait on an empty
 *   set (what any event loop pays once per pass), a clock read, then every
 *   due timer leaves the heap and its callback runs.
 *
 *   usage: timers_floor [-n TIMERS] [-r REPS] [-m random|uniform|common]
 */
#include "timers-common.h"

#include <sys/epoll.h>

enum {
    NOT_PENDING,
    IN_HEAP,
    IN_LIST
};

struct ftimer {
    int64_t deadline;
    int heap_index;
    int pending;
    struct ftimer *prev; /* in a common-timeout list */
    struct ftimer *next;
    void (*cb)(struct ftimer *, void *);
    void *arg;
};

/* A common timeout: its members in deadline order, and its own timer. */
struct flist {
    int64_t duration;
    struct ftimer head; /* sentinel of the circular list */
    struct ftimer timer;
};

static struct {
    const struct timer_plan *plan;
    struct ftimer *t;
    struct ftimer **heap;
    int nheap;
    int64_t now;
    int ep;
    struct flist common_long;
    struct flist common_short;
    long fired;
    long failures;
} g;

static int64_t
tv_ns(const struct timeval *tv)
{
    return (int64_t)tv->tv_sec * 1000000000 + (int64_t)tv->tv_usec * 1000;
}

static void
heap_place(int pos, struct ftimer *t)
{
    g.heap[pos] = t;
    t->heap_index = pos;
}

static void
heap_sift_up(int pos, struct ftimer *t)
{
    while (pos > 0) {
        int parent = (pos - 1) / 2;

        if (g.heap[parent]->deadline <= t->deadline)
            break;
        heap_place(pos, g.heap[parent]);
        pos = parent;
    }
    heap_place(pos, t);
}

static void
heap_sift_down(int pos, struct ftimer *t)
{
    for (;;) {
        int child = 2 * pos + 1;

        if (child >= g.nheap)
            break;
        if (child + 1 < g.nheap &&
            g.heap[child + 1]->deadline < g.heap[child]->deadline)
            child++;
        if (t->deadline <= g.heap[child]->deadline)
            break;
        heap_place(pos, g.heap[child]);
        pos = child;
    }
    heap_place(pos, t);
}

static void
heap_push(struct ftimer *t)
{
    heap_sift_up(g.nheap++, t);
}

static void
heap_remove(struct ftimer *t)
{
    int pos = t->heap_index;
    struct ftimer *last = g.heap[--g.nheap];

    t->heap_index = -1;
    if (last == t)
        return;
    if (pos > 0 && last->deadline < g.heap[(pos - 1) / 2]->deadline)
        heap_sift_up(pos, last);
    else
        heap_sift_down(pos, last);
}

static void
list_unlink(struct ftimer *t)
{
    t->prev->next = t->next;
    t->next->prev = t->prev;
}

/* The equivalent of event_del. */
static void
timer_del(struct ftimer *t)
{
    if (t->pending == IN_HEAP)
        heap_remove(t);
    else if (t->pending == IN_LIST)
        list_unlink(t);
    t->pending = NOT_PENDING;
}

/* The equivalent of event_add with a timeout: schedules or reschedules. */
static void
timer_add(struct ftimer *t, const struct timeval *tv)
{
    int64_t old = t->deadline;

    if (t->pending == IN_LIST)
        timer_del(t);
    t->deadline = g.now + tv_ns(tv);
    if (t->pending == IN_HEAP) {
        if (t->deadline < old)
            heap_sift_up(t->heap_index, t);
        else
            heap_sift_down(t->heap_index, t);
    } else {
        heap_push(t);
        t->pending = IN_HEAP;
    }
}

/* The equivalent of event_add with a common timeout. */
static void
timer_add_common(struct ftimer *t, struct flist *l)
{
    timer_del(t);
    t->deadline = g.now + l->duration;
    t->prev = l->head.prev;
    t->next = &l->head;
    l->head.prev->next = t;
    l->head.prev = t;
    t->pending = IN_LIST;
    if (l->timer.pending == NOT_PENDING) {
        l->timer.deadline = t->deadline;
        heap_push(&l->timer);
        l->timer.pending = IN_HEAP;
    }
}

/* A common timeout's own timer: runs its due members, then waits again. */
static void
list_cb(struct ftimer *self, void *arg)
{
    struct flist *l = arg;

    (void)self;
    while (l->head.next != &l->head && l->head.next->deadline <= g.now) {
        struct ftimer *t = l->head.next;

        list_unlink(t);
        t->pending = NOT_PENDING;
        t->cb(t, t->arg);
    }
    if (l->head.next != &l->head) {
        l->timer.deadline = l->head.next->deadline;
        heap_push(&l->timer);
        l->timer.pending = IN_HEAP;
    }
}

static void
timer_cb(struct ftimer *t, void *arg)
{
    (void)t;
    (void)arg;
    g.fired++;
}

static void
flist_init(struct flist *l, long duration_us)
{
    struct timeval tv;

    timer_set_us(&tv, duration_us);
    l->duration = tv_ns(&tv);
    l->head.prev = &l->head;
    l->head.next = &l->head;
    l->timer.heap_index = -1;
    l->timer.pending = NOT_PENDING;
    l->timer.cb = list_cb;
    l->timer.arg = l;
}

static BENCH_MEASURED void
phase_add(void)
{
    const struct timer_plan *p = g.plan;
    int i;

    if (p->mode == TIMER_COMMON) {
        for (i = 0; i < p->k; i++)
            timer_add_common(&g.t[i], &g.common_long);
    } else {
        for (i = 0; i < p->k; i++)
            timer_add(&g.t[i], &p->add[i]);
    }
}

static BENCH_MEASURED void
phase_readd(void)
{
    const struct timer_plan *p = g.plan;
    int i;

    if (p->mode == TIMER_COMMON) {
        for (i = 0; i < p->k; i++)
            timer_add_common(&g.t[i], &g.common_long);
    } else {
        for (i = 0; i < p->k; i++)
            timer_add(&g.t[i], &p->readd[i]);
    }
}

static BENCH_MEASURED void
phase_del(void)
{
    int i;

    for (i = 0; i < g.plan->k; i++)
        timer_del(&g.t[i]);
}

/* Adds the timers that will fire (not measured). */
static void
arm(void)
{
    const struct timer_plan *p = g.plan;
    int i;

    for (i = 0; i < p->k; i++) {
        if (p->mode == TIMER_COMMON)
            timer_add_common(&g.t[i], &g.common_short);
        else
            timer_add(&g.t[i], &p->fire[i]);
    }
}

/* Passes of the loop until every expired timer has run. */
static BENCH_MEASURED void
phase_fire(void)
{
    int passes = 0;

    while (g.fired < g.plan->k) {
        struct epoll_event ev;

        if (epoll_wait(g.ep, &ev, 1, 0) < 0) {
            g.failures++;
            break;
        }
        g.now = bench_coarse_ns();
        while (g.nheap > 0 && g.heap[0]->deadline <= g.now) {
            struct ftimer *t = g.heap[0];

            heap_remove(t);
            t->pending = NOT_PENDING;
            t->cb(t, t->arg);
        }
        passes++;
    }
    if (passes > 2)
        fprintf(stderr, "note: the timers needed %d passes of the loop\n",
                passes);
}

/* Times one batch of work, with the clock read just before it. */
static int64_t
timed(void (*phase)(void))
{
    int64_t t0;

    g.now = bench_coarse_ns();
    t0 = bench_now_ns();
    phase();
    return bench_now_ns() - t0;
}

/* timer_measure's jobs. */
static int64_t
run_job(void *ctx, int job)
{
    (void)ctx;
    switch (job) {
    case TIMER_ADD:
        return timed(phase_add);
    case TIMER_READD:
        return timed(phase_readd);
    case TIMER_DEL:
        return timed(phase_del);
    default:
        g.fired = 0;
        return timed(arm);
    }
}

static void
fire_job(void *ctx)
{
    (void)ctx;
    phase_fire();
}

/* One size, one kind of timeout: all four operations, reps times. */
static int
run_plan(const struct timer_plan *p, int reps)
{
    struct timer_driver d = {run_job, fire_job, NULL, &g.failures};
    int ret = -1;
    int i;

    g.plan = p;
    g.t = bench_calloc((size_t)p->k, sizeof(*g.t));
    /* Room for every timer and the two lists' own timers. */
    g.heap = bench_calloc((size_t)p->k + 2, sizeof(*g.heap));
    g.nheap = 0;
    for (i = 0; i < p->k; i++) {
        g.t[i].heap_index = -1;
        g.t[i].pending = NOT_PENDING;
        g.t[i].cb = timer_cb;
    }
    flist_init(&g.common_long, TIMER_LONG_US);
    flist_init(&g.common_short, TIMER_SHORT_US);

    if (timer_measure(p, reps, &d) != 0)
        goto done;
    ret = 0;

done:
    free(g.heap);
    free(g.t);
    return ret;
}

int
main(int argc, char **argv)
{
    struct timer_opts o;

    timer_parse(argc, argv, &o);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (g.ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    if (timer_run_all(&o, run_plan, 1) != 0) {
        close(g.ep);
        return 1;
    }
    close(g.ep);
    return 0;
}
