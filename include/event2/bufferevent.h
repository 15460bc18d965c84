/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/bufferevent.h: buffered I/O on top of the event loop.  A
 * bufferevent owns an input and an output evbuffer; it moves bytes between
 * them and a transport (a socket, the other half of a pair, or another
 * bufferevent through a filter) and calls the user back when enough data has
 * arrived, when the output has drained, or when something happens to the
 * connection.  This header also declares the rate-limiting interface.
 */
#ifndef EVENT2_BUFFEREVENT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif
#include <event2/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Event flags
 */

/** @name Flags passed to a bufferevent's event callback
 *
 * The event callback receives a bitwise OR of these: one of
 * BEV_EVENT_READING or BEV_EVENT_WRITING says which direction was involved,
 * and the others say what happened.
 * @{
 */
/** The condition was met while reading. */
#define BEV_EVENT_READING 0x01
/** The condition was met while writing. */
#define BEV_EVENT_WRITING 0x02
/** The peer closed its side of the connection (end of file). */
#define BEV_EVENT_EOF 0x10
/** An unrecoverable error occurred; errno, or
 * EVUTIL_SOCKET_ERROR(), tells which. */
#define BEV_EVENT_ERROR 0x20
/** A read or write timeout set with bufferevent_set_timeouts() expired. */
#define BEV_EVENT_TIMEOUT 0x40
/** A connection started with bufferevent_socket_connect() has been
 * established. */
#define BEV_EVENT_CONNECTED 0x80
/** @} */

/*
 * Types
 */

/** An opaque buffered I/O object.  Its layout is visible in
 * <event2/bufferevent_struct.h> only for old code; new code should use the
 * accessor functions declared here. */
struct bufferevent;
struct event_base;
struct evbuffer;
struct sockaddr;
struct evdns_base;

/** The type of a read or write callback.
 *
 * The read callback runs when new data has reached the input buffer and its
 * length is at least the low read watermark.  The write callback runs when
 * the output buffer has drained down to the low write watermark or below.
 *
 * @param bev the bufferevent that triggered the callback
 * @param ctx the user pointer given to bufferevent_setcb()
 */
typedef void (*bufferevent_data_cb)(struct bufferevent *bev, void *ctx);

/** The type of an event callback, run on end of file, errors, timeouts and
 * completed connections.
 *
 * @param bev the bufferevent that triggered the callback
 * @param what a bitwise OR of BEV_EVENT_* flags
 * @param ctx the user pointer given to bufferevent_setcb()
 */
typedef void (*bufferevent_event_cb)(struct bufferevent *bev, short what,
                                     void *ctx);

/** Options that may be given when a bufferevent is created.  They are bit
 * flags and may be combined with bitwise OR. */
enum bufferevent_options {
    /** Close the underlying file descriptor, or free the underlying
     * bufferevent, when this bufferevent is freed. */
    BEV_OPT_CLOSE_ON_FREE = (1 << 0),
    /** Give the bufferevent a lock so that it may be used from several
     * threads at once.  Threading support must have been set up first. */
    BEV_OPT_THREADSAFE = (1 << 1),
    /** Run callbacks from the event loop, after the current operation has
     * finished, instead of immediately. */
    BEV_OPT_DEFER_CALLBACKS = (1 << 2),
    /** With BEV_OPT_DEFER_CALLBACKS, release the bufferevent's lock while
     * running its callbacks. */
    BEV_OPT_UNLOCK_CALLBACKS = (1 << 3)
};

/*
 * Socket bufferevents
 */

