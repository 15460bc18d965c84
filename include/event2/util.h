/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/util.h: portable integer and socket types, struct timeval helpers,
 * socket set-up helpers, string and address utilities, a getaddrinfo()
 * wrapper and a secure random number generator.  Every other Vigil header
 * relies on the types declared here.
 */
#ifndef EVENT2_UTIL_H_INCLUDED_
#define EVENT2_UTIL_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>

#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif
#ifdef EVENT__HAVE_STDINT_H
#include <stdint.h>
#elif defined(EVENT__HAVE_INTTYPES_H)
#include <inttypes.h>
#endif
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_STDDEF_H
#include <stddef.h>
#endif
#include <stdarg.h>
#ifdef EVENT__HAVE_NETDB_H
#include <netdb.h>
#endif
#ifdef EVENT__HAVE_ERRNO_H
#include <errno.h>
#endif
#include <sys/socket.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Fixed-width integer types.
 *
 * These names are macros, not typedefs, so that they can be tested with
 * #ifdef.  Each one maps to the <stdint.h> type when the platform has it.
 */

/* Some configure scripts spell the pointer-size test differently. */
#if defined(EVENT__SIZEOF_VOID__) && !defined(EVENT__SIZEOF_VOID_P)
#define EVENT__SIZEOF_VOID_P EVENT__SIZEOF_VOID__
#endif

#ifdef EVENT__HAVE_UINT64_T
/** An unsigned integer type of exactly 64 bits. */
#define ev_uint64_t uint64_t
/** A signed integer type of exactly 64 bits. */
#define ev_int64_t int64_t
#elif EVENT__SIZEOF_LONG == 8
#define ev_uint64_t unsigned long
#define ev_int64_t long
#elif EVENT__SIZEOF_LONG_LONG == 8
#define ev_uint64_t unsigned long long
#define ev_int64_t long long
#else
#error "Vigil: no 64-bit integer type found for ev_uint64_t"
#endif

#ifdef EVENT__HAVE_UINT32_T
/** An unsigned integer type of exactly 32 bits. */
#define ev_uint32_t uint32_t
/** A signed integer type of exactly 32 bits. */
#define ev_int32_t int32_t
#elif EVENT__SIZEOF_INT == 4
#define ev_uint32_t unsigned int
#define ev_int32_t signed int
#elif EVENT__SIZEOF_LONG == 4
#define ev_uint32_t unsigned long
#define ev_int32_t signed long
#else
#error "Vigil: no 32-bit integer type found for ev_uint32_t"
#endif

#ifdef EVENT__HAVE_UINT16_T
/** An unsigned integer type of exactly 16 bits. */
#define ev_uint16_t uint16_t
/** A signed integer type of exactly 16 bits. */
#define ev_int16_t int16_t
#elif EVENT__SIZEOF_SHORT == 2
#define ev_uint16_t unsigned short
#define ev_int16_t signed short
#elif EVENT__SIZEOF_INT == 2
#define ev_uint16_t unsigned int
#define ev_int16_t signed int
#else
#error "Vigil: no 16-bit integer type found for ev_uint16_t"
#endif

#ifdef EVENT__HAVE_UINT8_T
/** An unsigned integer type of exactly 8 bits. */
#define ev_uint8_t uint8_t
/** A signed integer type of exactly 8 bits. */
#define ev_int8_t int8_t
#else
#define ev_uint8_t unsigned char
#define ev_int8_t signed char
#endif

#ifdef EVENT__HAVE_UINTPTR_T
/** An unsigned integer type that can hold any object pointer. */
#define ev_uintptr_t uintptr_t
/** A signed integer type that can hold any object pointer. */
#define ev_intptr_t intptr_t
#elif EVENT__SIZEOF_VOID_P <= 4
#define ev_uintptr_t ev_uint32_t
#define ev_intptr_t ev_int32_t
#else
#define ev_uintptr_t ev_uint64_t
#define ev_intptr_t ev_int64_t
#endif

/** The signed counterpart of size_t, used for byte counts that may be -1. */
#ifdef EVENT__ssize_t
#define ev_ssize_t EVENT__ssize_t
#else
#define ev_ssize_t ssize_t
#endif

