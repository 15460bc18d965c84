/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/event.h: the core event loop.  An event_base watches file
 * descriptors, signals and timers and runs a callback for each event that
 * fires.  This header declares the event_base, its configuration object and
 * the event itself; struct event is opaque here (its layout, for programs
 * that embed it, is in <event2/event_struct.h>).
 *
 * Typical use:
 *
 *   struct event_base *base = event_base_new();
 *   struct event *ev = event_new(base, fd, EV_READ | EV_PERSIST, on_read, arg);
 *   event_add(ev, NULL);
 *   event_base_dispatch(base);
 *   event_free(ev);
 *   event_base_free(base);
 *
 * Unless the program has installed thread callbacks (see <event2/thread.h>),
 * a base and its events must only be used from one thread at a time.
 */
#ifndef EVENT2_EVENT_H_INCLUDED_
#define EVENT2_EVENT_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>

#include <sys/types.h>
#include <sys/time.h>
#include <stdio.h>

#include <event2/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opaque types
 */

/** An event loop: the set of events it watches, its backend (epoll, poll or
 * select) and its timers.  Created by event_base_new() or
 * event_base_new_with_config(), released by event_base_free(). */
struct event_base;

/** One event: a file descriptor, a signal or a timeout, with a callback.
 * Opaque here; see <event2/event_struct.h> for its layout. */
struct event;

/** Settings used to create an event_base with event_base_new_with_config().
 * Created by event_config_new(), released by event_config_free(). */
struct event_config;

/*
 * Callback types
 */

/**
 * The callback run when an event fires.
 *
 * The first argument is the event's file descriptor (or signal number, or
 * -1 for a pure timer), the second is the set of conditions that made it
 * fire (any of EV_TIMEOUT, EV_READ, EV_WRITE, EV_SIGNAL, EV_CLOSED), and the
 * third is the argument given to event_new() or event_assign().
 */
typedef void (*event_callback_fn)(evutil_socket_t, short, void *);

/**
 * A callback run by event_finalize() or event_free_finalize() once the
 * event can no longer be running.  It receives the event and the argument
 * the event was created with.
 */
typedef void (*event_finalize_callback_fn)(struct event *, void *);

/**
 * A log callback: receives a severity (one of the EVENT_LOG_* values) and
 * the message text.  The text is only valid during the call.
 */
typedef void (*event_log_cb)(int severity, const char *msg);

/**
 * A fatal-error callback: receives an error code when the library hits an
 * internal error it cannot recover from.
 */
typedef void (*event_fatal_cb)(int err);

/**
 * A callback for event_base_foreach_event(): receives the base, one of its
 * events and the caller's argument.  Returning 0 continues the walk; any
 * other value stops it.
 */
typedef int (*event_base_foreach_event_cb)(const struct event_base *,
                                           const struct event *, void *);

/*
 * Event conditions
 */

/** The event fires because its timeout expired. */
#define EV_TIMEOUT 0x01
/** Wait until the file descriptor is readable. */
#define EV_READ 0x02
/** Wait until the file descriptor is writable. */
#define EV_WRITE 0x04
/** Wait for a signal; the "fd" is then the signal number. */
#define EV_SIGNAL 0x08
/** Keep the event pending after its callback runs, instead of removing it.
 * A persistent event with a timeout fires again every timeout period. */
#define EV_PERSIST 0x10
/** Ask for edge-triggered notification, if the backend supports it
 * (see EV_FEATURE_ET). */
#define EV_ET 0x20
/** Deleting this event never waits for its callback to finish in another
 * thread; the program must use event_finalize() or event_free_finalize()
 * to tear it down safely. */
#define EV_FINALIZE 0x40
/** Detect that the peer closed the connection, without reading first, if
 * the backend supports it (see EV_FEATURE_EARLY_CLOSE). */
#define EV_CLOSED 0x80

/*
 * Debug mode
 */

/**
 * Turns on debug mode, which checks for common mistakes such as adding an
 * event that was never set up or re-assigning one that is pending, and
 * reports them as fatal errors.
 *
 * Debug mode costs memory and time, so use it only while developing.  It
 * must be called once, before any event or event_base is created;
 * calling it later or twice is a fatal error.
 */
EVENT2_EXPORT_SYMBOL
void event_enable_debug_mode(void);

/**
 * Tells debug mode that an event set up with event_assign() is no longer in
 * use, so that its memory may be freed or reused.
 *
 * Call it only for events the program allocated itself, after they have
 * been deleted; events from event_new() are forgotten by event_free().
 * When debug mode is off, this does nothing.
 *
 * @param ev the event that is going away; it must not be pending or active.
 */
EVENT2_EXPORT_SYMBOL
void event_debug_unassign(struct event *);

/*
 * Creating and destroying an event_base
 */

/**
 * Creates an event_base with the default settings.
 *
 * @return the new base, or NULL on error.  Release it with
 *   event_base_free().
 */
