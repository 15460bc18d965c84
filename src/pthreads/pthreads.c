/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pthreads.c: evthread_use_pthreads() hands libevent_core locks,
 * conditions and thread ids made of POSIX threads.
 */
#include <event2/thread.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static pthread_mutexattr_t recursive_attr;

static void *
pt_lock_alloc(unsigned locktype)
{
    pthread_mutex_t *m = malloc(sizeof(*m));

    if (m == NULL)
        return NULL;
    if (pthread_mutex_init(m, (locktype & EVTHREAD_LOCKTYPE_RECURSIVE)
                                  ? &recursive_attr
                                  : NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

static void
pt_lock_free(void *lock, unsigned locktype)
{
    (void)locktype;
    pthread_mutex_destroy(lock);
    free(lock);
}

static int
pt_lock(unsigned mode, void *lock)
{
    if (mode & EVTHREAD_TRY)
        return pthread_mutex_trylock(lock);
    return pthread_mutex_lock(lock);
}

static int
pt_unlock(unsigned mode, void *lock)
{
    (void)mode;
    return pthread_mutex_unlock(lock);
}

static unsigned long
pt_thread_id(void)
{
    return (unsigned long)pthread_self();
}

static void *
pt_cond_alloc(unsigned condtype)
{
    pthread_cond_t *c = malloc(sizeof(*c));

    (void)condtype;
    if (c == NULL)
        return NULL;
    if (pthread_cond_init(c, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void
pt_cond_free(void *cond)
{
    pthread_cond_destroy(cond);
    free(cond);
}

static int
pt_cond_signal(void *cond, int broadcast)
{
    return broadcast ? pthread_cond_broadcast(cond) : pthread_cond_signal(cond);
}

/* 0 when signalled, 1 on timeout, -1 on error. */
static int
pt_cond_wait(void *cond, void *lock, const struct timeval *tv)
{
    int rc;

    if (tv != NULL) {
        struct timeval now;
        struct timespec abstime;

        gettimeofday(&now, NULL);
        abstime.tv_sec = now.tv_sec + tv->tv_sec;
        abstime.tv_nsec = (now.tv_usec + tv->tv_usec) * 1000L;
        if (abstime.tv_nsec >= 1000000000L) {
            abstime.tv_sec++;
            abstime.tv_nsec -= 1000000000L;
        }
        rc = pthread_cond_timedwait(cond, lock, &abstime);
        if (rc == ETIMEDOUT)
            return 1;
    } else {
        rc = pthread_cond_wait(cond, lock);
    }
    return rc == 0 ? 0 : -1;
}

int
evthread_use_pthreads(void)
{
    static const struct evthread_lock_callbacks locks = {
        EVTHREAD_LOCK_API_VERSION,
        EVTHREAD_LOCKTYPE_RECURSIVE,
        pt_lock_alloc,
        pt_lock_free,
        pt_lock,
        pt_unlock,
    };
    static const struct evthread_condition_callbacks conds = {
        EVTHREAD_CONDITION_API_VERSION,
        pt_cond_alloc,
        pt_cond_free,
        pt_cond_signal,
        pt_cond_wait,
    };

    if (pthread_mutexattr_init(&recursive_attr) != 0 ||
        pthread_mutexattr_settype(&recursive_attr, PTHREAD_MUTEX_RECURSIVE) !=
            0)
        return -1;
    if (evthread_set_lock_callbacks(&locks) < 0)
        return -1;
    evthread_set_condition_callbacks(&conds);
    evthread_set_id_callback(pt_thread_id);
    return 0;
}
