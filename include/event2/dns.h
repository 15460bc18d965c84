/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/dns.h: the asynchronous DNS resolver (evdns), a non-blocking
 * getaddrinfo(), and a small DNS server.
 */
#ifndef EVENT2_DNS_H_INCLUDED_
#define EVENT2_DNS_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @file event2/dns.h
 *
 * A resolver that queries DNS servers over UDP from an event loop, so
 * that name lookups never block it.
 *
 * Create a resolver with evdns_base_new(), usually reading the system's
 * /etc/resolv.conf, then start lookups with evdns_base_resolve_ipv4() and
 * friends, or with evdns_getaddrinfo().  Every lookup that starts
 * successfully ends with exactly one call of its callback, made from the
 * event loop, whether it succeeds, fails or is cancelled; the one exception
 * is a resolver freed with fail_requests set to zero.
 *
 * The resolver spreads queries over its nameservers, stops using one that
 * keeps failing, and probes it now and then to find out when it is back.
 *
 * Search domains: a name with fewer dots than the "ndots" setting (1 by
 * default) is first tried with each search domain appended, then as it
 * is; a name with more dots is tried as it is first.  Pass
 * DNS_QUERY_NO_SEARCH to a lookup to try the name only as given.
 */

struct event_base;
struct evdns_base;
struct evdns_request;
struct evdns_server_port;
struct evdns_server_request;
struct evdns_server_question;
struct evdns_getaddrinfo_request;
struct evutil_addrinfo;
struct in_addr;
struct in6_addr;
struct sockaddr;

/** @name Result codes
 * The result passed to an evdns_callback_type callback.  Codes 0 to 5 are
 * the response codes of RFC 1035; the others are the resolver's own.
 * @{ */
/** The lookup succeeded. */
#define DNS_ERR_NONE 0
/** The nameserver could not understand the query. */
#define DNS_ERR_FORMAT 1
/** The nameserver failed while processing the query. */
#define DNS_ERR_SERVERFAILED 2
/** The name does not exist. */
#define DNS_ERR_NOTEXIST 3
/** The nameserver does not support this kind of query. */
#define DNS_ERR_NOTIMPL 4
/** The nameserver refused to answer, as a matter of policy. */
#define DNS_ERR_REFUSED 5
/** The reply was truncated or malformed. */
#define DNS_ERR_TRUNCATED 65
/** Some other error happened. */
#define DNS_ERR_UNKNOWN 66
/** No nameserver answered in time. */
#define DNS_ERR_TIMEOUT 67
/** The resolver was freed while the lookup was pending. */
#define DNS_ERR_SHUTDOWN 68
/** The lookup was cancelled with evdns_cancel_request(). */
#define DNS_ERR_CANCEL 69
/** The name exists but has no record of the requested type. */
#define DNS_ERR_NODATA 70
/** @} */

/** @name Result types
 * The type passed to an evdns_callback_type callback.
 * @{ */
/** IPv4 addresses: an array of 4-byte addresses in network byte order. */
#define DNS_IPv4_A 1
/** A host name from a reverse lookup: @a addresses points to a char *
 * holding the NUL-terminated name (so it is a char **). */
#define DNS_PTR 2
/** IPv6 addresses: an array of 16-byte addresses. */
#define DNS_IPv6_AAAA 3
/** @} */

/** Lookup flag: try the name only as given, without search domains. */
#define DNS_QUERY_NO_SEARCH 1
/** Old name of DNS_QUERY_NO_SEARCH. */
#define DNS_NO_SEARCH DNS_QUERY_NO_SEARCH

/** @name resolv.conf options
 * Flags for evdns_base_resolv_conf_parse(): which parts of the file to use.
 * @{ */
/** Use the "search" and "domain" lines and the "ndots" option. */
#define DNS_OPTION_SEARCH 1
/** Use the "nameserver" lines, and fall back to 127.0.0.1 if there are
 * none. */
#define DNS_OPTION_NAMESERVERS 2
/** Use the other "options", such as timeout, attempts, max-timeouts,
 * max-inflight, randomize-case, initial-probe-timeout and
 * getaddrinfo-allow-skew. */
#define DNS_OPTION_MISC 4
/** Also load the hosts file, /etc/hosts. */
#define DNS_OPTION_HOSTSFILE 8
/** All of DNS_OPTION_SEARCH, DNS_OPTION_NAMESERVERS, DNS_OPTION_MISC and
 * DNS_OPTION_HOSTSFILE. */
