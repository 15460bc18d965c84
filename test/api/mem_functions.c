/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * mem_functions.c: event_set_mem_functions.  main() installs a counting
 * allocator before any other library call (as the header requires), so
 * this is a program of its own.  Every block carries a header, so a block
 * the library frees through the hook must have come from the hook; the
 * tests check that the library's memory is allocated through the hooks,
 * that it all comes back when everything is freed (including
 * event_base_once events that never ran, and the buffers of bufferevents
 * that moved large messages), and that a refused allocation
 * is reported through the API, never ignored or crashed on.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vt-dns.h"
#include "vtest.h"

#define BLOCK_MAGIC 0x5649474cUL /* "VIGL" */

struct block {
    unsigned long magic;
    size_t size;
};

/* 16 bytes, so the user part keeps malloc's alignment. */
typedef char block_header_is_16_bytes[sizeof(struct block) == 16 ? 1 : -1];

static long n_malloc, n_realloc, n_free, n_calls, live, foreign;
static long fail_at = -1; /* Refuse the allocation call with this number. */
static long n_refused;

static int
refuse_now(void)
{
    n_calls++;
    if (fail_at >= 0 && n_calls == fail_at) {
        n_refused++;
        return 1;
    }
    return 0;
}

static void *
t_malloc(size_t n)
{
    struct block *b;

    if (refuse_now())
        return NULL;
    b = malloc(sizeof(*b) + n);
    if (b == NULL)
        return NULL;
    b->magic = BLOCK_MAGIC;
    b->size = n;
    n_malloc++;
    live++;
    return b + 1;
}

static void *
t_realloc(void *p, size_t n)
{
    struct block *b, *nb;

    if (refuse_now())
        return NULL;
    n_realloc++;
    if (p == NULL) {
        nb = malloc(sizeof(*nb) + n);
        if (nb == NULL)
            return NULL;
        live++;
    } else {
        b = (struct block *)p - 1;
        if (b->magic != BLOCK_MAGIC) {
            foreign++;
            return NULL;
        }
        nb = realloc(b, sizeof(*nb) + n);
        if (nb == NULL)
            return NULL;
    }
    nb->magic = BLOCK_MAGIC;
    nb->size = n;
    return nb + 1;
}

static void
t_free(void *p)
{
    struct block *b;

    if (p == NULL)
        return;
    b = (struct block *)p - 1;
    if (b->magic != BLOCK_MAGIC) {
        foreign++;
        return;
    }
    b->magic = 0;
    n_free++;
    live--;
    free(b);
}

static void
quiet_log(int severity, const char *msg)
{
    (void)severity;
    (void)msg;
}

static int cb_calls;

static void
count_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    cb_calls++;
}

static void
fin_cb(struct event *ev, void *arg)
{
    (void)ev;
    (void)arg;
    cb_calls++;
}

static void
setup(void)
{
    fail_at = -1;
    cb_calls = 0;
    event_set_log_callback(quiet_log);
}

START_TEST(allocations_use_the_hooks)
{
    long live0 = live, mallocs0 = n_malloc;
    struct event_base *base;
    struct event *ev;
    long live_base;

    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_gt(n_malloc + n_realloc, mallocs0);
    ck_assert_int_gt(live, live0);
    live_base = live;
    ev = event_new(base, -1, 0, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_ge(live, live_base + 1);
    event_free(ev);
    ck_assert_int_eq(live, live_base);
    event_base_free(base);
    ck_assert_int_eq(live, live0);
    ck_assert_int_eq(foreign, 0);
}
END_TEST

/* Puts a socket at a high descriptor number, so fd tables must grow. */
static int
high_fd(int fd)
{
    int target = 300;
    struct rlimit rl;

    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= (rlim_t)target)
        target = (int)rl.rlim_cur - 1;
    ck_assert_int_eq(dup2(fd, target), target);
    return target;
}

