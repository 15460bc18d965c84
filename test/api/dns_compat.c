/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_compat.c: the deprecated functions of event2/dns_compat.h, which
 * work on one global evdns_base made by evdns_init() on the current base
 * of event_init().  evdns_init() reads the host's /etc/resolv.conf, so
 * every test clears those servers (and the search list) before it sends
 * anything: queries only ever go to the fake server of helpers/vt-dns.c.
 */
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vt-dns.h"
#include "vt-event.h"
#include "vt-evdns.h"
#include "vtest.h"

struct ctx {
    struct event_base *base;
    struct vt_dns *srv;
};

/* event_init(), evdns_init(), then the fake server as the one nameserver
 * with short timeouts. */
static void
open_ctx(struct ctx *c)
{
    char text[64];

    c->base = event_init();
    ck_assert_ptr_nonnull(c->base);
    c->srv = vt_dns_start();
    ck_assert_ptr_nonnull(c->srv);
    evdns_set_log_fn(vt_evdns_quiet_log);
    ck_assert_int_eq(evdns_init(), 0);
    ck_assert_ptr_nonnull(evdns_get_global_base());
    ck_assert_int_eq(evdns_clear_nameservers_and_suspend(), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 0);
    evdns_search_clear();
    ck_assert_int_eq(
        evdns_nameserver_ip_add(vt_dns_addr_text(c->srv, text, sizeof(text))),
        0);
    ck_assert_int_eq(evdns_count_nameservers(), 1);
    ck_assert_int_eq(evdns_resume(), 0);
    /* The flags argument is ignored. */
    ck_assert_int_eq(evdns_set_option("timeout:", "0.5", 0), 0);
    ck_assert_int_eq(evdns_set_option("attempts", "1", DNS_OPTIONS_ALL), 0);
    ck_assert_int_eq(evdns_set_option("randomize-case:", "0", 0), 0);
}

static void
close_ctx(struct ctx *c)
{
    evdns_shutdown(0);
    ck_assert_ptr_null(evdns_get_global_base());
    event_base_free(c->base);
    vt_dns_stop(c->srv);
}

/* Starts a lookup through the global base with the compat functions,
 * which return 0 or -1, not a request: of qtype for what, a name for
 * VT_DNS_A and VT_DNS_AAAA, an IPv4 or IPv6 address as text for
 * VT_DNS_PTR.  Waits for its one callback. */
static void
lookup(struct ctx *c, int qtype, const char *what, int flags, struct vt_res *r)
{
    struct in_addr in;
    struct in6_addr in6;
    int rc, n;

    memset(r, 0, sizeof(*r));
    if (qtype == VT_DNS_A) {
        rc = evdns_resolve_ipv4(what, flags, vt_res_cb, r);
    } else if (qtype == VT_DNS_AAAA) {
        rc = evdns_resolve_ipv6(what, flags, vt_res_cb, r);
    } else if (inet_pton(AF_INET, what, &in) == 1) {
        rc = evdns_resolve_reverse(&in, flags, vt_res_cb, r);
    } else {
        ck_assert_int_eq(inet_pton(AF_INET6, what, &in6), 1);
        rc = evdns_resolve_reverse_ipv6(&in6, flags, vt_res_cb, r);
    }
    ck_assert_msg(rc == 0, "type %d lookup of %s: returned %d", qtype, what,
                  rc);
    n = vt_evdns_wait(c->base, &r->calls, 1, 10);
    ck_assert_msg(n == 1, "type %d lookup of %s: %d callbacks", qtype, what, n);
}

START_TEST(init_makes_global_base)
{
    struct event_base *base = event_init();
    struct evdns_base *global;

    ck_assert_ptr_nonnull(base);
    evdns_set_log_fn(vt_evdns_quiet_log);
    ck_assert_ptr_null(evdns_get_global_base());
    ck_assert_int_eq(evdns_init(), 0);
    global = evdns_get_global_base();
    ck_assert_ptr_nonnull(global);
    /* The host's resolv.conf, or the default server: at least one. */
    ck_assert_int_ge(evdns_count_nameservers(), 1);
    ck_assert_int_eq(evdns_count_nameservers(),
                     evdns_base_count_nameservers(global));
    /* (A second evdns_init() makes a new global base; libevent 2.1.12
     * leaks the old one, so this test does not call it twice.) */

    /* evdns_nameserver_add takes an in_addr (no query is sent). */
    ck_assert_int_eq(evdns_clear_nameservers_and_suspend(), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 0);
    ck_assert_int_eq(evdns_nameserver_add(inet_addr("10.1.2.3")), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 1);
    ck_assert_int_eq(evdns_nameserver_ip_add("10.1.2.4:5353"), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 2);
    ck_assert_int_ne(evdns_nameserver_ip_add("bogus"), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 2);
    ck_assert_int_eq(evdns_set_option("timeout:", "abc", 0), -1);
    ck_assert_int_eq(evdns_set_option("max-timeouts:", "-1", 0), -1);

    evdns_shutdown(0);
    ck_assert_ptr_null(evdns_get_global_base());
    event_base_free(base);
}
END_TEST