#define DNS_OPTIONS_ALL                                             \
    (DNS_OPTION_SEARCH | DNS_OPTION_NAMESERVERS | DNS_OPTION_MISC | \
     DNS_OPTION_HOSTSFILE)
/** With DNS_OPTION_NAMESERVERS: do not fall back to 127.0.0.1 when the
 * file names no nameserver. */
#define DNS_OPTION_NAMESERVERS_NO_DEFAULT 16
/** @} */

/** @name evdns_base_new() flags
 * @{ */
/** Configure the resolver from /etc/resolv.conf (and /etc/hosts). */
#define EVDNS_BASE_INITIALIZE_NAMESERVERS 1
/** Do not keep the event loop running while no lookup is pending. */
#define EVDNS_BASE_DISABLE_WHEN_INACTIVE 0x8000
/** With EVDNS_BASE_INITIALIZE_NAMESERVERS: do not fall back to 127.0.0.1
 * when resolv.conf names no nameserver. */
#define EVDNS_BASE_NAMESERVERS_NO_DEFAULT 0x10000
/** @} */

/**
 * The callback of a lookup started with evdns_base_resolve_*().
 *
 * @param result DNS_ERR_NONE on success, or another DNS_ERR_* code.
 * @param type DNS_IPv4_A, DNS_IPv6_AAAA or DNS_PTR; 0 when the lookup
 *   failed.
 * @param count the number of answers in @a addresses.
 * @param ttl how many seconds the answer may be cached.
 * @param addresses the answers, laid out as @a type says; they belong to
 *   the resolver and are valid only during the call.
 * @param arg the argument given when the lookup started.
 */
typedef void (*evdns_callback_type)(int result, char type, int count, int ttl,
                                    void *addresses, void *arg);

/* ------------------------------------------------------------------ */
/* Resolvers                                                           */
/* ------------------------------------------------------------------ */

/**
 * Create a resolver.
 *
 * @param event_base the event base that will run the resolver.
 * @param initialize_nameservers a bitwise OR of
 *   EVDNS_BASE_INITIALIZE_NAMESERVERS, EVDNS_BASE_DISABLE_WHEN_INACTIVE
 *   and EVDNS_BASE_NAMESERVERS_NO_DEFAULT, or 0 for a resolver with no
 *   nameservers yet.
 * @return a new resolver, or NULL on error.  Release it with
 *   evdns_base_free().
 */
EVENT2_EXPORT_SYMBOL
struct evdns_base *evdns_base_new(struct event_base *event_base,
                                  int initialize_nameservers);

/**
 * Free a resolver and end its pending lookups.
 *
 * @param base the resolver.
 * @param fail_requests nonzero to run the callback of every pending
 *   lookup with DNS_ERR_SHUTDOWN; zero to drop them without callbacks.
 */
EVENT2_EXPORT_SYMBOL
void evdns_base_free(struct evdns_base *base, int fail_requests);

/**
 * Forget every hosts-file entry loaded into a resolver.
 *
 * @param base the resolver.
 */
EVENT2_EXPORT_SYMBOL
void evdns_base_clear_host_addresses(struct evdns_base *base);

/**
 * Describe a DNS_ERR_* code in words.
 *
 * @param err the code.
 * @return a static string; never NULL, even for an unknown code.
 */
EVENT2_EXPORT_SYMBOL
const char *evdns_err_to_string(int err);

/* ------------------------------------------------------------------ */
/* Nameservers                                                         */
/* ------------------------------------------------------------------ */

