/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_cb.c: evbuffer callbacks (what evbuffer_cb_info reports, enabling
 * and disabling, removing, the 1.x evbuffer_setcb), callbacks deferred to
 * a loop (evbuffer_defer_callbacks), and locking (evbuffer_enable_locking
 * with a new lock or the program's, evbuffer_lock, several threads on one
 * buffer).  Each test runs in its own process, so each may set up threads
 * as it likes.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <event2/thread.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

/* What one callback saw. */
struct seen {
    int calls;
    size_t orig, added, deleted, len_now;
    size_t tot_added, tot_deleted;
    struct evbuffer *buf;
};

static void
record_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct seen *s = arg;

    s->calls++;
    s->orig = info->orig_size;
    s->added = info->n_added;
    s->deleted = info->n_deleted;
    s->tot_added += info->n_added;
    s->tot_deleted += info->n_deleted;
    s->len_now = evbuffer_get_length(buf);
    s->buf = buf;
}

static void
expect(struct seen *s, int calls, size_t orig, size_t added, size_t deleted)
{
    ck_assert_int_eq(s->calls, calls);
    ck_assert_uint_eq(s->orig, orig);
    ck_assert_uint_eq(s->added, added);
    ck_assert_uint_eq(s->deleted, deleted);
    ck_assert_uint_eq(s->len_now, orig + added - deleted);
}

START_TEST(callback_reports_changes)
{
    struct evbuffer *buf = evbuffer_new(), *other = evbuffer_new();
    struct seen s = {0};
    struct evbuffer_iovec v[1];
    char out[8];
    size_t n;
    char *line;

    ck_assert_ptr_nonnull(evbuffer_add_cb(buf, record_cb, &s));
    ck_assert_int_eq(evbuffer_add(buf, "abc", 3), 0);
    expect(&s, 1, 0, 3, 0);
    ck_assert_ptr_eq(s.buf, buf);
    ck_assert_int_eq(evbuffer_drain(buf, 1), 0);
    expect(&s, 2, 3, 0, 1);
    ck_assert_int_eq(evbuffer_prepend(buf, "xy", 2), 0);
    expect(&s, 3, 2, 2, 0);
    ck_assert_int_eq(evbuffer_remove(buf, out, 2), 2);
    expect(&s, 4, 4, 0, 2);
    ck_assert_int_eq(evbuffer_add_printf(buf, "%d\n", 12345), 6);
    expect(&s, 5, 2, 6, 0);
    /* libevent reports a line and its end as two changes, Vigil as one:
     * only the sum is checked. */
    line = evbuffer_readln(buf, &n, EVBUFFER_EOL_LF);
    ck_assert_ptr_nonnull(line);
    free(line);
    ck_assert_int_ge(s.calls, 6);
    ck_assert_uint_eq(s.tot_deleted, 1 + 2 + 8);
    ck_assert_uint_eq(s.len_now, 0);
    s.calls = 6;
    ck_assert_int_eq(evbuffer_reserve_space(buf, 10, v, 1), 1);
    v[0].iov_len = 4;
    memcpy(v[0].iov_base, "data", 4);
    ck_assert_int_eq(evbuffer_commit_space(buf, v, 1), 0);
    expect(&s, 7, 0, 4, 0);
    evbuffer_add(other, "12345", 5);
    ck_assert_int_eq(evbuffer_add_buffer(buf, other), 0);
    expect(&s, 8, 4, 5, 0);
    ck_assert_int_eq(evbuffer_remove_buffer(buf, other, 3), 3);
    expect(&s, 9, 9, 0, 3);
    ck_assert_int_eq(evbuffer_prepend_buffer(buf, other), 0);
    expect(&s, 10, 6, 3, 0);
    ck_assert_int_eq(evbuffer_add_reference(buf, "ref", 3, NULL, NULL), 0);
    expect(&s, 11, 9, 3, 0);
    /* No change, no call. */
    ck_assert_int_eq(evbuffer_add(buf, "", 0), 0);
    ck_assert_int_eq(evbuffer_drain(buf, 0), 0);
    ck_assert_int_eq(evbuffer_copyout(buf, out, 4), 4);
    ck_assert_ptr_nonnull(evbuffer_pullup(buf, -1));
    ck_assert_int_eq(s.calls, 11);
    evbuffer_free(buf);
    evbuffer_free(other);
}
END_TEST

