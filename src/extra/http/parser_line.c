/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * parser_line.c: the rules for one complete line of an HTTP/1.x message
 * (start lines, field lines, the values of Content-Length and
 * Transfer-Encoding, chunk-size lines), the error texts, and header
 * lookup.  The state machine in parser.c calls these once a line's LF has
 * arrived; they read only through struct vg_http_cur and write nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "http-parser-internal.h"

#define CL_MAX ((uint64_t)INT64_MAX)

/* ------------------------------------------------------------------ */
/* Character classes (RFC 9110 section 5.6)                            */
/* ------------------------------------------------------------------ */

#define C_TCHAR 1   /* token characters */
#define C_VCHAR 2   /* VCHAR and obs-text: field-vchar */
#define C_WS 4      /* SP and HTAB */
#define C_DIGIT 8   /* 0-9 */
#define C_HEX 16    /* 0-9 a-f A-F */
#define C_QDTEXT 32 /* qdtext of a quoted-string */

/* One row per 16 byte values, 0x00 to 0xff. */
/* clang-format off */
static const unsigned char char_class[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0, 36,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    36, 35,  2, 35, 35, 35, 35, 35, 34, 34, 35, 35, 34, 35, 35, 34,
    59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 34, 34, 34, 34, 34, 34,
    34, 51, 51, 51, 51, 51, 51, 35, 35, 35, 35, 35, 35, 35, 35, 35,
    35, 35, 35, 35, 35, 35, 35, 35, 35, 35, 35, 34,  2, 34, 35, 35,
    35, 51, 51, 51, 51, 51, 51, 35, 35, 35, 35, 35, 35, 35, 35, 35,
    35, 35, 35, 35, 35, 35, 35, 35, 35, 35, 35, 34, 35, 34, 35,  0,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34,
    34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34, 34};
/* clang-format on */

static int
hex_value(int b)
{
    if (b >= '0' && b <= '9')
        return b - '0';
    if (b >= 'a' && b <= 'f')
        return b - 'a' + 10;
    if (b >= 'A' && b <= 'F')
        return b - 'A' + 10;
    return -1;
}

static int
ascii_lower(int b)
{
    return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
}

int
vg_http_equal_nocase(const char *s, size_t n, const char *text)
{
    size_t i;

    /* Most names differ at once: by their first letter, case aside. */
    if (n > 0 &&
        ascii_lower((unsigned char)s[0]) != ascii_lower((unsigned char)text[0]))
        return 0;
    for (i = 0; i < n && text[i] != '\0'; i++) {
        if (ascii_lower((unsigned char)s[i]) !=
            ascii_lower((unsigned char)text[i]))
            return 0;
    }
    return i == n && text[i] == '\0';
}

/* Skips the bytes of class cls; returns how many. */
static size_t
cur_span(struct vg_http_cur *c, unsigned cls)
{
    size_t start = c->pos;

    while (c->pos < c->len && (char_class[c->base[c->pos]] & cls) != 0)
        c->pos++;
    return c->pos - start;
}

/* A quoted-string (RFC 9110 section 5.6.4).  Returns 0 or -1. */
static int
cur_quoted(struct vg_http_cur *c)
{
    int b;

    if (vg_http_cur_next(c) != '"')
        return -1;
    for (;;) {
        b = vg_http_cur_next(c);
        if (b < 0)
            return -1;
        if (b == '"')
            return 0;
        if (b == '\\') {
            b = vg_http_cur_next(c);
            if (b < 0 || (char_class[b] & (C_VCHAR | C_WS)) == 0)
                return -1;
        } else if ((char_class[b] & C_QDTEXT) == 0) {
            return -1;
        }
    }
}

/* BWS "=" BWS ( token / quoted-string ).  Returns 0 or -1. */
static int
cur_param_value(struct vg_http_cur *c)
{
    cur_span(c, C_WS);
    if (vg_http_cur_next(c) != '=')
        return -1;
    cur_span(c, C_WS);
    if (vg_http_cur_peek(c) == '"')
        return cur_quoted(c);
    return cur_span(c, C_TCHAR) > 0 ? 0 : -1;
}

/* NUL anywhere, then CR anywhere (the line's final CR is already gone):
 * both are refused before any other rule looks at the line. */
