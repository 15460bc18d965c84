/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * threads.c: a base made after evthread_use_pthreads() is safe to use
 * from any thread: changes made elsewhere take effect at once and wake a
 * sleeping loop, event_del waits for a running callback, and each thread
 * may have a base of its own.  Each test runs in its own process (Check
 * forks), so each may install its own lock callbacks.
 */
#include <event2/event.h>
#include <event2/thread.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A persistent timer far in the future keeps a loop running. */
static void
never_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

static struct event *
add_keepalive(struct event_base *base)
{
    struct timeval tv = {3600, 0};
    struct event *ev = event_new(base, -1, EV_PERSIST, never_cb, NULL);

    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, &tv), 0);
    return ev;
}

struct loop_thread {
    pthread_t tid;
    struct event_base *base;
    int result;
};

static void *
loop_main(void *arg)
{
    struct loop_thread *lt = arg;

    lt->result = event_base_dispatch(lt->base);
    return NULL;
}

static void
start_loop(struct loop_thread *lt, struct event_base *base)
{
    lt->base = base;
    lt->result = -2;
    ck_assert_int_eq(pthread_create(&lt->tid, NULL, loop_main, lt), 0);
}

/* Waits until *flag is set, polling briefly; fails after 5 s. */
static void
wait_for(volatile int *flag)
{
    double deadline = now_seconds() + 5.0;

    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
        ck_assert_double_lt(now_seconds(), deadline);
        usleep(1000);
    }
}

static volatile int loop_running;

static void
mark_running_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    __atomic_store_n(&loop_running, 1, __ATOMIC_RELEASE);
}

/* Waits until the loop thread has entered its loop and run a callback.
 * event_base_loop clears a pending break when it starts, so a loopbreak
 * sent before the thread got that far (a loaded machine can delay it any
 * time) would be lost and the loop would run on. */
static void
wait_until_running(struct event_base *base)
{
    struct timeval zero = {0, 0};

    loop_running = 0;
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, mark_running_cb, NULL, &zero), 0);
    wait_for(&loop_running);
}

/* ------------------------------------------------------------------ */

START_TEST(loopbreak_from_another_thread)
{
    struct event_base *base;
    struct event *keep;
    struct loop_thread lt;
    double start;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    start = now_seconds();
    start_loop(&lt, base);
    wait_until_running(base);
    /* Give it time to go to sleep on its one-hour timer: the break must
     * wake it. */
    usleep(50 * 1000);
    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    ck_assert_int_eq(lt.result, 0);
    ck_assert_int_eq(event_base_got_break(base), 1);
    ck_assert_double_lt(now_seconds() - start, 5.0);
    event_free(keep);
    event_base_free(base);
}
END_TEST

START_TEST(loopexit_from_another_thread)
{
    struct event_base *base;
    struct event *keep;
    struct loop_thread lt;
    struct timeval delay = {0, 20 * 1000};
    double start;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    start = now_seconds();
    start_loop(&lt, base);
    usleep(50 * 1000);
    ck_assert_int_eq(event_base_loopexit(base, &delay), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    ck_assert_int_eq(lt.result, 0);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    ck_assert_double_lt(now_seconds() - start, 5.0);

    /* And without a delay. */
    start_loop(&lt, base);
    usleep(20 * 1000);
    ck_assert_int_eq(event_base_loopexit(base, NULL), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    event_free(keep);
    event_base_free(base);
}
END_TEST

static volatile int woke;

static void
set_woke_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)arg;
    __atomic_store_n(&woke, what, __ATOMIC_RELEASE);
}

START_TEST(add_and_active_wake_a_sleeping_loop)
{
    struct event_base *base;
    struct event *keep, *timer, *user;
    struct loop_thread lt;
    struct timeval zero = {0, 0};

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    timer = evtimer_new(base, set_woke_cb, NULL);
    user = event_new(base, -1, 0, set_woke_cb, NULL);
    ck_assert_ptr_nonnull(timer);
    ck_assert_ptr_nonnull(user);
    start_loop(&lt, base);

    /* The loop sleeps on a one-hour timer: a new earlier timer added from
     * here must wake it. */
    usleep(30 * 1000);
    woke = 0;
    ck_assert_int_eq(event_add(timer, &zero), 0);
    wait_for(&woke);
    ck_assert_int_eq(woke, EV_TIMEOUT);

    /* So must event_active. */
    usleep(30 * 1000);
    woke = 0;
    event_active(user, EV_WRITE, 1);
    wait_for(&woke);
    ck_assert_int_eq(woke, EV_WRITE);

    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    event_free(timer);
    event_free(user);
    event_free(keep);
    event_base_free(base);
}
END_TEST