/** Creates a bufferevent that reads from and writes to a socket.
 *
 * @param base the event base that will run the bufferevent
 * @param fd a nonblocking socket, or -1 to set one later with
 *     bufferevent_setfd() or bufferevent_socket_connect()
 * @param options a bitwise OR of enum bufferevent_options values
 * @return the new bufferevent, or NULL on error.  Free it with
 *     bufferevent_free().
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_socket_new(struct event_base *base,
                                           evutil_socket_t fd, int options);

/** Starts a nonblocking connect on a socket bufferevent.
 *
 * If the bufferevent has no socket yet, a new nonblocking stream socket of
 * the address's family is created for it.  Once the connection is made the
 * event callback receives BEV_EVENT_CONNECTED; if it fails, BEV_EVENT_ERROR.
 *
 * @param bufev a socket bufferevent
 * @param addr the address to connect to, or NULL if the bufferevent's
 *     socket is already connecting or connected
 * @param socklen the length of @a addr in bytes
 * @return 0 if the connect was started (a refusal may still be reported
 *     later through the event callback), -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_connect(struct bufferevent *bufev,
                               const struct sockaddr *addr, int socklen);

/** Resolves a host name and then connects a socket bufferevent to it.
 *
 * The addresses found are tried as bufferevent_socket_connect() would.  If
 * the lookup fails, the event callback receives BEV_EVENT_ERROR and
 * bufferevent_socket_get_dns_error() gives the reason.
 *
 * @param bufev a socket bufferevent
 * @param evdns_base the asynchronous resolver to use, or NULL to resolve
 *     with the system's blocking resolver
 * @param family AF_INET, AF_INET6 or AF_UNSPEC
 * @param hostname the host name or numeric address to connect to
 * @param port the port number, in host byte order
 * @return 0 if the lookup was started, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_connect_hostname(struct bufferevent *bufev,
                                        struct evdns_base *evdns_base,
                                        int family, const char *hostname,
                                        int port);

/** Returns the error from the last host name lookup started by
 * bufferevent_socket_connect_hostname().
 *
 * @param bev a socket bufferevent
 * @return 0 if the last lookup succeeded, otherwise an EVUTIL_EAI_* code
 *     that evutil_gai_strerror() can describe
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_get_dns_error(struct bufferevent *bev);

/*
 * Generic operations
 */

/** Moves a bufferevent to another event base.  Only socket bufferevents
 * support this, and it should be done before the bufferevent is used.
 *
 * @param base the new event base
 * @param bufev the bufferevent to move
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_base_set(struct event_base *base, struct bufferevent *bufev);

/** Returns the event base that runs a bufferevent. */
EVENT2_EXPORT_SYMBOL
struct event_base *bufferevent_get_base(struct bufferevent *bev);

/** Sets the priority of the events a bufferevent uses internally.  Only
 * socket bufferevents support this.
 *
 * @param bufev the bufferevent
 * @param pri a priority lower than the base's number of priorities
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_priority_set(struct bufferevent *bufev, int pri);

/** Returns the priority of a bufferevent's internal events. */
EVENT2_EXPORT_SYMBOL
int bufferevent_get_priority(const struct bufferevent *bufev);

/** Releases a bufferevent.
 *
 * The bufferevent stops calling its callbacks and is freed as soon as no
 * internal reference remains, which may be after this call returns.  Data
 * still in its output buffer is usually not written.  With
 * BEV_OPT_CLOSE_ON_FREE its socket is closed, or its underlying bufferevent
 * freed, as well.
 *
 * @param bufev the bufferevent to release
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_free(struct bufferevent *bufev);

/** Sets or replaces the callbacks of a bufferevent.
 *
 * @param bufev the bufferevent
 * @param readcb called when data can be read, or NULL for none
 * @param writecb called when the output has drained, or NULL for none
 * @param eventcb called on end of file, errors, timeouts and completed
 *     connections, or NULL for none
 * @param cbarg the user pointer passed to all three callbacks
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_setcb(struct bufferevent *bufev, bufferevent_data_cb readcb,
                       bufferevent_data_cb writecb,
                       bufferevent_event_cb eventcb, void *cbarg);

/** Retrieves the callbacks of a bufferevent.  Each output pointer may be
 * NULL when the caller does not want that value.
 *
 * @param bufev the bufferevent
 * @param readcb_ptr receives the read callback
 * @param writecb_ptr receives the write callback
 * @param eventcb_ptr receives the event callback
 * @param cbarg_ptr receives the user pointer
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_getcb(struct bufferevent *bufev,
                       bufferevent_data_cb *readcb_ptr,
                       bufferevent_data_cb *writecb_ptr,
                       bufferevent_event_cb *eventcb_ptr, void **cbarg_ptr);

/** Changes the socket a bufferevent uses.  Only socket bufferevents support
 * this.
 *
 * @param bufev the bufferevent
 * @param fd the new socket, or -1 for none
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_setfd(struct bufferevent *bufev, evutil_socket_t fd);

/** Returns the socket of a bufferevent, or -1 if it has none or is not a
 * socket-based bufferevent. */