static int
check_nul_cr(const unsigned char *s, size_t n)
{
    if (n > 0 && memchr(s, '\0', n) != NULL)
        return VG_HTTP_ERR_NUL;
    if (n > 0 && memchr(s, '\r', n) != NULL)
        return VG_HTTP_ERR_BARE_CR;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Start lines                                                         */
/* ------------------------------------------------------------------ */

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3; the name is
 * case-sensitive).  Returns 0 or -1. */
static int
read_version(struct vg_http_cur *c, int *major, int *minor)
{
    const unsigned char *v;

    if (vg_http_cur_take(c, 8, &v) != 0 || memcmp(v, "HTTP/", 5) != 0 ||
        !(char_class[v[5]] & C_DIGIT) || v[6] != '.' ||
        !(char_class[v[7]] & C_DIGIT))
        return -1;
    *major = v[5] - '0';
    *minor = v[7] - '0';
    return 0;
}

static int
version_supported(int major, int minor)
{
    return major == 1 && (minor == 0 || minor == 1);
}

/* Exactly one SP between the parts; the target is any run of VCHAR or
 * obs-text (the URI parser judges it further). */
int
vg_http_request_line(const unsigned char *s, size_t n,
                     struct vg_http_start_line *out)
{
    struct vg_http_cur c;
    int rc, b;

    memset(out, 0, sizeof(*out));
    rc = check_nul_cr(s, n);
    if (rc != 0)
        return rc;
    vg_http_cur_init(&c, s, n);
    out->method_len = cur_span(&c, C_TCHAR);
    b = vg_http_cur_next(&c);
    if (b < 0)
        return VG_HTTP_ERR_START_LINE;
    if (out->method_len == 0 || b != ' ')
        return VG_HTTP_ERR_METHOD;
    out->target = c.pos;
    out->target_len = cur_span(&c, C_VCHAR);
    b = vg_http_cur_next(&c);
    if (out->target_len == 0 || (b >= 0 && b != ' '))
        return VG_HTTP_ERR_TARGET;
    if (b < 0 || read_version(&c, &out->major, &out->minor) != 0 ||
        vg_http_cur_left(&c) != 0)
        return VG_HTTP_ERR_START_LINE;
    if (!version_supported(out->major, out->minor))
        return VG_HTTP_ERR_VERSION;
    return 0;
}

/* The SP and reason may both be missing ("HTTP/1.1 200"), as many
 * servers send them; the reason may hold HTAB, SP, VCHAR, obs-text. */
int
vg_http_status_line(const unsigned char *s, size_t n,
                    struct vg_http_start_line *out)
{
    struct vg_http_cur c;
    const unsigned char *d;
    int rc, b;

    memset(out, 0, sizeof(*out));
    rc = check_nul_cr(s, n);
    if (rc != 0)
        return rc;
    vg_http_cur_init(&c, s, n);
    if (read_version(&c, &out->major, &out->minor) != 0 ||
        vg_http_cur_next(&c) != ' ')
        return VG_HTTP_ERR_START_LINE;
    out->code = c.pos;
    if (cur_span(&c, C_DIGIT) != 3)
        return VG_HTTP_ERR_STATUS;
    b = vg_http_cur_next(&c);
    if (b >= 0 && b != ' ')
        return VG_HTTP_ERR_STATUS;
    out->reason = c.pos;
    out->reason_len = cur_span(&c, C_VCHAR | C_WS);
    if (vg_http_cur_left(&c) != 0)
        return VG_HTTP_ERR_START_LINE;
    vg_http_cur_init(&c, s, n);
    c.pos = out->code;
    if (vg_http_cur_take(&c, 3, &d) != 0)
        return VG_HTTP_ERR_STATUS;
    out->status = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    if (out->status < 100 || out->status > 599)
        return VG_HTTP_ERR_STATUS;
    /* A later HTTP/1.x server speaks 1.1 to us (RFC 9110 section
     * 2.5). */
    if (out->major != 1)
        return VG_HTTP_ERR_VERSION;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Field lines                                                         */
/* ------------------------------------------------------------------ */

/* Refused: a line starting with whitespace (obs-fold, or whitespace
 * between the start line and the first field: RFC 9112 sections 2.2 and
 * 5.2), whitespace before the colon (section 5.1), a name that is not a
 * token, a CTL other than HTAB in the value (RFC 9110 section 5.5). */
int
vg_http_field_line(const unsigned char *s, size_t n,
                   struct vg_http_field_line *out)
{
    struct vg_http_cur c;
    int rc, b;

