/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * debug_mode.c: event_enable_debug_mode and event_debug_unassign, the
 * fatal callback (event_set_fatal_callback), the log callback
 * (event_set_log_callback, including the default logger) and
 * event_enable_debug_logging.
 *
 * Misuse caught by debug mode must go through the fatal path: an
 * EVENT_LOG_ERR message, then the fatal callback.  The callback here
 * leaves the process with status 42 when an error was logged first (43
 * when not), and the tests expect exactly 42.
 */
#include <event2/event.h>
#include <event2/event_compat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtest.h"

static int log_count[4];
static char last_message[1024];

static void
capture_log(int severity, const char *msg)
{
    if (severity >= 0 && severity < 4)
        log_count[severity]++;
    snprintf(last_message, sizeof(last_message), "%s", msg);
}

static void
fatal_exit(int err)
{
    (void)err;
    _exit(log_count[EVENT_LOG_ERR] > 0 && last_message[0] != '\0' ? 42 : 43);
}

static void
setup(void)
{
    memset(log_count, 0, sizeof(log_count));
    last_message[0] = '\0';
    event_set_log_callback(capture_log);
    event_set_fatal_callback(fatal_exit);
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

/* Debug mode on, a base, an event assigned on caller memory and a byte
 * copy of it that debug mode has never seen assigned. */
static struct event_base *dbg_base;
static struct event *dbg_ev, *dbg_copy;

static void
debug_setup(void)
{
    size_t size = event_get_struct_event_size();

    event_enable_debug_mode();
    dbg_base = event_base_new();
    ck_assert_ptr_nonnull(dbg_base);
    dbg_ev = calloc(1, size);
    dbg_copy = calloc(1, size);
    ck_assert_ptr_nonnull(dbg_ev);
    ck_assert_ptr_nonnull(dbg_copy);
    ck_assert_int_eq(event_assign(dbg_ev, dbg_base, -1, 0, count_cb, NULL), 0);
    memcpy(dbg_copy, dbg_ev, size);
}

START_TEST(enable_after_base_is_fatal)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    event_enable_debug_mode();
}
END_TEST

START_TEST(enable_twice_is_fatal)
{
    event_enable_debug_mode();
    event_enable_debug_mode();
}
END_TEST

START_TEST(add_unassigned_is_fatal)
{
    debug_setup();
    event_add(dbg_copy, NULL);
}
END_TEST

START_TEST(del_unassigned_is_fatal)
{
    debug_setup();
    event_del(dbg_copy);
}
END_TEST

START_TEST(active_unassigned_is_fatal)
{
    debug_setup();
    event_active(dbg_copy, EV_READ, 0);
}
END_TEST

START_TEST(pending_unassigned_is_fatal)
{
    debug_setup();
    event_pending(dbg_copy, EV_READ, NULL);
}
END_TEST

START_TEST(remove_timer_unassigned_is_fatal)
{
    debug_setup();
    event_remove_timer(dbg_copy);
}
END_TEST

START_TEST(add_after_debug_unassign_is_fatal)
{
    debug_setup();
    event_debug_unassign(dbg_ev);
    event_add(dbg_ev, NULL);
}
END_TEST

START_TEST(reassign_pending_is_fatal)
{
    struct timeval tv = {10, 0};

    debug_setup();
    ck_assert_int_eq(event_add(dbg_ev, &tv), 0);
    event_assign(dbg_ev, dbg_base, -1, 0, count_cb, NULL);
}
END_TEST

START_TEST(reassign_pending_new_event_is_fatal)
{
    struct timeval tv = {10, 0};
    struct event *ev;

    debug_setup();
    ev = event_new(dbg_base, -1, 0, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, &tv), 0);
    event_assign(ev, dbg_base, -1, 0, count_cb, NULL);
}
END_TEST

START_TEST(event_set_on_pending_is_fatal)
{
    struct timeval tv = {10, 0};

    debug_setup();
    ck_assert_int_eq(event_add(dbg_ev, &tv), 0);
    event_set(dbg_ev, -1, 0, count_cb, NULL);
}
END_TEST

START_TEST(unassign_pending_is_fatal)
{
    struct timeval tv = {10, 0};

    debug_setup();
    ck_assert_int_eq(event_add(dbg_ev, &tv), 0);
    event_debug_unassign(dbg_ev);
}
END_TEST