EVENT2_EXPORT_SYMBOL
evutil_socket_t bufferevent_getfd(struct bufferevent *bufev);

/** Returns the bufferevent that a filtering bufferevent reads from and writes
 * to, or NULL if @a bufev does not sit on top of another bufferevent. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_get_underlying(struct bufferevent *bufev);

/*
 * Reading and writing
 */

/** Appends bytes to a bufferevent's output buffer.  They are sent when the
 * transport is ready and writing is enabled.
 *
 * @param bufev the bufferevent
 * @param data the bytes to copy
 * @param size the number of bytes at @a data
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_write(struct bufferevent *bufev, const void *data, size_t size);

/** Moves all the data of an evbuffer to the end of a bufferevent's output
 * buffer; @a buf is left empty.
 *
 * @param bufev the bufferevent
 * @param buf the buffer to drain
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_write_buffer(struct bufferevent *bufev, struct evbuffer *buf);

/** Removes up to @a size bytes from the front of a bufferevent's input
 * buffer and copies them out.
 *
 * @param bufev the bufferevent
 * @param data where to store the bytes
 * @param size the most bytes to remove
 * @return the number of bytes removed
 */
EVENT2_EXPORT_SYMBOL
size_t bufferevent_read(struct bufferevent *bufev, void *data, size_t size);

/** Moves all the data of a bufferevent's input buffer to the end of an
 * evbuffer.
 *
 * @param bufev the bufferevent
 * @param buf the buffer that receives the data
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_read_buffer(struct bufferevent *bufev, struct evbuffer *buf);

/** Returns the input buffer of a bufferevent.  The bufferevent owns it; it
 * stays valid until the bufferevent is freed.  Remove data from it, but do
 * not add any. */
EVENT2_EXPORT_SYMBOL
struct evbuffer *bufferevent_get_input(struct bufferevent *bufev);

/** Returns the output buffer of a bufferevent.  The bufferevent owns it; it
 * stays valid until the bufferevent is freed.  Add data to it, but do not
 * remove any. */
EVENT2_EXPORT_SYMBOL
struct evbuffer *bufferevent_get_output(struct bufferevent *bufev);

/** Turns reading, writing or both on for a bufferevent.
 *
 * @param bufev the bufferevent
 * @param event EV_READ, EV_WRITE or both
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_enable(struct bufferevent *bufev, short event);

/** Turns reading, writing or both off for a bufferevent.
 *
 * @param bufev the bufferevent
 * @param event EV_READ, EV_WRITE or both
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_disable(struct bufferevent *bufev, short event);

/** Returns the directions enabled on a bufferevent, as a bitwise OR of
 * EV_READ and EV_WRITE. */
EVENT2_EXPORT_SYMBOL
short bufferevent_get_enabled(struct bufferevent *bufev);

/** Sets the read and write timeouts of a bufferevent.
 *
 * A timeout expires when the bufferevent has tried to read (or write) for
 * that long without making progress.  The direction is then disabled and
 * the event callback receives BEV_EVENT_TIMEOUT with BEV_EVENT_READING or
 * BEV_EVENT_WRITING.  A timeout only runs while its direction is enabled.
 *
 * @param bufev the bufferevent
 * @param timeout_read the read timeout, or NULL for none
 * @param timeout_write the write timeout, or NULL for none
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_timeouts(struct bufferevent *bufev,
                             const struct timeval *timeout_read,
                             const struct timeval *timeout_write);

/** Sets the watermarks of one or both directions of a bufferevent.
 *
 * Reading: the read callback runs only once the input holds at least
 * @a lowmark bytes, and reading pauses while it holds @a highmark bytes or
 * more.  Writing: the write callback runs when the output drains to
 * @a lowmark bytes or fewer; @a highmark limits how much a filter passes
 * down to the bufferevent under it.  A @a highmark of 0 means no limit.
 *
 * @param bufev the bufferevent
 * @param events EV_READ, EV_WRITE or both
 * @param lowmark the low watermark in bytes
 * @param highmark the high watermark in bytes, or 0 for none
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_setwatermark(struct bufferevent *bufev, short events,
                              size_t lowmark, size_t highmark);

/** Retrieves the watermarks of one direction of a bufferevent.
 *
 * @param bufev the bufferevent
 * @param events exactly one of EV_READ or EV_WRITE
 * @param lowmark receives the low watermark; may be NULL
 * @param highmark receives the high watermark; may be NULL
 * @return 0 on success, -1 if @a events does not name exactly one direction
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_getwatermark(struct bufferevent *bufev, short events,
                             size_t *lowmark, size_t *highmark);

/*
 * Locking and reference counting
 */