/**
 * Add an IPv4 nameserver, on port 53.
 *
 * @param base the resolver.
 * @param address the IPv4 address in network byte order, as in the
 *   s_addr field of struct in_addr.
 * @return 0 on success, nonzero on failure (3 if the nameserver is
 *   already configured).
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_nameserver_add(struct evdns_base *base,
                              unsigned long int address);

/**
 * Return how many nameservers a resolver has, working or not.
 *
 * @param base the resolver.
 * @return the number of nameservers.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_count_nameservers(struct evdns_base *base);

/**
 * Remove every nameserver and hold all lookups until evdns_base_resume().
 *
 * Lookups in flight are put back in the queue; this is the way to swap in
 * a new set of nameservers.
 *
 * @param base the resolver.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_clear_nameservers_and_suspend(struct evdns_base *base);

/**
 * Resume the lookups held by evdns_base_clear_nameservers_and_suspend().
 *
 * @param base the resolver.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_resume(struct evdns_base *base);

/**
 * Add a nameserver given as text.
 *
 * Accepted forms: "1.2.3.4", "1.2.3.4:53", "::1", "[::1]" and "[::1]:53".
 * The port defaults to 53.
 *
 * @param base the resolver.
 * @param ip_as_string the address.
 * @return 0 on success, nonzero on failure (3 if the nameserver is
 *   already configured).
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_nameserver_ip_add(struct evdns_base *base,
                                 const char *ip_as_string);

/**
 * Add a nameserver given as a socket address.
 *
 * @param base the resolver.
 * @param sa the nameserver's IPv4 or IPv6 address and port.
 * @param len the size of @a sa.
 * @param flags reserved; pass 0.
 * @return 0 on success, nonzero on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_nameserver_sockaddr_add(struct evdns_base *base,
                                       const struct sockaddr *sa,
                                       ev_socklen_t len, unsigned flags);

/**
 * Copy out the address of one of a resolver's nameservers.
 *
 * @param base the resolver.
 * @param idx the nameserver's index, from 0.
 * @param sa where to write the address.
 * @param len the number of bytes available at @a sa.
 * @return the size of the address on success (if it is larger than
 *   @a len, nothing was written), or -1 if there is no nameserver @a idx.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_get_nameserver_addr(struct evdns_base *base, int idx,
                                   struct sockaddr *sa, ev_socklen_t len);

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

/**
 * Look up the IPv4 addresses (A records) of a name.
 *
 * @param base the resolver.
 * @param name the host name.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, from the event loop.
 * @param ptr passed unchanged to @a callback.
 * @return a handle for evdns_cancel_request(), valid until @a callback
 *   starts, or NULL on error (then @a callback does not run).
 */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_ipv4(struct evdns_base *base,
                                              const char *name, int flags,
                                              evdns_callback_type callback,
                                              void *ptr);

/**
 * Look up the IPv6 addresses (AAAA records) of a name.
 *
 * @param base the resolver.
 * @param name the host name.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, from the event loop.
 * @param ptr passed unchanged to @a callback.
 * @return a handle for evdns_cancel_request(), valid until @a callback
 *   starts, or NULL on error (then @a callback does not run).
 */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_ipv6(struct evdns_base *base,
                                              const char *name, int flags,
                                              evdns_callback_type callback,
                                              void *ptr);

/**
 * Look up the host name of an IPv4 address (a PTR record).
 *
 * @param base the resolver.
 * @param in the address.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, of type DNS_PTR.
 * @param ptr passed unchanged to @a callback.
 * @return a handle for evdns_cancel_request(), valid until @a callback
 *   starts, or NULL on error.
 */
EVENT2_EXPORT_SYMBOL
struct evdns_request *
evdns_base_resolve_reverse(struct evdns_base *base, const struct in_addr *in,
                           int flags, evdns_callback_type callback, void *ptr);

/**
 * Look up the host name of an IPv6 address (a PTR record).
 *
 * @param base the resolver.
 * @param in the address.
 * @param flags 0 or DNS_QUERY_NO_SEARCH.
 * @param callback run once with the result, of type DNS_PTR.
 * @param ptr passed unchanged to @a callback.
 * @return a handle for evdns_cancel_request(), valid until @a callback
 *   starts, or NULL on error.
 */
EVENT2_EXPORT_SYMBOL
struct evdns_request *
evdns_base_resolve_reverse_ipv6(struct evdns_base *base,
                                const struct in6_addr *in, int flags,
                                evdns_callback_type callback, void *ptr);

/**
 * Cancel a pending lookup.
 *
 * Its callback still runs once, later from the event loop, with
 * DNS_ERR_CANCEL.
 *
 * @param base the resolver that started the lookup.
 * @param req the handle the lookup returned; it must not be used after
 *   this call.
 */
EVENT2_EXPORT_SYMBOL
void evdns_cancel_request(struct evdns_base *base, struct evdns_request *req);

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/* libevent declares evdns_base_config_windows_nameservers() and defines
 * EVDNS_BASE_CONFIG_WINDOWS_NAMESERVERS_IMPLEMENTED only on Windows.  On
 * Linux neither exists, so programs that test the macro skip the call. */

