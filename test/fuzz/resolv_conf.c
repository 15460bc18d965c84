/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * resolv_conf.c: fuzz target for the resolv.conf parser of
 * src/extra/dns/.  Any input parses (only size and memory can fail it),
 * and what comes out stays within its bounds: nameservers of a known
 * family with a port, search domains that are valid names, options within
 * their ranges.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

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
    vg_dns_resolv_conf_free(c);
    return 0;
}
