/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_response.c: fuzz target for the response side of src/extra/http's
 * message parser.  The first byte chooses the limits (bit 7: tight ones),
 * whether the responses answer HEAD (bit 6: set_no_body after each head)
 * and a split point (bits 0-5); the rest is the stream, parsed whole,
 * split there and one byte at a time, with identical transcripts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

#define HT_CHECK CHECK
#include "http-transcript.h"

static const struct vg_http_limits tight = {
    .max_line = 48,
    .max_fields = 4,
    .max_head = 160,
    .max_body = 64,
    .max_chunk_line = 24,
    .max_trailer = 40,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ht_opts o = {VG_HTTP_RESPONSE, NULL, 0};
    const char *in = (const char *)data + 1;
    size_t n, cut;
    char *whole, *split;

    if (size < 1)
        return 0;
    n = size - 1;
    if (data[0] & 0x80)
        o.lim = &tight;
    o.no_body = (data[0] & 0x40) != 0;
    cut = (size_t)(((uint64_t)n * (data[0] & 0x3f)) / 64);
    whole = ht_run(&o, in, n, 0, 0);
    split = ht_run(&o, in, n, 0, cut);
    CHECK(strcmp(whole, split) == 0);
    if (n <= 4096) {
        char *bytes = ht_run(&o, in, n, 1, 0);

        CHECK(strcmp(whole, bytes) == 0);
        free(bytes);
    }
    free(split);
    free(whole);
    return 0;
}