/**
 * A signed file offset type.  Its width is fixed by the size of off_t when
 * the library was configured, so that a program built with a different
 * _FILE_OFFSET_BITS setting still agrees with the library on it.
 */
#if EVENT__SIZEOF_OFF_T == 8
#define ev_off_t ev_int64_t
#elif EVENT__SIZEOF_OFF_T == 4
#define ev_off_t ev_int32_t
#else
#define ev_off_t off_t
#endif

/*
 * Limits of the fixed-width types: the largest and smallest value each
 * ev_[u]intN_t can hold.  Without <stdint.h> they are built from 32-bit
 * constants so that no 64-bit literal is needed.
 */
#ifdef EVENT__HAVE_STDINT_H
/** The largest value of ev_uint64_t. */
#define EV_UINT64_MAX UINT64_MAX
/** The largest value of ev_int64_t. */
#define EV_INT64_MAX INT64_MAX
/** The smallest value of ev_int64_t. */
#define EV_INT64_MIN INT64_MIN
/** The largest value of ev_uint32_t. */
#define EV_UINT32_MAX UINT32_MAX
/** The largest value of ev_int32_t. */
#define EV_INT32_MAX INT32_MAX
/** The smallest value of ev_int32_t. */
#define EV_INT32_MIN INT32_MIN
/** The largest value of ev_uint16_t. */
#define EV_UINT16_MAX UINT16_MAX
/** The largest value of ev_int16_t. */
#define EV_INT16_MAX INT16_MAX
/** The smallest value of ev_int16_t. */
#define EV_INT16_MIN INT16_MIN
/** The largest value of ev_uint8_t. */
#define EV_UINT8_MAX UINT8_MAX
/** The largest value of ev_int8_t. */
#define EV_INT8_MAX INT8_MAX
/** The smallest value of ev_int8_t. */
#define EV_INT8_MIN INT8_MIN
#else
#define EV_UINT64_MAX ((((ev_uint64_t)0xffffffffUL) << 32) | 0xffffffffUL)
#define EV_INT64_MAX ((((ev_int64_t)0x7fffffffL) << 32) | 0xffffffffL)
#define EV_INT64_MIN ((-EV_INT64_MAX) - 1)
#define EV_UINT32_MAX ((ev_uint32_t)0xffffffffUL)
#define EV_INT32_MAX ((ev_int32_t)0x7fffffffL)
#define EV_INT32_MIN ((-EV_INT32_MAX) - 1)
#define EV_UINT16_MAX ((ev_uint16_t)0xffffUL)
#define EV_INT16_MAX ((ev_int16_t)0x7fffL)
#define EV_INT16_MIN ((-EV_INT16_MAX) - 1)
#define EV_UINT8_MAX 255
#define EV_INT8_MAX 127
#define EV_INT8_MIN ((-EV_INT8_MAX) - 1)
#endif

#if EVENT__SIZEOF_SIZE_T == 8
/** The largest value of size_t. */
#define EV_SIZE_MAX EV_UINT64_MAX
/** The largest value of ev_ssize_t. */
#define EV_SSIZE_MAX EV_INT64_MAX
#elif EVENT__SIZEOF_SIZE_T == 4
#define EV_SIZE_MAX EV_UINT32_MAX
#define EV_SSIZE_MAX EV_INT32_MAX
#else
#error "Vigil: unsupported size of size_t"
#endif
/** The smallest value of ev_ssize_t. */
#define EV_SSIZE_MIN ((-EV_SSIZE_MAX) - 1)

/*
 * Socket types.
 */

/** The type of a socket address length, as passed to bind() or accept(). */
#ifdef EVENT__socklen_t
#define ev_socklen_t EVENT__socklen_t
#else
#define ev_socklen_t socklen_t
#endif

/* Systems whose sockaddr_storage names its family field __ss_family get the
 * standard name as an alias. */
#ifdef EVENT__HAVE_STRUCT_SOCKADDR_STORAGE___SS_FAMILY
#if !defined(EVENT__HAVE_STRUCT_SOCKADDR_STORAGE_SS_FAMILY) && \
    !defined(ss_family)
