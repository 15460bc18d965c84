/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_gai.c: evdns_getaddrinfo against the scripted nameserver of
 * helpers/vt-dns.c.  Numeric hosts and other answers given at once (NULL
 * returned, the callback already called), hints, services, AI_PASSIVE,
 * AI_CANONNAME, A and AAAA asked in parallel, the hosts file first,
 * cancelling, a base freed with a lookup pending; and
 * bufferevent_socket_connect_hostname through an evdns_base.  Every
 * result is freed with evutil_freeaddrinfo, so ASan sees any leak.
 */
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vt-dns.h"
#include "vt-event.h"
#include "vt-evdns.h"
#include "vtest.h"

/* The base, the fake server and a resolver (vt_evdns_open) with the
 * records the tests ask for. */
static void
open_ctx(struct vt_evdns_ctx *c)
{
    vt_evdns_open(c, "0.5", "1");
    /* Two addresses and one IPv6 address for both.test; one family each
     * for four.test and six.test (the other is NXDOMAIN); a CNAME. */
    ck_assert_int_eq(vt_dns_add_a(c->srv, "both.test", "10.0.0.1", 60), 0);
    ck_assert_int_eq(vt_dns_add_a(c->srv, "both.test", "10.0.0.2", 60), 0);
    ck_assert_int_eq(vt_dns_add_aaaa(c->srv, "both.test", "2001:db8::1", 60),
                     0);
    ck_assert_int_eq(vt_dns_add_a(c->srv, "four.test", "10.0.0.4", 60), 0);
    ck_assert_int_eq(
        vt_dns_set_action(c->srv, "four.test", VT_DNS_AAAA, VT_DNS_NXDOMAIN),
        0);
    ck_assert_int_eq(vt_dns_add_aaaa(c->srv, "six.test", "2001:db8::6", 60), 0);
    ck_assert_int_eq(
        vt_dns_set_action(c->srv, "six.test", VT_DNS_A, VT_DNS_NXDOMAIN), 0);
    ck_assert_int_eq(
        vt_dns_add_cname(c->srv, "www.alias.test", "both.test", 30), 0);
}

/* Calls evdns_getaddrinfo with these hints, recording in *g.  Returns the
 * request (NULL when answered at once). */
static struct evdns_getaddrinfo_request *
gai_start(struct vt_evdns_ctx *c, const char *node, const char *serv,
          int family, int socktype, int protocol, int flags, struct vt_gai *g)
{
    struct evutil_addrinfo hints;
    struct evdns_getaddrinfo_request *req;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    memset(g, 0, sizeof(*g));
    g->in_call = 1;
    req = evdns_getaddrinfo(c->dns, node, serv, &hints, vt_gai_cb, g);
    g->in_call = 0;
    return req;
}

/* gai_start, then the answer: already there when the request is NULL,
 * else the loop runs for it. */
static struct evdns_getaddrinfo_request *
gai(struct vt_evdns_ctx *c, const char *node, const char *serv, int family,
    int socktype, int protocol, int flags, struct vt_gai *g)
{
    struct evdns_getaddrinfo_request *req =
        gai_start(c, node, serv, family, socktype, protocol, flags, g);

    if (req == NULL) {
        /* Answered inside the call, exactly once. */
        ck_assert_int_eq(g->calls, 1);
        ck_assert_int_eq(g->called_inside, 1);
    } else {
        ck_assert_int_eq(g->calls, 0);
        ck_assert_int_eq(vt_evdns_wait(c->base, &g->calls, 1, 10), 1);
    }
    return req;
}

/* Checks the i-th result (from 0). */
static void
expect_result(const struct vt_gai *g, int i, const char *addr, int port,
              int socktype, int protocol)
{
    const struct evutil_addrinfo *ai = g->res;
    char text[INET6_ADDRSTRLEN];
    int p;

    for (int k = 0; k < i && ai != NULL; k++)
        ai = ai->ai_next;
    ck_assert_ptr_nonnull(ai);
    vt_gai_describe(ai, text, sizeof(text), &p);
    ck_assert_str_eq(text, addr);
    ck_assert_int_eq(p, port);
    ck_assert_int_eq(ai->ai_socktype, socktype);
    ck_assert_int_eq(ai->ai_protocol, protocol);
}

