/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * thread_debug.c (white-box): with evthread_enable_lock_debugging(), each
 * misuse of a lock goes through the fatal path: the program's fatal
 * callback, or abort() without one.  Correct use passes silently.
 */
#include <event2/event.h>
#include <event2/thread.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "thread-internal.h"
#include "vtest.h"

#define FATAL_EXIT 77

static void
fatal_exit(int err)
{
    (void)err;
    _exit(FATAL_EXIT);
}

static void
setup_debug_locks(void)
{
    ck_assert_int_eq(evthread_use_pthreads(), 0);
    evthread_enable_lock_debugging();
    event_set_fatal_callback(fatal_exit);
}

START_TEST(unlocking_a_lock_not_held)
{
    void *lock;

    setup_debug_locks();
    lock = vg_lock_alloc(0);
    ck_assert_ptr_nonnull(lock);
    vg_unlock(lock);
}
END_TEST

START_TEST(recursive_locking_of_non_recursive_lock)
{
    void *lock;

    setup_debug_locks();
    lock = vg_lock_alloc(0);
    ck_assert_ptr_nonnull(lock);
    vg_lock(lock);
    vg_lock(lock);
}
END_TEST

START_TEST(waiting_without_the_lock)
{
    struct timeval tv = {0, 1000};
    void *lock, *cond;

    setup_debug_locks();
    lock = vg_lock_alloc(0);
    cond = vg_cond_alloc();
    ck_assert_ptr_nonnull(lock);
    ck_assert_ptr_nonnull(cond);
    vg_cond_wait(cond, lock, &tv);
}
END_TEST

static void *
unlock_elsewhere(void *lock)
{
    vg_unlock(lock);
    return NULL;
}

START_TEST(unlocking_from_another_thread)
{
    pthread_t t;
    void *lock;

    setup_debug_locks();
    lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
    ck_assert_ptr_nonnull(lock);
    vg_lock(lock);
    ck_assert_int_eq(pthread_create(&t, NULL, unlock_elsewhere, lock), 0);
    pthread_join(t, NULL);
}
END_TEST

START_TEST(misuse_without_fatal_callback_aborts)
{
    void *lock;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    evthread_enable_lock_debugging();
    lock = vg_lock_alloc(0);
    ck_assert_ptr_nonnull(lock);
    vg_unlock(lock);
}
END_TEST

START_TEST(correct_use_passes)
{
    struct timeval tv = {0, 1000};
    void *rec, *plain, *cond;

    setup_debug_locks();
    rec = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
    plain = vg_lock_alloc(0);
    cond = vg_cond_alloc();
    ck_assert_ptr_nonnull(rec);
    ck_assert_ptr_nonnull(plain);
    ck_assert_ptr_nonnull(cond);

    ck_assert_int_eq(vg_lock_is_held(rec), 0);
    vg_lock(rec);
    vg_lock(rec);
    ck_assert_int_eq(vg_lock_is_held(rec), 1);
    vg_unlock(rec);
    ck_assert_int_eq(vg_lock_is_held(rec), 1);
    vg_unlock(rec);
    ck_assert_int_eq(vg_lock_is_held(rec), 0);

    /* A timed wait with the lock held times out and gives it back. */
    vg_lock(plain);
    ck_assert_int_eq(vg_cond_wait(cond, plain, &tv), 1);
    ck_assert_int_eq(vg_lock_is_held(plain), 1);
    vg_unlock(plain);

    vg_cond_free(cond);
    vg_lock_free(plain, 0);
    vg_lock_free(rec, EVTHREAD_LOCKTYPE_RECURSIVE);
}
END_TEST

START_TEST(old_misspelled_name_enables_debugging)
{
    void *lock;

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    evthread_enable_lock_debuging();
    event_set_fatal_callback(fatal_exit);
    lock = vg_lock_alloc(0);
    ck_assert_ptr_nonnull(lock);
    ck_assert_int_eq(vg_lock_is_held(lock), 0);
    vg_unlock(lock);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("thread_debug");
    TCase *tc = vt_tcase("thread_debug", 10);

    tcase_add_exit_test(tc, unlocking_a_lock_not_held, FATAL_EXIT);
    tcase_add_exit_test(tc, recursive_locking_of_non_recursive_lock,
                        FATAL_EXIT);
    tcase_add_exit_test(tc, waiting_without_the_lock, FATAL_EXIT);
    tcase_add_exit_test(tc, unlocking_from_another_thread, FATAL_EXIT);
    tcase_add_test_raise_signal(tc, misuse_without_fatal_callback_aborts,
                                SIGABRT);
    tcase_add_test(tc, correct_use_passes);
    tcase_add_exit_test(tc, old_misspelled_name_enables_debugging, FATAL_EXIT);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
