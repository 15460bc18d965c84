/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/bufferevent_compat.h: names kept for programs written for
 * libevent 1.4.  New code should use the functions and constants of
 * <event2/bufferevent.h> instead.
 */
#ifndef EVENT2_BUFFEREVENT_COMPAT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_COMPAT_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/util.h>
#include <event2/bufferevent.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Old names of the callback types
 * @{
 */
/** The old name of bufferevent_data_cb. */
#define evbuffercb bufferevent_data_cb
/** The old name of bufferevent_event_cb. */
#define everrorcb bufferevent_event_cb
/** @} */

/** Creates a socket bufferevent on the global event base made by
 * event_init(), if there is one.
 *
 * Use bufferevent_base_set() to move it to another base before enabling it;
 * without a global base that step is required.
 *
 * @deprecated Use bufferevent_socket_new() and bufferevent_setcb(), which
 *     take the event base explicitly.
 * @param fd the nonblocking socket to read from and write to
 * @param readcb called when data can be read, or NULL
 * @param writecb called when the output has drained, or NULL
 * @param errorcb called on end of file, errors and timeouts, or NULL
 * @param cbarg the user pointer passed to the callbacks
 * @return the new bufferevent, or NULL on error.  Free it with
 *     bufferevent_free().
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_new(evutil_socket_t fd, evbuffercb readcb,
                                    evbuffercb writecb, everrorcb errorcb,
                                    void *cbarg);

/** Sets the read and write timeouts of a bufferevent in whole seconds.
 *
 * @deprecated Use bufferevent_set_timeouts().
 * @param bufev the bufferevent
 * @param timeout_read the read timeout in seconds, or 0 for none
 * @param timeout_write the write timeout in seconds, or 0 for none
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_settimeout(struct bufferevent *bufev, int timeout_read,
                            int timeout_write);

/** @name Old names of the BEV_EVENT_* flags
 * @{
 */
/** The old name of BEV_EVENT_READING. */
#define EVBUFFER_READ BEV_EVENT_READING
/** The old name of BEV_EVENT_WRITING. */
#define EVBUFFER_WRITE BEV_EVENT_WRITING
/** The old name of BEV_EVENT_EOF. */
#define EVBUFFER_EOF BEV_EVENT_EOF
/** The old name of BEV_EVENT_ERROR. */
#define EVBUFFER_ERROR BEV_EVENT_ERROR
/** The old name of BEV_EVENT_TIMEOUT. */
#define EVBUFFER_TIMEOUT BEV_EVENT_TIMEOUT
/** @} */

/** Yields the input buffer of bufferevent @a x; the old spelling of
 * bufferevent_get_input(). */
#define EVBUFFER_INPUT(x) bufferevent_get_input(x)
/** Yields the output buffer of bufferevent @a x; the old spelling of
 * bufferevent_get_output(). */
#define EVBUFFER_OUTPUT(x) bufferevent_get_output(x)

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFEREVENT_COMPAT_H_INCLUDED_ */
