/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/buffer_compat.h: deprecated evbuffer functions and macros, kept
 * only so that programs written for libevent 1.4 still build.  New code
 * should use the functions of event2/buffer.h instead.
 */
#ifndef EVENT2_BUFFER_COMPAT_H_INCLUDED_
#define EVENT2_BUFFER_COMPAT_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/buffer.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Remove one line from the front of an evbuffer, accepting any run of CR
 * and LF characters as the line ending.  It is the same as
 * evbuffer_readln(buffer, NULL, EVBUFFER_EOL_ANY).
 *
 * @deprecated That line-ending rule is wrong for almost every protocol;
 *     use evbuffer_readln() with a suitable style.
 *
 * @param buffer the buffer.
 * @return a newly allocated NUL-terminated string that the caller releases
 *     with free(), or NULL if there is no complete line or memory ran out.
 */
EVENT2_EXPORT_SYMBOL char *evbuffer_readline(struct evbuffer *buffer);

/**
 * The old form of evbuffer callback, called after bytes are added to or
 * removed from an evbuffer.
 *
 * @param buffer the buffer that changed.
 * @param old_len its length before the change.
 * @param new_len its length after the change.
 * @param arg the argument given to evbuffer_setcb().
 */
typedef void (*evbuffer_cb)(struct evbuffer *buffer, size_t old_len,
                            size_t new_len, void *arg);

/**
 * Replace every callback of an evbuffer with one old-style callback, or
 * remove them all.
 *
 * @deprecated It also removes callbacks that other code registered with
 *     evbuffer_add_cb(); use evbuffer_add_cb() and evbuffer_remove_cb()
 *     instead.
 *
 * @param buffer the buffer.
 * @param cb the function to call on each change, or NULL to remove every
 *     callback.
 * @param cbarg an argument passed to cb.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_setcb(struct evbuffer *buffer, evbuffer_cb cb,
                                        void *cbarg);

/**
 * Find a byte string in an evbuffer and return a pointer to it.
 *
 * The buffer is made contiguous up to the end of the match, which may copy
 * data; the pointer stays valid until the buffer is next changed.
 *
 * @deprecated Use evbuffer_search(), which does not rearrange the buffer.
 *
 * @param buffer the buffer.
 * @param what the bytes to look for.
 * @param len the number of bytes in what.
 * @return a pointer to the first match inside the buffer, or NULL if there
 *     is none.
 */
EVENT2_EXPORT_SYMBOL unsigned char *
evbuffer_find(struct evbuffer *buffer, const unsigned char *what, size_t len);

/** The number of bytes in evbuffer x.  @deprecated Use
 * evbuffer_get_length(). */
#define EVBUFFER_LENGTH(x) evbuffer_get_length(x)
/** A pointer to the contents of evbuffer x, made contiguous first.
 * @deprecated Use evbuffer_pullup(). */
#define EVBUFFER_DATA(x) evbuffer_pullup((x), -1)

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFER_COMPAT_H_INCLUDED_ */
