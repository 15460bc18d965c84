/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/keyvalq_struct.h: struct evkeyval and struct evkeyvalq, the list
 * of key/value pairs used for HTTP headers and parsed query strings.
 *
 * The list is a <sys/queue.h> tail queue, so the TAILQ_* macros of that
 * header work on it.  The header does not require <sys/queue.h>: when
 * TAILQ_ENTRY or TAILQ_HEAD is not defined yet, it supplies a definition
 * with the same layout for its own use, marks that with
 * EVENT_DEFINED_TQENTRY_ or EVENT_DEFINED_TQHEAD_, and removes the
 * definition again at the end, so <sys/queue.h> may still be included
 * afterwards.
 */
#ifndef EVENT2_KEYVALQ_STRUCT_H_INCLUDED_
#define EVENT2_KEYVALQ_STRUCT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

/* The VIGIL_KEYVALQ_OWN_* macros record which definitions this header made
 * itself, so that only those are removed below, even if another header
 * left an EVENT_DEFINED_* marker behind. */
#ifndef TAILQ_ENTRY
#define EVENT_DEFINED_TQENTRY_
#define VIGIL_KEYVALQ_OWN_TQENTRY_
/** The link field of a tail queue element: the next element, and the
 * address of the previous element's link to this one. */
#define TAILQ_ENTRY(type)       \
    struct {                    \
        struct type *tqe_next;  \
        struct type **tqe_prev; \
    }
#endif

#ifndef TAILQ_HEAD
#define EVENT_DEFINED_TQHEAD_
#define VIGIL_KEYVALQ_OWN_TQHEAD_
/** The head of a tail queue: the first element, and the address of the
 * last element's link field. */
#define TAILQ_HEAD(name, type)  \
    struct name {               \
        struct type *tqh_first; \
        struct type **tqh_last; \
    }
#endif

/**
 * One key/value pair, such as an HTTP header line.  Both strings are owned
 * by the list they belong to and are freed with it.
 */
struct evkeyval {
    /** The link to the neighbouring pairs in the list. */
    TAILQ_ENTRY(evkeyval) next;

    /** The key, a NUL-terminated string. */
    char *key;
    /** The value, a NUL-terminated string. */
    char *value;
};

/** A list of key/value pairs, in the order they were added. */
TAILQ_HEAD(evkeyvalq, evkeyval);

#ifdef VIGIL_KEYVALQ_OWN_TQENTRY_
#undef TAILQ_ENTRY
#undef VIGIL_KEYVALQ_OWN_TQENTRY_
#endif

#ifdef VIGIL_KEYVALQ_OWN_TQHEAD_
#undef TAILQ_HEAD
#undef VIGIL_KEYVALQ_OWN_TQHEAD_
#endif

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_KEYVALQ_STRUCT_H_INCLUDED_ */
