/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_base.c: creating and freeing event bases, event_config, the
 * backend choice (avoid_method, require_features, the EVENT_* environment
 * variables and EVENT_BASE_FLAG_IGNORE_ENV), features, and priorities.
 *
 * Each test runs in its own process (Check forks), so the tests set and
 * clear the environment freely; they do not depend on the backend matrix.
 */
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

/* Captured log messages. */
static int log_count[4];
static int log_total;
static int last_severity = -1;
static char last_message[1024];
static char show_message[1024];

static void
capture_log(int severity, const char *msg)
{
    if (severity >= 0 && severity < 4)
        log_count[severity]++;
    log_total++;
    last_severity = severity;
    snprintf(last_message, sizeof(last_message), "%s", msg);
    if (strstr(msg, "using") != NULL)
        snprintf(show_message, sizeof(show_message), "%s", msg);
}

static void
clear_env(void)
{
    unsetenv("EVENT_NOEPOLL");
    unsetenv("EVENT_NOPOLL");
    unsetenv("EVENT_NOSELECT");
    unsetenv("EVENT_SHOW_METHOD");
    unsetenv("EVENT_EPOLL_USE_CHANGELIST");
    unsetenv("EVENT_PRECISE_TIMER");
}

/* Makes a base that uses only the named backend, ignoring the
 * environment. */
static struct event_base *
base_with_only(const char *method)
{
    static const char *const all[] = {"epoll", "poll", "select"};
    struct event_config *cfg = event_config_new();
    struct event_base *base;
    size_t i;

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV), 0);
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(all[i], method) != 0)
            ck_assert_int_eq(event_config_avoid_method(cfg, all[i]), 0);
    }
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

static int timer_fired;

static void
count_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    timer_fired++;
}

/* A base is usable when a short timer fires through it. */
static void
assert_base_works(struct event_base *base)
{
    struct timeval tv = {0, 1000};
    struct event *ev = evtimer_new(base, count_cb, NULL);

    ck_assert_ptr_nonnull(ev);
    timer_fired = 0;
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(timer_fired, 1);
    event_free(ev);
}

START_TEST(base_new_and_free)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(event_base_get_method(base));
    ck_assert_int_eq(event_base_get_npriorities(base), 1);
    ck_assert_int_ne(event_base_get_features(base), 0);
    assert_base_works(base);
    event_base_free(base);
}
END_TEST

START_TEST(base_free_nofinalize_plain)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    assert_base_works(base);
    event_base_free_nofinalize(base);
}
END_TEST

START_TEST(new_with_null_config)
{
    struct event_base *base;

    clear_env();
    base = event_base_new_with_config(NULL);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    ck_assert_int_eq(event_base_get_npriorities(base), 1);
    assert_base_works(base);
    event_base_free(base);
}
END_TEST

START_TEST(many_bases_at_once)
{
    struct event_base *bases[8];
    int i;

    for (i = 0; i < 8; i++) {
        bases[i] = event_base_new();
        ck_assert_ptr_nonnull(bases[i]);
    }
    for (i = 0; i < 8; i++)
        assert_base_works(bases[i]);
    for (i = 0; i < 8; i++)
        event_base_free(bases[i]);
}
END_TEST

START_TEST(supported_methods_listed_in_order)
{
    const char **methods = event_get_supported_methods();
    int epoll_at = -1, poll_at = -1, select_at = -1;
    int i;

    ck_assert_ptr_nonnull(methods);
    for (i = 0; methods[i] != NULL; i++) {
        ck_assert_int_lt(i, 16);
        if (strcmp(methods[i], "epoll") == 0) {
            ck_assert_int_eq(epoll_at, -1);
            epoll_at = i;
        } else if (strcmp(methods[i], "poll") == 0) {
            ck_assert_int_eq(poll_at, -1);
            poll_at = i;
        } else if (strcmp(methods[i], "select") == 0) {
            ck_assert_int_eq(select_at, -1);
            select_at = i;
        }
    }
    /* All three Linux backends, in the order of preference. */
    ck_assert_int_ge(epoll_at, 0);
    ck_assert_int_gt(poll_at, epoll_at);
    ck_assert_int_gt(select_at, poll_at);
    /* The list does not depend on the environment. */
    setenv("EVENT_NOEPOLL", "1", 1);
    methods = event_get_supported_methods();
    ck_assert_ptr_nonnull(methods);
    ck_assert_str_eq(methods[epoll_at], "epoll");
}
END_TEST