START_TEST(both_buffers_told_of_moves)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    struct seen sa = {0}, sb = {0};

    evbuffer_add(b, "0123456789", 10);
    evbuffer_add_cb(a, record_cb, &sa);
    evbuffer_add_cb(b, record_cb, &sb);
    ck_assert_int_eq(evbuffer_add_buffer(a, b), 0);
    expect(&sa, 1, 0, 10, 0);
    expect(&sb, 1, 10, 0, 10);
    ck_assert_int_eq(evbuffer_remove_buffer(a, b, 4), 4);
    expect(&sa, 2, 10, 0, 4);
    expect(&sb, 2, 0, 4, 0);
    evbuffer_free(a);
    evbuffer_free(b);
}
END_TEST

START_TEST(several_callbacks_and_removal)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s1 = {0}, s2 = {0};
    struct evbuffer_cb_entry *e1, *e2;

    e1 = evbuffer_add_cb(buf, record_cb, &s1);
    e2 = evbuffer_add_cb(buf, record_cb, &s2);
    ck_assert_ptr_nonnull(e1);
    ck_assert_ptr_nonnull(e2);
    evbuffer_add(buf, "x", 1);
    ck_assert_int_eq(s1.calls, 1);
    ck_assert_int_eq(s2.calls, 1);
    ck_assert_int_eq(evbuffer_remove_cb_entry(buf, e1), 0);
    evbuffer_add(buf, "x", 1);
    ck_assert_int_eq(s1.calls, 1);
    ck_assert_int_eq(s2.calls, 2);
    ck_assert_int_eq(evbuffer_remove_cb(buf, record_cb, &s1), -1);
    ck_assert_int_eq(evbuffer_remove_cb(buf, record_cb, &s2), 0);
    ck_assert_int_eq(evbuffer_remove_cb(buf, record_cb, &s2), -1);
    evbuffer_add(buf, "x", 1);
    ck_assert_int_eq(s2.calls, 2);
    evbuffer_free(buf);
}
END_TEST

START_TEST(disabled_callback)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};
    struct evbuffer_cb_entry *e = evbuffer_add_cb(buf, record_cb, &s);

    ck_assert_int_eq(evbuffer_cb_clear_flags(buf, e, EVBUFFER_CB_ENABLED), 0);
    evbuffer_add(buf, "abcd", 4);
    ck_assert_int_eq(s.calls, 0);
    ck_assert_int_eq(evbuffer_cb_set_flags(buf, e, EVBUFFER_CB_ENABLED), 0);
    evbuffer_add(buf, "e", 1);
    /* Changes while disabled are not reported later. */
    expect(&s, 1, 4, 1, 0);
    evbuffer_free(buf);
}
END_TEST

static void
remove_self_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
               void *arg)
{
    int *calls = arg;

    (void)info;
    (*calls)++;
    ck_assert_int_eq(evbuffer_remove_cb(buf, remove_self_cb, arg), 0);
}

START_TEST(callback_removes_itself)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};
    int calls = 0;

    evbuffer_add_cb(buf, record_cb, &s);
    evbuffer_add_cb(buf, remove_self_cb, &calls);
    evbuffer_add(buf, "a", 1);
    evbuffer_add(buf, "b", 1);
    ck_assert_int_eq(calls, 1);
    ck_assert_int_eq(s.calls, 2);
    evbuffer_free(buf);
}
END_TEST

/* Drains the buffer whenever it holds more than 3 bytes: a recursive
 * call follows. */
static void
drain_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    int *calls = arg;

    (*calls)++;
    if (info->orig_size + info->n_added - info->n_deleted > 3)
        evbuffer_drain(buf, evbuffer_get_length(buf));
}

START_TEST(callback_changes_buffer)
{
    struct evbuffer *buf = evbuffer_new();
    int calls = 0;

    evbuffer_add_cb(buf, drain_cb, &calls);
    evbuffer_add(buf, "ab", 2);
    ck_assert_int_eq(calls, 1);
    evbuffer_add(buf, "cd", 2);
    ck_assert_int_eq(calls, 3);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    evbuffer_free(buf);
}
END_TEST

/* The 1.x callback. */
struct old_seen {
    int calls;
    size_t old_len, new_len;
};