START_TEST(debug_mode_correct_use)
{
    struct timeval tv = {0, 1000};
    struct event *ev;

    debug_setup();
    /* Everything used as documented: no fatal error. */
    ck_assert_int_eq(event_add(dbg_ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(dbg_base), 1);
    ck_assert_int_eq(cb_calls, 1);
    ck_assert_int_eq(event_add(dbg_ev, &tv), 0);
    ck_assert_int_eq(event_del(dbg_ev), 0);
    /* Assigning a non-pending event again is fine. */
    ck_assert_int_eq(event_assign(dbg_ev, dbg_base, -1, 0, count_cb, NULL), 0);
    event_debug_unassign(dbg_ev);
    ck_assert_int_eq(event_assign(dbg_ev, dbg_base, -1, 0, count_cb, NULL), 0);
    event_active(dbg_ev, 0, 0);
    ck_assert_int_eq(event_base_dispatch(dbg_base), 1);
    ck_assert_int_eq(cb_calls, 2);
    event_debug_unassign(dbg_ev);

    ev = event_new(dbg_base, -1, 0, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, &tv), 0);
    event_free(ev);
    ev = event_new(dbg_base, -1, EV_PERSIST, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    event_free(ev);
    ck_assert_int_eq(log_count[EVENT_LOG_ERR], 0);
    free(dbg_ev);
    free(dbg_copy);
    event_base_free(dbg_base);
}
END_TEST

START_TEST(debug_unassign_without_debug_mode)
{
    struct event_base *base = event_base_new();
    struct event *ev = calloc(1, event_get_struct_event_size());
    struct timeval tv = {0, 1000};

    /* Without debug mode an unassigned event can be assigned again and
     * used.  (libevent 2.1.12 clears the event's "initialized" mark
     * here, though the header says the call does nothing; nothing is
     * pinned about using the event before assigning it again.) */
    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_assign(ev, base, -1, 0, count_cb, NULL), 0);
    event_debug_unassign(ev);
    ck_assert_int_eq(event_assign(ev, base, -1, 0, count_cb, NULL), 0);
    ck_assert_int_eq(event_initialized(ev), 1);
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(cb_calls, 1);
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(zeroed_event_is_refused_without_crash)
{
    struct event *ev = calloc(1, event_get_struct_event_size());

    /* Memory that was never assigned has no base: a warning and -1
     * (with or without debug mode). */
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), -1);
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);
    free(ev);
}
END_TEST

START_TEST(log_callback_gets_warnings)
{
    struct event_base *base = event_base_new();
    struct event *ev = calloc(1, event_get_struct_event_size());

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(
        event_assign(ev, base, SIGUSR1, EV_SIGNAL | EV_READ, count_cb, NULL),
        -1);
    ck_assert_int_eq(log_count[EVENT_LOG_WARN], 1);
    ck_assert_int_eq(log_count[EVENT_LOG_ERR], 0);
    ck_assert_int_gt((int)strlen(last_message), 0);
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(default_logger_writes_to_stderr)
{
    FILE *out = tmpfile();
    struct stat st;
    int saved;

    /* With the callback reset to NULL, warnings go to stderr. */
    event_set_log_callback(NULL);
    ck_assert_ptr_nonnull(out);
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_eq(dup2(fileno(out), STDERR_FILENO), STDERR_FILENO);
    event_base_free(NULL); /* "no base to free": a warning. */
    fflush(stderr);
    ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    ck_assert_int_eq(fstat(fileno(out), &st), 0);
    fclose(out);
    ck_assert_int_gt((int)st.st_size, 0);
    ck_assert_int_eq(log_count[EVENT_LOG_WARN], 0);
}
END_TEST

START_TEST(debug_logging_on_and_off)
{
    struct timeval tv = {0, 1000};
    struct event_base *base;
    struct event *ev;

    event_enable_debug_logging(EVENT_DBG_ALL);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ev = evtimer_new(base, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    log_count[EVENT_LOG_DEBUG] = 0;
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_gt(log_count[EVENT_LOG_DEBUG], 0);

    event_enable_debug_logging(EVENT_DBG_NONE);
    log_count[EVENT_LOG_DEBUG] = 0;
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(log_count[EVENT_LOG_DEBUG], 0);
    ck_assert_int_eq(cb_calls, 2);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(no_debug_messages_by_default)
{
    struct timeval tv = {0, 1000};
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = evtimer_new(base, count_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(log_count[EVENT_LOG_DEBUG], 0);
    event_free(ev);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("debug_mode");
    TCase *fatal = vt_tcase("fatal", 10);
    TCase *ok = vt_tcase("debug_mode", 10);
    TCase *logs = vt_tcase("logging", 10);

    tcase_add_checked_fixture(fatal, setup, NULL);
    tcase_add_checked_fixture(ok, setup, NULL);
    tcase_add_checked_fixture(logs, setup, NULL);

    tcase_add_exit_test(fatal, enable_after_base_is_fatal, 42);
    tcase_add_exit_test(fatal, enable_twice_is_fatal, 42);
    tcase_add_exit_test(fatal, add_unassigned_is_fatal, 42);
    tcase_add_exit_test(fatal, del_unassigned_is_fatal, 42);
    tcase_add_exit_test(fatal, active_unassigned_is_fatal, 42);
    tcase_add_exit_test(fatal, pending_unassigned_is_fatal, 42);
    tcase_add_exit_test(fatal, remove_timer_unassigned_is_fatal, 42);
    tcase_add_exit_test(fatal, add_after_debug_unassign_is_fatal, 42);
    tcase_add_exit_test(fatal, reassign_pending_is_fatal, 42);
    tcase_add_exit_test(fatal, reassign_pending_new_event_is_fatal, 42);
    tcase_add_exit_test(fatal, event_set_on_pending_is_fatal, 42);
    tcase_add_exit_test(fatal, unassign_pending_is_fatal, 42);
    suite_add_tcase(s, fatal);

    tcase_add_test(ok, debug_mode_correct_use);
    tcase_add_test(ok, debug_unassign_without_debug_mode);
    tcase_add_test(ok, zeroed_event_is_refused_without_crash);
    suite_add_tcase(s, ok);

    tcase_add_test(logs, log_callback_gets_warnings);
    tcase_add_test(logs, default_logger_writes_to_stderr);
    tcase_add_test(logs, debug_logging_on_and_off);
    tcase_add_test(logs, no_debug_messages_by_default);
    suite_add_tcase(s, logs);
    return vt_run(s);
}
