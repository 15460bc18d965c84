/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_parser.c (white-box): the HTTP/1.x message parser of
 * src/extra/http/.  Golden tables of valid and invalid requests and
 * responses, each checked against its transcript (see
 * test/fuzz/http-transcript.h) fed whole, split in two at every byte and
 * one byte at a time; pipelining; chunked bodies with extensions and
 * trailers; every limit at its boundary; the request smuggling cases of
 * RFC 9112 section 11.2 and of libevent 2.1.13's fixes; zero-copy body
 * spans; allocation failures; the line rules on their own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

#define HT_CHECK(cond) ck_assert_msg((cond), "%s", #cond)
#include "http-transcript.h"

/* A golden case: input (length from sizeof, so NULs may appear) and the
 * transcript every way of feeding it must give. */
struct golden {
    int line;
    const char *in;
    size_t len;
    const char *want;
};

#define G(in, want)                        \
    {                                      \
        __LINE__, in, sizeof(in) - 1, want \
    }

/* Checks one input fed whole, split in two at every byte and one byte
 * at a time. */
static void
check_all_splits(const struct ht_opts *o, const char *in, size_t len,
                 const char *want, int line)
{
    char *t = ht_run(o, in, len, 0, 0);

    ck_assert_msg(strcmp(t, want) == 0, "line %d:\n got  %s\n want %s", line, t,
                  want);
    free(t);
    for (size_t cut = 1; cut < len; cut++) {
        t = ht_run(o, in, len, 0, cut);
        ck_assert_msg(strcmp(t, want) == 0,
                      "line %d cut at %zu:\n got  %s\n want %s", line, cut, t,
                      want);
        free(t);
    }
    t = ht_run(o, in, len, 1, 0);
    ck_assert_msg(strcmp(t, want) == 0, "line %d bytewise:\n got  %s\n want %s",
                  line, t, want);
    free(t);
}

static void
check_table(const struct ht_opts *o, const struct golden *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_all_splits(o, g[i].in, g[i].len, g[i].want, g[i].line);
}

#define CHECK_TABLE(o, g) check_table((o), (g), sizeof(g) / sizeof((g)[0]))

static const struct ht_opts req = {VG_HTTP_REQUEST, NULL, 0};
static const struct ht_opts resp = {VG_HTTP_RESPONSE, NULL, 0};

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

static const struct golden valid_requests[] = {
    G("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
      "H GET / 1.1 [Host=example.com] none; D; end"),
    G("GET /x?y=1&z HTTP/1.0\r\n\r\n", "H GET /x?y=1&z 1.0 none; D; end"),
    /* A bare LF ends a head line (RFC 9112 section 2.2). */
    G("GET / HTTP/1.1\nHost: a\n\n", "H GET / 1.1 [Host=a] none; D; end"),
    /* OWS around values is trimmed; empty values are kept. */
    G("GET / HTTP/1.1\r\nX:  \t v a l \t \r\nY:\r\nZ: \r\n\r\n",
      "H GET / 1.1 [X=v a l] [Y=] [Z=] none; D; end"),
    /* Empty lines before the request line are skipped. */
    G("\r\n\n\r\nGET / HTTP/1.1\r\n\r\n", "H GET / 1.1 none; D; end"),
    G("OPTIONS * HTTP/1.1\r\n\r\n", "H OPTIONS * 1.1 none; D; end"),
    G("CONNECT example.com:443 HTTP/1.1\r\n\r\n",
      "H CONNECT example.com:443 1.1 none; D; end"),
    G("M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\n\r\n",
      "H M-SEARCH * 1.1 [MAN=\"ssdp:discover\"] none; D; end"),
    /* obs-text is allowed in values and (for the URI parser to judge) in
     * the target. */
    G("GET /caf\xc3\xa9 HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n",
      "H GET /caf\\xc3\\xa9 1.1 [X=caf\\xc3\\xa9] none; D; end"),
    G("GET / HTTP/1.1\r\nX-_!#$%&'*+.^`|~: v\r\n\r\n",
      "H GET / 1.1 [X-_!#$%&'*+.^`|~=v] none; D; end"),
    G("POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
      "H POST /p 1.1 [Content-Length=5] len=5; B hello; D; end"),
    G("POST /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      "H POST /p 1.1 [Content-Length=0] len=0; D; end"),
    /* Equal Content-Lengths, in a list or in several fields, are one. */
    G("POST / HTTP/1.1\r\nContent-Length: 3 , 3\r\ncontent-length: 003\r\n"
      "\r\nabc",
      "H POST / 1.1 [Content-Length=3 , 3] [content-length=003] len=3; "
      "B abc; D; end"),
    G("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\nab",
      "H POST / 1.1 [Content-Length=9223372036854775807] "
      "len=9223372036854775807; B ab; E EOF"),
    /* Chunked, with extensions and trailers (RFC 9112 section 7.1). */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "6;name=value ; q=\"a;\\\"b\\\\\" ;x\r\n world\r\n"
      "00A\r\n0123456789\r\n"
      "0;last\r\nX-Trailer: yes\r\nChecksum: abc\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
      "B hello world0123456789; D; end"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
      "1eB\r\n0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789a\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=CHUNKED] chunked; "
      "B 0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789abcdef0123456789abcdef0123456789abcdef"
      "0123456789a; D; end"),
    /* Other codings before chunked: framed, flagged for a 501. */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: gzip;level=\"9\", chunked\r\n"
      "\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=gzip;level=\"9\", chunked] chunked "
      "te-other; D; end"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
      "Transfer-Encoding: ,chunked,\r\n\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=gzip] [Transfer-Encoding=,chunked,] "
      "chunked te-other; D; end"),
    /* A name that only looks like Transfer-Encoding frames nothing. */
    G("POST / HTTP/1.1\r\nTransfer_Encoding: chunked\r\n\r\n",
      "H POST / 1.1 [Transfer_Encoding=chunked] none; D; end"),
    G("GET / HTTP/1.1\r\n\r\n\r\n", "H GET / 1.1 none; D; end"),
};