static void
old_cb(struct evbuffer *buf, size_t old_len, size_t new_len, void *arg)
{
    struct old_seen *o = arg;

    (void)buf;
    o->calls++;
    o->old_len = old_len;
    o->new_len = new_len;
}

START_TEST(setcb_replaces_all)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};
    struct old_seen o = {0}, o2 = {0};

    evbuffer_add_cb(buf, record_cb, &s);
    ck_assert_int_eq(evbuffer_setcb(buf, old_cb, &o), 0);
    evbuffer_add(buf, "hello", 5);
    ck_assert_int_eq(s.calls, 0);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_uint_eq(o.old_len, 0);
    ck_assert_uint_eq(o.new_len, 5);
    evbuffer_drain(buf, 2);
    ck_assert_int_eq(o.calls, 2);
    ck_assert_uint_eq(o.old_len, 5);
    ck_assert_uint_eq(o.new_len, 3);
    ck_assert_int_eq(evbuffer_setcb(buf, old_cb, &o2), 0);
    evbuffer_add(buf, "!", 1);
    ck_assert_int_eq(o.calls, 2);
    ck_assert_int_eq(o2.calls, 1);
    ck_assert_int_eq(evbuffer_setcb(buf, NULL, NULL), 0);
    evbuffer_add(buf, "!", 1);
    ck_assert_int_eq(o2.calls, 1);
    evbuffer_free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Deferred callbacks.                                                 */

START_TEST(deferred_callbacks_run_from_loop)
{
    struct event_base *base = event_base_new();
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};

    ck_assert_ptr_nonnull(base);
    evbuffer_add(buf, "ab", 2);
    evbuffer_add_cb(buf, record_cb, &s);
    ck_assert_int_eq(evbuffer_defer_callbacks(buf, base), 0);
    evbuffer_add(buf, "cdef", 4);
    evbuffer_drain(buf, 3);
    evbuffer_add(buf, "g", 1);
    ck_assert_int_eq(s.calls, 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    /* One call, covering everything since the last. */
    expect(&s, 1, 2, 5, 3);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(s.calls, 1);
    evbuffer_drain(buf, 1);
    ck_assert_int_eq(s.calls, 1);
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(&s, 2, 4, 0, 1);
    evbuffer_free(buf);
    event_base_free(base);
}
END_TEST

#ifndef VIGIL_ORACLE
/* libevent keeps a freed buffer alive until its pending deferred callback
 * has run, and runs the program's callbacks then; Vigil runs none after
 * evbuffer_free. */
START_TEST(deferred_callback_not_run_after_free)
{
    struct event_base *base = event_base_new();
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};

    evbuffer_add_cb(buf, record_cb, &s);
    ck_assert_int_eq(evbuffer_defer_callbacks(buf, base), 0);
    evbuffer_add(buf, "pending", 7);
    evbuffer_free(buf);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(s.calls, 0);
    event_base_free(base);
}
END_TEST

static void
free_in_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    int *calls = arg;

    (void)info;
    (*calls)++;
    evbuffer_free(buf);
}

/* Freeing a buffer from its own callback is safe (the buffer goes once
 * the callbacks are done); libevent frees it under the running loop. */
START_TEST(free_from_own_callback)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};
    int calls = 0;

    evbuffer_add_cb(buf, record_cb, &s);
    evbuffer_add_cb(buf, free_in_cb, &calls);
    evbuffer_add(buf, "x", 1);
    ck_assert_int_eq(calls, 1);
    /* The other callback, older, ran neither after the free. */
    ck_assert_int_eq(s.calls, 0);
}
END_TEST

static struct evbuffer_cb_entry *victim;

static void
remove_other_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                void *arg)
{
    (void)info;
    (void)arg;
    if (victim != NULL)
        ck_assert_int_eq(evbuffer_remove_cb_entry(buf, victim), 0);
    victim = NULL;
}

/* Removing another callback from a callback (which libevent forbids) is
 * safe too. */
START_TEST(callback_removes_another)
{
    struct evbuffer *buf = evbuffer_new();
    struct seen s = {0};

    victim = evbuffer_add_cb(buf, record_cb, &s);
    evbuffer_add_cb(buf, remove_other_cb, NULL);
    evbuffer_add(buf, "x", 1);
    evbuffer_add(buf, "y", 1);
    ck_assert_int_eq(s.calls, 0);
    ck_assert_int_eq(evbuffer_remove_cb_entry(buf, victim), -1);
    evbuffer_free(buf);
}
END_TEST
#endif