static volatile int io_seen;

static void
read_byte_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;

    (void)what;
    (void)arg;
    if (read(fd, &c, 1) == 1)
        __atomic_store_n(&io_seen, 1, __ATOMIC_RELEASE);
}

START_TEST(io_event_added_from_another_thread)
{
    struct event_base *base;
    struct event *keep, *rd;
    struct loop_thread lt;
    int sv[2];

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    rd = event_new(base, sv[0], EV_READ | EV_PERSIST, read_byte_cb, NULL);
    ck_assert_ptr_nonnull(rd);
    start_loop(&lt, base);
    usleep(30 * 1000);
    /* Every backend, poll and select included, must start watching an fd
     * added while the loop sleeps. */
    ck_assert_int_eq(event_add(rd, NULL), 0);
    usleep(10 * 1000);
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    wait_for(&io_seen);
    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    event_free(rd);
    event_free(keep);
    event_base_free(base);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* Several threads add, delete and activate events of one base while it
 * dispatches. */
#define NEVENTS 32
#define NTHREADS 4
#define NOPS 3000

struct hammer {
    struct event_base *base;
    struct event *evs[NEVENTS];
    int calls[NEVENTS];
    int id;
};

static void
count_cb(evutil_socket_t fd, short what, void *arg)
{
    int *counter = arg;

    (void)fd;
    (void)what;
    __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

struct hammer_arg {
    struct hammer *h;
    int id;
};

static void *
hammer_main(void *arg)
{
    struct hammer_arg *ha = arg;
    struct hammer *h = ha->h;
    unsigned seed = (unsigned)ha->id * 2654435761u;
    int i;

    for (i = 0; i < NOPS; i++) {
        struct event *ev;
        struct timeval tv = {0, 0};

        seed = seed * 1103515245u + 12345u;
        ev = h->evs[(seed >> 8) % NEVENTS];
        switch ((seed >> 4) % 4) {
        case 0:
            event_active(ev, EV_READ, 1);
            break;
        case 1:
            tv.tv_usec = (suseconds_t)((seed >> 12) % 2000);
            event_add(ev, &tv);
            break;
        case 2:
            event_del(ev);
            break;
        default:
            (void)event_pending(ev, EV_TIMEOUT | EV_READ, NULL);
            break;
        }
    }
    return NULL;
}

START_TEST(threads_hammer_one_base)
{
    static struct hammer h;
    struct hammer_arg args[NTHREADS];
    pthread_t tids[NTHREADS];
    struct event *keep;
    struct loop_thread lt;
    int before[NEVENTS];
    int i, total = 0;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    h.base = event_base_new();
    ck_assert_ptr_nonnull(h.base);
    keep = add_keepalive(h.base);
    for (i = 0; i < NEVENTS; i++) {
        h.evs[i] = event_new(h.base, -1, EV_PERSIST, count_cb, &h.calls[i]);
        ck_assert_ptr_nonnull(h.evs[i]);
    }
    start_loop(&lt, h.base);
    for (i = 0; i < NTHREADS; i++) {
        args[i].h = &h;
        args[i].id = i + 1;
        ck_assert_int_eq(pthread_create(&tids[i], NULL, hammer_main, &args[i]),
                         0);
    }
    for (i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
    /* Everything the threads left pending still runs, and so does one
     * more activation of each event: wait until every callback has run
     * since (a fixed sleep here lost the race on a loaded machine, the
     * break coming before the loop thread got to the callbacks). */
    for (i = 0; i < NEVENTS; i++) {
        before[i] = __atomic_load_n(&h.calls[i], __ATOMIC_RELAXED);
        event_active(h.evs[i], EV_WRITE, 1);
    }
    for (i = 0; i < NEVENTS; i++) {
        double deadline = now_seconds() + 5.0;

        while (__atomic_load_n(&h.calls[i], __ATOMIC_RELAXED) == before[i]) {
            ck_assert_double_lt(now_seconds(), deadline);
            usleep(1000);
        }
    }
    ck_assert_int_eq(event_base_loopbreak(h.base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    for (i = 0; i < NEVENTS; i++) {
        total += h.calls[i];
        ck_assert_int_ge(h.calls[i], 1);
        event_free(h.evs[i]);
    }
    ck_assert_int_ge(total, NEVENTS);
    event_free(keep);
    event_base_free(h.base);
}
END_TEST

/* event_del from another thread while the event's callback runs waits
 * for the callback to return. */
static volatile int slow_started, slow_finished;

static void
slow_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    __atomic_store_n(&slow_started, 1, __ATOMIC_RELEASE);
    usleep(150 * 1000);
    __atomic_store_n(&slow_finished, 1, __ATOMIC_RELEASE);
}

START_TEST(event_del_waits_for_running_callback)
{
    struct event_base *base;
    struct event *keep, *slow;
    struct loop_thread lt;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    slow = event_new(base, -1, EV_PERSIST, slow_cb, NULL);
    ck_assert_ptr_nonnull(slow);
    start_loop(&lt, base);
    event_active(slow, EV_READ, 1);
    wait_for(&slow_started);
    ck_assert_int_eq(event_del(slow), 0);
    /* event_del returned only after the callback did. */
    ck_assert_int_eq(__atomic_load_n(&slow_finished, __ATOMIC_ACQUIRE), 1);
    event_free(slow);
    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    event_free(keep);
    event_base_free(base);
}
END_TEST

/* Issue 13: event_del from another thread while a persistent event's
 * callback runs (threads on, no EV_FINALIZE) waits for that callback, and
 * the event never runs again once event_del has returned: not even the
 * one more run that a ready fd or a due timer would otherwise give it. */
struct busy_event {
    volatile int calls, started, deleted, runs_after_del, inside;
};

static void
busy_cb(evutil_socket_t fd, short what, void *arg)
{
    struct busy_event *b = arg;

    (void)fd;
    (void)what;
    if (__atomic_load_n(&b->deleted, __ATOMIC_ACQUIRE))
        __atomic_add_fetch(&b->runs_after_del, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&b->inside, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&b->calls, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&b->started, 1, __ATOMIC_RELEASE);
    /* Long enough for the deleting thread to catch it running. */
    usleep(5 * 1000);
    __atomic_store_n(&b->inside, 0, __ATOMIC_RELEASE);
}

static void
check_del_stops_persistent(struct event *ev, struct busy_event *b)
{
    int calls;

    wait_for(&b->started);
    ck_assert_int_eq(event_del(ev), 0);
    /* It returned only once no call of the callback was in progress. */
    ck_assert_int_eq(__atomic_load_n(&b->inside, __ATOMIC_ACQUIRE), 0);
    __atomic_store_n(&b->deleted, 1, __ATOMIC_RELEASE);
    calls = __atomic_load_n(&b->calls, __ATOMIC_ACQUIRE);
    /* The loop goes on (the fd stays readable, the timer would be due
     * every millisecond); the deleted event must stay quiet. */
    usleep(100 * 1000);
    ck_assert_int_eq(__atomic_load_n(&b->runs_after_del, __ATOMIC_ACQUIRE), 0);
    ck_assert_int_eq(__atomic_load_n(&b->calls, __ATOMIC_ACQUIRE), calls);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_TIMEOUT, NULL), 0);
}

START_TEST(event_del_stops_a_running_persistent_event)
{
    static struct busy_event io, timer;
    struct timeval every_ms = {0, 1000};
    struct event_base *base;
    struct event *keep, *io_ev, *timer_ev;
    struct loop_thread lt;
    int sp[2];

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    /* Never read: the fd is readable on every pass. */
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    io_ev = event_new(base, sp[0], EV_READ | EV_PERSIST, busy_cb, &io);
    timer_ev = event_new(base, -1, EV_PERSIST, busy_cb, &timer);
    ck_assert_ptr_nonnull(io_ev);
    ck_assert_ptr_nonnull(timer_ev);
    ck_assert_int_eq(event_add(io_ev, NULL), 0);
    start_loop(&lt, base);
    check_del_stops_persistent(io_ev, &io);
    ck_assert_int_eq(event_add(timer_ev, &every_ms), 0);
    check_del_stops_persistent(timer_ev, &timer);

    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    event_free(io_ev);
    event_free(timer_ev);
    event_free(keep);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

/* Inside its own callback, event_del and event_free do not wait for
 * themselves. */
static void
self_free_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *self = arg;

    (void)fd;
    (void)what;
    event_free(self);
    __atomic_store_n(&woke, 1, __ATOMIC_RELEASE);
}

START_TEST(event_free_inside_own_callback)
{
    struct event_base *base;
    struct event *ev;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, EV_PERSIST, self_free_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(ev);
    woke = 0;
    event_active(ev, EV_READ, 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(woke, 1);
    event_base_free(base);
}
END_TEST

/* One base per thread, for many threads at once. */
#define NBASES 16

struct own_base {
    pthread_t tid;
    int fired;
    int io;
    int ok;
};

static void
own_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct own_base *ob = arg;

    (void)fd;
    (void)what;
    ob->fired++;
}

static void
own_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct own_base *ob = arg;
    char c;

    (void)what;
    if (read(fd, &c, 1) == 1)
        ob->io++;
}

static void *
own_base_main(void *arg)
{
    struct own_base *ob = arg;
    struct event_base *base = event_base_new();
    struct event *t, *r;
    struct timeval tv = {0, 5 * 1000};
    int sv[2];
    int i;

    if (base == NULL || vt_socketpair(sv) < 0)
        return NULL;
    t = evtimer_new(base, own_timer_cb, ob);
    r = event_new(base, sv[0], EV_READ | EV_PERSIST, own_read_cb, ob);
    if (t == NULL || r == NULL)
        return NULL;
    event_add(r, NULL);
    for (i = 0; i < 5; i++) {
        if (write(sv[1], "y", 1) != 1)
            break;
        event_add(t, &tv);
        event_base_loop(base, EVLOOP_ONCE);
        event_base_loop(base, EVLOOP_NONBLOCK);
    }
    /* The reads kept pushing the timer back: let it fire now. */
    event_del(r);
    event_base_dispatch(base);
    event_free(t);
    event_free(r);
    event_base_free(base);
    close(sv[0]);
    close(sv[1]);
    ob->ok = 1;
    return NULL;
}

START_TEST(one_base_per_thread)
{
    static struct own_base obs[NBASES];
    int i;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    for (i = 0; i < NBASES; i++)
        ck_assert_int_eq(
            pthread_create(&obs[i].tid, NULL, own_base_main, &obs[i]), 0);
    for (i = 0; i < NBASES; i++) {
        ck_assert_int_eq(pthread_join(obs[i].tid, NULL), 0);
        ck_assert_int_eq(obs[i].ok, 1);
        ck_assert_int_eq(obs[i].io, 5);
        ck_assert_int_ge(obs[i].fired, 1);
    }
}
END_TEST

/* Custom callbacks: the library allocates and takes the program's locks,
 * and asks its id function who is running. */
static int lock_allocs, lock_takes, id_calls, cond_allocs;
static pthread_mutex_t custom_mutex_pool[64];
static int custom_used;

static void *
custom_alloc(unsigned locktype)
{
    pthread_mutexattr_t attr;
    pthread_mutex_t *m;

    if (custom_used == 64)
        return NULL;
    m = &custom_mutex_pool[custom_used++];
    pthread_mutexattr_init(&attr);
    if (locktype & EVTHREAD_LOCKTYPE_RECURSIVE)
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    __atomic_add_fetch(&lock_allocs, 1, __ATOMIC_RELAXED);
    return m;
}

static void
custom_free(void *lock, unsigned locktype)
{
    (void)locktype;
    pthread_mutex_destroy(lock);
}

static int
custom_lock(unsigned mode, void *lock)
{
    __atomic_add_fetch(&lock_takes, 1, __ATOMIC_RELAXED);
    if (mode & EVTHREAD_TRY)
        return pthread_mutex_trylock(lock);
    return pthread_mutex_lock(lock);
}

static int
custom_unlock(unsigned mode, void *lock)
{
    (void)mode;
    return pthread_mutex_unlock(lock);
}

static unsigned long
custom_id(void)
{
    __atomic_add_fetch(&id_calls, 1, __ATOMIC_RELAXED);
    return (unsigned long)pthread_self();
}

static void *
custom_cond_alloc(unsigned type)
{
    pthread_cond_t *c = malloc(sizeof(*c));

    (void)type;
    pthread_cond_init(c, NULL);
    __atomic_add_fetch(&cond_allocs, 1, __ATOMIC_RELAXED);
    return c;
}

static void
custom_cond_free(void *c)
{
    pthread_cond_destroy(c);
    free(c);
}

static int
custom_cond_signal(void *c, int broadcast)
{
    return broadcast ? pthread_cond_broadcast(c) : pthread_cond_signal(c);
}

static int
custom_cond_wait(void *c, void *lock, const struct timeval *tv)
{
    (void)tv;
    return pthread_cond_wait(c, lock) == 0 ? 0 : -1;
}

static const struct evthread_lock_callbacks custom_locks = {
    EVTHREAD_LOCK_API_VERSION,
    EVTHREAD_LOCKTYPE_RECURSIVE,
    custom_alloc,
    custom_free,
    custom_lock,
    custom_unlock,
};

START_TEST(custom_callbacks_are_used)
{
    static const struct evthread_condition_callbacks conds = {
        EVTHREAD_CONDITION_API_VERSION, custom_cond_alloc, custom_cond_free,
        custom_cond_signal, custom_cond_wait};
    struct timeval ms = {0, 1000};
    struct event_base *base;
    struct event *ev;
    int takes_before;

    ck_assert_int_eq(evthread_set_lock_callbacks(&custom_locks), 0);
    ck_assert_int_eq(evthread_set_condition_callbacks(&conds), 0);
    evthread_set_id_callback(custom_id);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_ge(lock_allocs, 1);
    ck_assert_int_ge(cond_allocs, 1);
    ev = evtimer_new(base, never_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    takes_before = lock_takes;
    ck_assert_int_eq(evtimer_add(ev, &ms), 0);
    ck_assert_int_gt(lock_takes, takes_before);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_ge(id_calls, 1);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(lock_callbacks_cannot_change_once_set)
{
    struct evthread_lock_callbacks other = custom_locks;

    ck_assert_int_eq(evthread_set_lock_callbacks(&custom_locks), 0);
    /* The same set again is accepted... */
    ck_assert_int_eq(evthread_set_lock_callbacks(&custom_locks), 0);
    /* ...a different one is refused. */
    other.unlock = custom_lock;
    ck_assert_int_eq(evthread_set_lock_callbacks(&other), -1);
}
END_TEST

START_TEST(incomplete_lock_callbacks_are_refused)
{
    struct evthread_lock_callbacks partial = custom_locks;

    partial.lock = NULL;
    ck_assert_int_eq(evthread_set_lock_callbacks(&partial), -1);
}
END_TEST

START_TEST(nolock_base_works)
{
    struct event_config *cfg;
    struct event_base *base;
    struct event *ev;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    cfg = event_config_new();
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK), 0);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    ck_assert_ptr_nonnull(base);
    woke = 0;
    ev = event_new(base, -1, 0, set_woke_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    event_active(ev, EV_READ, 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(woke, EV_READ);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(make_base_notifiable)
{
    struct event_base *base;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    /* Already notifiable: asking again is harmless. */
    ck_assert_int_eq(evthread_make_base_notifiable(base), 0);
    ck_assert_int_eq(evthread_make_base_notifiable(base), 0);
    event_base_free(base);
}
END_TEST

START_TEST(lock_debugging_with_correct_use)
{
    struct timeval ms = {0, 1000};
    struct event_base *base;
    struct event *keep;
    struct loop_thread lt;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    evthread_enable_lock_debugging();
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    keep = add_keepalive(base);
    start_loop(&lt, base);
    usleep(20 * 1000);
    woke = 0;
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, set_woke_cb, NULL, &ms), 0);
    wait_for(&woke);
    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(pthread_join(lt.tid, NULL), 0);
    event_free(keep);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = vt_tcase("threads", 20);

    tcase_add_test(tc, loopbreak_from_another_thread);
    tcase_add_test(tc, loopexit_from_another_thread);
    tcase_add_test(tc, add_and_active_wake_a_sleeping_loop);
    tcase_add_test(tc, io_event_added_from_another_thread);
    tcase_add_test(tc, threads_hammer_one_base);
    tcase_add_test(tc, event_del_waits_for_running_callback);
    tcase_add_test(tc, event_del_stops_a_running_persistent_event);
    tcase_add_test(tc, event_free_inside_own_callback);
    tcase_add_test(tc, one_base_per_thread);
    tcase_add_test(tc, custom_callbacks_are_used);
    tcase_add_test(tc, lock_callbacks_cannot_change_once_set);
    tcase_add_test(tc, incomplete_lock_callbacks_are_refused);
    tcase_add_test(tc, nolock_base_works);
    tcase_add_test(tc, make_base_notifiable);
    tcase_add_test(tc, lock_debugging_with_correct_use);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