static const struct golden pipelined_requests[] = {
    G("GET /a HTTP/1.1\r\n\r\n"
      "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
      "GET /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nx\r\n0\r\n\r\n"
      "\r\nGET /d HTTP/1.0\r\n\r\n",
      "H GET /a 1.1 none; D; "
      "H POST /b 1.1 [Content-Length=2] len=2; B hi; D; "
      "H GET /c 1.1 [Transfer-Encoding=chunked] chunked; B x; D; "
      "H GET /d 1.0 none; D; end"),
    /* The second request is cut off: the stream ends inside it. */
    G("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nHo",
      "H GET /a 1.1 none; D; E EOF"),
    /* The first request's fault stops everything after it. */
    G("GET /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nxGET /b HTTP/1.1 x\r\n\r\n"
      "GET /c HTTP/1.1\r\n\r\n",
      "H GET /a 1.1 [Content-Length=1] len=1; B x; D; E START_LINE"),
};

static const struct golden invalid_requests[] = {
    /* The request line. */
    G("G(T / HTTP/1.1\r\n\r\n", "E METHOD"),
    G(" GET / HTTP/1.1\r\n\r\n", "E METHOD"),
    G("GET\t/ HTTP/1.1\r\n\r\n", "E METHOD"),
    G("GET  / HTTP/1.1\r\n\r\n", "E TARGET"),
    G("GET /\x01 HTTP/1.1\r\n\r\n", "E TARGET"),
    G("GET /\x7f HTTP/1.1\r\n\r\n", "E TARGET"),
    G("GET /\t HTTP/1.1\r\n\r\n", "E TARGET"),
    G("GET / HTTP/1.1 \r\n\r\n", "E START_LINE"),
    G("GET /\r\n\r\n", "E START_LINE"),
    G("GET\r\n\r\n", "E START_LINE"),
    G("GET / http/1.1\r\n\r\n", "E START_LINE"),
    G("GET / HTTP/1.10\r\n\r\n", "E START_LINE"),
    G("GET / HTTP/1\r\n\r\n", "E START_LINE"),
    G("GET / HTTP/2.0\r\n\r\n", "E VERSION"),
    G("GET / HTTP/1.2\r\n\r\n", "E VERSION"),
    G("GET / HTTP/0.9\r\n\r\n", "E VERSION"),
    G("GET /\0 HTTP/1.1\r\n\r\n", "E NUL"),
    G("GET /\r HTTP/1.1\r\n\r\n", "E BARE_CR"),
    G("GET / HTTP/1.1\r\r\n\r\n", "E BARE_CR"),
    /* Field lines (RFC 9112 section 5, libevent 2.1.13's stricter
     * header parsing). */
    G("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", "E NUL"),
    G("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", "E NUL"),
    G("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "E BARE_CR"),
    G("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", "E BARE_CR"),
    G("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "E OBS_FOLD"),
    G("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", "E OBS_FOLD"),
    G("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "E OBS_FOLD"),
    G("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "E SPACE_BEFORE_COLON"),
    G("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "E SPACE_BEFORE_COLON"),
    G("GET / HTTP/1.1\r\nHo st: a\r\n\r\n", "E FIELD_NAME"),
    G("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", "E FIELD_NAME"),
    G("GET / HTTP/1.1\r\nHost a\r\n\r\n", "E FIELD_NAME"),
    G("GET / HTTP/1.1\r\n: a\r\n\r\n", "E FIELD_NAME"),
    G("GET / HTTP/1.1\r\n\xc3\xa9: a\r\n\r\n", "E FIELD_NAME"),
    G("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", "E FIELD_VALUE"),
    G("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", "E FIELD_VALUE"),
    G("GET / HTTP/1.1\r\nX: a\x0b b\r\n\r\n", "E FIELD_VALUE"),
    G("GET / HTTP/1.1\r\nX: a\x0c\r\n\r\n", "E FIELD_VALUE"),
    /* Content-Length (RFC 9110 section 8.6). */
    G("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 5.0\r\n\r\n", "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n",
      "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 18446744073709551621\r\n\r\n",
      "E CONTENT_LENGTH"),
    G("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "E CL_MISMATCH"),
    G("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", "E CL_MISMATCH"),
    G("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 05, 4\r\n"
      "\r\n",
      "E CL_MISMATCH"),
    /* Transfer-Encoding (RFC 9112 section 6.1). */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: ,\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked x\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: gzip;a\r\n\r\n", "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: gzip;a=\"b\r\n\r\n", "E TE"),
    G("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "E TE"),
    /* The chunked decoder (RFC 9112 section 7.1). */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhelloX\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B hello; "
      "E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B hello; "
      "E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8000000000000000\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "00000000000000000000000000000000000000000000000000000001000000000"
      "00000000\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7fffffffffffffff\r\nab",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B ab; E EOF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;a=\"\x01\"\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;a=\"\\\x7f\"\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;a=\"\\\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    /* Trailers follow the head's rules and need CRLF. */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX : y\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
      "E SPACE_BEFORE_COLON"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX: y\r\n z\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E OBS_FOLD"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX: \0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E NUL"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX: y\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E EOF"),
    G("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
      "H POST / 1.1 [Content-Length=10] len=10; B abc; E EOF"),
    G("GET / HTTP/1.1\r\nHost: a\r\n", "E EOF"),
    G("GET / HTTP/1.1", "E EOF"),
    G("\r", "E EOF"),
};

/* Request smuggling: RFC 9112 section 11.2 and the cases libevent 2.1.13
 * closed.  Each would let two parsers disagree on where a request ends. */
static const struct golden smuggling[] = {
    /* CL.TE and TE.CL: both framings in one request. */
    G("POST / HTTP/1.1\r\nContent-Length: 6\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
      "E TE_AND_CL"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
      "E TE_AND_CL"),
    /* TE.TE: obfuscated Transfer-Encoding that one side ignores. */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-encoding: cow\r\n\r\n",
      "E TE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n",
      "E SPACE_BEFORE_COLON"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
      "E OBS_FOLD"),
    G("POST / HTTP/1.1\r\nX: x\r\nTransfer-Encoding: chunked\r\r\n\r\n",
      "E BARE_CR"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: \x0b"
      "chunked\r\n\r\n",
      "E FIELD_VALUE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\0\r\n\r\n", "E NUL"),
    G("POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\n\r\n", "E OBS_FOLD"),
    /* CL.CL: two lengths. */
    G("POST / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
      "E CL_MISMATCH"),
    G("POST / HTTP/1.1\r\nContent-Length: 4 4\r\n\r\n", "E CONTENT_LENGTH"),
    /* Chunk sizes that wrap around (libevent 2.1.13: negative sizes and
     * overflow), and a size with junk after it. */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "ffffffffffffffff\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1000000000000000a\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_SIZE"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\0\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_EXT"),
    /* A chunk-size line ended by a bare LF, and chunk data followed by
     * something other than CRLF. */
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2;\n\r\nxx\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; E CHUNK_CRLF"),
    G("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nxxx\r\n0\r\n\r\n",
      "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B xx; "
      "E CHUNK_CRLF"),
    /* HTTP/1.0 with Transfer-Encoding has faulty framing. */
    G("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "E TE"),
};

START_TEST(requests_valid)
{
    CHECK_TABLE(&req, valid_requests);
}
END_TEST

START_TEST(requests_pipelined)
{
    CHECK_TABLE(&req, pipelined_requests);
}
END_TEST

START_TEST(requests_invalid)
{
    CHECK_TABLE(&req, invalid_requests);
}
END_TEST

START_TEST(requests_smuggling)
{
    CHECK_TABLE(&req, smuggling);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

static const struct golden valid_responses[] = {
    G("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
      "H 1.1 200 (OK) [Content-Length=2] len=2; B hi; D; end"),
    /* Neither framing field: read until the server closes. */
    G("HTTP/1.0 200 OK\r\n\r\nabc", "H 1.0 200 (OK) eof; B abc; D; end"),
    G("HTTP/1.1 200 OK\r\n\r\n", "H 1.1 200 (OK) eof; D; end"),
    G("HTTP/1.1 404 Not  Found\t!\r\nContent-Length: 0\r\n\r\n",
      "H 1.1 404 (Not  Found\\x09!) [Content-Length=0] len=0; D; end"),
    G("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      "H 1.1 200 () [Content-Length=0] len=0; D; end"),
    G("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
      "H 1.1 200 () [Content-Length=0] len=0; D; end"),
    G("HTTP/1.1 200 caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
      "H 1.1 200 (caf\\xc3\\xa9) [Content-Length=0] len=0; D; end"),
    /* 1xx, 204 and 304 have no body, whatever the fields say. */
    G("HTTP/1.1 204 No Content\r\n\r\n", "H 1.1 204 (No Content) none; D; end"),
    G("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
      "H 1.1 304 (Not Modified) [Content-Length=100] none; D; end"),
    G("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
      "Link: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
      "H 1.1 100 (Continue) none; D; "
      "H 1.1 103 (Early Hints) [Link=</s.css>] none; D; "
      "H 1.1 200 (OK) [Content-Length=1] len=1; B x; D; end"),
    G("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;a=b\r\nabc\r\n0\r\nExpires: never\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nd",
      "H 1.1 200 (OK) [Transfer-Encoding=chunked] chunked; B abc; D; "
      "H 1.1 200 (OK) [Content-Length=1] len=1; B d; D; end"),
    /* A final coding other than chunked: until close (section 6.3). */
    G("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz",
      "H 1.1 200 (OK) [Transfer-Encoding=gzip] eof te-other; B xyz; D; end"),
    G("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz",
      "H 1.1 200 (OK) [Transfer-Encoding=chunked, gzip] eof te-other; "
      "B xyz; D; end"),
};

static const struct golden invalid_responses[] = {
    G("HTTP/1.1 20 OK\r\n\r\n", "E STATUS"),
    G("HTTP/1.1 2000 OK\r\n\r\n", "E STATUS"),
    G("HTTP/1.1 099 X\r\n\r\n", "E STATUS"),
    G("HTTP/1.1 600 X\r\n\r\n", "E STATUS"),
    G("HTTP/1.1 abc OK\r\n\r\n", "E STATUS"),
    G("HTTP/1.1  200 OK\r\n\r\n", "E STATUS"),
    G("HTTP/1.1 200OK\r\n\r\n", "E STATUS"),
    G("HTTP/1.1\r\n\r\n", "E START_LINE"),
    G("HTTP/2 200 OK\r\n\r\n", "E START_LINE"),
    G("ICY 200 OK\r\n\r\n", "E START_LINE"),
    G("HTTP/1.1 200 O\x01K\r\n\r\n", "E START_LINE"),
    G("HTTP/1.1 200 O\0K\r\n\r\n", "E NUL"),
    G("HTTP/1.1 200 O\rK\r\n\r\n", "E BARE_CR"),
    G("HTTP/2.0 200 OK\r\n\r\n", "E VERSION"),
    G("HTTP/1.1 200 OK\r\nX\r\n\r\n", "E FIELD_NAME"),
    G("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      "E TE_AND_CL"),
    G("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", "E TE"),
    G("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "E TE"),
    G("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "E CL_MISMATCH"),
    G("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
      "H 1.1 200 (OK) [Content-Length=3] len=3; B ab; E EOF"),
    G("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
      "H 1.1 200 (OK) [Transfer-Encoding=chunked] chunked; B ab; E EOF"),
};

START_TEST(responses_valid)
{
    CHECK_TABLE(&resp, valid_responses);
}
END_TEST

START_TEST(responses_invalid)
{
    CHECK_TABLE(&resp, invalid_responses);
}
END_TEST

/* A response to HEAD: the client says so after the head. */
START_TEST(responses_to_head)
{
    static const struct ht_opts head = {VG_HTTP_RESPONSE, NULL, 1};
    static const struct golden g[] = {
        G("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "HTTP/1.1 200 OK\r\n\r\n",
          "H 1.1 200 (OK) [Content-Length=100] len=100; D; "
          "H 1.1 200 (OK) [Transfer-Encoding=chunked] chunked; D; "
          "H 1.1 200 (OK) eof; D; end"),
    };
    struct vg_http_parser p;
    struct vg_http_span span;
    size_t used;

    CHECK_TABLE(&head, g);
    /* set_no_body is only for the moment after a head. */
    vg_http_parser_init(&p, VG_HTTP_RESPONSE, NULL);
    ck_assert_int_eq(vg_http_parser_set_no_body(&p), VG_HTTP_ERR_INVALID);
    ck_assert_int_eq(vg_http_parse(&p, "HTTP/1.1 200 OK\r\n", 17, &used, &span),
                     VG_HTTP_NEED_MORE);
    ck_assert_int_eq(vg_http_parser_set_no_body(&p), VG_HTTP_ERR_INVALID);
    vg_http_parser_cleanup(&p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

/* Builds "GET /aaa... HTTP/1.1\r\n" of exactly n bytes (n >= 17). */
static char *
request_line_of(size_t n, char *buf)
{
    size_t target = n - 16; /* "GET /" and " HTTP/1.1\r\n" */

    memcpy(buf, "GET /", 5);
    memset(buf + 5, 'a', target);
    memcpy(buf + 5 + target, " HTTP/1.1\r\n", 11);
    buf[n] = '\0';
    return buf;
}

#define expect(o, in, want) \
    check_all_splits((o), (in), strlen(in), (want), __LINE__)

START_TEST(limit_start_line)
{
    struct vg_http_limits lim;
    struct ht_opts o = {VG_HTTP_REQUEST, &lim, 0};
    char line[64], in[128], want[128];

    vg_http_limits_default(&lim);
    lim.max_line = 40;
    /* 40 bytes with CRLF pass; 41 do not, whether or not the CRLF has
     * arrived (the rest of the line may never come). */
    snprintf(in, sizeof(in), "%s\r\n", request_line_of(40, line));
    snprintf(want, sizeof(want), "H GET /%.24s 1.1 none; D; end", line + 5);
    expect(&o, in, want);
    snprintf(in, sizeof(in), "%s\r\n", request_line_of(41, line));
    expect(&o, in, "E LINE_TOO_LONG");
    in[40] = '\0';
    expect(&o, in, "E LINE_TOO_LONG");
    in[39] = '\0';
    expect(&o, in, "E EOF");
    /* With a bare LF the ending is one byte. */
    request_line_of(41, line);
    line[39] = '\n';
    line[40] = '\0';
    snprintf(in, sizeof(in), "%s\n", line);
    snprintf(want, sizeof(want), "H GET /%.25s 1.1 none; D; end", line + 5);
    expect(&o, in, want);
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_LINE_TOO_LONG), 414);
}
END_TEST

START_TEST(limit_head)
{
    struct vg_http_limits lim;
    struct ht_opts o = {VG_HTTP_REQUEST, &lim, 0};

    vg_http_limits_default(&lim);
    /* "GET / HTTP/1.1\r\n" 16 + "X: 0123456789\r\n" 15 + "\r\n" 2. */
    lim.max_head = 33;
    expect(&o, "GET / HTTP/1.1\r\nX: 0123456789\r\n\r\n",
           "H GET / 1.1 [X=0123456789] none; D; end");
    expect(&o, "GET / HTTP/1.1\r\nX: 01234567890\r\n\r\n", "E HEAD_TOO_LARGE");
    /* Refused before the line ends. */
    expect(&o, "GET / HTTP/1.1\r\nX: 0123456789012345", "E HEAD_TOO_LARGE");
    /* Empty lines before the request line count. */
    expect(&o, "\r\nGET / HTTP/1.1\r\nX: 0123456789\r\n\r\n",
           "E HEAD_TOO_LARGE");
    lim.max_head = 17;
    expect(&o, "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n", "E HEAD_TOO_LARGE");
    expect(&o, "GET / HTTP/1.1\r\n\r\n", "E HEAD_TOO_LARGE");
    expect(&o, "GET / HTTP/1.1\n\n", "H GET / 1.1 none; D; end");
    lim.max_head = 10;
    expect(&o, "GET / HTTP/1.1\r\n", "E HEAD_TOO_LARGE");
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_HEAD_TOO_LARGE), 431);
}
END_TEST

START_TEST(limit_fields)
{
    struct vg_http_limits lim;
    struct ht_opts o = {VG_HTTP_REQUEST, &lim, 0};

    vg_http_limits_default(&lim);
    lim.max_fields = 2;
    expect(&o, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n",
           "H GET / 1.1 [A=1] [B=2] none; D; end");
    expect(&o, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
           "E TOO_MANY_FIELDS");
    /* The count comes before the line's own faults. */
    expect(&o, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC : 3\r\n\r\n",
           "E TOO_MANY_FIELDS");
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_TOO_MANY_FIELDS), 431);
}
END_TEST

START_TEST(limit_body)
{
    struct vg_http_limits lim;
    struct ht_opts o = {VG_HTTP_REQUEST, &lim, 0};
    struct ht_opts r = {VG_HTTP_RESPONSE, &lim, 0};

    vg_http_limits_default(&lim);
    lim.max_body = 4;
    expect(&o, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd",
           "H POST / 1.1 [Content-Length=4] len=4; B abcd; D; end");
    /* The head is reported first, so that a server can answer 413 (or
     * not send 100 Continue) knowing the request. */
    expect(&o, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde",
           "H POST / 1.1 [Content-Length=5] len=5; E BODY_TOO_LARGE");
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B abcd; D; "
           "end");
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B abc; "
           "E BODY_TOO_LARGE");
    expect(&r, "HTTP/1.1 200 OK\r\n\r\nabcd",
           "H 1.1 200 (OK) eof; B abcd; D; end");
    expect(&r, "HTTP/1.1 200 OK\r\n\r\nabcde",
           "H 1.1 200 (OK) eof; B abcd; E BODY_TOO_LARGE");
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_BODY_TOO_LARGE), 413);
}
END_TEST

START_TEST(limit_chunk_line_and_trailers)
{
    struct vg_http_limits lim;
    struct ht_opts o = {VG_HTTP_REQUEST, &lim, 0};

    vg_http_limits_default(&lim);
    lim.max_chunk_line = 8;
    lim.max_trailer = 14;
    lim.max_fields = 2;
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "1;a=bc\r\nx\r\n0\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; B x; D; end");
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "1;a=bcd\r\nx\r\n0\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
           "E CHUNK_LINE_TOO_LONG");
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "1;aaaaaaaaaaaaaaaaaaaaa",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
           "E CHUNK_LINE_TOO_LONG");
    /* Trailers: 14 bytes with the final CRLF. */
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "0\r\nA: 1\r\nB: 2\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; D; end");
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "0\r\nA: 1\r\nB: 23\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
           "E TRAILERS_TOO_LARGE");
    lim.max_trailer = 100;
    expect(&o,
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
           "H POST / 1.1 [Transfer-Encoding=chunked] chunked; "
           "E TRAILERS_TOO_LARGE");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The API's contract                                                  */
