/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/thread.h: making the library safe to use from several threads.
 *
 * By default the library takes no locks, and each event_base with its
 * events must be used from one thread at a time.  A program that shares
 * bases, bufferevents or evbuffers between threads must first install lock,
 * condition-variable and thread-id callbacks, either its own with
 * evthread_set_lock_callbacks(), evthread_set_condition_callbacks() and
 * evthread_set_id_callback(), or the POSIX threads ones with
 * evthread_use_pthreads() (link with libevent_pthreads).  This must happen
 * before any event_base is created.
 */
#ifndef EVENT2_THREAD_H_INCLUDED_
#define EVENT2_THREAD_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>

#ifdef __cplusplus
extern "C" {
#endif

struct timeval;
struct event_base;

/*
 * Lock modes, passed to the lock and unlock callbacks
 */

/** Mode bit: take a read-write lock for writing. */
#define EVTHREAD_WRITE 0x04
/** Mode bit: take a read-write lock for reading. */
#define EVTHREAD_READ 0x08
/** Mode bit: do not wait; fail at once if the lock is held elsewhere. */
#define EVTHREAD_TRY 0x10

#if !defined(EVENT__DISABLE_THREAD_SUPPORT)

/*
 * Lock callbacks
 */

/** The value the lock_api_version field must hold. */
#define EVTHREAD_LOCK_API_VERSION 1

/** Lock type: a recursive lock, which the thread holding it may take again;
 * it is released when unlocked as many times as it was locked. */
#define EVTHREAD_LOCKTYPE_RECURSIVE 1
/** Lock type: a read-write lock, taken with EVTHREAD_READ or
 * EVTHREAD_WRITE. */
#define EVTHREAD_LOCKTYPE_READWRITE 2

/**
 * The functions the library uses to create and use locks.  Give them to
 * evthread_set_lock_callbacks().
 */
struct evthread_lock_callbacks {
    /** Must be EVTHREAD_LOCK_API_VERSION. */
    int lock_api_version;
    /** Bit mask of the EVTHREAD_LOCKTYPE_* types alloc can create;
     * EVTHREAD_LOCKTYPE_RECURSIVE is required. */
    unsigned supported_locktypes;
    /** Creates a lock of the given type (0 for an ordinary lock, or an
     * EVTHREAD_LOCKTYPE_* value).  Returns the lock, or NULL on failure. */
    void *(*alloc)(unsigned locktype);
    /** Destroys a lock created by alloc with the given type. */
    void (*free)(void *lock, unsigned locktype);
    /** Takes a lock.  The mode is 0, or EVTHREAD_READ or EVTHREAD_WRITE for
     * a read-write lock, possibly with EVTHREAD_TRY.  Returns 0 on success,
     * nonzero on failure (including a busy lock in EVTHREAD_TRY mode). */
    int (*lock)(unsigned mode, void *lock);
    /** Releases a lock taken with the same mode.  Returns 0 on success,
     * nonzero on failure. */
    int (*unlock)(unsigned mode, void *lock);
};

/**
 * Installs the functions the library uses for locking.
 *
 * Must be called before any event_base is created.  Once callbacks are
 * installed they cannot be replaced by different ones.
 *
 * @param cbs the callbacks; the structure is copied.  Every function must be
 *   set.  NULL removes installed callbacks, which is unsafe once the
 *   library has used them.
 * @return 0 on success (including installing the same callbacks again),
 *   -1 if the callbacks are incomplete or others are already installed.
 */
EVENT2_EXPORT_SYMBOL
int evthread_set_lock_callbacks(const struct evthread_lock_callbacks *);

/*
 * Condition-variable callbacks
 */

/** The value the condition_api_version field must hold. */
#define EVTHREAD_CONDITION_API_VERSION 1

/**
 * The functions the library uses to create and use condition variables.
 * Give them to evthread_set_condition_callbacks().
 */
struct evthread_condition_callbacks {
    /** Must be EVTHREAD_CONDITION_API_VERSION. */
    int condition_api_version;
    /** Creates a condition variable; condtype is 0.  Returns it, or NULL on
     * failure. */
    void *(*alloc_condition)(unsigned condtype);
    /** Destroys a condition variable. */
    void (*free_condition)(void *cond);
    /** Wakes one thread waiting on cond, or all of them if broadcast is
     * nonzero.  Returns 0 on success, -1 on failure. */
    int (*signal_condition)(void *cond, int broadcast);
    /** Waits on cond.  The caller holds lock (a lock from the lock
     * callbacks, taken once); it is released while waiting and held again on
     * return.  timeout is a relative duration, or NULL to wait without a
     * limit.  Returns 0 when woken, 1 on timeout, -1 on error. */
    int (*wait_condition)(void *cond, void *lock,
                          const struct timeval *timeout);
};

/**
 * Installs the functions the library uses for condition variables.
 *
 * Must be called before any event_base is created, together with the lock
 * callbacks.  Once callbacks are installed they cannot be replaced by
 * different ones.
 *
 * @param cbs the callbacks; the structure is copied.  A structure with a
 *   missing function is ignored.  NULL removes installed callbacks, which is
 *   unsafe once the library has used them.
 * @return 0 on success (including installing the same callbacks again),
 *   -1 if different callbacks are already installed.
 */
EVENT2_EXPORT_SYMBOL
int
evthread_set_condition_callbacks(const struct evthread_condition_callbacks *);

/**
 * Installs the function that identifies the calling thread.
 *
 * The library uses it to tell which thread runs a loop, so that it can
 * wake the loop when another thread changes its events.
 *
 * @param id_fn returns a value unique to the calling thread.
 */
EVENT2_EXPORT_SYMBOL
void evthread_set_id_callback(unsigned long (*id_fn)(void));

/* libevent also has evthread_use_windows_threads() and its marker
 * EVTHREAD_USE_WINDOWS_THREADS_IMPLEMENTED, on Windows only; Vigil targets
 * Linux and so declares neither. */

#if defined(EVENT__HAVE_PTHREADS)
/**
 * Installs lock, condition-variable and thread-id callbacks built on POSIX
 * threads.
 *
 * Defined in libevent_pthreads, which the program must link.  Call it
 * before creating any event_base.
 *
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evthread_use_pthreads(void);
/** Defined when evthread_use_pthreads() is available. */
#define EVTHREAD_USE_PTHREADS_IMPLEMENTED 1
#endif

/*
 * Debugging
 */

/**
 * Wraps the installed lock callbacks with checks for misuse: unlocking a
 * lock that is not held, or taking a non-recursive lock twice.  A misuse is
 * a fatal error.
 *
 * Call it right after the lock callbacks are installed, before any
 * event_base or other locked object is created.
 */
EVENT2_EXPORT_SYMBOL
void evthread_enable_lock_debugging(void);

/**
 * Old, misspelled name of evthread_enable_lock_debugging(); does the same.
 */
EVENT2_EXPORT_SYMBOL
void evthread_enable_lock_debuging(void);

#endif /* !EVENT__DISABLE_THREAD_SUPPORT */

/**
 * Makes it possible for other threads to wake a base's loop, so that
 * events they add or activate take effect at once.
 *
 * Bases created after locking was set up, without EVENT_BASE_FLAG_NOLOCK,
 * are already notifiable.
 *
 * @param base the base to make notifiable.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int evthread_make_base_notifiable(struct event_base *base);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_THREAD_H_INCLUDED_ */