START_TEST(each_backend_and_its_features)
{
    struct event_base *base;

    base = base_with_only("epoll");
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    ck_assert_int_eq(event_base_get_features(base),
                     EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE);
    assert_base_works(base);
    event_base_free(base);

    base = base_with_only("poll");
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    ck_assert_int_eq(event_base_get_features(base),
                     EV_FEATURE_FDS | EV_FEATURE_EARLY_CLOSE);
    assert_base_works(base);
    event_base_free(base);

    base = base_with_only("select");
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "select");
    ck_assert_int_eq(event_base_get_features(base), EV_FEATURE_FDS);
    assert_base_works(base);
    event_base_free(base);
}
END_TEST

START_TEST(default_method_is_epoll)
{
    struct event_base *base;

    clear_env();
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);
}
END_TEST

START_TEST(env_no_method_skips_backends)
{
    struct event_base *base;

    clear_env();
    setenv("EVENT_NOEPOLL", "1", 1);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);

    setenv("EVENT_NOPOLL", "1", 1);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "select");
    event_base_free(base);

    unsetenv("EVENT_NOEPOLL");
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);
}
END_TEST

START_TEST(env_no_method_all_gives_null)
{
    clear_env();
    event_set_log_callback(capture_log);
    setenv("EVENT_NOEPOLL", "1", 1);
    setenv("EVENT_NOPOLL", "1", 1);
    setenv("EVENT_NOSELECT", "1", 1);
    ck_assert_ptr_null(event_base_new());
    ck_assert_ptr_null(event_base_new_with_config(NULL));
    /* Nothing to choose from is worth a warning. */
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);
}
END_TEST

START_TEST(ignore_env_flag_ignores_no_method)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    clear_env();
    setenv("EVENT_NOEPOLL", "1", 1);
    setenv("EVENT_NOPOLL", "1", 1);
    setenv("EVENT_NOSELECT", "1", 1);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    assert_base_works(base);
    event_base_free(base);
    event_config_free(cfg);
}
END_TEST

START_TEST(env_changelist)
{
    struct event_config *cfg;
    struct event_base *base;

    clear_env();
    setenv("EVENT_EPOLL_USE_CHANGELIST", "1", 1);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll (with changelist)");
    ck_assert_int_eq(event_base_get_features(base),
                     EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE);
    assert_base_works(base);
    event_base_free(base);

    /* Ignored under EVENT_BASE_FLAG_IGNORE_ENV. */
    cfg = event_config_new();
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);
    event_config_free(cfg);

    /* No effect when epoll is not chosen. */
    setenv("EVENT_NOEPOLL", "1", 1);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);
}
END_TEST

START_TEST(env_show_method_logs_choice)
{
    struct event_base *base;

    clear_env();
    event_set_log_callback(capture_log);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(log_total, 0);
    event_base_free(base);

    setenv("EVENT_SHOW_METHOD", "1", 1);
    setenv("EVENT_NOEPOLL", "1", 1);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    ck_assert_int_ge(log_count[EVENT_LOG_MSG], 1);
    ck_assert_ptr_nonnull(strstr(show_message, "poll"));
    event_base_free(base);
    /* Note: libevent 2.1.12 still shows the method for a base made with
     * EVENT_BASE_FLAG_IGNORE_ENV; this test does not pin either way. */
}
END_TEST

START_TEST(flag_changelist)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    clear_env();
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(
        event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll (with changelist)");
    assert_base_works(base);
    event_base_free(base);

    /* The flag has no effect on another backend. */
    ck_assert_int_eq(event_config_avoid_method(cfg, "epoll"), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);
    event_config_free(cfg);
}
END_TEST

