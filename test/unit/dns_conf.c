/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_conf.c (white-box): the resolv.conf(5) and hosts(5) parsers of
 * src/extra/dns/.  Golden texts with what they must give, then every
 * prefix of each text parsed from a heap block of exactly its size (the
 * parsers take a length, not a NUL-terminated string, so the sanitizers
 * see any read past it).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"
#include "vtest.h"

static const char resolv_golden[] =
    "# a comment line\n"
    "; another\n"
    "nameserver 192.0.2.1\n"
    "nameserver 2001:db8::53\n"
    "nameserver   [2001:db8::1]:5353   # trailing comment\n"
    "nameserver 192.0.2.2:1053\n"
    "nameserver not-an-address\n"
    "nameserver\n"
    "domain ignored.example\n"
    "search Example.com sub.example.com bad..name x\n"
    "sortlist 130.155.160.0/255.255.240.0\n"
    "options ndots:3 timeout:2.5 attempts:4 rotate max-timeouts:7\r\n"
    "options randomize-case:0 max-inflight:100 bogus:1 ndots:x\n"
    "options initial-probe-timeout:1 getaddrinfo-allow-skew:.25\n"
    "options so-rcvbuf:65536 so-sndbuf:32768\n"
    "\tunknown directive here\n"
    "nameserver 127.0.0.1";

START_TEST(resolv_conf_golden)
{
    struct vg_dns_resolv_conf *c;
    const struct sockaddr_in *sin;
    const struct sockaddr_in6 *sin6;
    char text[INET6_ADDRSTRLEN];

    ck_assert_int_eq(
        vg_dns_resolv_conf_parse(resolv_golden, strlen(resolv_golden), &c), 0);
    ck_assert_int_eq(c->n_ns, 5);
    sin = (const struct sockaddr_in *)&c->ns[0].addr;
    ck_assert_int_eq(sin->sin_family, AF_INET);
    ck_assert_int_eq(ntohs(sin->sin_port), 53);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
    ck_assert_str_eq(text, "192.0.2.1");
    ck_assert_uint_eq(c->ns[0].addrlen, sizeof(struct sockaddr_in));
    sin6 = (const struct sockaddr_in6 *)&c->ns[1].addr;
    ck_assert_int_eq(sin6->sin6_family, AF_INET6);
    ck_assert_int_eq(ntohs(sin6->sin6_port), 53);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
    ck_assert_str_eq(text, "2001:db8::53");
    sin6 = (const struct sockaddr_in6 *)&c->ns[2].addr;
    ck_assert_int_eq(ntohs(sin6->sin6_port), 5353);
    sin = (const struct sockaddr_in *)&c->ns[3].addr;
    ck_assert_int_eq(ntohs(sin->sin_port), 1053);
    sin = (const struct sockaddr_in *)&c->ns[4].addr;
    ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001);

    /* "search" came after "domain", so it wins; the invalid name is
     * skipped. */
    ck_assert_int_eq(c->has_search, 1);
    ck_assert_int_eq(c->n_search, 3);
    ck_assert_str_eq(c->search[0], "Example.com");
    ck_assert_str_eq(c->search[1], "sub.example.com");
    ck_assert_str_eq(c->search[2], "x");

    ck_assert_int_eq(c->ndots, 3); /* "ndots:x" was ignored */
    ck_assert_int_eq(c->timeout_ms, 2500);
    ck_assert_int_eq(c->attempts, 4);
    ck_assert_int_eq(c->max_timeouts, 7);
    ck_assert_int_eq(c->randomize_case, 0);
    ck_assert_int_eq(c->max_inflight, 100);
    ck_assert_int_eq(c->initial_probe_timeout_ms, 1000);
    ck_assert_int_eq(c->getaddrinfo_allow_skew_ms, 250);
    ck_assert_int_eq(c->so_rcvbuf, 65536);
    ck_assert_int_eq(c->so_sndbuf, 32768);
    ck_assert_uint_eq(
        c->set, VG_DNS_OPT_NDOTS | VG_DNS_OPT_TIMEOUT | VG_DNS_OPT_ATTEMPTS |
                    VG_DNS_OPT_ROTATE | VG_DNS_OPT_MAX_TIMEOUTS |
                    VG_DNS_OPT_RANDOMIZE_CASE | VG_DNS_OPT_MAX_INFLIGHT |
                    VG_DNS_OPT_INITIAL_PROBE_TIMEOUT |
                    VG_DNS_OPT_GETADDRINFO_ALLOW_SKEW | VG_DNS_OPT_SO_RCVBUF |
                    VG_DNS_OPT_SO_SNDBUF);
    vg_dns_resolv_conf_free(c);
}
END_TEST

