/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evdns.h: the libevent 1.4 name for the DNS interface.  It pulls in the
 * core interface and every DNS header; new code should include
 * <event2/dns.h> and the other event2 headers it needs instead.
 */
#ifndef EVENT1_EVDNS_H_INCLUDED_
#define EVENT1_EVDNS_H_INCLUDED_

#include <event.h>
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/dns_struct.h>

#endif /* EVENT1_EVDNS_H_INCLUDED_ */
