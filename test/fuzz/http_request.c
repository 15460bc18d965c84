/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_request.c: fuzz target for the request side of src/extra/http's
 * message parser.  The first byte chooses the limits (bit 7: tight ones,
 * so that every limit is reached) and a split point (bits 0-6, as a
 * fraction of the rest); the rest is the stream.  The stream is parsed
 * whole, split in two at that point and, when short, one byte at a time:
 * the three transcripts must be identical, and every call keeps the
 * parser's contract (http-transcript.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

#define HT_CHECK CHECK
#include "http-transcript.h"

/* Limits small enough for short inputs to reach. */
static const struct vg_http_limits tight = {
    .max_line = 48,
    .max_fields = 4,
    .max_head = 160,
    .max_body = 64,
    .max_chunk_line = 24,
    .max_trailer = 40,
};

/* Parses in whole, split at fraction / 128 of it and bytewise. */
static void
http_fuzz_run(const struct ht_opts *o, const char *in, size_t n,
              unsigned fraction)
{
    size_t cut = (size_t)(((uint64_t)n * fraction) / 128);
    char *whole = ht_run(o, in, n, 0, 0);
    char *split = ht_run(o, in, n, 0, cut);

    CHECK(strcmp(whole, split) == 0);
    if (n <= 4096) {
        char *bytes = ht_run(o, in, n, 1, 0);

        CHECK(strcmp(whole, bytes) == 0);
        free(bytes);
    }
    free(split);
    free(whole);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ht_opts o = {VG_HTTP_REQUEST, NULL, 0};

    if (size < 1)
        return 0;
    if (data[0] & 0x80)
        o.lim = &tight;
    http_fuzz_run(&o, (const char *)data + 1, size - 1, data[0] & 0x7f);
    return 0;
}
