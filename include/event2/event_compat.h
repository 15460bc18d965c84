/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/event_compat.h: the libevent 1.x event interface, kept so that old
 * programs still build.  These functions work on one global "current"
 * event_base created by event_init(); they are not thread-safe and new code
 * should use the event_base functions of <event2/event.h> instead.
 */
#ifndef EVENT2_EVENT_COMPAT_H_INCLUDED_
#define EVENT2_EVENT_COMPAT_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>

#include <sys/types.h>
#include <sys/time.h>

#include <event2/util.h>
/* The macros below expand to functions and flags declared here. */
#include <event2/event.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event;
struct event_base;

/*
 * The global event_base
 */

/**
 * Creates an event_base and makes it the current base used by the other
 * functions of this header.
 *
 * Deprecated: use event_base_new().  Calling it again replaces the current
 * base without freeing the old one.
 *
 * @return the new base, or NULL on error.
 */
EVENT2_EXPORT_SYMBOL
struct event_base *event_init(void);

/**
 * Runs the current base's loop until no events are left or it is told to
 * stop.  Deprecated: use event_base_dispatch().
 *
 * @return 0 on success, 1 if no events were left, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_dispatch(void);

/**
 * Runs the current base's loop with flags.  Deprecated: use
 * event_base_loop().
 *
 * @param flags any of EVLOOP_ONCE, EVLOOP_NONBLOCK and
 *   EVLOOP_NO_EXIT_ON_EMPTY.
 * @return 0 on success, 1 if no events were left, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_loop(int);

/**
 * Asks the current base's loop to stop after a delay.  Deprecated: use
 * event_base_loopexit().
 *
 * @param tv the delay, or NULL to stop after the current round of
 *   callbacks.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_loopexit(const struct timeval *);

/**
 * Asks the current base's loop to stop at once.  Deprecated: use
 * event_base_loopbreak().
 *
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_loopbreak(void);

/**
 * Runs a callback once on the current base, when a file descriptor is
 * ready or a timeout expires.  Deprecated: use event_base_once(), whose
 * rules this follows.
 *
 * @param fd the file descriptor to watch, or -1 for a pure timeout.
 * @param events any of EV_READ, EV_WRITE and EV_CLOSED, or EV_TIMEOUT alone.
 * @param callback the function to run.
 * @param arg the argument passed to it.
 * @param timeout how long to wait at most, or NULL for no limit.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_once(evutil_socket_t, short, void (*)(evutil_socket_t, short, void *),
               void *, const struct timeval *);

/**
 * Returns the name of the current base's backend.  Deprecated: use
 * event_base_get_method().
 *
 * @return a string owned by the library.
 */
EVENT2_EXPORT_SYMBOL
const char *event_get_method(void);

/**
 * Sets the number of priority levels of the current base.  Deprecated: use
 * event_base_priority_init().
 *
 * @param npriorities the number of levels.
 * @return 0 on success, -1 on error.
 */
EVENT2_EXPORT_SYMBOL
int event_priority_init(int);

/**
 * Sets up a caller-allocated event on the current base.
 *
 * Deprecated: use event_assign(), which names the base explicitly.  If no
 * current base exists the event has none, and event_base_set() must give it
 * one before it is added.  The event gets the middle priority of its base.
 *
 * @param ev the event to set up; it must not be pending or active.
 * @param fd the file descriptor or signal number to watch, or -1.
 * @param events the conditions to watch, as for event_new().
 * @param callback the function run when the event fires.
 * @param arg the argument passed to it.
 */
EVENT2_EXPORT_SYMBOL
void event_set(struct event *, evutil_socket_t, short,
               void (*)(evutil_socket_t, short, void *), void *);

/*
 * Old macro names
 */

/** Sets up a caller-allocated timer event on the current base. */
#define evtimer_set(ev, cb, arg) event_set((ev), -1, 0, (cb), (arg))
/** Sets up a caller-allocated, persistent event for signal x on the current
 * base. */
#define evsignal_set(ev, x, cb, arg) \
    event_set((ev), (x), EV_SIGNAL | EV_PERSIST, (cb), (arg))

/** Old name of evtimer_add(). */
#define timeout_add(ev, tv) event_add((ev), (tv))
/** Old name of evtimer_set(). */
#define timeout_set(ev, cb, arg) event_set((ev), -1, 0, (cb), (arg))
/** Old name of evtimer_del(). */
#define timeout_del(ev) event_del(ev)
/** Old name of evtimer_pending(). */
#define timeout_pending(ev, tv) event_pending((ev), EV_TIMEOUT, (tv))
/** Old name of evtimer_initialized(). */
#define timeout_initialized(ev) event_initialized(ev)

/** Old name of evsignal_add(). */
#define signal_add(ev, tv) event_add((ev), (tv))
/** Old name of evsignal_set(). */
#define signal_set(ev, x, cb, arg) \
    event_set((ev), (x), EV_SIGNAL | EV_PERSIST, (cb), (arg))
/** Old name of evsignal_del(). */
#define signal_del(ev) event_del(ev)
/** Old name of evsignal_pending(). */
#define signal_pending(ev, tv) event_pending((ev), EV_SIGNAL, (tv))
/** Old name of evsignal_initialized(). */
#define signal_initialized(ev) event_initialized(ev)

#ifndef EVENT_FD
/** Old accessor: the file descriptor of an event, as an int. */
#define EVENT_FD(ev) ((int)event_get_fd(ev))
/** Old accessor: the signal number of an event. */
#define EVENT_SIGNAL(ev) event_get_signal(ev)
#endif

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_EVENT_COMPAT_H_INCLUDED_ */