EVENT2_EXPORT_SYMBOL
struct event_base *event_base_new(void);

/**
 * Creates an event_base using the given settings.
 *
 * The base keeps no reference to the configuration, which may be freed as
 * soon as this returns.
 *
 * @param cfg the settings, from event_config_new(); NULL means defaults.
 * @return the new base, or NULL if no available backend meets the
 *   requirements or on any other error.
 */
EVENT2_EXPORT_SYMBOL
struct event_base *event_base_new_with_config(const struct event_config *);

/**
 * Frees an event_base and everything it owns.
 *
 * Pending finalizer callbacks (see event_finalize()) are run first, and
 * one-shot events from event_base_once() are freed.  Events the program
 * created are not freed, their file descriptors are not closed and their
 * callback arguments are untouched; they must not be used with this base
 * again.  Do not call this from a callback of the base being freed.
 *
 * @param base the base to free; NULL is ignored.
 */
EVENT2_EXPORT_SYMBOL
void event_base_free(struct event_base *);

/**
 * Frees an event_base like event_base_free(), but without running the
 * finalizer callbacks that are still pending.
 *
 * @param base the base to free; NULL is ignored.
 */
EVENT2_EXPORT_SYMBOL
void event_base_free_nofinalize(struct event_base *);

/**
 * Re-initializes a base's backend after fork().
 *
 * Some backends (epoll among them) share kernel state with the parent
 * process; the child must call this before using the base again.  All
 * events that were added are registered with the new backend state.
 *
 * @param base the base to re-initialize.
 * @return 0 on success, or -1 if the backend could not be set up again or
 *   some events could not be re-added.
 */
EVENT2_EXPORT_SYMBOL
int event_reinit(struct event_base *base);

/*
 * Backends and their features
 */

/**
 * Returns the name of the backend a base uses, such as "epoll", "poll" or
 * "select".
 *
 * @param base the base to query.
 * @return a string owned by the library; do not modify or free it.
 */
EVENT2_EXPORT_SYMBOL
const char *event_base_get_method(const struct event_base *);

/**
 * Lists the backends this library was built with, most preferred first.
 *
 * A backend in the list may still be unusable at run time (for instance if
 * the kernel lacks it or an environment variable disables it).
 *
 * @return a NULL-terminated array of names, owned by the library; do not
 *   modify or free it.  NULL on allocation failure.
 */
EVENT2_EXPORT_SYMBOL
const char **event_get_supported_methods(void);

/**
 * Features a backend may provide, as a bit mask.  Used by
 * event_config_require_features() and returned by event_base_get_features().
 */
enum event_method_feature {
    /** Edge-triggered notification (EV_ET) is supported. */
    EV_FEATURE_ET = 0x01,
    /** Adding, deleting and dispatching one event costs O(1) time. */
    EV_FEATURE_O1 = 0x02,
    /** Any kind of file descriptor can be watched, not only sockets. */
    EV_FEATURE_FDS = 0x04,
    /** A peer's close can be detected with EV_CLOSED without reading. */
    EV_FEATURE_EARLY_CLOSE = 0x08
};

/**
 * Returns the features the backend of a base provides.
 *
 * @param base the base to query.
 * @return a bit mask of enum event_method_feature values.
 */
EVENT2_EXPORT_SYMBOL
int event_base_get_features(const struct event_base *base);

/*
 * Configuring a new event_base
 */

/**
 * Flags that change how an event_base behaves, given to
 * event_config_set_flag().
 */
enum event_base_config_flag {
    /** Do not allocate locks for the base, even if locking is set up; the
     * base must then only be used from one thread at a time. */
    EVENT_BASE_FLAG_NOLOCK = 0x01,
    /** Ignore the EVENT_* environment variables (such as EVENT_NOEPOLL)
     * when choosing a backend. */
    EVENT_BASE_FLAG_IGNORE_ENV = 0x02,
    /** Windows only: start the IOCP dispatcher at once.  Ignored on
     * Linux. */
    EVENT_BASE_FLAG_STARTUP_IOCP = 0x04,
    /** Read the clock after every callback instead of once per loop
     * iteration. */
    EVENT_BASE_FLAG_NO_CACHE_TIME = 0x08,
    /** Make the epoll backend merge changes to a file descriptor and submit
     * them just before waiting, which saves system calls.  Unsafe if a
     * descriptor is dup()ed or closed and reused while its events are
     * added. */
    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST = 0x10,
    /** Use the most precise clock and timer available, even if slower. */
    EVENT_BASE_FLAG_PRECISE_TIMER = 0x20
};

/**
 * Creates an empty configuration for event_base_new_with_config().
 *
 * @return the new configuration, or NULL on allocation failure.  Release it
 *   with event_config_free().
 */
EVENT2_EXPORT_SYMBOL
struct event_config *event_config_new(void);

