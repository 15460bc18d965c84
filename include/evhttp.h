/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evhttp.h: the libevent 1.4 name for the HTTP interface.  It pulls in the
 * core interface and every HTTP header; new code should include
 * <event2/http.h> and the other event2 headers it needs instead.
 */
#ifndef EVENT1_EVHTTP_H_INCLUDED_
#define EVENT1_EVHTTP_H_INCLUDED_

#include <event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/http_compat.h>

#endif /* EVENT1_EVHTTP_H_INCLUDED_ */