/* ------------------------------------------------------------------ */
/* Locking.                                                            */

START_TEST(locking_without_threads)
{
    struct evbuffer *buf = evbuffer_new();

    /* No lock callbacks: nothing to make a lock with. */
    ck_assert_int_eq(evbuffer_enable_locking(buf, NULL), -1);
    evbuffer_lock(buf);
    evbuffer_add(buf, "x", 1);
    evbuffer_unlock(buf);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(locking_with_pthreads)
{
    struct evbuffer *buf;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    buf = evbuffer_new();
    ck_assert_int_eq(evbuffer_enable_locking(buf, NULL), 0);
    ck_assert_int_eq(evbuffer_enable_locking(buf, NULL), -1);
    evbuffer_lock(buf);
    evbuffer_lock(buf); /* recursive */
    evbuffer_add(buf, "x", 1);
    evbuffer_unlock(buf);
    evbuffer_unlock(buf);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    evbuffer_free(buf);
}
END_TEST

/* The program's own lock callbacks, counting their use. */
static int locks_taken;
static int locks_held;
static pthread_mutex_t my_mutex = PTHREAD_MUTEX_INITIALIZER;

static void *
my_alloc(unsigned type)
{
    pthread_mutexattr_t a;
    pthread_mutex_t *m = malloc(sizeof(*m));

    (void)type;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(m, &a);
    return m;
}

static void
my_free(void *lock, unsigned type)
{
    (void)type;
    pthread_mutex_destroy(lock);
    free(lock);
}

static int
my_lock(unsigned mode, void *lock)
{
    (void)mode;
    if (lock == (void *)&my_mutex) {
        locks_taken++;
        locks_held++;
    }
    return pthread_mutex_lock(lock);
}

static int
my_unlock(unsigned mode, void *lock)
{
    (void)mode;
    if (lock == (void *)&my_mutex)
        locks_held--;
    return pthread_mutex_unlock(lock);
}

START_TEST(locking_with_programs_lock)
{
    struct evthread_lock_callbacks cbs = {EVTHREAD_LOCK_API_VERSION,
                                          EVTHREAD_LOCKTYPE_RECURSIVE,
                                          my_alloc,
                                          my_free,
                                          my_lock,
                                          my_unlock};
    pthread_mutexattr_t a;
    struct evbuffer *buf;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&my_mutex, &a);
    ck_assert_int_eq(evthread_set_lock_callbacks(&cbs), 0);
    buf = evbuffer_new();
    ck_assert_int_eq(evbuffer_enable_locking(buf, &my_mutex), 0);
    locks_taken = 0;
    evbuffer_add(buf, "abc", 3);
    ck_assert_int_gt(locks_taken, 0);
    ck_assert_int_eq(locks_held, 0);
    evbuffer_lock(buf);
    ck_assert_int_eq(locks_held, 1);
    evbuffer_unlock(buf);
    ck_assert_int_eq(locks_held, 0);
    evbuffer_free(buf);
    /* The program's lock is the program's: still usable. */
    ck_assert_int_eq(pthread_mutex_lock(&my_mutex), 0);
    ck_assert_int_eq(pthread_mutex_unlock(&my_mutex), 0);
}
END_TEST

/* Several threads add to and take from one locked buffer. */
struct hammer {
    struct evbuffer *buf;
    struct evbuffer *sink;
    size_t taken;
    int id;
};

static void *
hammer_main(void *arg)
{
    struct hammer *h = arg;
    char piece[64];
    int i;

    for (i = 0; i < 20000; i++) {
        memset(piece, 'a' + h->id, sizeof(piece));
        evbuffer_add(h->buf, piece, (size_t)(i % 64) + 1);
        if (i % 3 == 0) {
            int n = evbuffer_remove(h->buf, piece, 50);

            ck_assert_int_ge(n, 0);
            h->taken += (size_t)n;
        } else if (i % 3 == 1) {
            evbuffer_lock(h->buf);
            if (evbuffer_get_length(h->buf) >= 10) {
                ck_assert_int_eq(evbuffer_drain(h->buf, 10), 0);
                h->taken += 10;
            }
            evbuffer_unlock(h->buf);
        } else {
            int n = evbuffer_remove_buffer(h->buf, h->sink, 30);

            ck_assert_int_ge(n, 0);
            h->taken += (size_t)n;
        }
    }
    return NULL;
}

