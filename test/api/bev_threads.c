/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_threads.c: thread-safe bufferevents: another thread writes while the
 * loop runs, and frees a bufferevent whose events the loop watches.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/thread.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

#define N_WRITES 2000
#define MSG 50

struct shared {
    struct event_base *base;
    struct bufferevent *writer;
    size_t got;
};

static void
count_read(struct bufferevent *bev, void *arg)
{
    struct shared *sh = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    sh->got += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (sh->got >= (size_t)N_WRITES * MSG)
        event_base_loopbreak(sh->base);
}

static void *
writer_main(void *arg)
{
    struct shared *sh = arg;
    char msg[MSG];
    int i;

    memset(msg, 'w', sizeof(msg));
    for (i = 0; i < N_WRITES; i++) {
        bufferevent_lock(sh->writer);
        bufferevent_write(sh->writer, msg, sizeof(msg));
        bufferevent_unlock(sh->writer);
        if (i % 100 == 0)
            usleep(1000);
    }
    return NULL;
}

static void
run(int options)
{
    struct shared sh;
    struct timeval limit = {10, 0};
    int fds[2];
    struct bufferevent *b;
    pthread_t th;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    memset(&sh, 0, sizeof(sh));
    sh.base = event_base_new();
    ck_assert_int_eq(vt_socketpair(fds), 0);
    sh.writer = bufferevent_socket_new(
        sh.base, fds[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE | options);
    b = bufferevent_socket_new(
        sh.base, fds[1], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE | options);
    bufferevent_setcb(b, count_read, NULL, NULL, &sh);
    bufferevent_enable(b, EV_READ);
    ck_assert_int_eq(pthread_create(&th, NULL, writer_main, &sh), 0);
    event_base_loopexit(sh.base, &limit);
    event_base_dispatch(sh.base);
    pthread_join(th, NULL);
    ck_assert_uint_eq(sh.got, (size_t)N_WRITES * MSG);
    bufferevent_free(sh.writer);
    bufferevent_free(b);
    event_base_free(sh.base);
}

START_TEST(writes_from_another_thread)
{
    run(0);
}
END_TEST

START_TEST(writes_from_another_thread_deferred)
{
    run(BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS);
}
END_TEST

struct freer {
    struct event_base *base;
    struct bufferevent *bev;
    int running;
};

static void
mark_running(evutil_socket_t fd, short what, void *arg)
{
    struct freer *f = arg;

    (void)fd;
    (void)what;
    __atomic_store_n(&f->running, 1, __ATOMIC_RELEASE);
}

static void *
freer_main(void *arg)
{
    struct freer *f = arg;
    int waited;

    /* event_base_loop clears a pending break when it starts: the break
     * below must not come before the loop does (a loaded machine can keep
     * the main thread from getting there for any time).  5 s is a safety
     * net; the test's time limit catches a loop that never starts. */
    for (waited = 0; waited < 5000; waited++) {
        if (__atomic_load_n(&f->running, __ATOMIC_ACQUIRE))
            break;
        usleep(1000);
    }
    usleep(20000);
    bufferevent_free(f->bev);
    usleep(20000);
    event_base_loopbreak(f->base);
    return NULL;
}

START_TEST(free_from_another_thread)
{
    struct timeval zero = {0, 0};
    struct freer f;
    int fds[2];
    pthread_t th;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    f.running = 0;
    f.base = event_base_new();
    ck_assert_int_eq(vt_socketpair(fds), 0);
    f.bev = bufferevent_socket_new(f.base, fds[0],
                                   BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE);
    bufferevent_enable(f.bev, EV_READ);
    ck_assert_int_eq(
        event_base_once(f.base, -1, EV_TIMEOUT, mark_running, &f, &zero), 0);
    ck_assert_int_eq(pthread_create(&th, NULL, freer_main, &f), 0);
    event_base_loop(f.base, EVLOOP_NO_EXIT_ON_EMPTY);
    pthread_join(th, NULL);
    close(fds[1]);
    event_base_free(f.base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bev_threads");
    TCase *tc = vt_tcase("bev_threads", 30);

    tcase_add_test(tc, writes_from_another_thread);
    tcase_add_test(tc, writes_from_another_thread_deferred);
    tcase_add_test(tc, free_from_another_thread);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
