/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/tag.h: reading and writing tagged data in evbuffers, the wire
 * format that evrpc uses.
 *
 * A tagged record is a tag number, the payload length and the payload, the
 * numbers written in a compact variable-length form that does not depend on
 * byte order.  Records are expected to appear in increasing tag order, so
 * that a reader can stop at the first tag it does not know.
 *
 * The unmarshal functions remove what they read from the front of the
 * buffer.  When one fails, Vigil leaves the buffer and the output
 * arguments as they were; libevent 2.1.12 may already have removed part
 * of the record, or all of it, and stored part of the result.
 */
#ifndef EVENT2_TAG_H_INCLUDED_
#define EVENT2_TAG_H_INCLUDED_

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

struct evbuffer;

/**
 * Initialise the tagging functions.  It does nothing and need not be
 * called; it is kept for old programs.
 */
EVENT2_EXPORT_SYMBOL void evtag_init(void);

/*
 * Writing.
 */

/**
 * Append a record with arbitrary bytes as its payload.
 *
 * @param evbuf the buffer to append to.
 * @param tag the tag number.
 * @param data the payload.
 * @param len the length of the payload in bytes.
 */
EVENT2_EXPORT_SYMBOL void evtag_marshal(struct evbuffer *evbuf, ev_uint32_t tag,
                                        const void *data, ev_uint32_t len);

/**
 * Append a record whose payload is the whole content of another evbuffer.
 *
 * @param evbuf the buffer to append to.
 * @param tag the tag number.
 * @param data the buffer holding the payload; it is left empty.
 */
EVENT2_EXPORT_SYMBOL void evtag_marshal_buffer(struct evbuffer *evbuf,
                                               ev_uint32_t tag,
                                               struct evbuffer *data);

/**
 * Append a 32-bit integer in the compact encoding, without a tag: one
 * 4-bit digit giving the number of significant hexadecimal digits less one,
 * then those digits, least significant first, two to a byte.
 *
 * @param evbuf the buffer to append to.
 * @param number the value.
 */
EVENT2_EXPORT_SYMBOL void evtag_encode_int(struct evbuffer *evbuf,
                                           ev_uint32_t number);

/**
 * Append a 64-bit integer in the compact encoding, without a tag.
 *
 * @param evbuf the buffer to append to.
 * @param number the value.
 */
EVENT2_EXPORT_SYMBOL void evtag_encode_int64(struct evbuffer *evbuf,
                                             ev_uint64_t number);

/**
 * Append a record whose payload is a 32-bit integer in the compact
 * encoding.
 *
 * @param evbuf the buffer to append to.
 * @param tag the tag number.
 * @param integer the value.
 */
EVENT2_EXPORT_SYMBOL void
evtag_marshal_int(struct evbuffer *evbuf, ev_uint32_t tag, ev_uint32_t integer);

/**
 * Append a record whose payload is a 64-bit integer in the compact
 * encoding.
 *
 * @param evbuf the buffer to append to.
 * @param tag the tag number.
 * @param integer the value.
 */
EVENT2_EXPORT_SYMBOL void evtag_marshal_int64(struct evbuffer *evbuf,
                                              ev_uint32_t tag,
                                              ev_uint64_t integer);

/**
 * Append a record whose payload is the characters of a string, without its
 * terminating NUL.
 *
 * @param buf the buffer to append to.
 * @param tag the tag number.
 * @param string the NUL-terminated string.
 */
EVENT2_EXPORT_SYMBOL void
evtag_marshal_string(struct evbuffer *buf, ev_uint32_t tag, const char *string);

/**
 * Append a record whose payload is a time value: the seconds and then the
 * microseconds, each as a 32-bit compact integer (so only the low 32 bits
 * of tv_sec travel, and they read back as an unsigned number).
 *
 * @param evbuf the buffer to append to.
 * @param tag the tag number.
 * @param tv the time value; it is not modified.
 */
EVENT2_EXPORT_SYMBOL void evtag_marshal_timeval(struct evbuffer *evbuf,
                                                ev_uint32_t tag,
                                                struct timeval *tv);

/*
 * Reading.
 */

