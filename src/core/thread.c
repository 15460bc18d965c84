/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * thread.c: event2/thread.h.  The program hands over lock, condition and
 * thread-id functions (evthread_use_pthreads() does it for pthreads); the
 * library uses them for every base, buffer and bufferevent made afterwards.
 * Lock debugging wraps the program's locks to catch misuse.
 */
#include <event2/thread.h>

#include <string.h>

#include "log-internal.h"
#include "mm-internal.h"
#include "thread-internal.h"

struct evthread_lock_callbacks vg_lock_fns;
struct evthread_condition_callbacks vg_cond_fns;
unsigned long (*vg_id_fn)(void);
void *vg_global_lock;

/* With lock debugging on, vg_lock_fns and vg_cond_fns hold the wrappers
 * below and these hold what the program installed. */
static int lock_debugging;
static struct evthread_lock_callbacks original_lock_fns;
static struct evthread_condition_callbacks original_cond_fns;

static int
setup_global_locks(void)
{
    if (vg_global_lock != NULL || vg_lock_fns.alloc == NULL)
        return 0;
    vg_global_lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
    return vg_global_lock != NULL ? 0 : -1;
}

int
evthread_set_lock_callbacks(const struct evthread_lock_callbacks *cbs)
{
    struct evthread_lock_callbacks *target =
        lock_debugging ? &original_lock_fns : &vg_lock_fns;

    if (cbs == NULL) {
        if (target->alloc != NULL)
            vg_log_warnx("Trying to disable lock functions after they have "
                         "been set up will probably not work.");
        memset(target, 0, sizeof(*target));
        return 0;
    }
    if (target->alloc != NULL) {
        if (target->lock_api_version == cbs->lock_api_version &&
            target->supported_locktypes == cbs->supported_locktypes &&
            target->alloc == cbs->alloc && target->free == cbs->free &&
            target->lock == cbs->lock && target->unlock == cbs->unlock)
            return 0;
        vg_log_warnx("Can't change lock callbacks once they have been "
                     "initialized.");
        return -1;
    }
    if (cbs->alloc == NULL || cbs->free == NULL || cbs->lock == NULL ||
        cbs->unlock == NULL)
        return -1;
    *target = *cbs;
    return setup_global_locks();
}

int
evthread_set_condition_callbacks(const struct evthread_condition_callbacks *cbs)
{
    struct evthread_condition_callbacks *target =
        lock_debugging ? &original_cond_fns : &vg_cond_fns;

    if (cbs == NULL) {
        if (target->alloc_condition != NULL)
            vg_log_warnx("Trying to disable condition functions after they "
                         "have been set up will probably not work.");
        memset(target, 0, sizeof(*target));
        return 0;
    }
    if (target->alloc_condition != NULL) {
        if (target->condition_api_version == cbs->condition_api_version &&
            target->alloc_condition == cbs->alloc_condition &&
            target->free_condition == cbs->free_condition &&
            target->signal_condition == cbs->signal_condition &&
            target->wait_condition == cbs->wait_condition)
            return 0;
        vg_log_warnx("Can't change condition callbacks once they have been "
                     "initialized.");
        return -1;
    }
    /* An incomplete set is ignored, as libevent does. */
    if (cbs->alloc_condition != NULL && cbs->free_condition != NULL &&
        cbs->signal_condition != NULL && cbs->wait_condition != NULL)
        *target = *cbs;
    if (lock_debugging) {
        vg_cond_fns.alloc_condition = original_cond_fns.alloc_condition;
        vg_cond_fns.free_condition = original_cond_fns.free_condition;
        vg_cond_fns.signal_condition = original_cond_fns.signal_condition;
    }
    return 0;
}

void
evthread_set_id_callback(unsigned long (*id_fn)(void))
{
    vg_id_fn = id_fn;
}

/* ------------------------------------------------------------------ */
/* Lock debugging.                                                     */

#define DEBUG_LOCK_SIG 0xdeb0b10c

struct debug_lock {
    unsigned signature;
    unsigned locktype;
    unsigned long held_by;
    int count;  /* how many times the holder locked it */
    void *lock; /* the program's lock, or NULL without one */
};

static void *
debug_lock_alloc(unsigned locktype)
{
    struct debug_lock *dl = vg_mm_malloc(sizeof(*dl));

    if (dl == NULL)
        return NULL;
    dl->lock = NULL;
    if (original_lock_fns.alloc != NULL) {
        /* Always recursive underneath, so that misuse is reported here
         * instead of deadlocking in the program's lock. */
        dl->lock =
            original_lock_fns.alloc(locktype | EVTHREAD_LOCKTYPE_RECURSIVE);
        if (dl->lock == NULL) {
            vg_mm_free(dl);
            return NULL;
        }
    }
    dl->signature = DEBUG_LOCK_SIG;
    dl->locktype = locktype;
    dl->held_by = 0;
    dl->count = 0;
    return dl;
}