/**
 * Frees a configuration.  Bases already created from it are not affected.
 *
 * @param cfg the configuration to free.
 */
EVENT2_EXPORT_SYMBOL
void event_config_free(struct event_config *cfg);

/**
 * Excludes a backend by name when the base is created.
 *
 * May be called several times to exclude several backends.
 *
 * @param cfg the configuration to change.
 * @param method the backend's name, such as "epoll"; it is copied.
 * @return 0 on success, -1 on allocation failure.
 */
EVENT2_EXPORT_SYMBOL
int event_config_avoid_method(struct event_config *cfg, const char *method);

/**
 * Requires the base's backend to provide every feature in a set.
 *
 * If no available backend provides them all, event_base_new_with_config()
 * returns NULL.  Each call replaces the previous requirement.
 *
 * @param cfg the configuration to change.
 * @param feature a bit mask of enum event_method_feature values.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_config_require_features(struct event_config *cfg, int feature);

/**
 * Sets one or more flags on the base to be created.
 *
 * Flags accumulate over several calls.
 *
 * @param cfg the configuration to change.
 * @param flag a bit mask of enum event_base_config_flag values.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_config_set_flag(struct event_config *cfg, int flag);

/**
 * Records how many CPUs the program expects to use.
 *
 * Only the Windows IOCP backend uses this hint; on Linux it is stored and
 * ignored.
 *
 * @param cfg the configuration to change.
 * @param cpus the number of CPUs.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_config_set_num_cpus_hint(struct event_config *cfg, int cpus);

/**
 * Limits how long the loop may run callbacks before it checks for new
 * events again.
 *
 * By default the loop runs every active callback of the most urgent active
 * priority before it polls again.  With a limit, the loop polls again once
 * max_interval has elapsed or max_callbacks callbacks have run, whichever
 * comes first.  This lowers the latency of urgent events, at some cost in
 * throughput.
 *
 * @param cfg the configuration to change.
 * @param max_interval the longest time to spend running callbacks, or NULL
 *   for no time limit.
 * @param max_callbacks the most callbacks to run, or -1 for no limit.
 * @param min_priority the limits apply only to callbacks whose priority is
 *   this value or higher (less urgent); 0 applies them to every priority.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_config_set_max_dispatch_interval(struct event_config *cfg,
                                           const struct timeval *max_interval,
                                           int max_callbacks, int min_priority);

/*
 * Logging and fatal errors
 */

/** Severity of a debug message; only produced when debug logging is on. */
#define EVENT_LOG_DEBUG 0
/** Severity of an informational message. */
#define EVENT_LOG_MSG 1
/** Severity of a warning. */
#define EVENT_LOG_WARN 2
/** Severity of an error. */
#define EVENT_LOG_ERR 3

/** Old name of EVENT_LOG_DEBUG; do not use in new code. */
#define _EVENT_LOG_DEBUG EVENT_LOG_DEBUG
/** Old name of EVENT_LOG_MSG; do not use in new code. */
#define _EVENT_LOG_MSG EVENT_LOG_MSG
/** Old name of EVENT_LOG_WARN; do not use in new code. */
#define _EVENT_LOG_WARN EVENT_LOG_WARN
/** Old name of EVENT_LOG_ERR; do not use in new code. */
#define _EVENT_LOG_ERR EVENT_LOG_ERR

/**
 * Sends the library's log messages to a callback instead of stderr.
 *
 * The callback must not call any function of this library: it may be run
 * while internal state is inconsistent or locks are held.
 *
 * @param cb the callback, or NULL to restore the default (writing to
 *   stderr).
 */
EVENT2_EXPORT_SYMBOL
void event_set_log_callback(event_log_cb cb);

/**
 * Sets the function called when the library hits an internal error it
 * cannot recover from, such as a failed consistency check.
 *
 * By default the library aborts or exits.  The callback should not return;
 * if it does, the process exits anyway, because continuing would be unsafe.
 *
 * @param cb the callback, or NULL to restore the default.
 */
EVENT2_EXPORT_SYMBOL
void event_set_fatal_callback(event_fatal_cb cb);

/** Argument of event_enable_debug_logging(): log every debug message. */
#define EVENT_DBG_ALL 0xffffffffu
/** Argument of event_enable_debug_logging(): log no debug messages. */
#define EVENT_DBG_NONE 0

/**
 * Turns debug-level log messages on or off.
 *
 * Debug messages are verbose and go to the log callback with severity
 * EVENT_LOG_DEBUG.  They exist only in builds of the library that include
 * them; in other builds this call has no effect.
 *
 * @param which EVENT_DBG_ALL to turn them on, EVENT_DBG_NONE to turn them
 *   off.
 */
EVENT2_EXPORT_SYMBOL
void event_enable_debug_logging(ev_uint32_t which);

/*
 * Running the loop
 */

/** Flag for event_base_loop(): wait until at least one event is active,
 * run the active callbacks, then return. */
