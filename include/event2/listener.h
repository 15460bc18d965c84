/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/listener.h: the evconnlistener, which waits on a listening socket
 * and hands each accepted connection to a callback.
 */
#ifndef EVENT2_LISTENER_H_INCLUDED_
#define EVENT2_LISTENER_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sockaddr;

/** A listener: an opaque object that accepts connections on a socket. */
struct evconnlistener;

/**
 * A function called with each connection a listener accepts.
 *
 * The callback owns the new socket and must close it when done; by default
 * the socket is already non-blocking.
 *
 * @param listener the listener that accepted the connection.
 * @param fd the new socket.
 * @param addr the peer's address; valid only during the call.
 * @param socklen the length of addr in bytes.
 * @param user_arg the pointer given when the callback was set.
 */
typedef void (*evconnlistener_cb)(struct evconnlistener *listener,
                                  evutil_socket_t fd, struct sockaddr *addr,
                                  int socklen, void *user_arg);

/**
 * A function called when accepting fails with an error that retrying will
 * not cure; EVUTIL_SOCKET_ERROR() gives the error.  The listener stays
 * enabled unless the callback disables or frees it.
 *
 * @param listener the listener.
 * @param user_arg the pointer given when the connection callback was set.
 */
typedef void (*evconnlistener_errorcb)(struct evconnlistener *listener,
                                       void *user_arg);

/*
 * Flags for evconnlistener_new() and evconnlistener_new_bind().
 */

/** Leave accepted sockets in blocking mode instead of making them
 * non-blocking. */
#define LEV_OPT_LEAVE_SOCKETS_BLOCKING (1u << 0)
/** Close the listening socket when the listener is freed. */
#define LEV_OPT_CLOSE_ON_FREE (1u << 1)
/** Set the close-on-exec flag on the listening and accepted sockets. */
#define LEV_OPT_CLOSE_ON_EXEC (1u << 2)
/** Allow the address to be bound again at once after the listener closes
 * (SO_REUSEADDR). */
#define LEV_OPT_REUSEABLE (1u << 3)
/** Give the listener a lock so that it can be used from several threads;
 * threading support must be set up first. */
#define LEV_OPT_THREADSAFE (1u << 4)
/** Create the listener disabled; evconnlistener_enable() starts it. */
#define LEV_OPT_DISABLED (1u << 5)
/**
 * Ask the kernel to report a connection only once the client has sent data
 * (TCP_DEFER_ACCEPT), where supported.  Use it only for protocols in which
 * the client speaks first: otherwise connections may never be reported.
 * Only evconnlistener_new_bind() honours it, since it must be set before
 * the socket is bound.
 */
#define LEV_OPT_DEFERRED_ACCEPT (1u << 6)
/** Allow other sockets that also set this option to listen on the same
 * address and port (SO_REUSEPORT, Linux 3.9 and later). */
#define LEV_OPT_REUSEABLE_PORT (1u << 7)
/** Make an IPv6 listening socket accept IPv6 connections only
 * (IPV6_V6ONLY), whatever the system default. */
#define LEV_OPT_BIND_IPV6ONLY (1u << 8)

/*
 * Creating and controlling listeners.
 */

/**
 * Create a listener on a socket that is already bound.
 *
 * @param base the event base whose loop runs the listener.
 * @param cb the function to call for each connection, or NULL to keep the
 *     listener idle until a callback is set.
 * @param ptr the user_arg passed to cb.
 * @param flags any of the LEV_OPT_* flags.
 * @param backlog the backlog passed to listen(): a negative value picks a
 *     reasonable default, and 0 means the socket is already listening.
 * @param fd the bound, non-blocking socket.  It is not closed if creation
 *     fails; afterwards evconnlistener_free() closes it only if
 *     LEV_OPT_CLOSE_ON_FREE is set.
 * @return the new listener, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL struct evconnlistener *
evconnlistener_new(struct event_base *base, evconnlistener_cb cb, void *ptr,
                   unsigned flags, int backlog, evutil_socket_t fd);

/**
 * Create a socket, bind it to an address and make a listener on it.
 *
 * @param base the event base whose loop runs the listener.
 * @param cb the function to call for each connection, or NULL to keep the
 *     listener idle until a callback is set.
 * @param ptr the user_arg passed to cb.
 * @param flags any of the LEV_OPT_* flags.
 * @param backlog the backlog passed to listen(), or a negative value for a
 *     reasonable default.
 * @param sa the address to listen on.
 * @param socklen the length of sa in bytes.
 * @return the new listener, or NULL on failure (the socket, if one was
 *     made, is closed again).
 */
EVENT2_EXPORT_SYMBOL struct evconnlistener *
evconnlistener_new_bind(struct event_base *base, evconnlistener_cb cb,
                        void *ptr, unsigned flags, int backlog,
                        const struct sockaddr *sa, int socklen);

/**
 * Stop and free a listener.  Its socket is closed only if
 * LEV_OPT_CLOSE_ON_FREE was given.
 *
 * @param lev the listener; it must not be used afterwards.
 */
EVENT2_EXPORT_SYMBOL void evconnlistener_free(struct evconnlistener *lev);

/**
 * Start accepting connections again after evconnlistener_disable() or
 * LEV_OPT_DISABLED.
 *
 * @param lev the listener.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evconnlistener_enable(struct evconnlistener *lev);

/**
 * Stop accepting connections for now.  Pending connections wait in the
 * kernel's backlog.
 *
 * @param lev the listener.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evconnlistener_disable(struct evconnlistener *lev);

/**
 * Return the event base a listener belongs to.
 *
 * @param lev the listener.
 * @return the event base.
 */
EVENT2_EXPORT_SYMBOL struct event_base *
evconnlistener_get_base(struct evconnlistener *lev);

/**
 * Return the socket a listener listens on.
 *
 * @param lev the listener.
 * @return the listening socket.
 */
EVENT2_EXPORT_SYMBOL evutil_socket_t
evconnlistener_get_fd(struct evconnlistener *lev);

/**
 * Replace a listener's connection callback and its argument.  Setting a
 * callback on an enabled listener that had none makes it start accepting.
 *
 * @param lev the listener.
 * @param cb the new callback, or NULL to stop accepting until one is set.
 * @param arg the new user_arg for cb.
 */
EVENT2_EXPORT_SYMBOL void evconnlistener_set_cb(struct evconnlistener *lev,
                                                evconnlistener_cb cb,
                                                void *arg);

/**
 * Set the function called when accepting fails with a lasting error.
 *
 * @param lev the listener.
 * @param errorcb the function, or NULL for none.  It receives the same
 *     user_arg as the connection callback.
 */
EVENT2_EXPORT_SYMBOL void
evconnlistener_set_error_cb(struct evconnlistener *lev,
                            evconnlistener_errorcb errorcb);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_LISTENER_H_INCLUDED_ */