#define ss_family __ss_family
#endif
#endif

/**
 * The type of a socket as returned by socket() or accept().  On Linux this
 * is a plain file descriptor, so it is int.
 */
#define evutil_socket_t int

/*
 * Monotonic timers.
 */

/**
 * A source of monotonic time: a clock that never runs backwards, whatever
 * happens to the wall-clock time.  The structure is opaque; create one with
 * evutil_monotonic_timer_new() and configure it with
 * evutil_configure_monotonic_time() before reading it.
 */
struct evutil_monotonic_timer;

/** Flag for evutil_configure_monotonic_time(): prefer a clock with fine
 * (sub-millisecond) resolution over a cheaper coarse one. */
#define EV_MONOT_PRECISE 1
/** Flag for evutil_configure_monotonic_time(): do not use a monotonic clock
 * at all; use the wall clock, adjusted so that it never goes backwards. */
#define EV_MONOT_FALLBACK 2

/**
 * Write a date in the format of RFC 1123 (as used by HTTP, for example
 * "Sun, 06 Nov 1994 08:49:37 GMT") into a buffer.
 *
 * @param date the buffer to write into; the result is NUL-terminated.
 * @param datelen the size of the buffer in bytes.
 * @param tm the broken-down UTC time to format, or NULL to use the current
 *     time.
 * @return the number of characters the full date needs, not counting the
 *     terminating NUL.  If this is not less than datelen, the output was
 *     truncated.
 */
EVENT2_EXPORT_SYMBOL int evutil_date_rfc1123(char *date, const size_t datelen,
                                             const struct tm *tm);

/**
 * Allocate a new monotonic timer.  It must be configured with
 * evutil_configure_monotonic_time() before evutil_gettime_monotonic() is
 * called on it.
 *
 * @return the new timer, which the caller releases with
 *     evutil_monotonic_timer_free(), or NULL if memory ran out.
 */
EVENT2_EXPORT_SYMBOL struct evutil_monotonic_timer *
evutil_monotonic_timer_new(void);

/**
 * Release a timer obtained from evutil_monotonic_timer_new().
 *
 * @param timer the timer to free; it must not be used afterwards.
 */
EVENT2_EXPORT_SYMBOL void
evutil_monotonic_timer_free(struct evutil_monotonic_timer *timer);

/**
 * Choose the clock that a monotonic timer reads.
 *
 * @param timer the timer to configure.
 * @param flags zero or more of EV_MONOT_PRECISE and EV_MONOT_FALLBACK.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_configure_monotonic_time(struct evutil_monotonic_timer *timer,
                                int flags);

/**
 * Read the current time from a configured monotonic timer.
 *
 * The value counts from an unspecified starting point, so it is only
 * meaningful when subtracted from another reading of the same timer.  A
 * timer must not be read from two threads at the same time.
 *
 * @param timer a timer set up with evutil_configure_monotonic_time().
 * @param tp receives the current time.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_gettime_monotonic(struct evutil_monotonic_timer *timer,
                         struct timeval *tp);

/*
 * Socket helpers.
 */

/**
 * Create a pair of connected sockets.  On Linux this is socketpair().
 *
 * @param d the address family, usually AF_UNIX.
 * @param type the socket type, such as SOCK_STREAM.
 * @param protocol the protocol, usually 0.
 * @param sv receives the two sockets.
 * @return 0 on success, -1 on failure with errno set.
 */
EVENT2_EXPORT_SYMBOL int evutil_socketpair(int d, int type, int protocol,
                                           evutil_socket_t sv[2]);