START_TEST(resolv_conf_defaults_and_domain)
{
    static const char t1[] = "search a.example b.example\ndomain Only.One "
                             "extra\n";
    static const char t2[] = "options ndots:99 attempts:0 timeout:99999 "
                             "timeout:1.2.3 ndots:";
    struct vg_dns_resolv_conf *c;

    ck_assert_int_eq(vg_dns_resolv_conf_parse("", 0, &c), 0);
    ck_assert_int_eq(c->n_ns, 0);
    ck_assert_int_eq(c->n_search, 0);
    ck_assert_int_eq(c->has_search, 0);
    ck_assert_int_eq(c->ndots, 1);
    ck_assert_int_eq(c->timeout_ms, 5000);
    ck_assert_int_eq(c->attempts, 2);
    ck_assert_uint_eq(c->set, 0);
    vg_dns_resolv_conf_free(c);

    ck_assert_int_eq(vg_dns_resolv_conf_parse(t1, strlen(t1), &c), 0);
    ck_assert_int_eq(c->n_search, 1);
    ck_assert_str_eq(c->search[0], "Only.One");
    vg_dns_resolv_conf_free(c);

    /* Clamped to resolv.conf(5)'s bounds; malformed values ignored. */
    ck_assert_int_eq(vg_dns_resolv_conf_parse(t2, strlen(t2), &c), 0);
    ck_assert_int_eq(c->ndots, 15);
    ck_assert_int_eq(c->attempts, 1);
    ck_assert_int_eq(c->timeout_ms, 3600000);
    vg_dns_resolv_conf_free(c);

    /* The option function alone, as evdns_base_set_option will use it. */
    ck_assert_int_eq(vg_dns_resolv_conf_parse("", 0, &c), 0);
    ck_assert_int_eq(vg_dns_resolv_conf_option(c, "timeout:", 8, "0.5", 3), 0);
    ck_assert_int_eq(c->timeout_ms, 500);
    ck_assert_int_eq(vg_dns_resolv_conf_option(c, "nosuch", 6, "1", 1),
                     VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_resolv_conf_option(c, "ndots", 5, NULL, 0),
                     VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_resolv_conf_option(c, "ndots", 5, "-1", 2),
                     VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_resolv_conf_option(c, "timeout", 7, ".", 1),
                     VG_DNS_ERR_FORMAT);
    vg_dns_resolv_conf_free(c);
}
END_TEST

START_TEST(resolv_conf_bounds)
{
    size_t cap = VG_DNS_CONF_MAX_BYTES + 2, len = 0;
    char *big = malloc(cap);
    struct vg_dns_resolv_conf *c;

    ck_assert_ptr_nonnull(big);
    /* Nameservers beyond the bound, and search domains beyond theirs, are
     * dropped; the file is still read. */
    for (int i = 0; i < 100; i++)
        len +=
            (size_t)snprintf(big + len, cap - len, "nameserver 10.0.0.%d\n", i);
    len += (size_t)snprintf(big + len, cap - len, "search");
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(big + len, cap - len, " d%d.example", i);
    ck_assert_int_eq(vg_dns_resolv_conf_parse(big, len, &c), 0);
    ck_assert_int_eq(c->n_ns, VG_DNS_CONF_MAX_NAMESERVERS);
    ck_assert_int_le(c->n_search, VG_DNS_CONF_MAX_SEARCH);
    ck_assert_int_gt(c->n_search, 10);
    vg_dns_resolv_conf_free(c);

    /* Too large a file. */
    memset(big, '#', cap);
    ck_assert_int_eq(vg_dns_resolv_conf_parse(big, VG_DNS_CONF_MAX_BYTES, &c),
                     0);
    vg_dns_resolv_conf_free(c);
    ck_assert_int_eq(
        vg_dns_resolv_conf_parse(big, VG_DNS_CONF_MAX_BYTES + 1, &c),
        VG_DNS_ERR_TOO_LARGE);
    ck_assert_ptr_null(c);

    /* NULs and very long words are just bad words. */
    memset(big, 'a', 1000);
    memcpy(big, "nameserver ", 11);
    big[500] = '\0';
    ck_assert_int_eq(vg_dns_resolv_conf_parse(big, 1000, &c), 0);
    ck_assert_int_eq(c->n_ns, 0);
    vg_dns_resolv_conf_free(c);
    free(big);
}
END_TEST

static const char hosts_golden[] =
    "# /etc/hosts\n"
    "127.0.0.1\tlocalhost\n"
    "127.0.1.1   myhost.example.org  myhost   # the machine\n"
    "::1     localhost ip6-localhost ip6-loopback\n"
    "fe00::0 ip6-localnet\n"
    "\n"
    "  192.0.2.7 Mixed.Case.Example alias1 alias2\n"
    "300.1.1.1 bad-address\n"
    "10.0.0.1\n"
    "#10.0.0.2 commented.out\n"
    "10.0.0.3 bad..name good-name\n"
    "2001:db8::zz nope\n"
    "10.0.0.4 last-line-no-newline";

