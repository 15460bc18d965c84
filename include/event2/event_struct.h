/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/event_struct.h: the layout of struct event, for programs that
 * embed an event in their own structures and set it up with event_assign()
 * or event_set().
 *
 * The layout is part of the binary interface (128 bytes on x86-64) and must
 * not change.  Programs should still treat the fields as private and use
 * the accessors of <event2/event.h>; they are named here only because old
 * programs read them.
 *
 * The list links inside the structures are written with the TAILQ_ENTRY,
 * TAILQ_HEAD, LIST_ENTRY and LIST_HEAD macros of <sys/queue.h>.  If those
 * macros are not defined when this header is read, it defines equivalent
 * ones for its own use, marks that with an EVENT_DEFINED_* macro, and
 * removes them again at the end, so <sys/queue.h> may be included before or
 * after this header.
 */
#ifndef EVENT2_EVENT_STRUCT_H_INCLUDED_
#define EVENT2_EVENT_STRUCT_H_INCLUDED_

#include <event2/event-config.h>

#include <sys/types.h>
#include <sys/time.h>

#include <event2/util.h>
#include <event2/keyvalq_struct.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Values of evcb_flags: which lists of its base an event is on.
 */

/** The event has a pending timeout. */
#define EVLIST_TIMEOUT 0x01
/** The event is added for I/O. */
#define EVLIST_INSERTED 0x02
/** The event is added for a signal. */
#define EVLIST_SIGNAL 0x04
/** The event is active: its callback is queued to run. */
#define EVLIST_ACTIVE 0x08
/** The event is used internally by the library. */
#define EVLIST_INTERNAL 0x10
/** The event will become active on the next loop iteration. */
#define EVLIST_ACTIVE_LATER 0x20
/** The event is being finalized (see event_finalize()). */
#define EVLIST_FINALIZING 0x40
/** The event has been set up. */
#define EVLIST_INIT 0x80
/** Mask of every EVLIST_* flag. */
#define EVLIST_ALL 0xff

/*
 * Fallback list macros, used only when <sys/queue.h> has not been read.
 * Each one is removed at the end of this header; only the macros this
 * header defined itself are removed.
 */

/* clang-format off */
#ifndef TAILQ_ENTRY
/** Defined when a libevent header supplied its own TAILQ_ENTRY. */
#define EVENT_DEFINED_TQENTRY_
#define EVENT_STRUCT_OWN_TQENTRY_
/** Link fields of an element of a doubly linked tail queue. */
#define TAILQ_ENTRY(type)                                                     \
    struct {                                                                  \
        struct type *tqe_next;                                                \
        struct type **tqe_prev;                                               \
    }
#endif

#ifndef TAILQ_HEAD
/** Defined when a libevent header supplied its own TAILQ_HEAD. */
#define EVENT_DEFINED_TQHEAD_
#define EVENT_STRUCT_OWN_TQHEAD_
/** Declares struct name, the head of a tail queue of struct type. */
#define TAILQ_HEAD(name, type)                                                \
    struct name {                                                             \
        struct type *tqh_first;                                               \
        struct type **tqh_last;                                               \
    }
#endif

#ifndef LIST_ENTRY
/** Defined when a libevent header supplied its own LIST_ENTRY. */
#define EVENT_DEFINED_LISTENTRY_
#define EVENT_STRUCT_OWN_LISTENTRY_
/** Link fields of an element of a doubly linked list. */
#define LIST_ENTRY(type)                                                      \
    struct {                                                                  \
        struct type *le_next;                                                 \
        struct type **le_prev;                                                \
    }
#endif

#ifndef LIST_HEAD
/** Defined when a libevent header supplied its own LIST_HEAD. */
#define EVENT_DEFINED_LISTHEAD_
#define EVENT_STRUCT_OWN_LISTHEAD_
/** Declares struct name, the head of a list of struct type. */
#define LIST_HEAD(name, type)                                                 \
    struct name {                                                             \
        struct type *lh_first;                                                \
    }
#endif
/* clang-format on */

struct event;
struct event_base;

/**
 * The part of an event the loop queues and runs: also used on its own for
 * the library's internal deferred callbacks.
 */
struct event_callback {
    /** Link in the base's queue of active callbacks. */
    TAILQ_ENTRY(event_callback) evcb_active_next;
    /** EVLIST_* flags. */
    short evcb_flags;
    /** Priority; 0 is the most urgent. */
    ev_uint8_t evcb_pri;
    /** Internal code saying how to run the callback. */
    ev_uint8_t evcb_closure;
    /** The function to run; which member is used depends on evcb_closure. */
    union {
        /** An ordinary event callback. */
        void (*evcb_callback)(evutil_socket_t, short, void *);
        /** A callback that receives the event_callback itself. */
        void (*evcb_selfcb)(struct event_callback *, void *);
        /** A finalizer for an event. */
        void (*evcb_evfinalize)(struct event *, void *);
        /** A finalizer for an event_callback. */
        void (*evcb_cbfinalize)(struct event_callback *, void *);
    } evcb_cb_union;
    /** The argument passed to the function. */
    void *evcb_arg;
};

/**
 * An event.  Set it up with event_assign() and read it with the accessors
 * of <event2/event.h> (event_get_fd(), event_get_base(), ...).
 */
struct event {
    /** How and when the loop runs this event's callback. */
    struct event_callback ev_evcallback;

    /** Where the pending timeout is kept: a common-timeout queue or the
     * timer heap. */
    union {
        /** Link in a common-timeout queue. */
        TAILQ_ENTRY(event) ev_next_with_common_timeout;
        /** Index in the timer heap, or -1. */
        int min_heap_idx;
    } ev_timeout_pos;
    /** The file descriptor or signal number, or -1. */
    evutil_socket_t ev_fd;

    /** The base the event belongs to. */
    struct event_base *ev_base;

    /** Data for I/O events or for signal events. */
    union {
        /** For I/O events. */
        struct {
            /** Link among the events on the same file descriptor. */
            LIST_ENTRY(event) ev_io_next;
            /** The relative timeout of a persistent event. */
            struct timeval ev_timeout;
        } ev_io;

        /** For signal events. */
        struct {
            /** Link among the events on the same signal. */
            LIST_ENTRY(event) ev_signal_next;
            /** How many times the callback is still to run. */
            short ev_ncalls;
            /** Points at the running count while the callback runs. */
            short *ev_pncalls;
        } ev_signal;
    } ev_;

    /** The conditions the event watches (EV_READ, EV_WRITE, ...). */
    short ev_events;
    /** The conditions that made the event active. */
    short ev_res;
    /** When the pending timeout expires. */
    struct timeval ev_timeout;
};

/** A tail queue of events. */
TAILQ_HEAD(event_list, event);

/** A list of events. */
LIST_HEAD(event_dlist, event);

#ifdef EVENT_STRUCT_OWN_TQENTRY_
#undef TAILQ_ENTRY
#undef EVENT_STRUCT_OWN_TQENTRY_
#endif
#ifdef EVENT_STRUCT_OWN_TQHEAD_
#undef TAILQ_HEAD
#undef EVENT_STRUCT_OWN_TQHEAD_
#endif
#ifdef EVENT_STRUCT_OWN_LISTENTRY_
#undef LIST_ENTRY
#undef EVENT_STRUCT_OWN_LISTENTRY_
#endif
#ifdef EVENT_STRUCT_OWN_LISTHEAD_
#undef LIST_HEAD
#undef EVENT_STRUCT_OWN_LISTHEAD_
#endif

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_EVENT_STRUCT_H_INCLUDED_ */