/**
 * Put a socket into non-blocking mode.
 *
 * @param sock the socket.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evutil_make_socket_nonblocking(evutil_socket_t sock);

/**
 * Let a listening socket's address be bound again at once after the socket
 * is closed (SO_REUSEADDR), instead of waiting for old connections to time
 * out.
 *
 * @param sock the listening socket, before bind() is called.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_make_listen_socket_reuseable(evutil_socket_t sock);

/**
 * Let several sockets that all set this option listen on the same address
 * and port at once (SO_REUSEPORT, Linux 3.9 and later).
 *
 * @param sock the listening socket, before bind() is called.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_make_listen_socket_reuseable_port(evutil_socket_t sock);

/**
 * Restrict an IPv6 socket to IPv6 traffic only (IPV6_V6ONLY), so that the
 * same port can be bound separately for IPv4, whatever the system default.
 *
 * @param sock an AF_INET6 socket, before bind() is called.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_make_listen_socket_ipv6only(evutil_socket_t sock);

/**
 * Set the close-on-exec flag on a socket, so that it is closed in any
 * program started with one of the exec() functions.
 *
 * @param sock the socket.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evutil_make_socket_closeonexec(evutil_socket_t sock);

/**
 * Close a socket obtained from socket() or accept().
 *
 * @param sock the socket to close.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evutil_closesocket(evutil_socket_t sock);
/** Another name for evutil_closesocket(). */
#define EVUTIL_CLOSESOCKET(s) evutil_closesocket(s)

/**
 * Ask the kernel not to report a connection on a listening TCP socket until
 * the client has sent data (TCP_DEFER_ACCEPT).  Use it only for protocols in
 * which the client speaks first.
 *
 * @param sock the listening socket.
 * @return 0 on success or when the option is not supported, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evutil_make_tcp_listen_socket_deferred(evutil_socket_t sock);

/*
 * Socket errors.  On Linux a socket error is an ordinary errno value; these
 * macros exist so that portable code can be written the same way for
 * systems where it is not.
 */

/** The error code of the most recent failed socket call. */
#define EVUTIL_SOCKET_ERROR() (errno)
/** Replace the most recent socket error code with errcode. */
#define EVUTIL_SET_SOCKET_ERROR(errcode) \
    do {                                 \
        errno = (errcode);               \
    } while (0)
/** The most recent error on the socket sock. */
#define evutil_socket_geterror(sock) (errno)
/** A description of a socket error code.  The caller must include
 * <string.h>. */
#define evutil_socket_error_to_string(errcode) (strerror(errcode))
/** The value that stands for "no socket". */
#define EVUTIL_INVALID_SOCKET -1

/*
 * Arithmetic on struct timeval.  The arguments are pointers; a macro may
 * evaluate an argument more than once.
 */

/* The C library's timeradd() family is used when it is available; under a
 * strict ISO mode <sys/time.h> hides it, and the portable forms are used. */
#if defined(EVENT__HAVE_TIMERADD) && defined(timeradd) && defined(timersub)
/** Store the sum of *tvp and *uvp in *vvp. */
#define evutil_timeradd(tvp, uvp, vvp) timeradd((tvp), (uvp), (vvp))
/** Store *tvp minus *uvp in *vvp. */
#define evutil_timersub(tvp, uvp, vvp) timersub((tvp), (uvp), (vvp))
#else
#define evutil_timeradd(tvp, uvp, vvp)                    \
    do {                                                  \
        (vvp)->tv_sec = (tvp)->tv_sec + (uvp)->tv_sec;    \
        (vvp)->tv_usec = (tvp)->tv_usec + (uvp)->tv_usec; \
        if ((vvp)->tv_usec >= 1000000) {                  \
            (vvp)->tv_usec -= 1000000;                    \
            ++(vvp)->tv_sec;                              \
        }                                                 \
    } while (0)
#define evutil_timersub(tvp, uvp, vvp)                    \
    do {                                                  \
        (vvp)->tv_sec = (tvp)->tv_sec - (uvp)->tv_sec;    \
        (vvp)->tv_usec = (tvp)->tv_usec - (uvp)->tv_usec; \
        if ((vvp)->tv_usec < 0) {                         \
            (vvp)->tv_usec += 1000000;                    \
            --(vvp)->tv_sec;                              \
        }                                                 \
    } while (0)
#endif

#if defined(EVENT__HAVE_TIMERCLEAR) && defined(timerclear)
/** Set *tvp to zero. */
#define evutil_timerclear(tvp) timerclear(tvp)
#else
#define evutil_timerclear(tvp) (tvp)->tv_sec = (tvp)->tv_usec = 0
#endif

