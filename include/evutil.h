/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil.h: the libevent 1.x name of the portability helpers, kept so that
 * old programs build unchanged.  It only includes <event2/util.h>.
 */
#ifndef EVENT1_EVUTIL_H_INCLUDED_
#define EVENT1_EVUTIL_H_INCLUDED_

#include <event2/util.h>

#endif /* EVENT1_EVUTIL_H_INCLUDED_ */