START_TEST(resolve_functions)
{
    struct ctx c;
    struct vt_res r;
    struct vt_dns_query q;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_add_a(c.srv, "x.test", "10.0.0.1", 60), 0);
    ck_assert_int_eq(vt_dns_add_aaaa(c.srv, "x.test", "2001:db8::1", 61), 0);
    ck_assert_int_eq(
        vt_dns_add_ptr(c.srv, "4.3.2.1.in-addr.arpa", "host.test", 62), 0);

    /* Through each of the four functions. */
    lookup(&c, VT_DNS_A, "x.test", 0, &r);
    vt_res_expect_answers(&r, DNS_IPv4_A, 60,
                          (const char *[]){"10.0.0.1", NULL});
    lookup(&c, VT_DNS_AAAA, "x.test", 0, &r);
    vt_res_expect_answers(&r, DNS_IPv6_AAAA, 61,
                          (const char *[]){"2001:db8::1", NULL});
    lookup(&c, VT_DNS_PTR, "1.2.3.4", 0, &r);
    vt_res_expect_answers(&r, DNS_PTR, 62, (const char *[]){"host.test", NULL});
    lookup(&c, VT_DNS_PTR, "::1", 0, &r);
    ck_assert_int_eq(r.result, DNS_ERR_NOTEXIST);
    ck_assert_int_eq(vt_dns_query(c.srv, 3, &q), 0);
    ck_assert_str_eq(q.name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                             "0.0.0.0.0.0.0.0.0.ip6.arpa");
    ck_assert_int_eq(q.type, VT_DNS_PTR);
    ck_assert_int_eq(vt_dns_count(c.srv), 4);

    /* A name that cannot be sent: -1, no callback. */
    {
        char long_name[301];

        memset(&r, 0, sizeof(r));
        ck_assert_int_eq(evdns_resolve_ipv4(vt_evdns_overlong_name(long_name),
                                            0, vt_res_cb, &r),
                         -1);
        vt_evdns_calls_stay(c.base, &r.calls, 0, 50,
                            "a name that cannot be sent");
    }
    close_ctx(&c);
}
END_TEST

START_TEST(search_functions)
{
    struct ctx c;
    struct vt_res r;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_add_a(c.srv, "x.test", "10.0.0.1", 60), 0);
    evdns_search_add("a.test");
    evdns_search_ndots_set(2);
    /* One dot, under ndots:2: the search domain first. */
    lookup(&c, VT_DNS_A, "x.test", 0, &r);
    ck_assert_int_eq(r.result, DNS_ERR_NONE);
    vt_evdns_expect_queries(
        c.srv, (const char *[]){"x.test.a.test", "x.test", NULL}, VT_DNS_A, 0);

    vt_dns_clear_log(c.srv);
    lookup(&c, VT_DNS_A, "x.test", DNS_QUERY_NO_SEARCH, &r);
    ck_assert_int_eq(vt_dns_count(c.srv), 1);

    evdns_search_clear();
    vt_dns_clear_log(c.srv);
    lookup(&c, VT_DNS_A, "x.test", 0, &r);
    ck_assert_int_eq(r.result, DNS_ERR_NONE);
    vt_evdns_expect_queries(c.srv, (const char *[]){"x.test", NULL}, VT_DNS_A,
                            0);
    close_ctx(&c);
}
END_TEST

START_TEST(resolv_conf_parse)
{
    struct ctx c;
    struct vt_res r;
    char conf[256], path[64];

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_add_a(c.srv, "x.test", "10.0.0.1", 60), 0);
    ck_assert_int_eq(evdns_clear_nameservers_and_suspend(), 0);
    snprintf(conf, sizeof(conf),
             "nameserver 127.0.0.1:%d\n"
             "search b.test\n"
             "options ndots:3 attempts:1 timeout:0.5\n",
             vt_dns_port(c.srv));
    vt_temp_file(path, sizeof(path), conf);
    ck_assert_int_eq(evdns_resolv_conf_parse(DNS_OPTIONS_ALL, path), 0);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(evdns_count_nameservers(), 1);
    ck_assert_int_eq(evdns_resume(), 0);

    lookup(&c, VT_DNS_A, "x.test", 0, &r);
    ck_assert_int_eq(r.result, DNS_ERR_NONE);
    vt_evdns_expect_queries(
        c.srv, (const char *[]){"x.test.b.test", "x.test", NULL}, VT_DNS_A, 0);

    /* A file that does not exist: 1, and (without NAMESERVERS) no
     * default server added. */
    ck_assert_int_eq(evdns_resolv_conf_parse(DNS_OPTION_SEARCH, path), 1);
    ck_assert_int_eq(evdns_count_nameservers(), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(shutdown_fails_pending)
{
    struct ctx c;
    struct vt_res r;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_set_action(c.srv, NULL, 0, VT_DNS_DROP), 0);
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(evdns_resolve_ipv4("slow.test", 0, vt_res_cb, &r), 0);
    r.in_call = 1;
    evdns_shutdown(1);
    r.in_call = 0;
    ck_assert_ptr_null(evdns_get_global_base());
    vt_evdns_wait_deferred(c.base, &r.calls, &r.called_inside, "shutdown");
    ck_assert_int_eq(r.result, DNS_ERR_SHUTDOWN);
    event_base_free(c.base);
    vt_dns_stop(c.srv);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dns_compat");
    TCase *tc = vt_tcase("dns_compat", 30);

    tcase_add_test(tc, init_makes_global_base);
    tcase_add_test(tc, resolve_functions);
    tcase_add_test(tc, search_functions);
    tcase_add_test(tc, resolv_conf_parse);
    tcase_add_test(tc, shutdown_fails_pending);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