/**
 * Compare *tvp with *uvp using the relational operator cmp, which is one of
 * <, <=, ==, >= and >.  The result is nonzero when the relation holds.
 */
#define evutil_timercmp(tvp, uvp, cmp)                                     \
    (((tvp)->tv_sec == (uvp)->tv_sec) ? ((tvp)->tv_usec cmp(uvp)->tv_usec) \
                                      : ((tvp)->tv_sec cmp(uvp)->tv_sec))

#if defined(EVENT__HAVE_TIMERISSET) && defined(timerisset)
/** Nonzero when *tvp is not zero. */
#define evutil_timerisset(tvp) timerisset(tvp)
#else
#define evutil_timerisset(tvp) ((tvp)->tv_sec || (tvp)->tv_usec)
#endif

/** The byte offset of member field within struct or union type. */
#ifdef offsetof
#define evutil_offsetof(type, field) offsetof(type, field)
#else
#define evutil_offsetof(type, field) ((off_t)(&((type *)0)->field))
#endif

/*
 * Numbers, strings and time of day.
 */

/**
 * Parse a signed 64-bit integer from a string, as strtoll() does.
 *
 * @param s the string to parse.
 * @param endptr if not NULL, receives a pointer to the first character
 *     that was not parsed.
 * @param base the number base, from 2 to 36, or 0 to accept a C-style
 *     prefix.
 * @return the parsed value.
 */
EVENT2_EXPORT_SYMBOL ev_int64_t evutil_strtoll(const char *s, char **endptr,
                                               int base);

#ifdef EVENT__HAVE_GETTIMEOFDAY
/** Read the wall-clock time into *tv, as gettimeofday() does. */
#define evutil_gettimeofday(tv, tz) gettimeofday((tv), (tz))
#else
struct timezone;
EVENT2_EXPORT_SYMBOL int evutil_gettimeofday(struct timeval *tv,
                                             struct timezone *tz);
#endif

/**
 * Format a string into a buffer, like snprintf() in C99.
 *
 * @param buf the buffer; unless buflen is 0, the result is always
 *     NUL-terminated, truncated if necessary.
 * @param buflen the size of buf in bytes.
 * @param format a printf() format string, followed by its arguments.
 * @return the length the full string would have, not counting the NUL, or
 *     a negative value on error.  When buflen is 0 nothing is written and 0
 *     is returned.
 */