static void
debug_lock_free(void *lock_, unsigned locktype)
{
    struct debug_lock *dl = lock_;

    VG_ASSERT(dl->signature == DEBUG_LOCK_SIG);
    if (dl->count != 0)
        vg_log_errx(VG_ERR_ABORT, "lock debugging: freeing a held lock");
    if (dl->locktype != locktype)
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: freeing a lock of type %u as type %u",
                    dl->locktype, locktype);
    if (dl->lock != NULL && original_lock_fns.free != NULL)
        original_lock_fns.free(dl->lock,
                               dl->locktype | EVTHREAD_LOCKTYPE_RECURSIVE);
    dl->signature = 0;
    vg_mm_free(dl);
}

static void
debug_note_locked(struct debug_lock *dl)
{
    unsigned long me = vg_thread_id();

    VG_ASSERT(dl->signature == DEBUG_LOCK_SIG);
    if (dl->count > 0 && !(dl->locktype & EVTHREAD_LOCKTYPE_RECURSIVE))
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: recursive locking of a non-recursive "
                    "lock %p",
                    (void *)dl);
    if (dl->count > 0 && dl->held_by != me)
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: lock %p held by thread %lu was also "
                    "acquired by thread %lu",
                    (void *)dl, dl->held_by, me);
    dl->held_by = me;
    dl->count++;
}

static int
debug_lock_lock(unsigned mode, void *lock_)
{
    struct debug_lock *dl = lock_;
    int rc = 0;

    if (dl->lock != NULL && original_lock_fns.lock != NULL)
        rc = original_lock_fns.lock(mode, dl->lock);
    if (rc == 0)
        debug_note_locked(dl);
    return rc;
}

static void
debug_note_unlocking(struct debug_lock *dl)
{
    VG_ASSERT(dl->signature == DEBUG_LOCK_SIG);
    if (dl->count <= 0)
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: unlocking lock %p, which is not held",
                    (void *)dl);
    if (dl->held_by != vg_thread_id())
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: thread %lu unlocking lock %p held by "
                    "thread %lu",
                    vg_thread_id(), (void *)dl, dl->held_by);
    if (--dl->count == 0)
        dl->held_by = 0;
}

static int
debug_lock_unlock(unsigned mode, void *lock_)
{
    struct debug_lock *dl = lock_;

    debug_note_unlocking(dl);
    if (dl->lock != NULL && original_lock_fns.unlock != NULL)
        return original_lock_fns.unlock(mode, dl->lock);
    return 0;
}

static int
debug_cond_wait(void *cond, void *lock_, const struct timeval *tv)
{
    struct debug_lock *dl = lock_;
    int count, rc;

    VG_ASSERT(dl->signature == DEBUG_LOCK_SIG);
    if (dl->count <= 0 || dl->held_by != vg_thread_id())
        vg_log_errx(VG_ERR_ABORT,
                    "lock debugging: waiting on a condition without "
                    "holding its lock %p",
                    (void *)dl);
    /* The wait releases the lock once, however deep the holder is. */
    count = dl->count;
    dl->count = 0;
    dl->held_by = 0;
    rc = original_cond_fns.wait_condition(cond, dl->lock, tv);
    dl->count = count;
    dl->held_by = vg_thread_id();
    return rc;
}

static void
enable_lock_debugging(void)
{
    struct evthread_lock_callbacks cbs;

    if (lock_debugging)
        return;
    cbs.lock_api_version = EVTHREAD_LOCK_API_VERSION;
    cbs.supported_locktypes = EVTHREAD_LOCKTYPE_RECURSIVE;
    cbs.alloc = debug_lock_alloc;
    cbs.free = debug_lock_free;
    cbs.lock = debug_lock_lock;
    cbs.unlock = debug_lock_unlock;
    original_lock_fns = vg_lock_fns;
    original_cond_fns = vg_cond_fns;
    vg_lock_fns = cbs;
    vg_cond_fns.wait_condition = debug_cond_wait;
    lock_debugging = 1;
    /* The global lock was made by the old functions: make it anew. */
    if (vg_global_lock != NULL) {
        original_lock_fns.free(vg_global_lock, EVTHREAD_LOCKTYPE_RECURSIVE);
        vg_global_lock = NULL;
    }
    setup_global_locks();
}

void
evthread_enable_lock_debugging(void)
{
    enable_lock_debugging();
}

void
evthread_enable_lock_debuging(void)
{
    enable_lock_debugging();
}

int
vg_lock_is_held(void *lock)
{
    struct debug_lock *dl = lock;

    if (!lock_debugging || dl == NULL)
        return -1;
    return dl->count > 0 && dl->held_by == vg_thread_id();
}

/* ------------------------------------------------------------------ */
/* Conditions.                                                         */

void *
vg_cond_alloc(void)
{
    return vg_cond_fns.alloc_condition != NULL ? vg_cond_fns.alloc_condition(0)
                                               : NULL;
}

void
vg_cond_free(void *cond)
{
    if (cond != NULL && vg_cond_fns.free_condition != NULL)
        vg_cond_fns.free_condition(cond);
}

int
vg_cond_wait(void *cond, void *lock, const struct timeval *tv)
{
    if (cond == NULL || vg_cond_fns.wait_condition == NULL)
        return -1;
    return vg_cond_fns.wait_condition(cond, lock, tv);
}

int
vg_cond_signal(void *cond, int broadcast)
{
    if (cond == NULL || vg_cond_fns.signal_condition == NULL)
        return -1;
    return vg_cond_fns.signal_condition(cond, broadcast);
}