    rc = check_nul_cr(s, n);
    if (rc != 0)
        return rc;
    vg_http_cur_init(&c, s, n);
    b = vg_http_cur_peek(&c);
    if (b == ' ' || b == '\t')
        return VG_HTTP_ERR_OBS_FOLD;
    out->name_len = cur_span(&c, C_TCHAR);
    b = vg_http_cur_peek(&c);
    if (b == ' ' || b == '\t') {
        cur_span(&c, C_WS);
        return out->name_len > 0 && vg_http_cur_peek(&c) == ':'
                   ? VG_HTTP_ERR_SPACE_BEFORE_COLON
                   : VG_HTTP_ERR_FIELD_NAME;
    }
    if (b != ':' || out->name_len == 0)
        return VG_HTTP_ERR_FIELD_NAME;
    vg_http_cur_next(&c);
    cur_span(&c, C_WS);
    out->value = c.pos;
    out->value_end = c.pos;
    /* The value ends after its last byte that is not whitespace. */
    while (vg_http_cur_left(&c) > 0) {
        if (cur_span(&c, C_VCHAR) > 0)
            out->value_end = c.pos;
        else if (cur_span(&c, C_WS) == 0)
            return VG_HTTP_ERR_FIELD_VALUE;
    }
    return 0;
}

/* RFC 9110 section 8.6: 1*DIGIT; a list of equal values, or several
 * fields with equal values, stand for one.  At most 2^63 - 1. */
int
vg_http_content_length(const unsigned char *v, size_t n,
                       struct vg_http_lengths *l)
{
    struct vg_http_cur c;
    uint64_t value;
    int b, d;

    vg_http_cur_init(&c, v, n);
    do {
        cur_span(&c, C_WS);
        value = 0;
        for (d = 0;
             (b = vg_http_cur_peek(&c)) >= 0 && (char_class[b] & C_DIGIT) != 0;
             d++) {
            if (value > (CL_MAX - (uint64_t)(b - '0')) / 10)
                return VG_HTTP_ERR_CONTENT_LENGTH;
            value = value * 10 + (uint64_t)(b - '0');
            vg_http_cur_next(&c);
        }
        if (d == 0)
            return VG_HTTP_ERR_CONTENT_LENGTH;
        if (l->cl_seen && value != l->cl)
            return VG_HTTP_ERR_CL_MISMATCH;
        l->cl_seen = 1;
        l->cl = value;
        cur_span(&c, C_WS);
        b = vg_http_cur_next(&c);
    } while (b == ',');
    return b < 0 ? 0 : VG_HTTP_ERR_CONTENT_LENGTH;
}

/* RFC 9112 section 6.1: a list of codings, each a token with optional
 * parameters; empty list elements are skipped (RFC 9110 section 5.6.1).
 * chunked takes no parameters.  Whether the list as a whole is right is
 * decided once the head is complete. */
int
vg_http_transfer_encoding(const unsigned char *v, size_t n,
                          struct vg_http_lengths *l)
{
    struct vg_http_cur c;
    size_t start, len;
    int chunked;