START_TEST(every_flag_gives_working_base)
{
    static const int flags[] = {
        EVENT_BASE_FLAG_NOLOCK,
        EVENT_BASE_FLAG_IGNORE_ENV,
        EVENT_BASE_FLAG_STARTUP_IOCP,
        EVENT_BASE_FLAG_NO_CACHE_TIME,
        EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST,
        EVENT_BASE_FLAG_PRECISE_TIMER,
    };
    struct event_config *all = event_config_new();
    struct event_base *base;
    size_t i;

    ck_assert_ptr_nonnull(all);
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        struct event_config *cfg = event_config_new();

        ck_assert_ptr_nonnull(cfg);
        ck_assert_int_eq(event_config_set_flag(cfg, flags[i]), 0);
        ck_assert_int_eq(event_config_set_flag(all, flags[i]), 0);
        base = event_base_new_with_config(cfg);
        ck_assert_ptr_nonnull(base);
        assert_base_works(base);
        event_base_free(base);
        event_config_free(cfg);
    }
    base = event_base_new_with_config(all);
    ck_assert_ptr_nonnull(base);
    assert_base_works(base);
    event_base_free(base);
    event_config_free(all);
}
END_TEST

START_TEST(avoid_method)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    clear_env();
    ck_assert_ptr_nonnull(cfg);
    /* An unknown name is accepted and changes nothing. */
    ck_assert_int_eq(event_config_avoid_method(cfg, "no-such-method"), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);

    ck_assert_int_eq(event_config_avoid_method(cfg, "epoll"), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);

    ck_assert_int_eq(event_config_avoid_method(cfg, "poll"), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "select");
    assert_base_works(base);
    event_base_free(base);

    event_set_log_callback(capture_log);
    ck_assert_int_eq(event_config_avoid_method(cfg, "select"), 0);
    ck_assert_ptr_null(event_base_new_with_config(cfg));
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);
    event_config_free(cfg);
}
END_TEST

START_TEST(require_features)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    clear_env();
    event_set_log_callback(capture_log);
    ck_assert_ptr_nonnull(cfg);

    ck_assert_int_eq(event_config_require_features(cfg, EV_FEATURE_O1), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);

    ck_assert_int_eq(event_config_require_features(cfg, EV_FEATURE_ET), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_int_ne(event_base_get_features(base) & EV_FEATURE_ET, 0);
    event_base_free(base);

    /* The features replace the earlier ones: FDS alone picks poll. */
    ck_assert_int_eq(event_config_require_features(cfg, EV_FEATURE_FDS), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);

    ck_assert_int_eq(event_config_require_features(
                         cfg, EV_FEATURE_FDS | EV_FEATURE_EARLY_CLOSE),
                     0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);

    /* No backend is both edge-triggered and good for any fd. */
    ck_assert_int_eq(
        event_config_require_features(cfg, EV_FEATURE_ET | EV_FEATURE_FDS), 0);
    ck_assert_ptr_null(event_base_new_with_config(cfg));
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);

    /* As the header suggests: drop the requirement and try again. */
    ck_assert_int_eq(event_config_require_features(cfg, 0), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "epoll");
    event_base_free(base);

    /* A requirement that only an avoided backend meets. */
    ck_assert_int_eq(event_config_avoid_method(cfg, "epoll"), 0);
    ck_assert_int_eq(event_config_require_features(cfg, EV_FEATURE_O1), 0);
    ck_assert_ptr_null(event_base_new_with_config(cfg));
    ck_assert_int_eq(event_config_require_features(cfg, EV_FEATURE_EARLY_CLOSE),
                     0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(event_base_get_method(base), "poll");
    event_base_free(base);
    event_config_free(cfg);
}
END_TEST

START_TEST(require_unknown_feature_gives_null)
{
    struct event_config *cfg = event_config_new();

    event_set_log_callback(capture_log);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_require_features(cfg, 0x100), 0);
    ck_assert_ptr_null(event_base_new_with_config(cfg));
    event_config_free(cfg);
}
END_TEST

START_TEST(num_cpus_hint)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_num_cpus_hint(cfg, 1), 0);
    ck_assert_int_eq(event_config_set_num_cpus_hint(cfg, 4), 0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    assert_base_works(base);
    event_base_free(base);
    event_config_free(cfg);
}
END_TEST

START_TEST(max_dispatch_interval_accepted)
{
    struct event_config *cfg = event_config_new();
    struct timeval tv = {0, 5000};
    struct event_base *base;

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, &tv, 10, 0),
                     0);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, NULL, -1, 0),
                     0);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, &tv, -1, 1),
                     0);
    base = event_base_new_with_config(cfg);
    ck_assert_ptr_nonnull(base);
    assert_base_works(base);
    event_base_free(base);
    event_config_free(cfg);
}
END_TEST