static void
free_result(struct vt_gai *g)
{
    if (g->res != NULL)
        evutil_freeaddrinfo(g->res);
    g->res = NULL;
}

/* Looks node up for one family and for two (label names the case): each
 * lookup asks the server, then fails with eai and no result. */
static void
expect_lookup_fails(struct vt_evdns_ctx *c, const char *node, int eai,
                    const char *label)
{
    static const int families[] = {AF_INET, AF_UNSPEC};

    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        struct vt_gai g;

        ck_assert_ptr_nonnull(
            gai(c, node, "80", families[i], SOCK_STREAM, 0, 0, &g));
        ck_assert_msg(g.result == eai, "%s, family %d: result %d, not %d",
                      label, families[i], g.result, eai);
        ck_assert_ptr_null(g.res);
    }
}

START_TEST(numeric_hosts_answer_at_once)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    ck_assert_ptr_null(gai(&c, "10.1.2.3", "99", AF_UNSPEC, SOCK_STREAM, 0,
                           EVUTIL_AI_NUMERICHOST, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    ck_assert_int_eq(g.res->ai_family, AF_INET);
    expect_result(&g, 0, "10.1.2.3", 99, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    /* Without the flag too. */
    ck_assert_ptr_null(gai(&c, "::1", "8080", AF_UNSPEC, SOCK_DGRAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    expect_result(&g, 0, "::1", 8080, SOCK_DGRAM, IPPROTO_UDP);
    free_result(&g);

    /* AI_NUMERICHOST with a name: EAI_NONAME, nothing asked. */
    ck_assert_ptr_null(gai(&c, "both.test", "99", AF_UNSPEC, SOCK_STREAM, 0,
                           EVUTIL_AI_NUMERICHOST, &g));
    ck_assert_int_eq(g.result, EVUTIL_EAI_NONAME);
    ck_assert_ptr_null(g.res);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(hints_family_socktype_protocol)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    /* Both families, asked in parallel; IPv4 results first. */
    ck_assert_ptr_nonnull(
        gai(&c, "both.test", "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 3);
    expect_result(&g, 0, "10.0.0.1", 80, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 1, "10.0.0.2", 80, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 2, "2001:db8::1", 80, SOCK_STREAM, IPPROTO_TCP);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "both.test", VT_DNS_A), 1);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "both.test", VT_DNS_AAAA), 1);
    ck_assert_int_eq(vt_dns_count(c.srv), 2);
    free_result(&g);

    /* No socket type: a stream and a datagram result per address. */
    ck_assert_ptr_nonnull(gai(&c, "both.test", "80", AF_UNSPEC, 0, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 6);
    expect_result(&g, 0, "10.0.0.1", 80, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 1, "10.0.0.1", 80, SOCK_DGRAM, IPPROTO_UDP);
    expect_result(&g, 4, "2001:db8::1", 80, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 5, "2001:db8::1", 80, SOCK_DGRAM, IPPROTO_UDP);
    free_result(&g);

    /* One family: one query; no service: port 0. */
    vt_dns_clear_log(c.srv);
    ck_assert_ptr_nonnull(
        gai(&c, "both.test", NULL, AF_INET, SOCK_DGRAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, AF_INET), 2);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 2);
    expect_result(&g, 0, "10.0.0.1", 0, SOCK_DGRAM, IPPROTO_UDP);
    ck_assert_int_eq(vt_dns_count(c.srv), 1);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "both.test", VT_DNS_A), 1);
    free_result(&g);

    vt_dns_clear_log(c.srv);
    ck_assert_ptr_nonnull(
        gai(&c, "both.test", "53", AF_INET6, 0, IPPROTO_UDP, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    expect_result(&g, 0, "2001:db8::1", 53, SOCK_DGRAM, IPPROTO_UDP);
    ck_assert_int_eq(vt_dns_count(c.srv), 1);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "both.test", VT_DNS_AAAA), 1);
    free_result(&g);

    /* A family it does not know: EAI_FAMILY at once. */
    ck_assert_ptr_null(
        gai(&c, "both.test", "80", 12345, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, EVUTIL_EAI_FAMILY);
    ck_assert_ptr_null(g.res);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(services)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    ck_assert_ptr_nonnull(
        gai(&c, "both.test", "8080", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    expect_result(&g, 0, "10.0.0.1", 8080, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    if (getservbyname("http", "tcp") != NULL) {
        ck_assert_ptr_nonnull(
            gai(&c, "both.test", "http", AF_INET, SOCK_STREAM, 0, 0, &g));
        ck_assert_int_eq(g.result, 0);
        expect_result(&g, 0, "10.0.0.1", 80, SOCK_STREAM, IPPROTO_TCP);
        free_result(&g);
    }

    /* A service that does not exist fails before any query. */
    vt_dns_clear_log(c.srv);
    ck_assert_ptr_null(gai(&c, "both.test", "no-such-service", AF_INET,
                           SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, EVUTIL_EAI_NONAME);
    ck_assert_ptr_null(g.res);

    /* Neither host nor service. */
    ck_assert_ptr_null(gai(&c, NULL, NULL, AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, EVUTIL_EAI_NONAME);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(passive_and_null_node)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    ck_assert_ptr_null(
        gai(&c, NULL, "99", AF_INET, SOCK_STREAM, 0, EVUTIL_AI_PASSIVE, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    expect_result(&g, 0, "0.0.0.0", 99, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    ck_assert_ptr_null(
        gai(&c, NULL, "99", AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_PASSIVE, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 2);
    expect_result(&g, 0, "0.0.0.0", 99, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 1, "::", 99, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    /* Not passive: the loopback address. */
    ck_assert_ptr_null(gai(&c, NULL, "99", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    expect_result(&g, 0, "127.0.0.1", 99, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(canonname)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    /* Through a CNAME: the target, on the first result only. */
    ck_assert_ptr_nonnull(gai(&c, "www.alias.test", "1", AF_INET, SOCK_STREAM,
                              0, EVUTIL_AI_CANONNAME, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 2);
    ck_assert_ptr_nonnull(g.res->ai_canonname);
    ck_assert_str_eq(g.res->ai_canonname, "both.test");
    ck_assert_ptr_null(g.res->ai_next->ai_canonname);
    free_result(&g);

    /* With no CNAME in the reply libevent 2.1.12 gives no canonical
     * name at all (not the name asked for). */
    ck_assert_ptr_nonnull(gai(&c, "both.test", "1", AF_INET, SOCK_STREAM, 0,
                              EVUTIL_AI_CANONNAME, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_ptr_null(g.res->ai_canonname);
    free_result(&g);

    /* Without the flag, none. */
    ck_assert_ptr_nonnull(
        gai(&c, "www.alias.test", "1", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_ptr_null(g.res->ai_canonname);
    free_result(&g);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(one_family_missing)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    /* AAAA is NXDOMAIN: the IPv4 answer alone. */
    ck_assert_ptr_nonnull(
        gai(&c, "four.test", "1", AF_UNSPEC, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    expect_result(&g, 0, "10.0.0.4", 1, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    /* A is NXDOMAIN: the IPv6 answer alone. */
    ck_assert_ptr_nonnull(
        gai(&c, "six.test", "1", AF_UNSPEC, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 1);
    expect_result(&g, 0, "2001:db8::6", 1, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    /* Both NXDOMAIN: EAI_NONAME. */
    expect_lookup_fails(&c, "nx.test", EVUTIL_EAI_NONAME, "NXDOMAIN");
    vt_evdns_close(&c);
}
END_TEST

START_TEST(hosts_file_first)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;
    char path[64];

    open_ctx(&c);
    vt_temp_file(path, sizeof(path),
                 "# a hosts file\n"
                 "10.5.5.5 hosted.test alias.test\n"
                 "::5 hosted.test\n"
                 "10.5.5.6 Mixed.Test\n");
    ck_assert_int_eq(evdns_base_load_hosts(c.dns, path), 0);
    ck_assert_int_eq(unlink(path), 0);

    /* Answered from the file at once; both families. */
    ck_assert_ptr_null(
        gai(&c, "hosted.test", "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    ck_assert_int_eq(vt_gai_count(g.res, 0), 2);
    expect_result(&g, 0, "10.5.5.5", 80, SOCK_STREAM, IPPROTO_TCP);
    expect_result(&g, 1, "::5", 80, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    ck_assert_ptr_null(
        gai(&c, "alias.test", "80", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    expect_result(&g, 0, "10.5.5.5", 80, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);

    /* Names match without regard to case. */
    ck_assert_ptr_null(
        gai(&c, "MIXED.test", "80", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    expect_result(&g, 0, "10.5.5.6", 80, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);

    /* Cleared: the server is asked. */
    evdns_base_clear_host_addresses(c.dns);
    ck_assert_ptr_nonnull(
        gai(&c, "hosted.test", "80", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, EVUTIL_EAI_NONAME);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "hosted.test", VT_DNS_A), 1);

    /* NULL loads localhost alone. */
    ck_assert_int_eq(evdns_base_load_hosts(c.dns, NULL), 0);
    vt_dns_clear_log(c.srv);
    ck_assert_ptr_null(
        gai(&c, "localhost", "80", AF_INET, SOCK_STREAM, 0, 0, &g));
    ck_assert_int_eq(g.result, 0);
    expect_result(&g, 0, "127.0.0.1", 80, SOCK_STREAM, IPPROTO_TCP);
    free_result(&g);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(errors_give_eai_fail)
{
    static const int actions[] = {VT_DNS_DROP, VT_DNS_SERVFAIL, VT_DNS_REFUSED,
                                  VT_DNS_TRUNCATED, VT_DNS_FORMERR};
    struct vt_evdns_ctx c;

    /* Every failure but NXDOMAIN, a timeout included, is EAI_FAIL in
     * libevent 2.1.12 (not EAI_AGAIN), for one family or two. */
    open_ctx(&c);
    vt_evdns_option(c.dns, "timeout:", "0.2");
    ck_assert_int_eq(vt_dns_set_action(c.srv, "slow.test", 0, VT_DNS_DROP), 0);
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        char label[32];

        snprintf(label, sizeof(label), "action %d", actions[i]);
        ck_assert_int_eq(vt_dns_set_action(c.srv, "bad.test", 0, actions[i]),
                         0);
        expect_lookup_fails(&c, "bad.test", EVUTIL_EAI_FAIL, label);
    }
    vt_evdns_close(&c);
}
END_TEST

START_TEST(cancel_before_answer)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;
    struct evdns_getaddrinfo_request *req;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_set_action(c.srv, "slow.test", 0, VT_DNS_DROP), 0);
    req = gai_start(&c, "slow.test", "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &g);
    ck_assert_ptr_nonnull(req);
    g.in_call = 1;
    evdns_getaddrinfo_cancel(req);
    g.in_call = 0;
    /* From the loop, once, with EVUTIL_EAI_CANCEL. */
    vt_evdns_wait_deferred(c.base, &g.calls, &g.called_inside, "cancel");
    ck_assert_int_eq(g.result, EVUTIL_EAI_CANCEL);
    ck_assert_ptr_null(g.res);
    vt_evdns_calls_stay(c.base, &g.calls, 1, 700, "after the cancel");
    vt_evdns_close(&c);
}
END_TEST

START_TEST(free_with_lookup_pending)
{
    struct vt_evdns_ctx c;
    struct vt_gai g;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_set_action(c.srv, "slow.test", 0, VT_DNS_DROP), 0);
    ck_assert_ptr_nonnull(
        gai_start(&c, "slow.test", "80", AF_UNSPEC, SOCK_STREAM, 0, 0, &g));
    g.in_call = 1;
    evdns_base_free(c.dns, 1);
    c.dns = NULL;
    g.in_call = 0;
    /* libevent 2.1.12 reports the shut-down lookup as EVUTIL_EAI_FAIL,
     * from the loop. */
    vt_evdns_wait_deferred(c.base, &g.calls, &g.called_inside, "free");
    ck_assert_int_eq(g.result, EVUTIL_EAI_FAIL);
    ck_assert_ptr_null(g.res);
    vt_evdns_close(&c);
}
END_TEST

/*
 * bufferevent_socket_connect_hostname
 */

/* Connects a new bufferevent to host:port through c's resolver (label
 * names the case) and waits for its one event, which must come from the
 * loop; no DNS error is known before the loop runs.  Returns the
 * bufferevent, *rec holding what its event callback saw. */
static struct bufferevent *
connect_via(struct vt_evdns_ctx *c, const char *label, int family,
            const char *host, int port, struct vt_rec *rec)
{
    struct bufferevent *bev;
    int rc, n;

    memset(rec, 0, sizeof(*rec));
    bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, NULL, NULL, vt_event_cb, rec);
    rec->in_call = 1;
    rc = bufferevent_socket_connect_hostname(bev, c->dns, family, host, port);
    rec->in_call = 0;
    ck_assert_msg(rc == 0, "%s: connect_hostname returned %d", label, rc);
    rc = bufferevent_socket_get_dns_error(bev);
    ck_assert_msg(rc == 0, "%s: DNS error %d before the loop ran", label, rc);
    n = vt_wait_for(c->base, &rec->events, 1);
    ck_assert_msg(n == 1, "%s: %d events, not 1", label, n);
    ck_assert_msg(rec->called_inside == 0, "%s: %d events inside the call",
                  label, rec->called_inside);
    return bev;
}

START_TEST(connect_hostname_resolves_and_connects)
{
    struct vt_evdns_ctx c;
    struct sockaddr_in addr;
    struct bufferevent *bev;
    struct vt_rec rec;
    int lfd, port;

    open_ctx(&c);
    lfd = vt_tcp_listener(&addr);
    ck_assert_int_ge(lfd, 0);
    port = ntohs(addr.sin_port);
    ck_assert_int_eq(vt_dns_add_a(c.srv, "conn.test", "127.0.0.1", 60), 0);
    bev = connect_via(&c, "AF_INET", AF_INET, "conn.test", port, &rec);
    ck_assert_int_eq(rec.what, BEV_EVENT_CONNECTED);
    ck_assert_int_eq(bufferevent_socket_get_dns_error(bev), 0);
    ck_assert_int_ge(bufferevent_getfd(bev), 0);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "conn.test", VT_DNS_A), 1);
    bufferevent_free(bev);

    /* AF_UNSPEC asks for both families. */
    vt_dns_clear_log(c.srv);
    bev = connect_via(&c, "AF_UNSPEC", AF_UNSPEC, "conn.test", port, &rec);
    ck_assert_int_eq(rec.what, BEV_EVENT_CONNECTED);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "conn.test", VT_DNS_A), 1);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "conn.test", VT_DNS_AAAA), 1);
    bufferevent_free(bev);

    /* A numeric address needs no query. */
    vt_dns_clear_log(c.srv);
    bev = connect_via(&c, "numeric", AF_INET, "127.0.0.1", port, &rec);
    ck_assert_int_eq(rec.what, BEV_EVENT_CONNECTED);
    ck_assert_int_eq(vt_dns_datagrams(c.srv), 0);
    bufferevent_free(bev);
    close(lfd);
    vt_evdns_close(&c);
}
END_TEST

START_TEST(connect_hostname_nxdomain)
{
    struct vt_evdns_ctx c;
    struct sockaddr_in addr;
    struct bufferevent *bev;
    struct vt_rec rec;
    int lfd;

    open_ctx(&c);
    lfd = vt_tcp_listener(&addr);
    ck_assert_int_ge(lfd, 0);
    bev = connect_via(&c, "NXDOMAIN", AF_INET, "nx.test", ntohs(addr.sin_port),
                      &rec);
    ck_assert_int_eq(rec.what, BEV_EVENT_ERROR);
    /* The getaddrinfo error, for evutil_gai_strerror. */
    ck_assert_int_eq(bufferevent_socket_get_dns_error(bev), EVUTIL_EAI_NONAME);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "nx.test", VT_DNS_A), 1);
    bufferevent_free(bev);
    close(lfd);
    vt_evdns_close(&c);
}
END_TEST

/* Freeing the bufferevent while its lookup is out: no event ever reaches
 * it, and the lookup's memory goes with it (Vigil cancels the lookup; the
 * ASan run checks that nothing leaks and nothing is touched after free). */
START_TEST(connect_hostname_freed_while_resolving)
{
    struct vt_evdns_ctx c;
    struct bufferevent *bev;
    struct vt_rec rec;

    open_ctx(&c);
    ck_assert_int_eq(vt_dns_set_action(c.srv, "slow.test", 0, VT_DNS_DROP), 0);
    memset(&rec, 0, sizeof(rec));
    bev = bufferevent_socket_new(c.base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, NULL, NULL, vt_event_cb, &rec);
    ck_assert_int_eq(bufferevent_socket_connect_hostname(bev, c.dns, AF_INET,
                                                         "slow.test", 9),
                     0);
    vt_run_for(c.base, 100);
    ck_assert_int_eq(vt_dns_count_name(c.srv, "slow.test", VT_DNS_A), 1);
    bufferevent_free(bev);
    /* Past the lookup's time-out (0.5 s, one attempt). */
    vt_run_for(c.base, 800);
    ck_assert_int_eq(rec.events, 0);
#ifndef VIGIL_ORACLE
    {
        /* Vigil cancels the lookup when the bufferevent goes: a resolver
         * with EVDNS_BASE_DISABLE_WHEN_INACTIVE then has nothing pending
         * and the loop ends at once, long before the lookup's 60 s
         * time-out (without the cancel it would outlast the test's time
         * limit). */
        struct event_base *base = event_base_new();
        struct evdns_base *dns;

        ck_assert_ptr_nonnull(base);
        dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
        ck_assert_ptr_nonnull(dns);
        vt_evdns_add_server(dns, c.srv);
        ck_assert_int_eq(evdns_base_set_option(dns, "timeout:", "60"), 0);
        ck_assert_int_eq(evdns_base_set_option(dns, "attempts:", "1"), 0);
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
        ck_assert_ptr_nonnull(bev);
        bufferevent_setcb(bev, NULL, NULL, vt_event_cb, &rec);
        ck_assert_int_eq(bufferevent_socket_connect_hostname(bev, dns, AF_INET,
                                                             "slow.test", 9),
                         0);
        vt_run_for(base, 100);
        ck_assert_int_eq(vt_dns_count_name(c.srv, "slow.test", VT_DNS_A), 2);
        bufferevent_free(bev);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec.events, 0);
        evdns_base_free(dns, 0);
        event_base_free(base);
    }
#endif
    vt_evdns_close(&c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dns_gai");
    TCase *tc = vt_tcase("getaddrinfo", 30);
    TCase *conn = vt_tcase("connect_hostname", 30);

    tcase_add_test(tc, numeric_hosts_answer_at_once);
    tcase_add_test(tc, hints_family_socktype_protocol);
    tcase_add_test(tc, services);
    tcase_add_test(tc, passive_and_null_node);
    tcase_add_test(tc, canonname);
    tcase_add_test(tc, one_family_missing);
    tcase_add_test(tc, hosts_file_first);
    tcase_add_test(tc, errors_give_eai_fail);
    tcase_add_test(tc, cancel_before_answer);
    tcase_add_test(tc, free_with_lookup_pending);
    suite_add_tcase(s, tc);
    tcase_add_test(conn, connect_hostname_resolves_and_connects);
    tcase_add_test(conn, connect_hostname_nxdomain);
    tcase_add_test(conn, connect_hostname_freed_while_resolving);
    suite_add_tcase(s, conn);
    return vt_run(s);
}