/* ------------------------------------------------------------------ */

/* Body spans point into the caller's input; the head's strings into the
 * store, NUL-terminated. */
START_TEST(zero_copy_spans)
{
    static const char in[] = "POST /up HTTP/1.1\r\nHost: h\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n"
                             "4\r\nwiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n";
    struct vg_http_parser p;
    struct vg_http_span span;
    size_t used, at = 0, nbody = 0;
    int rc, i;

    vg_http_parser_init(&p, VG_HTTP_REQUEST, NULL);
    rc = vg_http_parse(&p, in, sizeof(in) - 1, &used, &span);
    ck_assert_int_eq(rc, VG_HTTP_EV_HEAD);
    ck_assert_uint_eq(used, strstr(in, "4\r\n") - in);
    ck_assert_str_eq(p.head.buf + p.head.method, "POST");
    ck_assert_str_eq(p.head.buf + p.head.target, "/up");
    ck_assert_int_eq(p.head.major, 1);
    ck_assert_int_eq(p.head.minor, 1);
    ck_assert_uint_eq(p.head.nfields, 2);
    i = vg_http_head_find(&p.head, "transfer-ENCODING", 0);
    ck_assert_int_eq(i, 1);
    ck_assert_str_eq(vg_http_field_value(&p.head, (size_t)i), "chunked");
    ck_assert_str_eq(vg_http_field_name(&p.head, 0), "Host");
    ck_assert_int_eq(vg_http_head_find(&p.head, "host", 1), -1);
    ck_assert_int_eq(vg_http_head_find(&p.head, "hos", 0), -1);
    at += used;
    while ((rc = vg_http_parse(&p, in + at, sizeof(in) - 1 - at, &used,
                               &span)) == VG_HTTP_EV_BODY) {
        /* The span is the end of what this call consumed. */
        ck_assert_ptr_eq(span.data + span.len, in + at + used);
        ck_assert_ptr_eq(span.data,
                         nbody == 0 ? strstr(in, "wiki") : strstr(in, "pedia"));
        nbody++;
        at += used;
    }
    ck_assert_uint_eq(nbody, 2);
    ck_assert_int_eq(rc, VG_HTTP_EV_DONE);
    /* The head stays readable until the next call. */
    ck_assert_str_eq(p.head.buf + p.head.target, "/up");
    at += used;
    ck_assert_uint_eq(at, sizeof(in) - 1);
    ck_assert_int_eq(vg_http_parse(&p, NULL, 0, &used, &span),
                     VG_HTTP_NEED_MORE);
    ck_assert_int_eq(vg_http_parser_finish(&p), VG_HTTP_NEED_MORE);
    vg_http_parser_cleanup(&p);
}
END_TEST