#define EVLOOP_ONCE 0x01
/** Flag for event_base_loop(): do not wait; run the callbacks of events that
 * are ready now, then return. */
#define EVLOOP_NONBLOCK 0x02
/** Flag for event_base_loop(): keep running even when no events are pending
 * or active, until event_base_loopexit() or event_base_loopbreak() is
 * called. */
#define EVLOOP_NO_EXIT_ON_EMPTY 0x04

/**
 * Runs the loop until no events are pending or active, or until
 * event_base_loopexit() or event_base_loopbreak() ends it.
 *
 * Same as event_base_loop(base, 0).
 *
 * @param base the base to run.
 * @return 0 if the loop was ended by a request, 1 if it stopped because no
 *   events were left, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_dispatch(struct event_base *);

/**
 * Runs the loop, waiting for events and running their callbacks.
 *
 * Without flags it runs until no events are pending or active, or until
 * event_base_loopexit() or event_base_loopbreak() ends it.  The loop must
 * not be entered again from one of its own callbacks.
 *
 * @param base the base to run.
 * @param flags any of EVLOOP_ONCE, EVLOOP_NONBLOCK and
 *   EVLOOP_NO_EXIT_ON_EMPTY.
 * @return 0 on success (the loop ended by request or as the flags said), 1
 *   if it stopped because no events were pending or active, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_loop(struct event_base *, int);

/**
 * Asks the loop to stop after a delay.
 *
 * When the delay expires the loop finishes running the callbacks that are
 * active, then returns.  If no loop is running, the next one stops once
 * the delay has expired and its callbacks have run.
 *
 * @param base the base whose loop should stop.
 * @param tv the delay, or NULL to stop after the current round of
 *   callbacks.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_loopexit(struct event_base *, const struct timeval *);

/**
 * Asks the loop to stop at once.
 *
 * The loop returns as soon as the callback now running (if any) returns;
 * other active callbacks are left for a later run.  If no loop is running,
 * the request is forgotten when the next loop starts.
 *
 * @param base the base whose loop should stop.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_loopbreak(struct event_base *);

/**
 * Asks the loop to check for new events as soon as the callback now running
 * returns, before running the remaining active callbacks.
 *
 * If no loop is running, this has no effect.
 *
 * @param base the base whose loop should check for events.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_loopcontinue(struct event_base *);

/**
 * Tells whether the last run of the loop ended because of
 * event_base_loopexit().  The answer is reset when the loop starts again.
 *
 * @param base the base to query.
 * @return nonzero if it did, 0 if not.
 */
EVENT2_EXPORT_SYMBOL
int event_base_got_exit(struct event_base *);

/**
 * Tells whether the last run of the loop ended because of
 * event_base_loopbreak().  The answer is reset when the loop starts again.
 *
 * @param base the base to query.
 * @return nonzero if it did, 0 if not.
 */
EVENT2_EXPORT_SYMBOL
int event_base_got_break(struct event_base *);

/*
 * Creating and setting up events
 */

/**
 * Returns a marker that, passed as the callback argument to event_new() or
 * event_assign(), is replaced by a pointer to the event itself.
 *
 * This lets a callback receive its own event, which is otherwise awkward
 * with event_new() because the event does not exist before the call.
 *
 * @return the marker value; it is not a usable pointer.
 */
EVENT2_EXPORT_SYMBOL
void *event_self_cbarg(void);

/**
 * Allocates and sets up a new event.
 *
 * The event is not pending until event_add() is called.  For a pure timer
 * pass -1 as fd and 0 (or EV_PERSIST) as events; for a signal pass the
 * signal number and EV_SIGNAL.  EV_SIGNAL cannot be combined with EV_READ,
 * EV_WRITE or EV_CLOSED.
 *
 * @param base the base the event belongs to.
 * @param fd the file descriptor or signal number to watch, or -1.
 * @param events the conditions to watch: EV_READ, EV_WRITE, EV_SIGNAL,
 *   EV_CLOSED, and optionally EV_PERSIST, EV_ET and EV_FINALIZE.
 * @param callback the function run when the event fires.
 * @param callback_arg the argument passed to it; event_self_cbarg() stands
 *   for the event itself.
 * @return the new event, or NULL on error.  Release it with event_free().
 *   The file descriptor still belongs to the caller.
 */
EVENT2_EXPORT_SYMBOL
struct event *event_new(struct event_base *, evutil_socket_t, short,
                        event_callback_fn, void *);

/**
 * Sets up an event whose memory the caller provides, for instance a struct
 * event embedded in a larger structure (see <event2/event_struct.h>).
 *
 * The arguments mean the same as for event_new().  The event must not be
 * pending or active when this is called.  Because the size of struct event
 * is part of the binary interface, programs that allocate it themselves can
 * compare sizeof(struct event) with event_get_struct_event_size().
 *
 * @param ev the event to set up.
 * @param base the base the event belongs to.
 * @param fd the file descriptor or signal number to watch, or -1.
 * @param events the conditions to watch, as for event_new().
 * @param callback the function run when the event fires.
 * @param callback_arg the argument passed to it.
 * @return 0 on success, -1 if the arguments are invalid.
 */