EVENT2_EXPORT_SYMBOL int evutil_snprintf(char *buf, size_t buflen,
                                         const char *format, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * Format a string into a buffer from a va_list, like vsnprintf() in C99.
 *
 * @param buf the buffer; unless buflen is 0, the result is always
 *     NUL-terminated, truncated if necessary.
 * @param buflen the size of buf in bytes.
 * @param format a printf() format string.
 * @param ap the arguments for format.
 * @return the length the full string would have, not counting the NUL, or
 *     a negative value on error.  When buflen is 0 nothing is written and 0
 *     is returned.
 */
EVENT2_EXPORT_SYMBOL int evutil_vsnprintf(char *buf, size_t buflen,
                                          const char *format, va_list ap)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/*
 * Network addresses.
 */

/**
 * Convert a binary IPv4 or IPv6 address to text, as inet_ntop() does.
 *
 * @param af AF_INET or AF_INET6.
 * @param src the address: a struct in_addr or struct in6_addr.
 * @param dst the buffer for the text.
 * @param len the size of dst in bytes.
 * @return dst on success, or NULL if af is unknown or dst is too small.
 */
EVENT2_EXPORT_SYMBOL const char *evutil_inet_ntop(int af, const void *src,
                                                  char *dst, size_t len);

/**
 * Convert a textual address to binary like evutil_inet_pton(), but also
 * accept an IPv6 zone suffix naming an interface by name or number, such as
 * "fe80::1%eth0".  It exists mainly for Vigil's own tests.
 *
 * @param af AF_INET or AF_INET6.
 * @param src the text to parse.
 * @param dst receives a struct in_addr or struct in6_addr.
 * @param indexp receives the interface index given by the zone suffix, or
 *     0 when there is none; it must not be NULL.
 * @return 1 on success, 0 if src is not a valid address, -1 if af is
 *     unknown.
 */
EVENT2_EXPORT_SYMBOL int evutil_inet_pton_scope(int af, const char *src,
                                                void *dst, unsigned *indexp);

/**
 * Convert a textual IPv4 or IPv6 address to binary, as inet_pton() does.
 *
 * @param af AF_INET or AF_INET6.
 * @param src the text to parse.
 * @param dst receives a struct in_addr or struct in6_addr.
 * @return 1 on success, 0 if src is not a valid address, -1 if af is
 *     unknown.
 */
EVENT2_EXPORT_SYMBOL int evutil_inet_pton(int af, const char *src, void *dst);

struct sockaddr;

/**
 * Parse an address with an optional port into a socket address.
 *
 * Accepted forms are "1.2.3.4", "1.2.3.4:80", "::1", "[::1]" and
 * "[::1]:80".  A missing port is stored as 0.
 *
 * @param str the text to parse.
 * @param out receives a struct sockaddr_in or struct sockaddr_in6; a struct
 *     sockaddr_storage is always large enough.
 * @param outlen on entry, the size of out in bytes; on success, the number
 *     of bytes used.
 * @return 0 on success, -1 if the text is malformed, the port is out of
 *     range or out is too small.
 */
EVENT2_EXPORT_SYMBOL int
evutil_parse_sockaddr_port(const char *str, struct sockaddr *out, int *outlen);

/**
 * Order two IPv4 or IPv6 socket addresses.
 *
 * @param sa1 the first address.
 * @param sa2 the second address.
 * @param include_port nonzero to compare the ports as well as the
 *     addresses.
 * @return 0 if they are equal, a negative value if sa1 sorts first and a
 *     positive value if sa2 does.  The order is stable only within one
 *     version of the library.
 */
EVENT2_EXPORT_SYMBOL int evutil_sockaddr_cmp(const struct sockaddr *sa1,
                                             const struct sockaddr *sa2,
                                             int include_port);

/**
 * Compare two strings without regard to ASCII case, whatever the locale.
 *
 * @return a value less than, equal to or greater than 0, as strcmp() does.
 */
EVENT2_EXPORT_SYMBOL int evutil_ascii_strcasecmp(const char *str1,
                                                 const char *str2);

/**
 * Compare at most n characters of two strings without regard to ASCII case,
 * whatever the locale.
 *
 * @return a value less than, equal to or greater than 0, as strncmp() does.
 */
EVENT2_EXPORT_SYMBOL int evutil_ascii_strncasecmp(const char *str1,
                                                  const char *str2, size_t n);

/*
 * Name resolution.
 */

#ifdef EVENT__HAVE_STRUCT_ADDRINFO
/** The result and hints record of evutil_getaddrinfo(); on Linux it is the
 * system's struct addrinfo. */
#define evutil_addrinfo addrinfo
#else
struct evutil_addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    char *ai_canonname;
    struct sockaddr *ai_addr;
    struct evutil_addrinfo *ai_next;
};
#endif

/*
 * Error codes of evutil_getaddrinfo() and evdns_getaddrinfo().  Each is the
 * system's EAI_* value when there is one, so that evutil_gai_strerror() and
 * gai_strerror() agree.
 */
