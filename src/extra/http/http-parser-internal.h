/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-parser-internal.h: the sans-I/O HTTP/1.x message parser shared by
 * the evhttp server (requests) and client (responses).  It takes bytes
 * and returns events: the head of a message (start line and header
 * fields), spans of body data, the end of the message, "need more", or an
 * error.  Nothing here touches a socket, a buffer, a clock or an event.
 *
 * Who may include it: the files of src/extra/http/ and the white-box
 * tests and fuzz targets.  It is never installed and nothing in it is
 * exported (the library builds with hidden visibility).
 *
 * Use: embed a struct vg_http_parser, vg_http_parser_init() it, then call
 * vg_http_parse() on the bytes as they arrive.  Each call reports one
 * event and how many bytes it consumed; call again on the rest until it
 * returns VG_HTTP_NEED_MORE (every byte consumed: bring more) or an
 * error.  On end of stream call vg_http_parser_finish().  Messages follow
 * one another in the same stream (pipelining): after VG_HTTP_EV_DONE the
 * next call starts the next message where the last one ended.
 *
 * Ownership: the head's strings are copied into a store the parser owns
 * (bounded by the limits); body data is never copied: each body span
 * points into the caller's input and is always the last bytes that call
 * consumed, so a caller can drain (consumed - span length) bytes of
 * framing and then move the span out of its buffer whole.  Memory goes
 * through the realloc/free pair set by vg_http_parser_set_alloc() (libc's
 * by default); vg_http_parser_cleanup() frees it all.
 *
 * Errors are negative VG_HTTP_ERR_* codes, one per rule, and sticky: once
 * a call fails, every later call returns the same code until
 * vg_http_parser_reset().  After an error, head holds what was read
 * (the start line's parts once it passed, the fields before the fault).
 *
 * Files: parser.c (the state machine, the store, the API) and
 * parser_line.c (the rules for one complete line, error texts).
 */
#ifndef VIGIL_HTTP_PARSER_INTERNAL_H
#define VIGIL_HTTP_PARSER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* What the parser reads. */
enum vg_http_kind {
    VG_HTTP_REQUEST = 0, /* request line, request framing rules */
    VG_HTTP_RESPONSE = 1 /* status line, response framing rules */
};

/* Results of vg_http_parse() and vg_http_parser_finish() that are not
 * errors. */
enum vg_http_event {
    VG_HTTP_NEED_MORE = 0, /* all input consumed; the message goes on */
    VG_HTTP_EV_HEAD = 1,   /* the head is complete: read p->head */
    VG_HTTP_EV_BODY = 2,   /* body bytes: the span out-parameter */
    VG_HTTP_EV_DONE = 3    /* the message is complete */
};

/* Errors, one per rule.  In brackets, the status a server answers with
 * (vg_http_error_status()). */
enum vg_http_error {
    /* Malformed request or status line [400]. */
    VG_HTTP_ERR_START_LINE = -1,
    /* The method is not a token [400]. */
    VG_HTTP_ERR_METHOD = -2,
    /* Empty request-target, or a CTL in it [400]. */
    VG_HTTP_ERR_TARGET = -3,
    /* Well formed, but not HTTP/1.0 or HTTP/1.1 [505]. */
    VG_HTTP_ERR_VERSION = -4,
    /* Status code not 3 digits, or outside 100-599 (responses). */
    VG_HTTP_ERR_STATUS = -5,
    /* A NUL byte in a line [400]. */
    VG_HTTP_ERR_NUL = -6,
    /* A CR not followed by LF [400]. */
    VG_HTTP_ERR_BARE_CR = -7,
    /* A field line starting with whitespace (obs-fold) [400]. */
    VG_HTTP_ERR_OBS_FOLD = -8,
    /* No colon, or a field name that is not a token [400]. */
    VG_HTTP_ERR_FIELD_NAME = -9,
    /* Whitespace between field name and colon [400]. */
    VG_HTTP_ERR_SPACE_BEFORE_COLON = -10,
    /* A CTL other than HTAB in a field value [400]. */
    VG_HTTP_ERR_FIELD_VALUE = -11,
    /* Start line over max_line [414]. */
    VG_HTTP_ERR_LINE_TOO_LONG = -12,
    /* More than max_fields field lines [431]. */
    VG_HTTP_ERR_TOO_MANY_FIELDS = -13,
    /* Head over max_head bytes [431]. */
    VG_HTTP_ERR_HEAD_TOO_LARGE = -14,
    /* Body over max_body bytes [413]. */
    VG_HTTP_ERR_BODY_TOO_LARGE = -15,
    /* Content-Length not 1*DIGIT (or a list of them), or over 2^63-1
     * [400]. */
    VG_HTTP_ERR_CONTENT_LENGTH = -16,
    /* Content-Length values that differ [400]. */
    VG_HTTP_ERR_CL_MISMATCH = -17,
    /* Both Transfer-Encoding and Content-Length [400]. */
    VG_HTTP_ERR_TE_AND_CL = -18,
    /* A bad coding list; chunked twice, with parameters or (requests) not
     * last; Transfer-Encoding in HTTP/1.0 [400]. */
    VG_HTTP_ERR_TE = -19,
    /* Chunk size without hex digits, or over 2^63-1 [400]. */
    VG_HTTP_ERR_CHUNK_SIZE = -20,
    /* A chunk extension against the grammar [400]. */
    VG_HTTP_ERR_CHUNK_EXT = -21,
    /* Chunk-size line over max_chunk_line [400]. */
    VG_HTTP_ERR_CHUNK_LINE_TOO_LONG = -22,
    /* A chunked framing line or chunk data not ended by CRLF [400]. */
    VG_HTTP_ERR_CHUNK_CRLF = -23,
    /* Trailers over max_trailer bytes or max_fields lines [400]. */
    VG_HTTP_ERR_TRAILERS_TOO_LARGE = -24,
    /* The stream ended inside a message [none: nobody to answer]. */
    VG_HTTP_ERR_EOF = -25,
    /* An allocation failed [500]. */
    VG_HTTP_ERR_NOMEM = -26,
    /* The caller broke the API's rules [500]. */
    VG_HTTP_ERR_INVALID = -27
};

/* Limits.  A limit counts bytes as they arrive, line endings included, so
 * a message is refused at the first byte that makes it too big, whatever
 * way the input is split. */
struct vg_http_limits {
    size_t max_line;       /* start line, line ending included */
    size_t max_fields;     /* field lines in the head; and in trailers */
    size_t max_head;       /* whole head: start line, empty lines before
                              it, field lines and the final empty line */
    uint64_t max_body;     /* body bytes after chunked decoding */
    size_t max_chunk_line; /* chunk-size line with its extensions */
    size_t max_trailer;    /* trailer section with its final empty line */
};

/* Defaults: 8 KiB start line, 100 fields, 64 KiB head, no body limit,
 * 4 KiB chunk-size line, 16 KiB trailers.  Sizes above 1 GiB (SIZE_MAX
 * for "no limit" included) are taken as 1 GiB, since the head is stored. */
void vg_http_limits_default(struct vg_http_limits *lim);

/* How the body is delimited (RFC 9112 section 6.3). */
enum vg_http_framing {
    VG_HTTP_BODY_NONE = 0,    /* no body */
    VG_HTTP_BODY_LENGTH = 1,  /* content_length bytes */
    VG_HTTP_BODY_CHUNKED = 2, /* chunked transfer coding */
    VG_HTTP_BODY_EOF = 3      /* until the stream ends (responses) */
};

/* head.flags: Transfer-Encoding names codings other than chunked (the
 * body is passed on still encoded; a server answers 501). */
#define VG_HTTP_HEAD_TE_OTHER 0x1

/* A header field: offsets into head.buf of its name (case kept) and of
 * its value (OWS trimmed); both are NUL-terminated there. */
struct vg_http_field {
    uint32_t name;
    uint32_t name_len;
    uint32_t value;
    uint32_t value_len;
};

/* The head of the current message, valid from VG_HTTP_EV_HEAD until the
 * first call after VG_HTTP_EV_DONE.  Read buf afresh after each call: it
 * may move.  Every string is an offset into buf and NUL-terminated. */
struct vg_http_head {
    const char *buf;
    uint32_t method, method_len; /* requests: the method token */
    uint32_t target, target_len; /* requests: the request-target */
    uint32_t reason, reason_len; /* responses: the reason phrase */
    int status;                  /* responses: 100 to 599 */
    int major, minor;            /* 1.0 or 1.1 */
    const struct vg_http_field *fields;
    size_t nfields;
    enum vg_http_framing framing;
    uint64_t content_length; /* VG_HTTP_BODY_LENGTH */
    unsigned flags;          /* VG_HTTP_HEAD_* */
};

/* Body data: len bytes at data, inside the caller's input. */
struct vg_http_span {
    const char *data;
    size_t len;
};

/* What Content-Length and Transfer-Encoding fields said so far. */
struct vg_http_lengths {
    int cl_seen;
    uint64_t cl;
    int te_seen;
    int te_codings;      /* codings listed */
    int te_chunked;      /* of which chunked */
    int te_chunked_last; /* the last one listed is chunked */
};

/* The parser.  Only head is for the caller to read; the rest is private
 * (it is here so that the parser can be embedded without an allocation). */
struct vg_http_parser {
    struct vg_http_head head;

    struct vg_http_limits lim;
    enum vg_http_kind kind;
    int state;
    int error;
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
    /* The store: head strings, then a partial framing line. */
    char *store;
    size_t store_len, store_cap;
    size_t line_len; /* bytes of the unfinished line, at store_len */
    struct vg_http_field *fields;
    size_t fields_cap;
    size_t head_bytes; /* head (or trailer) bytes of completed lines */
    size_t head_bare;  /* the same without line endings (as libevent
                          counts a head against its limit) */
    size_t ntrailers;
    uint64_t body_total; /* body bytes reported */
    uint64_t left;       /* of the body or of the current chunk */
    struct vg_http_lengths lengths;
};

/* Sets up p for kind, with lim (copied), or the defaults if lim is NULL.
 * Allocates nothing. */
void vg_http_parser_init(struct vg_http_parser *p, enum vg_http_kind kind,
                         const struct vg_http_limits *lim);

/* Replaces the allocator (before the first parse): realloc_fn(NULL, n)
 * must allocate and realloc_fn(ptr, n) resize; free_fn(ptr) frees. */
void vg_http_parser_set_alloc(struct vg_http_parser *p,
                              void *(*realloc_fn)(void *, size_t),
                              void (*free_fn)(void *));

/* Frees the parser's memory; p may be initialised again afterwards. */
void vg_http_parser_cleanup(struct vg_http_parser *p);

/* Forgets the current message and any error, keeping memory, kind and
 * limits: the next byte starts a new message (a new connection). */
void vg_http_parser_reset(struct vg_http_parser *p);

/* Consumes bytes from data (len of them; data may be NULL if len is 0)
 * up to and including the next event, and stores their number in
 * *consumed.  Returns:
 *   VG_HTTP_EV_HEAD   the head is complete (p->head);
 *   VG_HTTP_EV_BODY   *body holds body data: the last body->len bytes
 *                     consumed (never empty);
 *   VG_HTTP_EV_DONE   the message is complete; the next call starts the
 *                     next one;
 *   VG_HTTP_NEED_MORE every byte was consumed and more are needed;
 *   < 0               a VG_HTTP_ERR_* code (sticky); *consumed counts the
 *                     bytes read up to the fault (the faulty line
 *                     included).
 * DONE may come from a call with len 0 (a message with no body, or whose
 * last bytes the previous call took, completes without more bytes), so
 * loop until NEED_MORE. */
int vg_http_parse(struct vg_http_parser *p, const char *data, size_t len,
                  size_t *consumed, struct vg_http_span *body);

/* The stream has ended.  Returns VG_HTTP_EV_DONE when that completes the
 * message (a body read until close), VG_HTTP_NEED_MORE (0) when it ended
 * cleanly between messages, VG_HTTP_ERR_EOF when it ended inside one, or
 * the sticky error.  Call after vg_http_parse() returned NEED_MORE. */
int vg_http_parser_finish(struct vg_http_parser *p);

/* Right after VG_HTTP_EV_HEAD of a response: the message has no body
 * whatever its fields say (the request was HEAD, or a CONNECT got 2xx).
 * Returns 0, or VG_HTTP_ERR_INVALID at any other moment. */
int vg_http_parser_set_no_body(struct vg_http_parser *p);

/* 1 when no byte of a next message has arrived: the parser is between
 * messages (or before the first). */
int vg_http_parser_idle(const struct vg_http_parser *p);

/* 1 right after the body event that took the last bytes of a chunk's
 * data (a chunked body). */
int vg_http_parser_chunk_done(const struct vg_http_parser *p);

/* Index of the first field at or after index from whose name equals name
 * (ASCII case ignored), or -1. */
int vg_http_head_find(const struct vg_http_head *h, const char *name,
                      size_t from);

/* A constant English text for a VG_HTTP_ERR_* code. */
const char *vg_http_strerror(int err);

/* The status a server answers a request error with (400, 413, 414, 431,
 * 500, 505), or 0 for VG_HTTP_ERR_EOF (nobody to answer). */
int vg_http_error_status(int err);

/* ------------------------------------------------------------------ */
/* The reader: every read of input or of a line goes through it        */
/* ------------------------------------------------------------------ */

/* len bytes at base, read from pos; pos never passes len. */
struct vg_http_cur {
    const unsigned char *base;
    size_t len;
    size_t pos;
};

#define VG_HTTP_NOT_FOUND ((size_t)-1)

static inline void
vg_http_cur_init(struct vg_http_cur *c, const void *data, size_t len)
{
    c->base = (const unsigned char *)data;
    c->len = data != NULL ? len : 0;
    c->pos = 0;
}

static inline size_t
vg_http_cur_left(const struct vg_http_cur *c)
{
    return c->len - c->pos;
}

/* The next byte, or -1 at the end. */
static inline int
vg_http_cur_peek(const struct vg_http_cur *c)
{
    return c->pos < c->len ? c->base[c->pos] : -1;
}

static inline int
vg_http_cur_next(struct vg_http_cur *c)
{
    int b = vg_http_cur_peek(c);

    if (b >= 0)
        c->pos++;
    return b;
}

/* Takes n bytes: *out points at them.  Returns -1, moving nothing, if
 * fewer are left. */
static inline int
vg_http_cur_take(struct vg_http_cur *c, size_t n, const unsigned char **out)
{
    if (n > vg_http_cur_left(c))
        return -1;
    /* An empty reader may have no buffer at all. */
    *out = c->base != NULL ? c->base + c->pos : NULL;
    c->pos += n;
    return 0;
}

/* Distance from pos to the next byte ch, or VG_HTTP_NOT_FOUND. */
static inline size_t
vg_http_cur_find(const struct vg_http_cur *c, int ch)
{
    const unsigned char *hit;

    if (vg_http_cur_left(c) == 0)
        return VG_HTTP_NOT_FOUND;
    hit = (const unsigned char *)memchr(c->base + c->pos, ch,
                                        vg_http_cur_left(c));
    return hit != NULL ? (size_t)(hit - (c->base + c->pos)) : VG_HTTP_NOT_FOUND;
}

/* ------------------------------------------------------------------ */
/* Line rules (parser_line.c): checks of one complete line, its ending */
/* removed, that return 0 or a VG_HTTP_ERR_* code                      */
/* ------------------------------------------------------------------ */

/* A start line's parts, as offsets into the line. */
struct vg_http_start_line {
    size_t method_len;         /* requests: the method starts at 0 */
    size_t target, target_len; /* requests */
    size_t code;               /* responses: the 3 digits */
    size_t reason, reason_len; /* responses; reason is n when absent */
    int status, major, minor;
};

/* method SP request-target SP HTTP-version (RFC 9112 section 3). */
int vg_http_request_line(const unsigned char *s, size_t n,
                         struct vg_http_start_line *out);

/* HTTP-version SP 3DIGIT [SP reason-phrase] (RFC 9112 section 4). */
int vg_http_status_line(const unsigned char *s, size_t n,
                        struct vg_http_start_line *out);

/* A field line's parts: the name is [0, name_len), the colon at
 * name_len, the value (OWS trimmed) [value, value_end). */
struct vg_http_field_line {
    size_t name_len;
    size_t value, value_end;
};

/* field-name ":" OWS field-value OWS (RFC 9112 section 5). */
int vg_http_field_line(const unsigned char *s, size_t n,
                       struct vg_http_field_line *out);

/* Adds a Content-Length value (1*DIGIT, or a list of equal ones) or a
 * Transfer-Encoding value (#transfer-coding) to *l. */
int vg_http_content_length(const unsigned char *v, size_t n,
                           struct vg_http_lengths *l);
int vg_http_transfer_encoding(const unsigned char *v, size_t n,
                              struct vg_http_lengths *l);

/* chunk-size [chunk-ext] (RFC 9112 section 7.1): the size, at most
 * 2^63 - 1, in *size. */
int vg_http_chunk_line(const unsigned char *s, size_t n, uint64_t *size);

/* 1 if the n bytes at s equal text, ASCII case ignored. */
int vg_http_equal_nocase(const char *s, size_t n, const char *text);

/* Field accessors. */
static inline const char *
vg_http_field_name(const struct vg_http_head *h, size_t i)
{
    return h->buf + h->fields[i].name;
}

static inline const char *
vg_http_field_value(const struct vg_http_head *h, size_t i)
{
    return h->buf + h->fields[i].value;
}

#endif