/**
 * Set one configuration option, as in the "options" line of resolv.conf.
 *
 * Known options: "ndots", "timeout", "max-timeouts", "max-inflight",
 * "attempts", "randomize-case", "bind-to", "initial-probe-timeout",
 * "getaddrinfo-allow-skew", "so-rcvbuf" and "so-sndbuf".  A trailing colon
 * on the name ("timeout:") is accepted too.
 *
 * @param base the resolver.
 * @param option the option's name.
 * @param val its value, as text (for example "2.5" for a timeout).
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_set_option(struct evdns_base *base, const char *option,
                          const char *val);

/**
 * Configure a resolver from a file in resolv.conf(5) format.
 *
 * The sortlist, rotate, no-check-names, inet6 and debug directives are
 * ignored.
 *
 * @param base the resolver.
 * @param flags a bitwise OR of DNS_OPTION_* flags saying which parts of
 *   the file to use.
 * @param filename the file's path.
 * @return 0 on success, or a positive code: 1 the file could not be
 *   opened, 2 it could not be examined, 3 it is too large, 4 out of
 *   memory, 5 it could not be read in full, 6 it names no nameserver.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_resolv_conf_parse(struct evdns_base *base, int flags,
                                 const char *const filename);

/**
 * Load a hosts file in /etc/hosts format into a resolver.
 *
 * Entries are added to those already loaded.  Only evdns_getaddrinfo()
 * consults them.
 *
 * @param base the resolver.
 * @param hosts_fname the file's path, or NULL to add just the usual
 *   entries for "localhost".
 * @return 0 on success, a negative value on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_base_load_hosts(struct evdns_base *base, const char *hosts_fname);

/**
 * Remove every search domain.
 *
 * @param base the resolver.
 */
EVENT2_EXPORT_SYMBOL
void evdns_base_search_clear(struct evdns_base *base);

/**
 * Append a search domain.
 *
 * @param base the resolver.
 * @param domain the domain, such as "example.com"; it is copied.
 */
EVENT2_EXPORT_SYMBOL
void evdns_base_search_add(struct evdns_base *base, const char *domain);

/**
 * Set the "ndots" threshold: a name with at least this many dots is tried
 * as it is before any search domain is appended.
 *
 * @param base the resolver.
 * @param ndots the threshold.
 */
EVENT2_EXPORT_SYMBOL
void evdns_base_search_ndots_set(struct evdns_base *base, const int ndots);

/** A function that receives the resolver's log messages.
 * @param is_warning nonzero for a warning, zero for a debug message.
 * @param msg the message. */
typedef void (*evdns_debug_log_fn_type)(int is_warning, const char *msg);

/**
 * Send the log messages of every resolver to a function.
 *
 * @param fn the function, or NULL to send them to the library's ordinary
 *   log (see event_set_log_callback()).
 */
EVENT2_EXPORT_SYMBOL
void evdns_set_log_fn(evdns_debug_log_fn_type fn);

/**
 * Formerly set the function that picks transaction IDs.
 *
 * Has no effect: transaction IDs come from the library's own secure random
 * number generator.
 *
 * @param fn ignored.
 */
EVENT2_EXPORT_SYMBOL
void evdns_set_transaction_id_fn(ev_uint16_t (*fn)(void));

/**
 * Formerly set the function that supplies random bytes.
 *
 * Has no effect: the library uses its own secure random number generator.
 *
 * @param fn ignored.
 */
EVENT2_EXPORT_SYMBOL
void evdns_set_random_bytes_fn(void (*fn)(char *, size_t));

/* ------------------------------------------------------------------ */
/* Non-blocking getaddrinfo                                            */
/* ------------------------------------------------------------------ */

/**
 * The callback of evdns_getaddrinfo().
 *
 * @param result 0 on success, or an EVUTIL_EAI_* error code
 *   (EVUTIL_EAI_CANCEL after evdns_getaddrinfo_cancel()).
 * @param res the results, or NULL on error.  The callback owns them and
 *   must release them with evutil_freeaddrinfo().
 * @param arg the argument given to evdns_getaddrinfo().
 */
typedef void (*evdns_getaddrinfo_cb)(int result, struct evutil_addrinfo *res,
                                     void *arg);