/**
 * Remove the tag and length of the first record, leaving its payload at
 * the front of the buffer.
 *
 * @param evbuf the buffer to read from.
 * @param ptag receives the tag number.
 * @return the payload length, or -1 if the header is malformed, the
 *     payload is not all in the buffer, or its length exceeds INT_MAX.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_header(struct evbuffer *evbuf,
                                                ev_uint32_t *ptag);

/**
 * Remove the first record and append its payload to another buffer.
 *
 * @param src the buffer to read from.
 * @param ptag receives the tag number.
 * @param dst the buffer that receives the payload.
 * @return the payload length, or -1 if the record is malformed or
 *     incomplete.
 */
EVENT2_EXPORT_SYMBOL int
evtag_unmarshal(struct evbuffer *src, ev_uint32_t *ptag, struct evbuffer *dst);

/**
 * Read the tag number of the first record without removing anything.
 *
 * @param evbuf the buffer to read from.
 * @param ptag receives the tag number.
 * @return the number of bytes the encoded tag occupies, or -1 if the
 *     buffer does not start with a complete, valid tag.
 */
EVENT2_EXPORT_SYMBOL int evtag_peek(struct evbuffer *evbuf, ev_uint32_t *ptag);

/**
 * Read the total size of the first record (tag, length and payload)
 * without removing anything.  The payload need not be in the buffer yet.
 *
 * @param evbuf the buffer to read from.
 * @param plength receives the size in bytes.
 * @return 0 on success, -1 if the header is malformed or incomplete, or
 *     the size exceeds what 32 bits hold (libevent 2.1.12 reports the
 *     size modulo 2^32 then).
 */
EVENT2_EXPORT_SYMBOL int evtag_peek_length(struct evbuffer *evbuf,
                                           ev_uint32_t *plength);

/**
 * Read the payload length of the first record without removing anything.
 * The payload need not be in the buffer yet.
 *
 * @param evbuf the buffer to read from.
 * @param plength receives the payload length in bytes.
 * @return 0 on success, -1 if the header is malformed or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_payload_length(struct evbuffer *evbuf,
                                              ev_uint32_t *plength);

/**
 * Remove the first record, whatever it holds.
 *
 * @param evbuf the buffer to read from.
 * @return 0 on success, -1 if the record is malformed or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_consume(struct evbuffer *evbuf);

/**
 * Remove the first record and decode its payload as a 32-bit integer.
 *
 * @param evbuf the buffer to read from.
 * @param need_tag the tag the record must have.
 * @param pinteger receives the value.
 * @return the number of bytes the encoded integer occupied, or -1 if the
 *     tag differs or the record is malformed or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_int(struct evbuffer *evbuf,
                                             ev_uint32_t need_tag,
                                             ev_uint32_t *pinteger);

/**
 * Remove the first record and decode its payload as a 64-bit integer.
 *
 * @param evbuf the buffer to read from.
 * @param need_tag the tag the record must have.
 * @param pinteger receives the value.
 * @return the number of bytes the encoded integer occupied, or -1 if the
 *     tag differs or the record is malformed or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_int64(struct evbuffer *evbuf,
                                               ev_uint32_t need_tag,
                                               ev_uint64_t *pinteger);

/**
 * Remove the first record and copy its payload, which must have an exact
 * length, into memory.
 *
 * @param src the buffer to read from.
 * @param need_tag the tag the record must have.
 * @param data receives the payload.
 * @param len the required payload length, which is the size of data.
 * @return 0 on success, -1 if the tag or the length differs or the record
 *     is malformed or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_fixed(struct evbuffer *src,
                                               ev_uint32_t need_tag, void *data,
                                               size_t len);

/**
 * Remove the first record and return its payload as a string.
 *
 * @param evbuf the buffer to read from.
 * @param need_tag the tag the record must have.
 * @param pstring receives a newly allocated NUL-terminated copy of the
 *     payload, which the caller releases with free() (or with the
 *     replacement given to event_set_mem_functions()).
 * @return 0 on success, -1 if the tag differs, the record is malformed or
 *     incomplete, or memory ran out.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_string(struct evbuffer *evbuf,
                                                ev_uint32_t need_tag,
                                                char **pstring);

/**
 * Remove the first record and decode its payload as a time value written
 * by evtag_marshal_timeval().
 *
 * @param evbuf the buffer to read from.
 * @param need_tag the tag the record must have.
 * @param ptv receives the time value.
 * @return 0 on success, -1 if the tag differs or the record is malformed
 *     or incomplete.
 */
EVENT2_EXPORT_SYMBOL int evtag_unmarshal_timeval(struct evbuffer *evbuf,
                                                 ev_uint32_t need_tag,
                                                 struct timeval *ptv);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_TAG_H_INCLUDED_ */