START_TEST(errors_are_sticky_until_reset)
{
    static const char bad[] = "GET / HTTP/1.1\r\nA : b\r\n\r\n";
    static const char good[] = "GET /ok HTTP/1.1\r\n\r\n";
    struct vg_http_parser p;
    struct vg_http_span span;
    size_t used;

    vg_http_parser_init(&p, VG_HTTP_REQUEST, NULL);
    ck_assert_int_eq(vg_http_parse(&p, bad, sizeof(bad) - 1, &used, &span),
                     VG_HTTP_ERR_SPACE_BEFORE_COLON);
    /* The start line was read before the fault. */
    ck_assert_str_eq(p.head.buf + p.head.target, "/");
    ck_assert_int_eq(vg_http_parse(&p, good, sizeof(good) - 1, &used, &span),
                     VG_HTTP_ERR_SPACE_BEFORE_COLON);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(vg_http_parser_finish(&p), VG_HTTP_ERR_SPACE_BEFORE_COLON);
    vg_http_parser_reset(&p);
    ck_assert_int_eq(vg_http_parse(&p, good, sizeof(good) - 1, &used, &span),
                     VG_HTTP_EV_HEAD);
    ck_assert_str_eq(p.head.buf + p.head.target, "/ok");
    ck_assert_int_eq(vg_http_parse(&p, NULL, 0, &used, &span), VG_HTTP_EV_DONE);
    ck_assert_int_eq(vg_http_parse(&p, NULL, 1, &used, &span),
                     VG_HTTP_ERR_INVALID);
    vg_http_parser_cleanup(&p);
    ck_assert_str_eq(vg_http_strerror(VG_HTTP_ERR_TE_AND_CL),
                     "both Transfer-Encoding and Content-Length");
    ck_assert_str_eq(vg_http_strerror(-1000), "unknown error");
    ck_assert_str_eq(vg_http_strerror(VG_HTTP_EV_DONE), "no error");
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_VERSION), 505);
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_TE), 400);
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_EOF), 0);
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_ERR_NOMEM), 500);
    ck_assert_int_eq(vg_http_error_status(-1000), 400);
    ck_assert_int_eq(vg_http_error_status(VG_HTTP_EV_HEAD), 0);
}
END_TEST