/** Takes the lock of a bufferevent.  The lock is recursive.  This does
 * nothing for a bufferevent created without BEV_OPT_THREADSAFE. */
EVENT2_EXPORT_SYMBOL
void bufferevent_lock(struct bufferevent *bufev);

/** Releases a lock taken with bufferevent_lock(). */
EVENT2_EXPORT_SYMBOL
void bufferevent_unlock(struct bufferevent *bufev);

/** Adds a reference to a bufferevent, so that it is not freed until a
 * matching bufferevent_decref(). */
EVENT2_EXPORT_SYMBOL
void bufferevent_incref(struct bufferevent *bufev);

/** Drops a reference taken with bufferevent_incref().
 *
 * @param bufev the bufferevent
 * @return 1 if this freed the bufferevent, 0 otherwise
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_decref(struct bufferevent *bufev);

/*
 * Flushing and triggering
 */

/** How hard bufferevent_flush() should push data through. */
enum bufferevent_flush_mode {
    /** Transfer data normally. */
    BEV_NORMAL = 0,
    /** Transfer as much as possible, even data that would normally wait
     * for more to arrive. */
    BEV_FLUSH = 1,
    /** Transfer everything and then signal that no more data will come. */
    BEV_FINISHED = 2
};

/** Forces a bufferevent to move buffered data in one or both directions.
 * Socket bufferevents have nothing to flush; filters do.
 *
 * @param bufev the bufferevent
 * @param iotype EV_READ, EV_WRITE or both
 * @param mode how far to flush
 * @return -1 on error, 0 if no data moved, 1 if some data moved
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_flush(struct bufferevent *bufev, short iotype,
                      enum bufferevent_flush_mode mode);

/** Options for bufferevent_trigger() and bufferevent_trigger_event().  They
 * may be combined with bitwise OR. */
enum bufferevent_trigger_options {
    /** Run the callback even if the watermark condition is not met. */
    BEV_TRIG_IGNORE_WATERMARKS = (1 << 16),
    /** Run the callback later from the event loop instead of now. */
    BEV_TRIG_DEFER_CALLBACKS = BEV_OPT_DEFER_CALLBACKS
};

/** Runs a bufferevent's read or write callback as if data had arrived or
 * drained.  Unless BEV_TRIG_IGNORE_WATERMARKS is given, a callback runs only
 * if its watermark condition holds.
 *
 * @param bufev the bufferevent
 * @param iotype EV_READ, EV_WRITE or both
 * @param options a bitwise OR of enum bufferevent_trigger_options values
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_trigger(struct bufferevent *bufev, short iotype, int options);

/** Runs a bufferevent's event callback with the given flags.
 *
 * @param bufev the bufferevent
 * @param what the BEV_EVENT_* flags to pass to the callback
 * @param options 0 or BEV_TRIG_DEFER_CALLBACKS
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_trigger_event(struct bufferevent *bufev, short what,
                               int options);

/*
 * Filtering bufferevents
 */

/** What a filter function reports. */
enum bufferevent_filter_result {
    /** The filter produced some output. */
    BEV_OK = 0,
    /** The filter needs more input before it can produce output. */
    BEV_NEED_MORE = 1,
    /** The filter failed; the bufferevent reports an error. */
    BEV_ERROR = 2
};

/** The type of a filter function: it moves data from @a src to @a dst,
 * transforming it on the way.
 *
 * @param src the buffer to take data from
 * @param dst the buffer to add transformed data to
 * @param dst_limit a hint of how many bytes @a dst should receive at most,
 *     or a negative value for no limit
 * @param mode how far to flush; BEV_FINISHED means no more input will come
 * @param ctx the context given to bufferevent_filter_new()
 * @return a bufferevent_filter_result value
 */
