/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * The fixed start of the generated macro probe (see gen-macro-probe.awk).
 */
#include <event.h>
#include <evdns.h>
#include <evhttp.h>
#include <evrpc.h>
#include <evutil.h>
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_compat.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/rpc.h>
#include <event2/rpc_compat.h>
#include <event2/rpc_struct.h>
#include <event2/tag.h>
#include <event2/tag_compat.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <event2/visibility.h>

#include <stdio.h>

static void
print_signed(const char *name, long long value)
{
    printf("%s = %lld\n", name, value);
}

static void
print_unsigned(const char *name, unsigned long long value)
{
    printf("%s = %llu\n", name, value);
}

static void
print_string(const char *name, const char *value)
{
    printf("%s = \"%s\"\n", name, value);
}

#define P(x) \
    _Generic((x),                                                              \
        char *: print_string,                                                  \
        const char *: print_string,                                            \
        unsigned int: print_unsigned,                                          \
        unsigned long: print_unsigned,                                         \
        unsigned long long: print_unsigned,                                    \
        default: print_signed)(#x, (x))
#define T(t)                                            \
    printf("%s: type of size %zu, %s\n", #t, sizeof(t), \
           ((t)-1 < (t)0) ? "signed" : "unsigned")

int
main(void)
{
    /* The version line also makes the program load the library it was
     * built against, so the RPATH test sees it. */
    printf("runtime libevent %s\n", event_get_version());