/* An allocator that fails after a given number of calls. */
static int allocs_left;

static void *
failing_realloc(void *ptr, size_t n)
{
    if (allocs_left-- <= 0)
        return NULL;
    return realloc(ptr, n);
}

static void
counting_free(void *ptr)
{
    free(ptr);
}

START_TEST(allocation_failures)
{
    static const char in[] =
        "POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n"
        "G: 7\r\nH: 8\r\nI: 9\r\nLong: "
        "0123456789012345678901234567890123456789012345678901234567890123"
        "0123456789012345678901234567890123456789012345678901234567890123"
        "0123456789012345678901234567890123456789012345678901234567890123"
        "0123456789012345678901234567890123456789012345678901234567890123"
        "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
    int ok = 0;

    for (int budget = 0; budget < 16 && !ok; budget++) {
        struct vg_http_parser p;
        struct vg_http_span span;
        size_t at = 0, used;
        int rc;

        vg_http_parser_init(&p, VG_HTTP_REQUEST, NULL);
        vg_http_parser_set_alloc(&p, failing_realloc, counting_free);
        allocs_left = budget;
        /* Fed one byte at a time, so every line is gathered. */
        do {
            rc = vg_http_parse(&p, in + at, 1, &used, &span);
            at += used;
        } while (rc >= 0 && at < sizeof(in) - 1);
        if (rc == VG_HTTP_EV_DONE)
            ok = 1;
        else
            ck_assert_int_eq(rc, VG_HTTP_ERR_NOMEM);
        vg_http_parser_cleanup(&p);
    }
    ck_assert_int_eq(ok, 1);
}
END_TEST