#if defined(EAI_ADDRFAMILY) && defined(EVENT__HAVE_GETADDRINFO)
/** The host has no address in the requested family. */
#define EVUTIL_EAI_ADDRFAMILY EAI_ADDRFAMILY
#else
#define EVUTIL_EAI_ADDRFAMILY -901
#endif
#if defined(EAI_AGAIN) && defined(EVENT__HAVE_GETADDRINFO)
/** A temporary failure; trying again later may succeed. */
#define EVUTIL_EAI_AGAIN EAI_AGAIN
#else
#define EVUTIL_EAI_AGAIN -902
#endif
#if defined(EAI_BADFLAGS) && defined(EVENT__HAVE_GETADDRINFO)
/** The hints contained invalid flags. */
#define EVUTIL_EAI_BADFLAGS EAI_BADFLAGS
#else
#define EVUTIL_EAI_BADFLAGS -903
#endif
#if defined(EAI_FAIL) && defined(EVENT__HAVE_GETADDRINFO)
/** A permanent failure of name resolution. */
#define EVUTIL_EAI_FAIL EAI_FAIL
#else
#define EVUTIL_EAI_FAIL -904
#endif
#if defined(EAI_FAMILY) && defined(EVENT__HAVE_GETADDRINFO)
/** The requested address family is not supported. */
#define EVUTIL_EAI_FAMILY EAI_FAMILY
#else
#define EVUTIL_EAI_FAMILY -905
#endif
#if defined(EAI_MEMORY) && defined(EVENT__HAVE_GETADDRINFO)
/** Memory ran out. */
#define EVUTIL_EAI_MEMORY EAI_MEMORY
#else
#define EVUTIL_EAI_MEMORY -906
#endif
/* Some systems give EAI_NODATA the value of EAI_NONAME; a distinct code is
 * used there so that the two stay distinguishable. */
#if defined(EAI_NODATA) && defined(EVENT__HAVE_GETADDRINFO) && \
    (!defined(EAI_NONAME) || EAI_NODATA != EAI_NONAME)
/** The host exists but has no address. */
#define EVUTIL_EAI_NODATA EAI_NODATA
#else
#define EVUTIL_EAI_NODATA -907
#endif
#if defined(EAI_NONAME) && defined(EVENT__HAVE_GETADDRINFO)
/** The name is not known, or neither a node nor a service was given. */
#define EVUTIL_EAI_NONAME EAI_NONAME
#else
#define EVUTIL_EAI_NONAME -908
#endif
#if defined(EAI_SERVICE) && defined(EVENT__HAVE_GETADDRINFO)
/** The service is not available for the requested socket type. */
#define EVUTIL_EAI_SERVICE EAI_SERVICE
#else
#define EVUTIL_EAI_SERVICE -909
#endif
#if defined(EAI_SOCKTYPE) && defined(EVENT__HAVE_GETADDRINFO)
/** The requested socket type is not supported. */
#define EVUTIL_EAI_SOCKTYPE EAI_SOCKTYPE
#else
#define EVUTIL_EAI_SOCKTYPE -910
#endif
#if defined(EAI_SYSTEM) && defined(EVENT__HAVE_GETADDRINFO)
/** A system error occurred; see errno. */
#define EVUTIL_EAI_SYSTEM EAI_SYSTEM
#else
#define EVUTIL_EAI_SYSTEM -911
#endif
/** The request was cancelled (evdns_getaddrinfo_cancel()) before it
 * finished. */
#define EVUTIL_EAI_CANCEL -90001

/*
 * Flags for the ai_flags field of the hints.  Each is the system's AI_*
 * value when there is one.
 */
#if defined(AI_PASSIVE) && defined(EVENT__HAVE_GETADDRINFO)
/** With no node name, return the wildcard address, for bind(). */
#define EVUTIL_AI_PASSIVE AI_PASSIVE
#else
#define EVUTIL_AI_PASSIVE 0x1000
#endif
#if defined(AI_CANONNAME) && defined(EVENT__HAVE_GETADDRINFO)
/** Report the canonical name of the host in the first result. */
#define EVUTIL_AI_CANONNAME AI_CANONNAME
#else
#define EVUTIL_AI_CANONNAME 0x2000
#endif
#if defined(AI_NUMERICHOST) && defined(EVENT__HAVE_GETADDRINFO)
/** The node name must be a numeric address; no lookup is made. */
#define EVUTIL_AI_NUMERICHOST AI_NUMERICHOST
#else
#define EVUTIL_AI_NUMERICHOST 0x4000
#endif
#if defined(AI_NUMERICSERV) && defined(EVENT__HAVE_GETADDRINFO)
/** The service must be a port number; no lookup is made. */
#define EVUTIL_AI_NUMERICSERV AI_NUMERICSERV
#else
#define EVUTIL_AI_NUMERICSERV 0x8000
#endif
#if defined(AI_V4MAPPED) && defined(EVENT__HAVE_GETADDRINFO)
/** For AF_INET6 with no IPv6 result, return IPv4-mapped addresses. */
#define EVUTIL_AI_V4MAPPED AI_V4MAPPED
#else
#define EVUTIL_AI_V4MAPPED 0x10000
#endif
#if defined(AI_ALL) && defined(EVENT__HAVE_GETADDRINFO)
/** With EVUTIL_AI_V4MAPPED, return both IPv6 and mapped IPv4 addresses. */
#define EVUTIL_AI_ALL AI_ALL
#else
#define EVUTIL_AI_ALL 0x20000
#endif
#if defined(AI_ADDRCONFIG) && defined(EVENT__HAVE_GETADDRINFO)
/** Return addresses of a family only if the host has an address of that
 * family configured. */
