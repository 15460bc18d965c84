/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/dns_struct.h: the layout of the request and question structures
 * that a DNS server callback (see evdns_add_server_port_with_base())
 * receives.  The layout is identical to libevent 2.1's.
 */
#ifndef EVENT2_DNS_STRUCT_H_INCLUDED_
#define EVENT2_DNS_STRUCT_H_INCLUDED_

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

/** A DNS request received by a server port. */
struct evdns_server_request {
    /** The header flags of the request (such as EVDNS_FLAGS_RD). */
    int flags;
    /** The number of entries in questions. */
    int nquestions;
    /** The questions asked, an array of nquestions pointers. */
    struct evdns_server_question **questions;
};

#ifndef __cplusplus
/** The portable name of the class field of struct evdns_server_question.
 * In C the field itself is called "class"; in C++, where that is a
 * keyword, it is called dns_question_class.  Code written with this name
 * compiles as both. */
#define dns_question_class class
#endif

/** One question of a DNS request. */
struct evdns_server_question {
    /** The record type asked for, such as EVDNS_TYPE_A. */
    int type;
#ifdef __cplusplus
    /** The record class asked for, normally EVDNS_CLASS_INET. */
    int dns_question_class;
#else
    /** The record class asked for, normally EVDNS_CLASS_INET; refer to it
     * as dns_question_class. */
    int class;
#endif
    /** The name asked about, NUL-terminated; the structure is allocated
     * with enough room after it for the whole name. */
    char name[1];
};

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_DNS_STRUCT_H_INCLUDED_ */