/**
 * Resolve a host and service name like getaddrinfo(), without blocking.
 *
 * Numeric addresses and hosts-file entries are answered at once: @a cb then
 * runs before this function returns, and it returns NULL.  Otherwise the
 * lookup goes to the nameservers and @a cb runs later from the event loop.
 * AI_V4MAPPED and AI_ALL are not supported; socket types other than
 * stream, datagram and 0, and protocols other than TCP, UDP and 0, are not
 * handled.
 *
 * @param dns_base the resolver.
 * @param nodename the host name or numeric address, or NULL.
 * @param servname the service name or port number, or NULL.
 * @param hints_in hints as for getaddrinfo(), or NULL.
 * @param cb run once with the result.
 * @param arg passed unchanged to @a cb.
 * @return a handle for evdns_getaddrinfo_cancel(), valid until @a cb
 *   starts, or NULL if @a cb has already run.
 */
EVENT2_EXPORT_SYMBOL
struct evdns_getaddrinfo_request *
evdns_getaddrinfo(struct evdns_base *dns_base, const char *nodename,
                  const char *servname, const struct evutil_addrinfo *hints_in,
                  evdns_getaddrinfo_cb cb, void *arg);

/**
 * Cancel a pending evdns_getaddrinfo() lookup.
 *
 * Its callback then runs with EVUTIL_EAI_CANCEL.  Never call this once the
 * callback has run.
 *
 * @param req the handle the lookup returned.
 */
EVENT2_EXPORT_SYMBOL
void evdns_getaddrinfo_cancel(struct evdns_getaddrinfo_request *req);

/* ------------------------------------------------------------------ */
/* DNS server                                                          */
/* ------------------------------------------------------------------ */

/**
 * The callback that receives each request arriving at a server port.
 *
 * It may add answers with the evdns_server_request_add_*() functions, and
 * must eventually call either evdns_server_request_respond() or
 * evdns_server_request_drop(), now or later; either one frees the request.
 *
 * @param req the request; its questions are readable through
 *   <event2/dns_struct.h>.
 * @param user_data the argument given when the port was created.
 */
typedef void (*evdns_request_callback_fn_type)(struct evdns_server_request *,
                                               void *);

/** @name Reply sections
 * The section argument of evdns_server_request_add_reply().
 * @{ */
/** The answer section. */
#define EVDNS_ANSWER_SECTION 0
/** The authority section. */
#define EVDNS_AUTHORITY_SECTION 1
/** The additional section. */
#define EVDNS_ADDITIONAL_SECTION 2
/** @} */

/** @name Record types
 * DNS record types, as numbered by the IANA.
 * @{ */
/** A: an IPv4 address. */
#define EVDNS_TYPE_A 1
/** NS: an authoritative nameserver. */
#define EVDNS_TYPE_NS 2
/** CNAME: the canonical name of an alias. */
#define EVDNS_TYPE_CNAME 5
/** SOA: the start of a zone of authority. */
#define EVDNS_TYPE_SOA 6
/** PTR: a domain name pointer, used for reverse lookups. */
#define EVDNS_TYPE_PTR 12
/** MX: a mail exchange. */
#define EVDNS_TYPE_MX 15
/** TXT: text strings. */
#define EVDNS_TYPE_TXT 16
/** AAAA: an IPv6 address. */
#define EVDNS_TYPE_AAAA 28
/** @} */

/** @name Query types
 * Types that appear only in questions.
 * @{ */
/** AXFR: a zone transfer. */
#define EVDNS_QTYPE_AXFR 252
/** ANY: every record type. */
#define EVDNS_QTYPE_ALL 255
/** @} */

/** The Internet class of DNS records. */
#define EVDNS_CLASS_INET 1

/** @name Reply flags
 * Header bits that can be set on a reply with
 * evdns_server_request_set_flags() or in the err argument of
 * evdns_server_request_respond().
 * @{ */
/** AA: the answer is authoritative. */
#define EVDNS_FLAGS_AA 0x400
/** RD: recursion desired. */
#define EVDNS_FLAGS_RD 0x080
/** @} */

/**
 * Start a DNS server on a UDP socket.
 *
 * @param base the event base that will run the server.
 * @param socket a bound, non-blocking UDP socket.  The port takes
 *   ownership of it and closes it when the port is closed.
 * @param flags reserved; pass 0.
 * @param callback run for each request received.
 * @param user_data passed unchanged to @a callback.
 * @return a new server port, or NULL on error.  Release it with
 *   evdns_close_server_port().
 */