EVENT2_EXPORT_SYMBOL
int event_assign(struct event *, struct event_base *, evutil_socket_t, short,
                 event_callback_fn, void *);

/**
 * Deletes an event if it is pending or active, then frees it.
 *
 * Only for events from event_new().  The file descriptor is not closed and
 * the callback argument is not freed.  If the event's callback is running
 * in another thread, this waits for it to finish (unless the event has
 * EV_FINALIZE; see event_free_finalize()).
 *
 * @param ev the event to free; NULL is ignored.
 */
EVENT2_EXPORT_SYMBOL
void event_free(struct event *);

/**
 * Deletes an event without waiting, and runs a callback once the event's
 * own callback can no longer be running in any thread.
 *
 * The finalizer runs from the base's loop.  After this call the event must
 * not be added, assigned or otherwise used, except that the finalizer may
 * release the memory that holds it.
 *
 * @param flags reserved; pass 0.
 * @param ev the event to finalize.
 * @param cb the finalizer, called with the event and its callback argument.
 * @return 0 on success, -1 on error (for instance if the event has no base).
 */
EVENT2_EXPORT_SYMBOL
int event_finalize(unsigned, struct event *, event_finalize_callback_fn);

/**
 * Like event_finalize(), but also frees the event after the finalizer
 * returns.  Only for events from event_new().
 *
 * @param flags reserved; pass 0.
 * @param ev the event to finalize and free.
 * @param cb the finalizer, called with the event and its callback argument.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_free_finalize(unsigned, struct event *, event_finalize_callback_fn);

/**
 * Runs a callback once, when a file descriptor is ready or a timeout
 * expires, without the caller managing a struct event.
 *
 * The library allocates the event and frees it after the callback has run;
 * if it never runs, it is freed with the base.  It cannot be cancelled.
 *
 * @param base the base to use.
 * @param fd the file descriptor to watch, or -1 for a pure timeout.
 * @param events any of EV_READ, EV_WRITE and EV_CLOSED, or EV_TIMEOUT alone
 *   for a pure timeout; EV_SIGNAL and EV_PERSIST are not allowed.
 * @param callback the function to run.
 * @param arg the argument passed to it.
 * @param timeout how long to wait at most, or NULL for no limit; for a
 *   pure timeout, NULL or a zero duration runs the callback on the next
 *   loop iteration.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_once(struct event_base *, evutil_socket_t, short,
                    event_callback_fn, void *, const struct timeval *);

/**
 * Moves an event to another base.
 *
 * Mostly for events set up with the old event_set(), which uses the
 * global base.  The event's priority is reset to the middle priority of the
 * new base.
 *
 * @param base the new base.
 * @param ev the event; it must not be pending or active.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_set(struct event_base *, struct event *);

/*
 * Adding, deleting and activating events
 */

/**
 * Makes an event pending: its callback will run when one of its conditions
 * occurs or the timeout expires.
 *
 * If the event is already pending, a non-NULL timeout replaces the old one,
 * and a NULL timeout leaves any old one in place.
 *
 * @param ev an event set up with event_new() or event_assign().
 * @param timeout the longest time to wait, relative to now, or NULL to
 *   wait without a time limit.  A value from
 *   event_base_init_common_timeout() is also accepted.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_add(struct event *ev, const struct timeval *timeout);

/**
 * Removes the timeout of a pending event, leaving its I/O or signal
 * condition pending.
 *
 * @param ev the event; if it has no timeout, nothing changes.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_remove_timer(struct event *ev);

/**
 * Makes an event neither pending nor active.
 *
 * If the event's callback is running in another thread, this waits for it
 * to finish, unless the event has EV_FINALIZE.  Deleting an event that is
 * not pending is harmless.  The event can be added again later.
 *
 * @param ev the event to delete.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_del(struct event *);

/**
 * Like event_del(), but never waits for the event's callback to finish in
 * another thread.
 *
 * @param ev the event to delete.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_del_noblock(struct event *ev);

/**
 * Like event_del(), but always waits for the event's callback to finish in
 * another thread, even if the event has EV_FINALIZE.
 *
 * @param ev the event to delete.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_del_block(struct event *ev);

/**
 * Makes an event active as if its conditions had occurred, so that its
 * callback runs on the next loop iteration.
 *
 * The event need not be pending.  If it is already active, res is added to
 * the conditions it will report.
 *
 * @param ev the event to activate.
 * @param res the conditions to pass to the callback (EV_READ, EV_WRITE,
 *   EV_TIMEOUT, ...).
 * @param ncalls for a signal event, how many times to run the callback;
 *   ignored for other events.  Pass 1 when in doubt.
 */
