/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evdns-internal.h: what the files of evdns (resolver, server,
 * getaddrinfo, compat) share above the sans-I/O protocol layer of
 * dns-internal.h: the link to the core's services (memory that honours
 * event_set_mem_functions, the event log) and evdns's own log.
 */
#ifndef VIGIL_EVDNS_INTERNAL_H
#define VIGIL_EVDNS_INTERNAL_H

#include <stdarg.h>

#include "bridge-internal.h"
#include "dns-internal.h"

/* Log severities of evdns, libevent's values (EVENT_LOG_DEBUG, _MSG,
 * _WARN). */
#define VG_EVDNS_LOG_DEBUG 0
#define VG_EVDNS_LOG_MSG 1
#define VG_EVDNS_LOG_WARN 2

/* Learns the core's service table from a base.  Every public entry point
 * that is handed an event_base calls it before it allocates anything, so
 * that vg_dns_malloc() and friends use the user's memory functions from
 * then on.  Safe from any thread. */
void vg_dns_attach(struct event_base *base);

/* The core's table, or NULL before any base was attached (unit tests and
 * fuzz targets, which use plain malloc throughout). */
const struct vg_core_bridge *vg_dns_core(void);

/* Formats and emits one message: to the function evdns_set_log_fn() set
 * (is_warning = severity is WARN), else to the event log. */
void vg_dns_log(int severity, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A copy of s (NULL when s is NULL or memory runs out), from
 * vg_dns_malloc. */
char *vg_dns_strdup(const char *s);

#endif
