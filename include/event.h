/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event.h: the libevent 1.x catch-all header, kept so that old programs
 * build unchanged.  It only includes the event2 headers that together make
 * up the old interface (events, evbuffers, bufferevents and tagging); new
 * code should include the specific <event2/...> headers it needs.
 *
 * libevent's version of this header briefly defines WIN32_LEAN_AND_MEAN
 * around the Windows system headers on _WIN32 only.  Vigil targets Linux,
 * where that macro is never left defined, so it is omitted here.
 */
#ifndef EVENT1_EVENT_H_INCLUDED_
#define EVENT1_EVENT_H_INCLUDED_

#include <event2/event-config.h>

#include <sys/types.h>
#include <sys/time.h>
#include <stdint.h>
#include <stdarg.h>

#include <evutil.h>

#include <event2/event_struct.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>
#include <event2/bufferevent_compat.h>
#include <event2/tag.h>
#include <event2/tag_compat.h>

#endif /* EVENT1_EVENT_H_INCLUDED_ */