typedef enum bufferevent_filter_result (*bufferevent_filter_cb)(
    struct evbuffer *src, struct evbuffer *dst, ev_ssize_t dst_limit,
    enum bufferevent_flush_mode mode, void *ctx);

/** Creates a bufferevent that transforms the data of another bufferevent.
 *
 * @param underlying the bufferevent the filter reads from and writes to
 * @param input_filter transforms data from @a underlying's input into the
 *     new bufferevent's input, or NULL to copy it unchanged
 * @param output_filter transforms data from the new bufferevent's output
 *     into @a underlying's output, or NULL to copy it unchanged
 * @param options a bitwise OR of enum bufferevent_options values; with
 *     BEV_OPT_CLOSE_ON_FREE, @a underlying is freed with the filter
 * @param free_context called with @a ctx when the filter is freed, or NULL
 * @param ctx the context passed to both filter functions
 * @return the new bufferevent, or NULL on error
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_filter_new(struct bufferevent *underlying,
                                           bufferevent_filter_cb input_filter,
                                           bufferevent_filter_cb output_filter,
                                           int options,
                                           void (*free_context)(void *),
                                           void *ctx);

/*
 * Paired bufferevents
 */

/** Creates two bufferevents connected to each other: what is written to one
 * can be read from the other, without a socket in between.
 *
 * @param base the event base that will run both
 * @param options a bitwise OR of enum bufferevent_options values
 * @param pair receives the two new bufferevents
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_pair_new(struct event_base *base, int options,
                         struct bufferevent *pair[2]);

/** Returns the other half of a paired bufferevent, or NULL if @a bev is not
 * part of a pair or its partner has been freed. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_pair_get_partner(struct bufferevent *bev);

/*
 * Rate limiting
 */

/** An opaque token-bucket configuration, shared by any number of
 * bufferevents and groups. */
struct ev_token_bucket_cfg;

/** An opaque group of bufferevents that share one bandwidth limit. */
struct bufferevent_rate_limit_group;

/** The largest rate or burst a token bucket accepts. */
#define EV_RATE_LIMIT_MAX EV_SSIZE_MAX

/** Creates a token-bucket configuration.
 *
 * Each tick, the read and write buckets gain their rate in bytes, up to
 * their burst size.
 *
 * @param read_rate bytes of reading allowed per tick
 * @param read_burst the most bytes that may be read at once
 * @param write_rate bytes of writing allowed per tick
 * @param write_burst the most bytes that may be written at once
 * @param tick_len the length of a tick, or NULL for one second
 * @return the new configuration, or NULL on error (for instance a value
 *     above EV_RATE_LIMIT_MAX, or a burst smaller than its rate)
 */
EVENT2_EXPORT_SYMBOL
struct ev_token_bucket_cfg *
ev_token_bucket_cfg_new(size_t read_rate, size_t read_burst, size_t write_rate,
                        size_t write_burst, const struct timeval *tick_len);

/** Frees a token-bucket configuration.  It must not be in use by any
 * bufferevent at that time. */
EVENT2_EXPORT_SYMBOL
void ev_token_bucket_cfg_free(struct ev_token_bucket_cfg *cfg);

/** Limits the bandwidth of a single bufferevent.
 *
 * The bufferevent keeps a pointer to @a cfg, which must outlive its use.
 *
 * @param bev the bufferevent
 * @param cfg the limit to apply, or NULL to remove the limit
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_rate_limit(struct bufferevent *bev,
                               struct ev_token_bucket_cfg *cfg);

/** Creates a group of bufferevents whose combined bandwidth is limited.
 *
 * @param base the event base used for the group's timer
 * @param cfg the limit of the whole group; it is copied
 * @return the new group, or NULL on error
 */
EVENT2_EXPORT_SYMBOL
struct bufferevent_rate_limit_group *
bufferevent_rate_limit_group_new(struct event_base *base,
                                 const struct ev_token_bucket_cfg *cfg);

/** Replaces the limit of a group; @a cfg is copied.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int
bufferevent_rate_limit_group_set_cfg(struct bufferevent_rate_limit_group *group,
                                     const struct ev_token_bucket_cfg *cfg);

/** Sets the smallest number of bytes a member of a group may transfer at a
 * time when the group's allowance is shared out.  The default is 64; 0
 * turns the minimum off.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_set_min_share(
    struct bufferevent_rate_limit_group *group, size_t min_share);

/** Frees a rate-limit group.  Every bufferevent must have left the group
 * first. */
