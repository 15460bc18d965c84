/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * layout.c: prints the size of every public struct and the offset and size
 * of each of its fields (layout.def).  Built once against Vigil's headers
 * and once against Debian's; the layout test diffs the two outputs.  The
 * headline sizes are also pinned at compile time, so a wrong layout stops
 * the Vigil build itself.
 */
#include <event.h>
#include <evdns.h>
#include <evhttp.h>
#include <evrpc.h>
#include <evutil.h>
#include <event2/bufferevent_struct.h>
#include <event2/dns_struct.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/rpc_struct.h>
#include <event2/thread.h>

#include <stddef.h>
#include <stdio.h>

/* Sizes on x86-64, read once from Debian's libevent 2.1.12 headers. */
#if defined(__x86_64__) && defined(__LP64__)
_Static_assert(sizeof(struct event) == 128, "struct event");
_Static_assert(sizeof(struct event_callback) == 40, "struct event_callback");
_Static_assert(sizeof(struct bufferevent) == 392, "struct bufferevent");
_Static_assert(sizeof(struct evhttp_request) == 216, "struct evhttp_request");
_Static_assert(sizeof(struct evkeyval) == 32, "struct evkeyval");
_Static_assert(sizeof(struct evkeyvalq) == 16, "struct evkeyvalq");
_Static_assert(sizeof(struct evbuffer_ptr) == 24, "struct evbuffer_ptr");
_Static_assert(sizeof(struct evbuffer_cb_info) == 24,
               "struct evbuffer_cb_info");
_Static_assert(sizeof(struct evdns_server_request) == 16,
               "struct evdns_server_request");
_Static_assert(sizeof(struct evdns_server_question) == 12,
               "struct evdns_server_question");
_Static_assert(sizeof(struct evrpc_status) == 16, "struct evrpc_status");
_Static_assert(sizeof(struct evrpc) == 120, "struct evrpc");
_Static_assert(sizeof(struct evthread_lock_callbacks) == 40,
               "struct evthread_lock_callbacks");
_Static_assert(sizeof(struct evthread_condition_callbacks) == 40,
               "struct evthread_condition_callbacks");
_Static_assert(offsetof(struct event, ev_fd) == 56, "event.ev_fd");
_Static_assert(offsetof(struct event, ev_base) == 64, "event.ev_base");
_Static_assert(offsetof(struct event, ev_events) == 104, "event.ev_events");
_Static_assert(offsetof(struct event, ev_timeout) == 112, "event.ev_timeout");
_Static_assert(offsetof(struct bufferevent, input) == 272, "bev.input");
_Static_assert(offsetof(struct bufferevent, enabled) == 384, "bev.enabled");
_Static_assert(offsetof(struct evhttp_request, ntoread) == 136,
               "evhttp_request.ntoread");
_Static_assert(offsetof(struct evhttp_request, on_complete_cb_arg) == 208,
               "evhttp_request.on_complete_cb_arg");
#endif

#define STRUCT(type) printf("%s size %zu\n", #type, sizeof(type));
#define FIELD(type, member)                               \
    printf("%s.%s offset %zu size %zu\n", #type, #member, \
           offsetof(type, member), sizeof(((type *)0)->member));

int
main(void)
{
    /* The version line also makes the program load the library it was
     * built against, so the RPATH test sees it. */
    printf("runtime libevent %s\n", event_get_version());
#include "layout.def"
    return 0;
}
