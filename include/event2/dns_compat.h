/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/dns_compat.h: deprecated evdns functions kept for programs
 * written for libevent 1.4.  They all act on one global resolver, created
 * by evdns_init() on the global event base, and so are not safe in
 * programs with several event bases or threads.  Each has a counterpart
 * in <event2/dns.h> that takes an explicit struct evdns_base.
 */
#ifndef EVENT2_DNS_COMPAT_H_INCLUDED_
#define EVENT2_DNS_COMPAT_H_INCLUDED_

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif

#include <event2/util.h>
#include <event2/visibility.h>
#include <event2/dns.h>

#ifdef __cplusplus
extern "C" {
#endif

struct evdns_base;
struct evdns_server_port;
struct in_addr;
struct in6_addr;

/* ------------------------------------------------------------------ */
/* The global resolver                                                 */
/* ------------------------------------------------------------------ */

/**
 * Create the global resolver on the global event base and configure it
 * from /etc/resolv.conf.
 *
 * @deprecated Use evdns_base_new().
 *
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_init(void);

/**
 * Return the global resolver used by the functions of this header.
 *
 * @deprecated Keep your own struct evdns_base instead.
 *
 * @return the global resolver, or NULL if there is none yet.
 */
EVENT2_EXPORT_SYMBOL
struct evdns_base *evdns_get_global_base(void);

/**
 * Free the global resolver and end its pending lookups.
 *
 * @deprecated Use evdns_base_free().
 *
 * @param fail_requests nonzero to run the callback of every pending
 *   lookup with DNS_ERR_SHUTDOWN; zero to drop them without callbacks.
 */
EVENT2_EXPORT_SYMBOL
void evdns_shutdown(int fail_requests);

/* ------------------------------------------------------------------ */
/* Nameservers                                                         */
/* ------------------------------------------------------------------ */

/**
 * Add an IPv4 nameserver, on port 53, to the global resolver.
 *
 * @deprecated Use evdns_base_nameserver_add().
 *
 * @param address the IPv4 address in network byte order.
 * @return 0 on success, nonzero on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_nameserver_add(unsigned long int address);

/**
 * Return how many nameservers the global resolver has.
 *
 * @deprecated Use evdns_base_count_nameservers().
 *
 * @return the number of nameservers.
 */
EVENT2_EXPORT_SYMBOL
int evdns_count_nameservers(void);

/**
 * Remove every nameserver of the global resolver and hold its lookups
 * until evdns_resume().
 *
 * @deprecated Use evdns_base_clear_nameservers_and_suspend().
 *
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_clear_nameservers_and_suspend(void);

/**
 * Resume the lookups held by evdns_clear_nameservers_and_suspend().
 *
 * @deprecated Use evdns_base_resume().
 *
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_resume(void);

/**
 * Add a nameserver given as text to the global resolver.
 *
 * @deprecated Use evdns_base_nameserver_ip_add().
 *
 * @param ip_as_string the address, in a form that
 *   evdns_base_nameserver_ip_add() accepts.
 * @return 0 on success, nonzero on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_nameserver_ip_add(const char *ip_as_string);

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

/**
 * Look up the IPv4 addresses of a name with the global resolver.
 *
 * @deprecated Use evdns_base_resolve_ipv4().
 *
 * @param name the host name.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, from the event loop.
 * @param ptr passed unchanged to @a callback.
 * @return 0 if the lookup started, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_resolve_ipv4(const char *name, int flags,
                       evdns_callback_type callback, void *ptr);

/**
 * Look up the IPv6 addresses of a name with the global resolver.
 *
 * @deprecated Use evdns_base_resolve_ipv6().
 *
 * @param name the host name.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, from the event loop.
 * @param ptr passed unchanged to @a callback.
 * @return 0 if the lookup started, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_resolve_ipv6(const char *name, int flags,
                       evdns_callback_type callback, void *ptr);

/**
 * Look up the host name of an IPv4 address with the global resolver.
 *
 * @deprecated Use evdns_base_resolve_reverse().
 *
 * @param in the address.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, of type DNS_PTR.
 * @param ptr passed unchanged to @a callback.
 * @return 0 if the lookup started, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_resolve_reverse(const struct in_addr *in, int flags,
                          evdns_callback_type callback, void *ptr);

/**
 * Look up the host name of an IPv6 address with the global resolver.
 *
 * @deprecated Use evdns_base_resolve_reverse_ipv6().
 *
 * @param in the address.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, of type DNS_PTR.
 * @param ptr passed unchanged to @a callback.
 * @return 0 if the lookup started, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_resolve_reverse_ipv6(const struct in6_addr *in, int flags,
                               evdns_callback_type callback, void *ptr);

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/**
 * Set one configuration option of the global resolver.
 *
 * @deprecated Use evdns_base_set_option().
 *
 * @param option the option's name, as for evdns_base_set_option().
 * @param val its value, as text.
 * @param flags ignored.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_set_option(const char *option, const char *val, int flags);

/**
 * Configure the global resolver from a file in resolv.conf(5) format.
 *
 * @deprecated Use evdns_base_resolv_conf_parse().
 *
 * @param flags a bitwise OR of DNS_OPTION_* flags.
 * @param filename the file's path.
 * @return 0 on success, or a positive code as for
 *   evdns_base_resolv_conf_parse().
 */
EVENT2_EXPORT_SYMBOL
int evdns_resolv_conf_parse(int flags, const char *const filename);

/**
 * Remove every search domain of the global resolver.
 *
 * @deprecated Use evdns_base_search_clear().
 */
EVENT2_EXPORT_SYMBOL
void evdns_search_clear(void);

/**
 * Append a search domain to the global resolver.
 *
 * @deprecated Use evdns_base_search_add().
 *
 * @param domain the domain; it is copied.
 */
EVENT2_EXPORT_SYMBOL
void evdns_search_add(const char *domain);

/**
 * Set the "ndots" threshold of the global resolver.
 *
 * @deprecated Use evdns_base_search_ndots_set().
 *
 * @param ndots the threshold.
 */
EVENT2_EXPORT_SYMBOL
void evdns_search_ndots_set(const int ndots);

/* ------------------------------------------------------------------ */
/* DNS server                                                          */
/* ------------------------------------------------------------------ */

/**
 * Start a DNS server on a UDP socket, using the global event base.
 *
 * @deprecated Use evdns_add_server_port_with_base().
 *
 * @param socket a bound, non-blocking UDP socket; the port takes
 *   ownership of it.
 * @param flags reserved; pass 0.
 * @param callback run for each request received.
 * @param user_data passed unchanged to @a callback.
 * @return a new server port, or NULL on error.  Release it with
 *   evdns_close_server_port().
 */
EVENT2_EXPORT_SYMBOL
struct evdns_server_port *
evdns_add_server_port(evutil_socket_t socket, int flags,
                      evdns_request_callback_fn_type callback, void *user_data);

/* evdns_config_windows_nameservers() and its feature macro
 * EVDNS_CONFIG_WINDOWS_NAMESERVERS_IMPLEMENTED exist only on Windows, so
 * neither is declared here. */

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_DNS_COMPAT_H_INCLUDED_ */