START_TEST(everything_comes_back)
{
    long live0 = live;
    struct timeval zero = {0, 0}, soon = {0, 2000}, later = {10, 0},
                   common_d = {0, 3000};
    const struct timeval *common;
    struct event_base *base;
    struct event *io, *t, *ct, *sig, *fin, *freefin;
    FILE *dump;
    int sp[2], hi;

    ck_assert_int_eq(vt_socketpair(sp), 0);
    hi = high_fd(sp[0]);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 4), 0);
    io = event_new(base, hi, EV_READ | EV_PERSIST, count_cb, NULL);
    t = evtimer_new(base, count_cb, NULL);
    ct = evtimer_new(base, count_cb, NULL);
    sig = evsignal_new(base, SIGUSR1, count_cb, NULL);
    fin = event_new(base, -1, 0, count_cb, NULL);
    freefin = event_new(base, -1, 0, count_cb, NULL);
    ck_assert_ptr_nonnull(io);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(ct);
    ck_assert_ptr_nonnull(sig);
    ck_assert_ptr_nonnull(fin);
    ck_assert_ptr_nonnull(freefin);
    common = event_base_init_common_timeout(base, &common_d);
    ck_assert_ptr_nonnull(common);
    ck_assert_int_eq(event_add(io, &later), 0);
    ck_assert_int_eq(evtimer_add(t, &soon), 0);
    ck_assert_int_eq(evtimer_add(ct, common), 0);
    ck_assert_int_eq(evsignal_add(sig, NULL), 0);
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, count_cb, NULL, &zero), 0);
    ck_assert_int_eq(
        event_base_once(base, sp[1], EV_WRITE, count_cb, NULL, NULL), 0);
    ck_assert_int_eq(event_finalize(0, fin, fin_cb), 0);
    ck_assert_int_eq(event_free_finalize(0, freefin, fin_cb), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    dump = tmpfile();
    ck_assert_ptr_nonnull(dump);
    event_base_dump_events(base, dump);
    fclose(dump);
    ck_assert_int_eq(event_base_loopexit(base, &common_d), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_ge(cb_calls, 8);

    /* Once events that never run go with the base. */
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, count_cb, NULL, &later), 0);
    ck_assert_int_eq(
        event_base_once(base, hi, EV_WRITE, count_cb, NULL, &later), 0);
    event_free(io);
    event_free(t);
    event_free(ct);
    event_free(sig);
    t_free(fin); /* Finalized, not freed: its memory came from the hook. */
    event_base_free(base);
    ck_assert_int_eq(live, live0);
    ck_assert_int_eq(foreign, 0);
    close(hi);
    close(sp[0]);
    close(sp[1]);
}
END_TEST

START_TEST(refused_allocation_in_base_new)
{
    long k;

    for (k = 1; k <= 60; k++) {
        long live0 = live;
        struct event_base *base;

        n_refused = 0;
        fail_at = n_calls + k;
        base = event_base_new();
        fail_at = -1;
        if (base != NULL) {
            struct timeval tv = {0, 1000};
            struct event *t = evtimer_new(base, count_cb, NULL);

            /* Whatever it got, it works. */
            ck_assert_ptr_nonnull(t);
            ck_assert_int_eq(evtimer_add(t, &tv), 0);
            ck_assert_int_eq(event_base_dispatch(base), 1);
            event_free(t);
            event_base_free(base);
        } else {
            ck_assert_int_eq(n_refused, 1);
        }
        ck_assert_int_eq(live, live0);
        ck_assert_int_eq(foreign, 0);
        if (base != NULL && n_refused == 0)
            break; /* Past the last allocation base creation makes. */
    }
}
END_TEST

START_TEST(refused_allocation_is_reported)
{
    long k;
    int sp[2], hi;

    ck_assert_int_eq(vt_socketpair(sp), 0);
    hi = high_fd(sp[0]);
    for (k = 1; k <= 60; k++) {
        long live0 = live;
        struct timeval later = {10, 0}, common_d = {1, 0};
        struct event_base *base = event_base_new();
        struct event *io, *sig;
        int io_ok, sig_ok, once_ok, prio_ok, common_ok, failures = 0;

        ck_assert_ptr_nonnull(base);
        n_refused = 0;
        fail_at = n_calls + k;
        io = event_new(base, hi, EV_READ, count_cb, NULL);
        io_ok = io != NULL && event_add(io, NULL) == 0;
        sig = evsignal_new(base, SIGUSR1, count_cb, NULL);
        sig_ok = sig != NULL && evsignal_add(sig, NULL) == 0;
        once_ok =
            event_base_once(base, -1, EV_TIMEOUT, count_cb, NULL, &later) == 0;
        prio_ok = event_base_priority_init(base, 3) == 0;
        common_ok = event_base_init_common_timeout(base, &common_d) != NULL;
        fail_at = -1;

        failures = !io_ok + !sig_ok + !once_ok + !prio_ok + !common_ok;
        /* A refused allocation shows as exactly one failed call. */
        ck_assert_int_eq(failures, (int)n_refused);
        if (io != NULL)
            event_free(io);
        if (sig != NULL)
            event_free(sig);
        event_base_free(base);
        ck_assert_int_eq(live, live0);
        ck_assert_int_eq(foreign, 0);
        if (n_refused == 0)
            break;
    }
    close(hi);
    close(sp[0]);
    close(sp[1]);
}
END_TEST