/* The line rules on their own. */
START_TEST(line_rules)
{
    struct vg_http_lengths l;
    struct vg_http_field_line f;
    struct vg_http_start_line s;
    uint64_t size;

#define U(s) (const unsigned char *)(s), strlen(s)
    memset(&l, 0, sizeof(l));
    ck_assert_int_eq(vg_http_content_length(U("42"), &l), 0);
    ck_assert_uint_eq(l.cl, 42);
    ck_assert_int_eq(vg_http_content_length(U("42,42"), &l), 0);
    ck_assert_int_eq(vg_http_content_length(U("43"), &l),
                     VG_HTTP_ERR_CL_MISMATCH);
    memset(&l, 0, sizeof(l));
    ck_assert_int_eq(vg_http_transfer_encoding(U("gzip, chunked"), &l), 0);
    ck_assert_int_eq(vg_http_transfer_encoding(U("br"), &l), 0);
    ck_assert_int_eq(l.te_codings, 3);
    ck_assert_int_eq(l.te_chunked, 1);
    ck_assert_int_eq(l.te_chunked_last, 0);
    ck_assert_int_eq(vg_http_field_line(U("Name:\t v \t"), &f), 0);
    ck_assert_uint_eq(f.name_len, 4);
    ck_assert_uint_eq(f.value, 7);
    ck_assert_uint_eq(f.value_end, 8);
    ck_assert_int_eq(vg_http_request_line(U("GET /p HTTP/1.0"), &s), 0);
    ck_assert_uint_eq(s.method_len, 3);
    ck_assert_uint_eq(s.target, 4);
    ck_assert_uint_eq(s.target_len, 2);
    ck_assert_int_eq(s.minor, 0);
    ck_assert_int_eq(vg_http_status_line(U("HTTP/1.1 418 I'm a teapot"), &s),
                     0);
    ck_assert_int_eq(s.status, 418);
    ck_assert_uint_eq(s.reason, 13);
    ck_assert_uint_eq(s.reason_len, 12);
    ck_assert_int_eq(vg_http_chunk_line(U("7FFFFFFFFFFFFFFF;a"), &size), 0);
    ck_assert_uint_eq(size, INT64_MAX);
    ck_assert_int_eq(vg_http_chunk_line(U(""), &size), VG_HTTP_ERR_CHUNK_SIZE);
#undef U
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_parser");
    TCase *tc = vt_tcase("http_parser", 60);

    tcase_add_test(tc, requests_valid);
    tcase_add_test(tc, requests_pipelined);
    tcase_add_test(tc, requests_invalid);
    tcase_add_test(tc, requests_smuggling);
    tcase_add_test(tc, responses_valid);
    tcase_add_test(tc, responses_invalid);
    tcase_add_test(tc, responses_to_head);
    tcase_add_test(tc, limit_start_line);
    tcase_add_test(tc, limit_head);
    tcase_add_test(tc, limit_fields);
    tcase_add_test(tc, limit_body);
    tcase_add_test(tc, limit_chunk_line_and_trailers);
    tcase_add_test(tc, zero_copy_spans);
    tcase_add_test(tc, errors_are_sticky_until_reset);
    tcase_add_test(tc, allocation_failures);
    tcase_add_test(tc, line_rules);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