EVENT2_EXPORT_SYMBOL
struct evdns_server_port *evdns_add_server_port_with_base(
    struct event_base *base, evutil_socket_t socket, int flags,
    evdns_request_callback_fn_type callback, void *user_data);

/**
 * Close a DNS server port and free it, closing its socket.
 *
 * @param port the server port.
 */
EVENT2_EXPORT_SYMBOL
void evdns_close_server_port(struct evdns_server_port *port);

/**
 * Set header flags on the reply being built.
 *
 * @param req the request being answered.
 * @param flags a bitwise OR of EVDNS_FLAGS_AA and EVDNS_FLAGS_RD.
 */
EVENT2_EXPORT_SYMBOL
void evdns_server_request_set_flags(struct evdns_server_request *req,
                                    int flags);

/**
 * Add a resource record of any type to the reply being built.
 *
 * @param req the request being answered.
 * @param section one of the EVDNS_*_SECTION values.
 * @param name the record's owner name.
 * @param type the record's type, such as EVDNS_TYPE_TXT.
 * @param dns_class the record's class, normally EVDNS_CLASS_INET.
 * @param ttl how many seconds the record may be cached.
 * @param datalen the length of @a data in bytes; ignored when @a is_name
 *   is set.
 * @param is_name nonzero if @a data is a domain name to be encoded as one
 *   (NUL-terminated), zero if it is raw record data.
 * @param data the record's data.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_reply(struct evdns_server_request *req,
                                   int section, const char *name, int type,
                                   int dns_class, int ttl, int datalen,
                                   int is_name, const char *data);

/**
 * Add IPv4 address records to the answer section.
 *
 * @param req the request being answered.
 * @param name the owner name.
 * @param n the number of addresses.
 * @param addrs @a n 4-byte addresses in network byte order, one after
 *   another.
 * @param ttl how many seconds the records may be cached.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_a_reply(struct evdns_server_request *req,
                                     const char *name, int n, const void *addrs,
                                     int ttl);

/**
 * Add IPv6 address records to the answer section.
 *
 * @param req the request being answered.
 * @param name the owner name.
 * @param n the number of addresses.
 * @param addrs @a n 16-byte addresses, one after another.
 * @param ttl how many seconds the records may be cached.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_aaaa_reply(struct evdns_server_request *req,
                                        const char *name, int n,
                                        const void *addrs, int ttl);

/**
 * Add a PTR record to the answer section.
 *
 * @param req the request being answered.
 * @param in the IPv4 address the record is for, or NULL.
 * @param inaddr_name the owner name, such as "4.3.2.1.in-addr.arpa", or
 *   NULL.  Exactly one of @a in and @a inaddr_name must be given.
 * @param hostname the host name the address maps to.
 * @param ttl how many seconds the record may be cached.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_ptr_reply(struct evdns_server_request *req,
                                       struct in_addr *in,
                                       const char *inaddr_name,
                                       const char *hostname, int ttl);

/**
 * Add a CNAME record to the answer section.
 *
 * @param req the request being answered.
 * @param name the alias.
 * @param cname the canonical name it stands for.
 * @param ttl how many seconds the record may be cached.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_cname_reply(struct evdns_server_request *req,
                                         const char *name, const char *cname,
                                         int ttl);

/**
 * Send the reply built so far and free the request.
 *
 * If the socket cannot take the reply at once, it is queued and sent
 * later; the request must not be used after this call either way.
 *
 * @param req the request being answered.
 * @param err the response code (DNS_ERR_NONE, or one of the RFC 1035
 *   codes 1 to 5), optionally ORed with EVDNS_FLAGS_* bits.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_respond(struct evdns_server_request *req, int err);

/**
 * Free a request without answering it.
 *
 * @param req the request; it must not be used after this call.
 * @return 0.
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_drop(struct evdns_server_request *req);

/**
 * Copy out the address that sent a request.
 *
 * @param req the request.
 * @param sa where to write the address.
 * @param addr_len the number of bytes available at @a sa.
 * @return the size of the address written, or -1 if @a addr_len is too
 *   small (then nothing is written).
 */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_get_requesting_addr(struct evdns_server_request *req,
                                             struct sockaddr *sa, int addr_len);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_DNS_H_INCLUDED_ */
