/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * thread-internal.h: the lock, condition and thread-id callbacks the
 * program installed (event2/thread.h), as the rest of the library uses
 * them.
 *
 * What it holds: the installed callback tables (thread.c), the
 * process-wide lock, and inline wrappers that do nothing when no
 * callbacks are installed (every lock is then NULL).
 *
 * Who may include it: any layer (it is part of util, the bottom one).  It
 * includes only public headers.
 *
 * Locking and ownership: the tables are written once, by
 * evthread_set_lock_callbacks() and friends before any lock exists (or
 * evthread_use_pthreads()), and only read afterwards, without a lock.
 * vg_global_lock guards the library's process-wide state (debug mode's
 * table, which base receives signals); it is made when locking is set up
 * and lives as long as the process.  Whoever allocates a lock or a
 * condition with these frees it, with the same lock type.
 */
#ifndef VIGIL_THREAD_INTERNAL_H
#define VIGIL_THREAD_INTERNAL_H

#include <event2/thread.h>

#include <stddef.h>

extern struct evthread_lock_callbacks vg_lock_fns;
extern struct evthread_condition_callbacks vg_cond_fns;
extern unsigned long (*vg_id_fn)(void);

/* A recursive lock guarding the library's process-wide state (debug-mode
 * table, signal ownership); NULL without threads. */
extern void *vg_global_lock;

static inline unsigned long
vg_thread_id(void)
{
    return vg_id_fn != NULL ? vg_id_fn() : 1;
}

static inline int
vg_locking_enabled(void)
{
    return vg_lock_fns.lock != NULL;
}

/* Allocates a lock of the given EVTHREAD_LOCKTYPE_*, or NULL when the
 * program has set up no locking (or on failure). */
static inline void *
vg_lock_alloc(unsigned locktype)
{
    return vg_lock_fns.alloc != NULL ? vg_lock_fns.alloc(locktype) : NULL;
}

static inline void
vg_lock_free(void *lock, unsigned locktype)
{
    if (lock != NULL && vg_lock_fns.free != NULL)
        vg_lock_fns.free(lock, locktype);
}

static inline void
vg_lock(void *lock)
{
    if (lock != NULL)
        vg_lock_fns.lock(0, lock);
}

static inline void
vg_unlock(void *lock)
{
    if (lock != NULL)
        vg_lock_fns.unlock(0, lock);
}

void *vg_cond_alloc(void);
void vg_cond_free(void *cond);
/* Waits on cond, releasing lock meanwhile.  0 when signalled, 1 on
 * timeout, -1 on error. */
int vg_cond_wait(void *cond, void *lock, const struct timeval *tv);
int vg_cond_signal(void *cond, int broadcast);

/* Whether lock is held by the calling thread: 1 yes, 0 no, -1 cannot
 * tell (lock debugging is off).  For assertions. */
int vg_lock_is_held(void *lock);

#endif
