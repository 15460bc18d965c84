/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * resolv_conf.c: fuzz target for the resolv.conf parser of
 * src/extra/dns/.  Any input parses (only size and memory can fail it),
 * and what comes out stays within its bounds: nameservers of a known
 * family with a port, search domains that are valid names, options within
 * their ranges.  The input's first line is then looked up through
 * vg_dns_search_plan with the parsed ndots and search list: every name
 * it gives is a valid name, and there are at most one more than the
 * search domains.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"

#include "fuzz-check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_dns_resolv_conf *c = NULL;
    int rc = vg_dns_resolv_conf_parse((const char *)data, size, &c);

    if (size > VG_DNS_CONF_MAX_BYTES) {
        CHECK(rc == VG_DNS_ERR_TOO_LARGE && c == NULL);
        return 0;
    }
    CHECK(rc == 0 && c != NULL);
    CHECK(c->n_ns >= 0 && c->n_ns <= VG_DNS_CONF_MAX_NAMESERVERS);
    for (int i = 0; i < c->n_ns; i++) {
        const struct sockaddr_storage *ss = &c->ns[i].addr;

        if (ss->ss_family == AF_INET) {
            CHECK(c->ns[i].addrlen == sizeof(struct sockaddr_in));
            CHECK(((const struct sockaddr_in *)ss)->sin_port != 0);
        } else {
            CHECK(ss->ss_family == AF_INET6);
            CHECK(c->ns[i].addrlen == sizeof(struct sockaddr_in6));
            CHECK(((const struct sockaddr_in6 *)ss)->sin6_port != 0);
        }
    }
    CHECK(c->n_search >= 0 && c->n_search <= VG_DNS_CONF_MAX_SEARCH);
    CHECK(c->n_search == 0 || c->has_search);
    for (int i = 0; i < c->n_search; i++) {
        struct vg_dns_name n;

        CHECK(vg_dns_name_from_text(c->search[i], &n) == 0 && n.len > 1);
        CHECK(memchr(data, c->search[i][0], size) != NULL);
    }
    CHECK(c->ndots >= 0 && c->ndots <= 15);
    CHECK(c->attempts >= 1 && c->attempts <= 255);
    CHECK(c->timeout_ms >= 0 && c->timeout_ms <= 3600000);
    CHECK(c->initial_probe_timeout_ms >= 0);
    CHECK(c->getaddrinfo_allow_skew_ms >= 0);
    CHECK(c->randomize_case == 0 || c->randomize_case == 1);
    CHECK(c->max_timeouts >= 0 && c->max_timeouts <= 255);
    CHECK(c->max_inflight >= 0 && c->max_inflight <= 65535);
    CHECK(c->so_rcvbuf >= 0 && c->so_sndbuf >= 0);

    {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t l = nl ? (size_t)(nl - data) : size;
        struct vg_dns_name plan[VG_DNS_CONF_MAX_SEARCH + 1];
        char *text = malloc(l + 1);
        int n;

        CHECK(text != NULL);
        memcpy(text, data, l);
        text[l] = '\0';
        n = vg_dns_search_plan(text, c->ndots, c->search, c->n_search, plan,
                               VG_DNS_CONF_MAX_SEARCH + 1);
        CHECK(n <= c->n_search + 1);
        for (int i = 0; i < n; i++) {
            struct vg_dns_cursor cur;
            struct vg_dns_name back;

            CHECK(plan[i].len >= 1 && plan[i].wire[plan[i].len - 1] == 0);
            vg_dns_cursor_init(&cur, plan[i].wire, plan[i].len);
            CHECK(vg_dns_name_read(&cur, &back) == 0);
            CHECK(vg_dns_name_equal(&back, &plan[i]));
        }
        free(text);
    }
    vg_dns_resolv_conf_free(c);
    return 0;
}