#define EVUTIL_AI_ADDRCONFIG AI_ADDRCONFIG
#else
#define EVUTIL_AI_ADDRCONFIG 0x40000
#endif

struct evutil_addrinfo;

/**
 * Resolve a host and service name to socket addresses, as getaddrinfo()
 * does (RFC 3493).  The call blocks; evdns_getaddrinfo() is the
 * non-blocking form.
 *
 * @param nodename the host name or numeric address, or NULL.
 * @param servname the service name or port number, or NULL.  At most one
 *     of nodename and servname may be NULL.
 * @param hints_in NULL, or a record whose ai_flags (EVUTIL_AI_* flags),
 *     ai_family, ai_socktype and ai_protocol restrict the results; its other
 *     fields must be zero.
 * @param res receives a linked list of results, which the caller releases
 *     with evutil_freeaddrinfo().
 * @return 0 on success, or an EVUTIL_EAI_* error code.
 */
EVENT2_EXPORT_SYMBOL int
evutil_getaddrinfo(const char *nodename, const char *servname,
                   const struct evutil_addrinfo *hints_in,
                   struct evutil_addrinfo **res);

/**
 * Release a result list from evutil_getaddrinfo() or evdns_getaddrinfo().
 *
 * @param ai the first record of the list.
 */
EVENT2_EXPORT_SYMBOL void evutil_freeaddrinfo(struct evutil_addrinfo *ai);

/**
 * Describe an evutil_getaddrinfo() error code in words.
 *
 * @param err an EVUTIL_EAI_* code.
 * @return a static string, which the caller must not free or modify.
 */
EVENT2_EXPORT_SYMBOL const char *evutil_gai_strerror(int err);

/*
 * Secure random numbers.
 */

/**
 * Fill a buffer with cryptographically strong random bytes, seeding the
 * generator first if that has not happened yet.
 *
 * @param buf the buffer to fill.
 * @param n the number of bytes to write.
 */
EVENT2_EXPORT_SYMBOL void evutil_secure_rng_get_bytes(void *buf, size_t n);

/**
 * Seed the secure random number generator now, if it is not seeded yet.
 *
 * The generator seeds itself on first use, so calling this is only needed
 * to check that seeding works, or to seed it before the process loses
 * access to the entropy source (for example by calling chroot()).  Calling
 * it again is harmless.
 *
 * @return 0 if the generator is seeded, -1 if it could not be seeded.
 */
EVENT2_EXPORT_SYMBOL int evutil_secure_rng_init(void);

/**
 * Name the device file to read seed entropy from instead of /dev/urandom.
 * Call it before any other function of the random number generator.
 *
 * @param fname the path of a random device.  The string is not copied: it
 *     must stay valid for as long as the generator may be seeded.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evutil_secure_rng_set_urandom_device_file(char *fname);

/**
 * Mix extra entropy into the secure random number generator.  This adds to
 * the normal seeding and does not replace it; callers rarely need it.
 *
 * @param dat the bytes to mix in.
 * @param datlen the number of bytes at dat.
 */
EVENT2_EXPORT_SYMBOL void evutil_secure_rng_add_bytes(const char *dat,
                                                      size_t datlen);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_UTIL_H_INCLUDED_ */