EVENT2_EXPORT_SYMBOL
void event_active(struct event *ev, int res, short ncalls);

/**
 * Activates the events of a base that watch a file descriptor, as if the
 * backend had reported the given conditions.
 *
 * With EV_READ, EV_WRITE or EV_CLOSED, every event on fd waiting for one of
 * them is activated.  If events includes EV_TIMEOUT, every event on fd with
 * a pending timeout is activated with EV_TIMEOUT instead.
 *
 * @param base the base whose events are activated.
 * @param fd the file descriptor.
 * @param events the conditions to report.
 */
EVENT2_EXPORT_SYMBOL
void event_base_active_by_fd(struct event_base *base, evutil_socket_t fd,
                             short events);

/**
 * Activates the events of a base that watch a signal, as if the signal had
 * been delivered.
 *
 * @param base the base whose events are activated.
 * @param sig the signal number.
 */
EVENT2_EXPORT_SYMBOL
void event_base_active_by_signal(struct event_base *base, int sig);

/*
 * Convenience macros for timers, signals and user-triggered events
 */

/** Sets up a caller-allocated timer event (no file descriptor). */
#define evtimer_assign(ev, b, cb, arg) \
    event_assign((ev), (b), -1, 0, (cb), (arg))
/** Allocates a timer event (no file descriptor). */
#define evtimer_new(b, cb, arg) event_new((b), -1, 0, (cb), (arg))
/** Schedules a timer event to fire after tv. */
#define evtimer_add(ev, tv) event_add((ev), (tv))
/** Cancels a timer event. */
#define evtimer_del(ev) event_del(ev)
/** Tells whether a timer event is scheduled; fills tv with its expiry. */
#define evtimer_pending(ev, tv) event_pending((ev), EV_TIMEOUT, (tv))
/** Tells whether a timer event has been set up. */
#define evtimer_initialized(ev) event_initialized(ev)

/** Starts watching for a signal, with an optional timeout tv. */
#define evsignal_add(ev, tv) event_add((ev), (tv))
/** Sets up a caller-allocated, persistent event for signal x. */
#define evsignal_assign(ev, b, x, cb, arg) \
    event_assign((ev), (b), (x), EV_SIGNAL | EV_PERSIST, cb, (arg))
/** Allocates a persistent event for signal x. */
#define evsignal_new(b, x, cb, arg) \
    event_new((b), (x), EV_SIGNAL | EV_PERSIST, (cb), (arg))
/** Stops watching for a signal. */
#define evsignal_del(ev) event_del(ev)
/** Tells whether a signal event is pending. */
#define evsignal_pending(ev, tv) event_pending((ev), EV_SIGNAL, (tv))
/** Tells whether a signal event has been set up. */
#define evsignal_initialized(ev) event_initialized(ev)

/** Allocates a user-triggered event, fired only by evuser_trigger(). */
#define evuser_new(b, cb, arg) event_new((b), -1, 0, (cb), (arg))
/** Deletes a user-triggered event. */
#define evuser_del(ev) event_del(ev)
/** Tells whether a user-triggered event is pending. */
#define evuser_pending(ev, tv) event_pending((ev), 0, (tv))
/** Tells whether a user-triggered event has been set up. */
#define evuser_initialized(ev) event_initialized(ev)
/** Fires a user-triggered event: its callback runs on the next loop
 * iteration. */
#define evuser_trigger(ev) event_active((ev), 0, 0)

/*
 * Inspecting events
 */

/**
 * Tells which of some conditions an event is pending or active for.
 *
 * @param ev the event to query.
 * @param events the conditions to ask about: any of EV_TIMEOUT, EV_READ,
 *   EV_WRITE, EV_SIGNAL and EV_CLOSED.
 * @param tv if not NULL, and EV_TIMEOUT was asked about and the event has a
 *   timeout, receives the time at which it expires, on the wall clock.
 * @return the subset of events the event is pending or active for; 0 if
 *   none.
 */
EVENT2_EXPORT_SYMBOL
int event_pending(const struct event *ev, short events, struct timeval *tv);

/**
 * Returns the event whose callback the base's loop is running now.
 *
 * Meaningful only when called from the thread running the loop.
 *
 * @param base the base to query.
 * @return the running event, or NULL if no callback is running.
 */
EVENT2_EXPORT_SYMBOL
struct event *event_base_get_running_event(struct event_base *base);

/**
 * Tells whether an event has been set up with event_assign() or
 * event_new().
 *
 * The answer is reliable only for memory that was zeroed before the event
 * was (possibly) set up.
 *
 * @param ev the event to query.
 * @return nonzero if it was set up, 0 if not.
 */
EVENT2_EXPORT_SYMBOL
int event_initialized(const struct event *ev);

/** Returns the signal number an event watches (an int). */
#define event_get_signal(ev) ((int)event_get_fd(ev))

