/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/tag_compat.h: the old names of two functions of event2/tag.h, kept
 * only so that programs written for libevent 1.4 still build.
 */
#ifndef EVENT2_TAG_COMPAT_H_INCLUDED_
#define EVENT2_TAG_COMPAT_H_INCLUDED_

#include <event2/tag.h>

/**
 * Append a 32-bit integer to an evbuffer in the compact tag encoding.
 *
 * @deprecated The name lacks the library's prefix; use evtag_encode_int().
 */
#define encode_int(evbuf, number) evtag_encode_int((evbuf), (number))

/**
 * Append a 64-bit integer to an evbuffer in the compact tag encoding.
 *
 * @deprecated The name lacks the library's prefix; use evtag_encode_int64().
 */
#define encode_int64(evbuf, number) evtag_encode_int64((evbuf), (number))

#endif /* EVENT2_TAG_COMPAT_H_INCLUDED_ */