    vg_http_cur_init(&c, v, n);
    l->te_seen = 1;
    for (;;) {
        cur_span(&c, C_WS);
        if (vg_http_cur_peek(&c) < 0)
            return 0;
        if (vg_http_cur_peek(&c) == ',') {
            vg_http_cur_next(&c);
            continue;
        }
        start = c.pos;
        len = cur_span(&c, C_TCHAR);
        if (len == 0)
            return VG_HTTP_ERR_TE;
        chunked = vg_http_equal_nocase((const char *)v + start, len, "chunked");
        cur_span(&c, C_WS);
        while (vg_http_cur_peek(&c) == ';') {
            vg_http_cur_next(&c);
            cur_span(&c, C_WS);
            if (chunked || cur_span(&c, C_TCHAR) == 0 ||
                cur_param_value(&c) != 0)
                return VG_HTTP_ERR_TE;
            cur_span(&c, C_WS);
        }
        if (vg_http_cur_peek(&c) >= 0 && vg_http_cur_peek(&c) != ',')
            return VG_HTTP_ERR_TE;
        l->te_codings++;
        l->te_chunked += chunked;
        l->te_chunked_last = chunked;
    }
}

/* ------------------------------------------------------------------ */
/* Chunk-size lines                                                    */
/* ------------------------------------------------------------------ */

/* chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 * (RFC 9112 section 7.1.1): checked, then ignored. */
static int
chunk_ext(struct vg_http_cur *c)
{
    size_t save;

    while (vg_http_cur_left(c) > 0) {
        cur_span(c, C_WS);
        if (vg_http_cur_next(c) != ';')
            return VG_HTTP_ERR_CHUNK_EXT;
        cur_span(c, C_WS);
        if (cur_span(c, C_TCHAR) == 0)
            return VG_HTTP_ERR_CHUNK_EXT;
        save = c->pos;
        cur_span(c, C_WS);
        if (vg_http_cur_peek(c) != '=')
            c->pos = save;
        else if (cur_param_value(c) != 0)
            return VG_HTTP_ERR_CHUNK_EXT;
    }
    return 0;
}

int
vg_http_chunk_line(const unsigned char *s, size_t n, uint64_t *size)
{
    struct vg_http_cur c;
    uint64_t v = 0;
    int d, x;

    vg_http_cur_init(&c, s, n);
    for (d = 0; (x = hex_value(vg_http_cur_peek(&c))) >= 0; d++) {
        if (v > (CL_MAX >> 4))
            return VG_HTTP_ERR_CHUNK_SIZE;
        v = (v << 4) | (uint64_t)x;
        vg_http_cur_next(&c);
    }
    if (d == 0)
        return VG_HTTP_ERR_CHUNK_SIZE;
    *size = v;
    return chunk_ext(&c);
}

/* ------------------------------------------------------------------ */
/* Lookup and error texts                                              */
/* ------------------------------------------------------------------ */

int
vg_http_head_find(const struct vg_http_head *h, const char *name, size_t from)
{
    size_t i;

    for (i = from; i < h->nfields && i <= (size_t)INT32_MAX; i++) {
        if (vg_http_equal_nocase(vg_http_field_name(h, i),
                                 h->fields[i].name_len, name))
            return (int)i;
    }
    return -1;
}

/* Indexed by -code. */
static const struct {
    int status;
    const char *text;
} errors[] = {{0, "no error"},
              {400, "malformed start line"},
              {400, "invalid method"},
              {400, "invalid request target"},
              {505, "unsupported HTTP version"},
              {400, "invalid status code"},
              {400, "NUL byte in a line"},
              {400, "CR without LF"},
              {400, "field line starts with whitespace (obs-fold)"},
              {400, "invalid field name"},
              {400, "whitespace between field name and colon"},
              {400, "invalid byte in field value"},
              {414, "start line too long"},
              {431, "too many header fields"},
              {431, "header section too large"},
              {413, "body too large"},
              {400, "invalid Content-Length"},
              {400, "differing Content-Length values"},
              {400, "both Transfer-Encoding and Content-Length"},
              {400, "invalid Transfer-Encoding"},
              {400, "invalid chunk size"},
              {400, "invalid chunk extension"},
              {400, "chunk-size line too long"},
              {400, "chunked framing line without CRLF"},
              {400, "trailer section too large"},
              {0, "stream ended inside a message"},
              {500, "out of memory"},
              {500, "invalid use of the parser"}};

_Static_assert(sizeof(errors) / sizeof(errors[0]) == 1 - VG_HTTP_ERR_INVALID,
               "one text per error code");

const char *
vg_http_strerror(int err)
{
    if (err > 0)
        return "no error";
    if ((size_t) - (long)err >= sizeof(errors) / sizeof(errors[0]))
        return "unknown error";
    return errors[-err].text;
}

int
vg_http_error_status(int err)
{
    if (err >= 0)
        return 0;
    if ((size_t) - (long)err >= sizeof(errors) / sizeof(errors[0]))
        return 400;
    return errors[-err].status;
}