/**
 * Returns the file descriptor (or signal number) an event watches.
 *
 * @param ev the event to query.
 * @return the descriptor, or -1 for a pure timer.
 */
EVENT2_EXPORT_SYMBOL
evutil_socket_t event_get_fd(const struct event *ev);

/**
 * Returns the base an event belongs to.
 *
 * @param ev the event to query.
 * @return the base, or NULL if it has none.
 */
EVENT2_EXPORT_SYMBOL
struct event_base *event_get_base(const struct event *ev);

/**
 * Returns the conditions an event was set up to watch (EV_READ, EV_WRITE,
 * EV_SIGNAL, EV_PERSIST, ...).
 *
 * @param ev the event to query.
 */
EVENT2_EXPORT_SYMBOL
short event_get_events(const struct event *ev);

/**
 * Returns the callback an event was set up with.
 *
 * @param ev the event to query.
 */
EVENT2_EXPORT_SYMBOL
event_callback_fn event_get_callback(const struct event *ev);

/**
 * Returns the callback argument an event was set up with.
 *
 * @param ev the event to query.
 */
EVENT2_EXPORT_SYMBOL
void *event_get_callback_arg(const struct event *ev);

/**
 * Returns an event's priority (0 is the most urgent).
 *
 * @param ev the event to query.
 */
EVENT2_EXPORT_SYMBOL
int event_get_priority(const struct event *ev);

/**
 * Reads back everything an event was set up with, in one call.
 *
 * Each output pointer may be NULL if that value is not wanted.
 *
 * @param event the event to query.
 * @param base_out receives the base.
 * @param fd_out receives the file descriptor or signal number.
 * @param events_out receives the watched conditions.
 * @param callback_out receives the callback.
 * @param arg_out receives the callback argument.
 */
EVENT2_EXPORT_SYMBOL
void event_get_assignment(const struct event *event,
                          struct event_base **base_out, evutil_socket_t *fd_out,
                          short *events_out, event_callback_fn *callback_out,
                          void **arg_out);

/**
 * Returns the size of struct event in the running library.
 *
 * Programs that allocate struct event themselves and want to detect a
 * mismatch with the library they run against can compare this with
 * sizeof(struct event).
 *
 * @return the size in bytes.
 */
EVENT2_EXPORT_SYMBOL
size_t event_get_struct_event_size(void);

/*
 * Counting events
 */

/** Type for event_base_get_num_events(): count active events. */
#define EVENT_BASE_COUNT_ACTIVE 1U
/** Type for event_base_get_num_events(): count virtual events, placeholders
 * the library adds internally to keep a loop running without a real
 * event. */
#define EVENT_BASE_COUNT_VIRTUAL 2U
/** Type for event_base_get_num_events(): count added (pending) events. */
#define EVENT_BASE_COUNT_ADDED 4U

/**
 * Counts the events of a base of some kinds.
 *
 * The counts of the kinds asked for are added, so an event that is both
 * added and active is counted twice if both kinds are asked for.
 *
 * @param base the base to query.
 * @param type a mask of EVENT_BASE_COUNT_ACTIVE, EVENT_BASE_COUNT_VIRTUAL
 *   and EVENT_BASE_COUNT_ADDED.
 * @return the number of events.
 */
EVENT2_EXPORT_SYMBOL
int event_base_get_num_events(struct event_base *, unsigned int);

/**
 * Returns the highest number of events of some kinds a base has had at
 * once.
 *
 * @param base the base to query.
 * @param type a mask of EVENT_BASE_COUNT_* values, as for
 *   event_base_get_num_events().
 * @param clear if nonzero, reset each maximum asked about to zero after
 *   reading it.
 * @return the sum of the maxima asked for.
 */
EVENT2_EXPORT_SYMBOL
int event_base_get_max_events(struct event_base *, unsigned int, int);

/*
 * Priorities
 */

/** The limit on priority levels: event_base_priority_init() accepts fewer
 * levels than this. */
#define EVENT_MAX_PRIORITIES 256

/**
 * Sets the number of priority levels of a base.
 *
 * Priority 0 is the most urgent; when events of several priorities are
 * active, only the most urgent ones run before the loop polls again.  A new
 * base has one level, and a new event gets the middle level
 * (number of levels / 2).  This must be called while no event is active,
 * preferably right after the base is created.
 *
 * @param base the base to change.
 * @param npriorities the number of levels: at least 1 and less than
 *   EVENT_MAX_PRIORITIES.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_priority_init(struct event_base *, int);

/**
 * Returns the number of priority levels of a base.
 *
 * @param eb the base to query.
 */
EVENT2_EXPORT_SYMBOL
int event_base_get_npriorities(struct event_base *eb);

/**
 * Sets an event's priority.
 *
 * @param ev the event; it must not be active.
 * @param priority from 0 (most urgent) to the number of levels minus one.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_priority_set(struct event *, int);

/*
 * Time
 */