START_TEST(hosts_golden_table)
{
    struct vg_dns_hosts *h;
    const struct vg_dns_host_entry *e;
    size_t pos = 0;

    ck_assert_int_eq(vg_dns_hosts_parse(hosts_golden, strlen(hosts_golden), &h),
                     0);
    ck_assert_uint_eq(h->n, 12);
    ck_assert_str_eq(h->e[0].name, "localhost");
    ck_assert_int_eq(h->e[0].family, AF_INET);
    ck_assert_mem_eq(h->e[0].addr, "\x7f\0\0\x01", 4);
    ck_assert_str_eq(h->e[1].name, "myhost.example.org");
    ck_assert_int_eq(h->e[1].is_alias, 0);
    ck_assert_str_eq(h->e[2].name, "myhost");
    ck_assert_int_eq(h->e[2].is_alias, 1);
    ck_assert_int_eq(h->e[3].family, AF_INET6);
    ck_assert_uint_eq(h->e[3].addr[15], 1);
    ck_assert_str_eq(h->e[5].name, "ip6-loopback");
    ck_assert_str_eq(h->e[6].name, "ip6-localnet");
    ck_assert_str_eq(h->e[7].name, "Mixed.Case.Example");
    ck_assert_str_eq(h->e[9].name, "alias2");
    ck_assert_str_eq(h->e[10].name, "good-name");
    ck_assert_str_eq(h->e[11].name, "last-line-no-newline");

    /* Lookups: any case, a final dot, a family, every match in turn. */
    e = vg_dns_hosts_find(h, "LOCALHOST", AF_UNSPEC, &pos);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->family, AF_INET);
    e = vg_dns_hosts_find(h, "localhost.", AF_UNSPEC, &pos);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->family, AF_INET6);
    ck_assert_ptr_null(vg_dns_hosts_find(h, "localhost", AF_UNSPEC, &pos));
    pos = 0;
    e = vg_dns_hosts_find(h, "localhost", AF_INET6, &pos);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->family, AF_INET6);
    pos = 0;
    e = vg_dns_hosts_find(h, "mixed.case.example", AF_INET, &pos);
    ck_assert_ptr_nonnull(e);
    ck_assert_mem_eq(e->addr, "\xc0\x00\x02\x07", 4);
    pos = 0;
    ck_assert_ptr_null(vg_dns_hosts_find(h, "bad-address", AF_UNSPEC, &pos));
    pos = 0;
    ck_assert_ptr_null(vg_dns_hosts_find(h, "local", AF_UNSPEC, &pos));
    pos = 0;
    ck_assert_ptr_null(vg_dns_hosts_find(h, "localhostx", AF_UNSPEC, &pos));
    vg_dns_hosts_free(h);

    ck_assert_int_eq(vg_dns_hosts_parse("", 0, &h), 0);
    ck_assert_uint_eq(h->n, 0);
    vg_dns_hosts_free(h);
    ck_assert_int_eq(vg_dns_hosts_parse("x", VG_DNS_HOSTS_MAX_BYTES + 1, &h),
                     VG_DNS_ERR_TOO_LARGE);
}
END_TEST

/* Every prefix of both golden texts parses, from an exact-size block. */
START_TEST(every_prefix_parses)
{
    for (size_t len = 0; len <= strlen(resolv_golden); len++) {
        char *copy = malloc(len ? len : 1);
        struct vg_dns_resolv_conf *c;

        ck_assert_ptr_nonnull(copy);
        memcpy(copy, resolv_golden, len);
        ck_assert_int_eq(vg_dns_resolv_conf_parse(copy, len, &c), 0);
        ck_assert_int_le(c->n_ns, 5);
        vg_dns_resolv_conf_free(c);
        free(copy);
    }
    for (size_t len = 0; len <= strlen(hosts_golden); len++) {
        char *copy = malloc(len ? len : 1);
        struct vg_dns_hosts *h;

        ck_assert_ptr_nonnull(copy);
        memcpy(copy, hosts_golden, len);
        ck_assert_int_eq(vg_dns_hosts_parse(copy, len, &h), 0);
        ck_assert_uint_le(h->n, 12);
        for (size_t i = 0; i < h->n; i++)
            ck_assert_uint_gt(strlen(h->e[i].name), 0);
        vg_dns_hosts_free(h);
        free(copy);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dns_conf");
    TCase *tc = vt_tcase("dns_conf", 30);

    tcase_add_test(tc, resolv_conf_golden);
    tcase_add_test(tc, resolv_conf_defaults_and_domain);
    tcase_add_test(tc, resolv_conf_bounds);
    tcase_add_test(tc, hosts_golden_table);
    tcase_add_test(tc, every_prefix_parses);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