EVENT2_EXPORT_SYMBOL
void
bufferevent_rate_limit_group_free(struct bufferevent_rate_limit_group *group);

/** Puts a bufferevent into a rate-limit group, taking it out of any group
 * it was in before.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_add_to_rate_limit_group(struct bufferevent *bev,
                                        struct bufferevent_rate_limit_group *g);

/** Takes a bufferevent out of its rate-limit group, if it is in one.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_remove_from_rate_limit_group(struct bufferevent *bev);

/** Sets the most bytes a bufferevent reads in one operation.  A size of 0,
 * or one above EV_SSIZE_MAX, restores the default.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_max_single_read(struct bufferevent *bev, size_t size);

/** Sets the most bytes a bufferevent writes in one operation.  A size of 0,
 * or one above EV_SSIZE_MAX, restores the default.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_max_single_write(struct bufferevent *bev, size_t size);

/** Returns the most bytes a bufferevent reads in one operation. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_single_read(struct bufferevent *bev);

/** Returns the most bytes a bufferevent writes in one operation. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_single_write(struct bufferevent *bev);

/** Returns what is left in a bufferevent's own read bucket; it may be
 * negative.  Without a rate limit the result is EV_SSIZE_MAX. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_read_limit(struct bufferevent *bev);

/** Returns what is left in a bufferevent's own write bucket; it may be
 * negative.  Without a rate limit the result is EV_SSIZE_MAX. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_write_limit(struct bufferevent *bev);

/** Returns how many bytes a bufferevent may read right now, taking its own
 * limit, its group's limit and the single-read maximum into account. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_to_read(struct bufferevent *bev);

/** Returns how many bytes a bufferevent may write right now, taking its own
 * limit, its group's limit and the single-write maximum into account. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_to_write(struct bufferevent *bev);

/** Returns the configuration set with bufferevent_set_rate_limit(), or NULL
 * if the bufferevent has no limit of its own. */
EVENT2_EXPORT_SYMBOL
const struct ev_token_bucket_cfg *
bufferevent_get_token_bucket_cfg(const struct bufferevent *bev);

/** Returns what is left in a group's read bucket; it may be negative. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_rate_limit_group_get_read_limit(
    struct bufferevent_rate_limit_group *group);

/** Returns what is left in a group's write bucket; it may be negative. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_rate_limit_group_get_write_limit(
    struct bufferevent_rate_limit_group *group);

/** Takes bytes out of a bufferevent's read bucket, or adds them back if
 * @a decr is negative, suspending or resuming reading as needed.  The
 * bufferevent must have a rate limit of its own.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_decrement_read_limit(struct bufferevent *bev, ev_ssize_t decr);

/** Takes bytes out of a bufferevent's write bucket, or adds them back if
 * @a decr is negative, suspending or resuming writing as needed.  The
 * bufferevent must have a rate limit of its own.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_decrement_write_limit(struct bufferevent *bev, ev_ssize_t decr);

/** Takes bytes out of a group's read bucket, or adds them back if @a decr
 * is negative, suspending or resuming the members as needed.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_decrement_read(
    struct bufferevent_rate_limit_group *group, ev_ssize_t decr);

/** Takes bytes out of a group's write bucket, or adds them back if @a decr
 * is negative, suspending or resuming the members as needed.
 *
 * @return 0 on success, -1 on error
 */
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_decrement_write(
    struct bufferevent_rate_limit_group *group, ev_ssize_t decr);

/** Reports how many bytes the members of a group have read and written
 * since the group was created or its totals were last reset.
 *
 * @param grp the group
 * @param total_read_out receives the bytes read; may be NULL
 * @param total_written_out receives the bytes written; may be NULL
 */
EVENT2_EXPORT_SYMBOL
void bufferevent_rate_limit_group_get_totals(
    struct bufferevent_rate_limit_group *grp, ev_uint64_t *total_read_out,
    ev_uint64_t *total_written_out);

/** Sets a group's read and written totals back to zero. */
EVENT2_EXPORT_SYMBOL
void bufferevent_rate_limit_group_reset_totals(
    struct bufferevent_rate_limit_group *grp);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFEREVENT_H_INCLUDED_ */
