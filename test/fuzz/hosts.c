/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * hosts.c: fuzz target for the hosts-file parser of src/extra/dns/.  Any
 * input parses; every entry has a known family, a non-empty name that is
 * a valid domain name, and is found again by vg_dns_hosts_find (in any
 * case, at or before its own index).
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
    struct vg_dns_hosts *h = NULL;

    if (size > 1 << 20)
        return 0;
    CHECK(vg_dns_hosts_parse((const char *)data, size, &h) == 0);
    for (size_t i = 0; i < h->n && i < 64; i++) {
        const struct vg_dns_host_entry *e = &h->e[i], *f;
        char upper[VG_DNS_NAME_TEXT_MAX];
        struct vg_dns_name n;
        size_t len = strlen(e->name), pos = 0;

        CHECK(e->family == AF_INET || e->family == AF_INET6);
        CHECK(len > 0 && len < sizeof(upper));
        CHECK(vg_dns_name_from_text(e->name, &n) == 0);
        for (size_t k = 0; k <= len; k++) {
            char ch = e->name[k];

            upper[k] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
        }
        f = vg_dns_hosts_find(h, upper, e->family, &pos);
        CHECK(f != NULL && f <= e && pos <= i + 1);
    }
    vg_dns_hosts_free(h);
    return 0;
}