/**
 * Prepares a timeout duration that many events will share, so that adding
 * and expiring such events costs O(1) instead of O(log n).
 *
 * Pass the returned pointer itself (not a copy of its value) to
 * event_add().  Its value is an encoding private to the library: do not
 * read it as a real duration or modify it.
 *
 * @param base the base the events belong to.
 * @param duration the shared duration.
 * @return a pointer owned by the base and valid until it is freed, or NULL
 *   on error.
 */
EVENT2_EXPORT_SYMBOL
const struct timeval *
event_base_init_common_timeout(struct event_base *base,
                               const struct timeval *duration);

/**
 * Reads the monotonic clock the base uses for its timers.
 *
 * The value is read now, not taken from the base's time cache.  It only
 * makes sense compared with other values from the same base.
 *
 * @param base the base whose clock to read.
 * @param tp receives the time.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_gettime_monotonic(struct event_base *base, struct timeval *tp);

/**
 * Returns the wall-clock time cached by the base at the start of the
 * current round of callbacks, which is cheaper than gettimeofday().
 *
 * When there is no cached time (the loop is not running callbacks, or the
 * base has EVENT_BASE_FLAG_NO_CACHE_TIME), the clock is read instead.
 *
 * @param base the base to query.
 * @param tv receives the time.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_gettimeofday_cached(struct event_base *base, struct timeval *tv);

/**
 * Refreshes the base's cached time, for callbacks that run for a long time.
 *
 * Has no effect when the loop is not running.
 *
 * @param base the base whose cache to refresh.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_update_cache_time(struct event_base *base);

/*
 * Memory allocation
 */

#if !defined(EVENT__DISABLE_MM_REPLACEMENT)
/**
 * Replaces the functions the library uses to allocate memory.
 *
 * Must be called before any other function of the library, and not again
 * afterwards.  The replacements must behave like malloc(), realloc() and
 * free(), and be thread-safe if the library is used from several threads.
 * Memory the library hands to the program to free (for instance a line
 * from evbuffer_readln()) must then be released with free_fn.
 *
 * @param malloc_fn replacement for malloc(), or NULL for the default.
 * @param realloc_fn replacement for realloc(), or NULL for the default.
 * @param free_fn replacement for free(), or NULL for the default.
 */
EVENT2_EXPORT_SYMBOL
void event_set_mem_functions(void *(*malloc_fn)(size_t sz),
                             void *(*realloc_fn)(void *ptr, size_t sz),
                             void (*free_fn)(void *ptr));
/** Defined when event_set_mem_functions() is available. */
#define EVENT_SET_MEM_FUNCTIONS_IMPLEMENTED
#endif

/*
 * Diagnostics
 */

/**
 * Writes a human-readable list of a base's added and active events to a
 * stream, for debugging.  The format is not fixed.
 *
 * @param base the base to describe.
 * @param output the stream to write to.
 */
EVENT2_EXPORT_SYMBOL
void event_base_dump_events(struct event_base *, FILE *);

/**
 * Calls a function for every event a base has added or active, except the
 * library's internal events.
 *
 * The base is locked during the walk.  The function must not add, delete,
 * activate or free events or otherwise change the base.
 *
 * @param base the base to walk.
 * @param fn the function to call; returning nonzero stops the walk.
 * @param arg the argument passed to fn.
 * @return 0 if every event was visited, the nonzero value fn returned if it
 *   stopped the walk, or -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_base_foreach_event(struct event_base *base,
                             event_base_foreach_event_cb fn, void *arg);

/*
 * Versions
 */

/** The version string of the headers, such as "2.1.12-stable". */
#define LIBEVENT_VERSION EVENT__VERSION
/** The version of the headers as a number: 0xMMmmpp00 for version
 * MM.mm.pp. */
#define LIBEVENT_VERSION_NUMBER EVENT__NUMERIC_VERSION

/**
 * Returns the version of the running library as a string, such as
 * "2.1.12-stable".  Compare it with LIBEVENT_VERSION to detect a mismatch
 * between headers and library.
 *
 * @return a static string; do not modify or free it.
 */
EVENT2_EXPORT_SYMBOL
const char *event_get_version(void);

/**
 * Returns the version of the running library as a number in the format of
 * LIBEVENT_VERSION_NUMBER.
 */
EVENT2_EXPORT_SYMBOL
ev_uint32_t event_get_version_number(void);

/*
 * Global shutdown
 */

/**
 * Frees the library's global state (debug-mode tables, locks, cached
 * strings), so that leak checkers report only real leaks.
 *
 * Call it at most once, at the very end, after every base and event has
 * been freed; no function of the library may be used afterwards.  It does
 * not free objects the program owns.
 */
EVENT2_EXPORT_SYMBOL
void libevent_global_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_EVENT_H_INCLUDED_ */