/* Bufferevents echoing large messages: B sends its input back, A counts
 * what returns. */
#define ECHO_TOTAL (256 * 1024)

static size_t echoed;

static void
echo_back_cb(struct bufferevent *bev, void *arg)
{
    (void)arg;
    ck_assert_int_eq(evbuffer_add_buffer(bufferevent_get_output(bev),
                                         bufferevent_get_input(bev)),
                     0);
}

static void
count_back_cb(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);

    echoed += evbuffer_get_length(in);
    ck_assert_int_eq(evbuffer_drain(in, evbuffer_get_length(in)), 0);
    if (echoed >= ECHO_TOTAL)
        event_base_loopbreak(arg);
}

START_TEST(bufferevent_memory_comes_back)
{
    long live0 = live;
    struct timeval limit = {10, 0};
    struct event_base *base;
    struct bufferevent *a, *b;
    static char block[16384];
    int sp[2], i;

    echoed = 0;
    ck_assert_int_eq(vt_socketpair(sp), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    a = bufferevent_socket_new(base, sp[0], BEV_OPT_CLOSE_ON_FREE);
    b = bufferevent_socket_new(base, sp[1], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    bufferevent_setcb(a, count_back_cb, NULL, NULL, base);
    bufferevent_setcb(b, echo_back_cb, NULL, NULL, NULL);
    ck_assert_int_eq(bufferevent_enable(a, EV_READ), 0);
    ck_assert_int_eq(bufferevent_enable(b, EV_READ), 0);
    memset(block, 'v', sizeof(block));
    for (i = 0; i < ECHO_TOTAL / (int)sizeof(block); i++)
        ck_assert_int_eq(bufferevent_write(a, block, sizeof(block)), 0);
    ck_assert_int_eq(event_base_loopexit(base, &limit), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_uint_eq(echoed, ECHO_TOTAL);

    bufferevent_free(a);
    bufferevent_free(b);
    event_base_free(base);
    ck_assert_int_eq(live, live0);
    ck_assert_int_eq(foreign, 0);
}
END_TEST

static int dns_calls;
static int dns_count;

static void
dns_done_cb(int result, char type, int count, int ttl, void *addresses,
            void *arg)
{
    (void)type;
    (void)ttl;
    (void)addresses;
    dns_calls++;
    dns_count = result == DNS_ERR_NONE ? count : -1;
    event_base_loopbreak(arg);
}

static void
gai_done_cb(int result, struct evutil_addrinfo *res, void *arg)
{
    dns_calls++;
    dns_count = result == 0 && res != NULL ? 1 : -1;
    /* Made by the library, so freed through the hooks too. */
    evutil_freeaddrinfo(res);
    event_base_loopbreak(arg);
}

/* evdns allocates through the same hooks: its resolver, requests,
 * replies and getaddrinfo results all come back, and nothing it frees
 * was allocated elsewhere. */
START_TEST(evdns_memory_uses_the_hooks)
{
    long live0 = live, live_base;
    struct timeval limit = {10, 0};
    struct evutil_addrinfo hints;
    struct event_base *base;
    struct evdns_base *dns;
    struct vt_dns *srv = vt_dns_start();
    char ns[64];

    ck_assert_ptr_nonnull(srv);
    ck_assert_int_eq(vt_dns_add_a(srv, "mem.test", "10.1.2.3", 60), 0);
    ck_assert_int_eq(vt_dns_add_cname(srv, "alias.test", "mem.test", 60), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    live_base = live;
    dns = evdns_base_new(base, 0);
    ck_assert_ptr_nonnull(dns);
    ck_assert_int_gt(live, live_base);
    ck_assert_ptr_nonnull(vt_dns_addr_text(srv, ns, sizeof(ns)));
    ck_assert_int_eq(evdns_base_nameserver_ip_add(dns, ns), 0);
    evdns_base_search_add(dns, "search.test");

    dns_calls = 0;
    ck_assert_ptr_nonnull(
        evdns_base_resolve_ipv4(dns, "mem.test", 0, dns_done_cb, base));
    ck_assert_int_eq(event_base_loopexit(base, &limit), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_eq(dns_calls, 1);
    ck_assert_int_eq(dns_count, 1);

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = EVUTIL_AI_CANONNAME;
    dns_calls = 0;
    (void)evdns_getaddrinfo(dns, "alias.test", "80", &hints, gai_done_cb, base);
    ck_assert_int_eq(event_base_loopexit(base, &limit), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_eq(dns_calls, 1);
    ck_assert_int_eq(dns_count, 1);

    evdns_base_free(dns, 0);
    event_base_free(base);
    vt_dns_stop(srv);
    ck_assert_int_eq(live, live0);
    ck_assert_int_eq(foreign, 0);
}
END_TEST

/* A thread that reads 16 KiB into a buffer and frees it. */
static void *
read_and_free(void *arg)
{
    static char block[16384];
    int *sp = arg;
    struct evbuffer *buf = evbuffer_new();
    long n = -1;

    if (buf != NULL) {
        memset(block, 'w', sizeof(block));
        /* libevent reads at most 4 KiB a call; Vigil takes it all. */
        if (write(sp[1], block, sizeof(block)) == (ssize_t)sizeof(block)) {
            n = 0;
            while (n < (long)sizeof(block) &&
                   evbuffer_read(buf, sp[0], (int)sizeof(block)) > 0)
                n = (long)evbuffer_get_length(buf);
        }
        evbuffer_free(buf);
    }
    return (void *)n;
}

/* Runs fn (given a socket pair) in a thread that then exits, and checks
 * that it read 16 KiB and that every allocation came back. */
static void
check_thread_gives_back(void *(*fn)(void *))
{
    long live0 = live;
    pthread_t t;
    void *got;
    int sp[2];

    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq(pthread_create(&t, NULL, fn, sp), 0);
    ck_assert_int_eq(pthread_join(t, &got), 0);
    ck_assert_int_eq((long)got, 16384);
    ck_assert_int_eq(live, live0);
    ck_assert_int_eq(foreign, 0);
    close(sp[0]);
    close(sp[1]);
}

START_TEST(buffer_memory_comes_back_at_thread_exit)
{
    check_thread_gives_back(read_and_free);
}
END_TEST

/* A buffer the thread still holds when it exits, freed by a destructor
 * that runs after the library's own thread-exit clean-up (its key is made
 * later). */
static pthread_key_t late_key;

static void
free_buffer_late(void *buf)
{
    evbuffer_free(buf);
}

static void *
read_free_then_hold(void *arg)
{
    static char big[15000];
    void *n = read_and_free(arg);
    struct evbuffer *held = evbuffer_new();

    if (held == NULL || evbuffer_add(held, big, sizeof(big)) != 0 ||
        pthread_key_create(&late_key, free_buffer_late) != 0)
        return (void *)-1L;
    if (pthread_setspecific(late_key, held) != 0)
        return (void *)-2L;
    return n;
}

START_TEST(buffer_freed_by_a_later_destructor_comes_back)
{
    check_thread_gives_back(read_free_then_hold);
    ck_assert_int_eq(pthread_key_delete(late_key), 0);
}
END_TEST

START_TEST(global_shutdown)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    event_base_free(base);
    libevent_global_shutdown();
    ck_assert_int_eq(foreign, 0);
}
END_TEST

int
main(void)
{
    Suite *s;
    TCase *tc;

    /* Before any other call into the library. */
    event_set_mem_functions(t_malloc, t_realloc, t_free);

    s = suite_create("mem_functions");
    tc = vt_tcase("mem_functions", 20);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, allocations_use_the_hooks);
    tcase_add_test(tc, everything_comes_back);
    tcase_add_test(tc, bufferevent_memory_comes_back);
    tcase_add_test(tc, evdns_memory_uses_the_hooks);
    tcase_add_test(tc, buffer_memory_comes_back_at_thread_exit);
    tcase_add_test(tc, buffer_freed_by_a_later_destructor_comes_back);
    tcase_add_test(tc, refused_allocation_in_base_new);
    tcase_add_test(tc, refused_allocation_is_reported);
    tcase_add_test(tc, global_shutdown);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