static void
count_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    size_t *net = arg;

    (void)buf;
    *net += info->n_added;
    *net -= info->n_deleted;
}

START_TEST(threads_share_a_buffer)
{
    struct hammer h[4];
    pthread_t t[4];
    struct evbuffer *buf;
    size_t added = 0, taken = 0, net = 0;
    int i, k;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    buf = evbuffer_new();
    ck_assert_int_eq(evbuffer_enable_locking(buf, NULL), 0);
    evbuffer_add_cb(buf, count_cb, &net);
    for (i = 0; i < 4; i++) {
        h[i].buf = buf;
        h[i].sink = evbuffer_new();
        ck_assert_int_eq(evbuffer_enable_locking(h[i].sink, NULL), 0);
        h[i].taken = 0;
        h[i].id = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_main, &h[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        taken += h[i].taken;
        evbuffer_free(h[i].sink);
    }
    for (k = 0; k < 20000; k++)
        added += (size_t)(k % 64) + 1;
    added *= 4;
    ck_assert_uint_eq(evbuffer_get_length(buf), added - taken);
    ck_assert_uint_eq(net, added - taken);
    evbuffer_free(buf);
}
END_TEST

/* A buffer changed in one thread, its callbacks deferred to a loop in
 * another. */
struct cross {
    struct event_base *base;
    struct evbuffer *buf;
    volatile int done;
    size_t total;
};

static void
cross_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct cross *c = arg;

    (void)buf;
    c->total += info->n_added;
    if (c->total == 100 * 10)
        event_base_loopbreak(c->base);
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

static void *
producer_main(void *arg)
{
    struct cross *c = arg;
    int i;

    for (i = 0; i < 100; i++) {
        evbuffer_add(c->buf, "0123456789", 10);
        if (i % 10 == 0)
            usleep(1000);
    }
    return NULL;
}

START_TEST(deferred_callbacks_across_threads)
{
    struct cross c = {NULL, NULL, 0, 0};
    struct timeval long_time = {60, 0};
    struct event *keep;
    pthread_t t;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    c.base = event_base_new();
    c.buf = evbuffer_new();
    ck_assert_int_eq(evbuffer_enable_locking(c.buf, NULL), 0);
    evbuffer_add_cb(c.buf, cross_cb, &c);
    ck_assert_int_eq(evbuffer_defer_callbacks(c.buf, c.base), 0);
    keep = event_new(c.base, -1, EV_PERSIST, keepalive_cb, NULL);
    event_add(keep, &long_time);
    ck_assert_int_eq(pthread_create(&t, NULL, producer_main, &c), 0);
    ck_assert_int_eq(event_base_dispatch(c.base), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    evbuffer_lock(c.buf);
    ck_assert_uint_eq(c.total, 1000);
    evbuffer_unlock(c.buf);
    /* The last add may have scheduled the deferred callback again while
     * it ran: let that run too (libevent keeps a buffer with a scheduled
     * callback alive, and the base would free neither). */
    ck_assert_int_eq(event_base_loop(c.base, EVLOOP_NONBLOCK), 0);
    ck_assert_uint_eq(c.total, 1000);
    event_free(keep);
    evbuffer_free(c.buf);
    event_base_free(c.base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("buffer_cb");
    TCase *tc = vt_tcase("buffer_cb", 30);

    tcase_add_test(tc, callback_reports_changes);
    tcase_add_test(tc, both_buffers_told_of_moves);
    tcase_add_test(tc, several_callbacks_and_removal);
    tcase_add_test(tc, disabled_callback);
    tcase_add_test(tc, callback_removes_itself);
    tcase_add_test(tc, callback_changes_buffer);
    tcase_add_test(tc, setcb_replaces_all);
    tcase_add_test(tc, deferred_callbacks_run_from_loop);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, deferred_callback_not_run_after_free);
    tcase_add_test(tc, free_from_own_callback);
    tcase_add_test(tc, callback_removes_another);
#endif
    tcase_add_test(tc, locking_without_threads);
    tcase_add_test(tc, locking_with_pthreads);
    tcase_add_test(tc, locking_with_programs_lock);
    tcase_add_test(tc, threads_share_a_buffer);
    tcase_add_test(tc, deferred_callbacks_across_threads);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
