/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_chunked.c: fuzz target for the chunked decoder of src/extra/http's
 * message parser.  The input (after its first byte) is a chunked body:
 * it follows a fixed request head with "Transfer-Encoding: chunked" (or,
 * with bit 6 of the first byte, a response head).  Bit 7 chooses tight
 * limits, bits 0-5 a split point inside the body.  The stream is parsed
 * whole, split there and one byte at a time, with identical transcripts;
 * a body that decodes is never longer than its encoding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

#define HT_CHECK CHECK
#include "http-transcript.h"

static const struct vg_http_limits tight = {
    .max_line = 8192,
    .max_fields = 4,
    .max_head = 65536,
    .max_body = 64,
    .max_chunk_line = 24,
    .max_trailer = 40,
};

static const char req_head[] =
    "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char resp_head[] =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

/* Body bytes the parser reports for in, parsed whole. */
static uint64_t
decoded_length(const struct ht_opts *o, const char *in, size_t n)
{
    struct vg_http_parser p;
    struct vg_http_span span;
    uint64_t total = 0;
    size_t at = 0, used;
    int rc;

    vg_http_parser_init(&p, o->kind, o->lim);
    do {
        rc = vg_http_parse(&p, in + at, n - at, &used, &span);
        at += used;
        total += span.len;
    } while (rc > 0);
    vg_http_parser_cleanup(&p);
    return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ht_opts o = {VG_HTTP_REQUEST, NULL, 0};
    const char *head = req_head;
    size_t hlen = sizeof(req_head) - 1, n, cut;
    char *in, *whole, *split;

    if (size < 1)
        return 0;
    if (data[0] & 0x40) {
        o.kind = VG_HTTP_RESPONSE;
        head = resp_head;
        hlen = sizeof(resp_head) - 1;
    }
    if (data[0] & 0x80)
        o.lim = &tight;
    n = hlen + size - 1;
    in = malloc(n);
    CHECK(in != NULL);
    memcpy(in, head, hlen);
    memcpy(in + hlen, data + 1, size - 1);
    cut = hlen + (size_t)(((uint64_t)(size - 1) * (data[0] & 0x3f)) / 64);
    whole = ht_run(&o, in, n, 0, 0);
    split = ht_run(&o, in, n, 0, cut);
    CHECK(strcmp(whole, split) == 0);
    if (n <= 4096) {
        char *bytes = ht_run(&o, in, n, 1, 0);

        CHECK(strcmp(whole, bytes) == 0);
        free(bytes);
    }
    CHECK(decoded_length(&o, in, n) <= size - 1);
    free(split);
    free(whole);
    free(in);
    return 0;
}
