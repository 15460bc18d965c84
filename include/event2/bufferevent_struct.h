/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/bufferevent_struct.h: the layout of struct bufferevent, kept
 * public only so that programs written for libevent 1.4, which reached into
 * it, still build.  The layout is part of the binary interface and matches
 * libevent 2.1 exactly.  New code should treat the structure as opaque and
 * use the functions of <event2/bufferevent.h>.
 */
#ifndef EVENT2_BUFFEREVENT_STRUCT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_STRUCT_H_INCLUDED_

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif
#include <event2/util.h>
#include <event2/event_struct.h>
#include <event2/bufferevent.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;
struct evbuffer;
/** The table of operations behind a kind of bufferevent; opaque. */
struct bufferevent_ops;

/** A pair of watermarks for one direction of a bufferevent.  See
 * bufferevent_setwatermark() for their meaning. */
struct event_watermark {
    /** The low watermark, in bytes. */
    size_t low;
    /** The high watermark, in bytes; 0 means no limit. */
    size_t high;
};

/** The public part of every bufferevent.
 *
 * Do not allocate this structure yourself or change its fields: create
 * bufferevents with the bufferevent_*_new() functions and use the accessors
 * of <event2/bufferevent.h>.  Reading a field directly is supported only for
 * old code.
 */
struct bufferevent {
    /** The event base that runs this bufferevent. */
    struct event_base *ev_base;
    /** The operations of this kind of bufferevent. */
    const struct bufferevent_ops *be_ops;

    /** The event that watches for readability; used by socket
     * bufferevents. */
    struct event ev_read;
    /** The event that watches for writability; used by socket
     * bufferevents. */
    struct event ev_write;

    /** The input buffer; see bufferevent_get_input(). */
    struct evbuffer *input;
    /** The output buffer; see bufferevent_get_output(). */
    struct evbuffer *output;

    /** The read watermarks. */
    struct event_watermark wm_read;
    /** The write watermarks. */
    struct event_watermark wm_write;

    /** The read callback, or NULL. */
    bufferevent_data_cb readcb;
    /** The write callback, or NULL. */
    bufferevent_data_cb writecb;
    /** The event callback, or NULL; libevent 1.4 called it the error
     * callback. */
    bufferevent_event_cb errorcb;
    /** The user pointer passed to the callbacks. */
    void *cbarg;

    /** The read timeout; all zero when there is none. */
    struct timeval timeout_read;
    /** The write timeout; all zero when there is none. */
    struct timeval timeout_write;

    /** The enabled directions, a bitwise OR of EV_READ and EV_WRITE. */
    short enabled;
};

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFEREVENT_STRUCT_H_INCLUDED_ */