START_TEST(config_reused_and_freed_early)
{
    struct event_config *cfg = event_config_new();
    struct event_base *a, *b;

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_avoid_method(cfg, "epoll"), 0);
    ck_assert_int_eq(event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV), 0);
    a = event_base_new_with_config(cfg);
    b = event_base_new_with_config(cfg);
    event_config_free(cfg);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(event_base_get_method(a), "poll");
    ck_assert_str_eq(event_base_get_method(b), "poll");
    assert_base_works(a);
    assert_base_works(b);
    event_base_free(a);
    event_base_free(b);
}
END_TEST

START_TEST(priority_init_and_get)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_get_npriorities(base), 1);

    ck_assert_int_eq(event_base_priority_init(base, 3), 0);
    ck_assert_int_eq(event_base_get_npriorities(base), 3);

    /* Out of range: refused, nothing changes. */
    ck_assert_int_eq(event_base_priority_init(base, 0), -1);
    ck_assert_int_eq(event_base_priority_init(base, -1), -1);
    ck_assert_int_eq(event_base_priority_init(base, EVENT_MAX_PRIORITIES), -1);
    ck_assert_int_eq(event_base_get_npriorities(base), 3);

    ck_assert_int_eq(event_base_priority_init(base, EVENT_MAX_PRIORITIES - 1),
                     0);
    ck_assert_int_eq(event_base_get_npriorities(base),
                     EVENT_MAX_PRIORITIES - 1);
    ck_assert_int_eq(event_base_priority_init(base, 1), 0);
    ck_assert_int_eq(event_base_get_npriorities(base), 1);

    /* Not while a callback is waiting to run. */
    ck_assert_int_eq(event_base_priority_init(base, 4), 0);
    ev = event_new(base, -1, 0, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_base_priority_init(base, 2), -1);
    ck_assert_int_eq(event_base_get_npriorities(base), 4);
    timer_fired = 0;
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(timer_fired, 1);
    ck_assert_int_eq(event_base_priority_init(base, 2), 0);
    ck_assert_int_eq(event_base_get_npriorities(base), 2);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(new_events_get_middle_priority)
{
    static const int n[] = {1, 2, 3, 4, 5, 10, 255};
    struct event_base *base = event_base_new();
    size_t i;

    ck_assert_ptr_nonnull(base);
    for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
        struct event *ev;

        ck_assert_int_eq(event_base_priority_init(base, n[i]), 0);
        ev = event_new(base, -1, 0, count_cb, NULL);
        ck_assert_ptr_nonnull(ev);
        ck_assert_int_eq(event_get_priority(ev), n[i] / 2);
        event_free(ev);
    }
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("event_base");
    TCase *tc = vt_tcase("base", 10);
    TCase *env = vt_tcase("config_env", 10);
    TCase *pri = vt_tcase("priorities", 10);

    tcase_add_test(tc, base_new_and_free);
    tcase_add_test(tc, base_free_nofinalize_plain);
    tcase_add_test(tc, new_with_null_config);
    tcase_add_test(tc, many_bases_at_once);
    tcase_add_test(tc, supported_methods_listed_in_order);
    tcase_add_test(tc, each_backend_and_its_features);
    suite_add_tcase(s, tc);

    tcase_add_test(env, default_method_is_epoll);
    tcase_add_test(env, env_no_method_skips_backends);
    tcase_add_test(env, env_no_method_all_gives_null);
    tcase_add_test(env, ignore_env_flag_ignores_no_method);
    tcase_add_test(env, env_changelist);
    tcase_add_test(env, env_show_method_logs_choice);
    tcase_add_test(env, flag_changelist);
    tcase_add_test(env, every_flag_gives_working_base);
    tcase_add_test(env, avoid_method);
    tcase_add_test(env, require_features);
    tcase_add_test(env, require_unknown_feature_gives_null);
    tcase_add_test(env, num_cpus_hint);
    tcase_add_test(env, max_dispatch_interval_accepted);
    tcase_add_test(env, config_reused_and_freed_early);
    suite_add_tcase(s, env);

    tcase_add_test(pri, priority_init_and_get);
    tcase_add_test(pri, new_events_get_middle_priority);
    suite_add_tcase(s, pri);
    return vt_run(s);
}
