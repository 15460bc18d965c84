/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns-internal.h: the sans-I/O protocol layer of evdns.  It holds the
 * bounds-checked packet cursor, domain names in wire form (reading with
 * decompression, conversion to and from presentation text, 0x20 case
 * randomisation, reverse-lookup names), the DNS message parser, the
 * message builder (queries and replies, with compression and truncation),
 * and the resolv.conf(5) and hosts(5) parsers.  Nothing here touches a
 * socket, a file, a clock or an event: every function takes bytes and
 * returns a value or an error.
 *
 * Who may include it: the files of src/extra/dns/ (the resolver and the
 * server build on it) and the white-box tests and fuzz targets.  It is
 * never installed, and none of these functions is exported (the library
 * builds with hidden visibility).
 *
 * Ownership: a struct vg_dns_message made by vg_dns_message_parse() owns
 * a private copy of the packet, so the caller may free its buffer at once;
 * free the message with vg_dns_message_free().  The builder writes into a
 * buffer the caller owns and allocates nothing.  A vg_dns_resolv_conf or
 * vg_dns_hosts owns all its strings; free it with its _free function.
 * Names (struct vg_dns_name) are plain values: copy them freely.
 *
 * Errors: functions return 0 (or a count) on success and a negative
 * VG_DNS_ERR_* code on failure; on failure their outputs are unspecified
 * except where said otherwise.  Every allocation of the module goes
 * through the vg_dns_malloc() family defined below (extra-internal.h).
 */
#ifndef VIGIL_DNS_INTERNAL_H
#define VIGIL_DNS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "extra/extra-internal.h"

/* ------------------------------------------------------------------ */
/* Limits and constants                                                */
/* ------------------------------------------------------------------ */

/* RFC 1035 2.3.4: a label is at most 63 octets, a name at most 255 octets
 * in wire form (length octets and the final zero included). */
#define VG_DNS_MAX_LABEL 63
#define VG_DNS_MAX_NAME 255
/* Presentation text of a name: every octet may become "\DDD" (four
 * characters), plus the NUL; 4 * 255 + 1 rounded up. */
#define VG_DNS_NAME_TEXT_MAX 1024
/* A DNS message is at most 65535 octets (the TCP length prefix). */
#define VG_DNS_MAX_MESSAGE 65535
/* The classic UDP limit without EDNS0 (RFC 1035 4.2.1). */
#define VG_DNS_UDP_MAX 512
#define VG_DNS_HEADER_LEN 12
/* Random bytes vg_dns_name_randomize_case() may use: one bit per octet
 * of the longest name. */
#define VG_DNS_CASE_RANDOM_BYTES 32

enum vg_dns_error {
    VG_DNS_OK = 0,
    VG_DNS_ERR_TRUNCATED = -1, /* the data ends before the item does */
    VG_DNS_ERR_POINTER = -2,   /* compression pointer forward, past the
                                  end, into itself or too many hops */
    VG_DNS_ERR_LABEL = -3,     /* label over 63 octets, reserved label
                                  type, or an empty label in text */
    VG_DNS_ERR_NAME_LONG = -4, /* name over 255 octets in wire form */
    VG_DNS_ERR_FORMAT = -5,    /* other malformed input */
    VG_DNS_ERR_NOMEM = -6,     /* an allocation failed */
    VG_DNS_ERR_SPACE = -7,     /* builder: the record does not fit */
    VG_DNS_ERR_INVALID = -8,   /* a caller's argument is wrong */
    VG_DNS_ERR_TOO_LARGE = -9  /* configuration input over its bound */
};

/* Returns a constant English text for a VG_DNS_ERR_* code. */
const char *vg_dns_strerror(int err);

/* Header flag bits (RFC 1035 4.1.1), in host order. */
#define VG_DNS_FLAG_QR 0x8000
#define VG_DNS_FLAG_AA 0x0400
#define VG_DNS_FLAG_TC 0x0200
#define VG_DNS_FLAG_RD 0x0100
#define VG_DNS_FLAG_RA 0x0080
#define VG_DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define VG_DNS_RCODE(flags) ((flags)&0xf)

#define VG_DNS_RCODE_NOERROR 0
#define VG_DNS_RCODE_FORMERR 1
#define VG_DNS_RCODE_SERVFAIL 2
#define VG_DNS_RCODE_NXDOMAIN 3
#define VG_DNS_RCODE_NOTIMP 4
#define VG_DNS_RCODE_REFUSED 5

#define VG_DNS_TYPE_A 1
#define VG_DNS_TYPE_NS 2
#define VG_DNS_TYPE_CNAME 5
#define VG_DNS_TYPE_SOA 6
#define VG_DNS_TYPE_PTR 12
#define VG_DNS_TYPE_MX 15
#define VG_DNS_TYPE_TXT 16
#define VG_DNS_TYPE_AAAA 28
#define VG_DNS_TYPE_OPT 41
#define VG_DNS_CLASS_IN 1

/* Allocation used by the whole dns module: libevent_extra's, on the
 * core's memory functions (extra-internal.h). */
#define vg_dns_malloc(n) vg_extra_malloc(n)
#define vg_dns_calloc(n, size) vg_extra_calloc((n), (size))
#define vg_dns_realloc(p, n) vg_extra_realloc((p), (n))
#define vg_dns_free(p) vg_extra_free(p)

/* ------------------------------------------------------------------ */
/* The cursor: every read from a packet goes through it                */
/* ------------------------------------------------------------------ */

/* A reader over len bytes at base.  pos never exceeds len: a read that
 * would cross the end fails with VG_DNS_ERR_TRUNCATED and moves nothing. */
struct vg_dns_cursor {
    const unsigned char *base;
    size_t len;
    size_t pos;
};

void vg_dns_cursor_init(struct vg_dns_cursor *c, const void *data, size_t len);
/* Bytes left after pos. */
size_t vg_dns_cursor_left(const struct vg_dns_cursor *c);
int vg_dns_cursor_u8(struct vg_dns_cursor *c, uint8_t *out);
/* Network-order 16- and 32-bit integers, returned in host order. */
int vg_dns_cursor_u16(struct vg_dns_cursor *c, uint16_t *out);
int vg_dns_cursor_u32(struct vg_dns_cursor *c, uint32_t *out);
/* Copies n bytes to out. */
int vg_dns_cursor_bytes(struct vg_dns_cursor *c, void *out, size_t n);
int vg_dns_cursor_skip(struct vg_dns_cursor *c, size_t n);
/* Moves to absolute position pos (at most len). */
int vg_dns_cursor_seek(struct vg_dns_cursor *c, size_t pos);

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/* A domain name in uncompressed wire form: length-prefixed labels ending
 * with the zero-length root label, exactly as received (case kept).
 * len counts every octet (1 for the root name, at most 255). */
struct vg_dns_name {
    uint8_t len;
    unsigned char wire[VG_DNS_MAX_NAME];
};

/* Reads the name at the cursor, following compression pointers, into
 * out, and leaves the cursor after the name as it appears at that place
 * (after the first pointer, if any).  Rules: a pointer must point strictly
 * before the start of the label run that contains it (so every hop goes
 * backwards and loops are impossible) and inside the packet; labels are
 * at most 63 octets and of type 00 (types 01 and 10 are refused); the
 * whole name is at most 255 octets.  On failure the cursor is unchanged. */
int vg_dns_name_read(struct vg_dns_cursor *c, struct vg_dns_name *out);

/* Parses presentation text into wire form.  Labels are separated by '.';
 * "\X" stands for the character X and "\DDD" for the octet of decimal
 * value DDD.  A final '.' is allowed and means nothing more (every name is
 * taken as absolute).  "" and "." are the root name (RFC 1035 3.1);
 * an empty label elsewhere ("a..b", ".a") is VG_DNS_ERR_LABEL. */
int vg_dns_name_from_text(const char *text, struct vg_dns_name *out);

/* Writes name as presentation text, NUL-terminated, into buf of size
 * bytes: labels joined by '.', no final dot, "." for the root; '.' and
 * '\' inside a label as "\." and "\\", octets outside '!'..'~' as "\DDD".
 * Case is kept.  Returns the text's length, or VG_DNS_ERR_SPACE when buf
 * is too small (VG_DNS_NAME_TEXT_MAX always suffices). */
int vg_dns_name_to_text(const struct vg_dns_name *name, char *buf, size_t size);

/* Number of labels, the root not counted. */
int vg_dns_name_labels(const struct vg_dns_name *name);

/* 1 if a and b are the same octets (case included), else 0. */
int vg_dns_name_equal(const struct vg_dns_name *a, const struct vg_dns_name *b);
/* 1 if a and b are the same name ignoring ASCII case, else 0. */
int vg_dns_name_equal_nocase(const struct vg_dns_name *a,
                             const struct vg_dns_name *b);

/* 0x20 (draft-vixie-dnsext-dns0x20): flips the case of each ASCII letter
 * of name whose bit in rnd is set (bit i % 8 of byte i / 8, counting
 * letters only).  Letters beyond 8 * rndlen bits are left alone. */
void vg_dns_name_randomize_case(struct vg_dns_name *name,
                                const unsigned char *rnd, size_t rndlen);

/* Appends domain to name (name's labels, then domain's): out = name.domain.
 * Returns VG_DNS_ERR_NAME_LONG if the result would pass 255 octets. */
int vg_dns_name_join(const struct vg_dns_name *name,
                     const struct vg_dns_name *domain, struct vg_dns_name *out);

/* The names a lookup of text tries, in order (libevent's search rules):
 * text ending in an unescaped '.' (or the root, "" and ".") is absolute
 * and tried alone; otherwise a name with at least ndots dots is tried as
 * it is first, then with each search domain appended, and a name with
 * fewer dots with each search domain first, then as it is.  Search
 * domains that are not valid names, or too long to append, are skipped.
 * Stores at most max names in out and returns how many, or a negative
 * error when text is not a valid name. */
int vg_dns_search_plan(const char *text, int ndots, char *const *search,
                       int n_search, struct vg_dns_name *out, size_t max);

/* Reverse-lookup names: "d.c.b.a.in-addr.arpa" for IPv4 a.b.c.d
 * (RFC 1035 3.5), and 32 nibbles then "ip6.arpa" for IPv6 (RFC 3596
 * 2.5), lowest nibble first, hex digits in lower case. */
void vg_dns_reverse_ipv4(const unsigned char addr[4], struct vg_dns_name *out);
void vg_dns_reverse_ipv6(const unsigned char addr[16], struct vg_dns_name *out);
/* The inverse: if name (any case) is a complete reverse name, stores the
 * address in addr (4 or 16 bytes) and returns AF_INET or AF_INET6;
 * otherwise returns VG_DNS_ERR_FORMAT. */
int vg_dns_reverse_parse(const struct vg_dns_name *name,
                         unsigned char addr[16]);

/* ------------------------------------------------------------------ */
/* Parsed messages                                                     */
/* ------------------------------------------------------------------ */

enum vg_dns_section {
    VG_DNS_SECTION_ANSWER = 0,
    VG_DNS_SECTION_AUTHORITY = 1,
    VG_DNS_SECTION_ADDITIONAL = 2
};

struct vg_dns_header {
    uint16_t id;
    uint16_t flags; /* VG_DNS_FLAG_*, opcode and rcode */
    uint16_t qdcount, ancount, nscount, arcount;
};

/* A question; name_off is where its name starts in msg->packet (read it
 * with vg_dns_message_name()). */
struct vg_dns_question {
    uint16_t name_off;
    uint16_t type;
    uint16_t qclass;
};

/* A resource record.  rdata_off and rdlength locate the RDATA inside
 * msg->packet.  For A and AAAA of class IN the RDATA length was checked
 * (4 and 16).  For PTR, CNAME and NS the RDATA is exactly one valid name,
 * starting at target_off (otherwise target_off is 0).  Every other type
 * is opaque RDATA. */
struct vg_dns_rr {
    uint16_t name_off;
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    uint16_t rdlength;
    uint16_t rdata_off;
    uint16_t target_off;
};

/* A parsed message.  The header counts are those of the packet, and the
 * arrays hold exactly that many entries (a packet whose counts claim more
 * than it holds is refused).  Answers, authority and additional records
 * are rr[0 .. an), rr[an .. an+ns), rr[an+ns .. an+ns+ar). */
struct vg_dns_message {
    struct vg_dns_header hdr;
    struct vg_dns_question *qd;
    struct vg_dns_rr *rr;
    size_t n_rr;
    unsigned char *packet; /* the message's own copy, or the caller's
                              bytes (vg_dns_message_parse_view) */
    size_t packet_len;
    size_t end;     /* where the last section ended (<= len) */
    int own_arrays; /* bit 0: qd, bit 1: rr came from the heap */
    int own_packet; /* packet is a heap copy */
};

/* Parses a whole message (a UDP datagram, or a TCP message without its
 * length prefix) of len bytes.  On success stores a new message in *out
 * (free it with vg_dns_message_free) and returns 0.  Bytes after the last
 * record are ignored (msg->end tells where it ended). */
int vg_dns_message_parse(const void *packet, size_t len,
                         struct vg_dns_message **out);
void vg_dns_message_free(struct vg_dns_message *msg);

/* The same parse without copying: msg describes packet in place (which
 * must outlive it and is never written), and the question and record
 * arrays are qd and rr when the counts fit in qd_cap and rr_cap, heap
 * blocks otherwise.  On success release it with vg_dns_message_release()
 * (frees only what was allocated); on failure nothing is left to free.
 * The resolver's hot path: a typical reply costs no allocation. */
int vg_dns_message_parse_view(const void *packet, size_t len,
                              struct vg_dns_message *msg,
                              struct vg_dns_question *qd, size_t qd_cap,
                              struct vg_dns_rr *rr, size_t rr_cap);
void vg_dns_message_release(struct vg_dns_message *msg);

/* Reads the (already validated) name at offset off of msg. */
int vg_dns_message_name(const struct vg_dns_message *msg, size_t off,
                        struct vg_dns_name *out);
/* The first record of a section and the count in it. */
const struct vg_dns_rr *vg_dns_message_section(const struct vg_dns_message *msg,
                                               enum vg_dns_section s,
                                               size_t *count);

/* 1 if msg has exactly one question, equal to (name, type, qclass) octet
 * for octet (case included: the 0x20 check), else 0. */
int vg_dns_question_matches(const struct vg_dns_message *msg,
                            const struct vg_dns_name *name, uint16_t type,
                            uint16_t qclass);

/* The checks a server makes on a parsed request.  Returns the RCODE to
 * answer with: NOERROR for a standard query with at least one question,
 * FORMERR for a reply (QR set) or no question, NOTIMP for another opcode.
 * (Whether to answer a reply at all is the server's choice.) */
int vg_dns_request_check(const struct vg_dns_message *msg);

/* ------------------------------------------------------------------ */
/* The builder                                                         */
/* ------------------------------------------------------------------ */

#define VG_DNS_COMPRESS_SLOTS 64

/* Writes one message into a caller's buffer of cap bytes (cap is the size
 * limit: 512 for plain UDP; at most 65535).  Records are added in section
 * order: questions, answers, authority, additional.  A record that does
 * not fit is not written (the buffer is as before it) and:
 *  - in the answer or authority section, TC is set and every later
 *    record is refused too;
 *  - in the additional section it is just dropped (RFC 2181 9: missing
 *    extra data is no reason for TC).
 * Both return VG_DNS_ERR_SPACE.  Names are compressed against earlier
 * names of the message by exact octets (so case is kept everywhere). */
struct vg_dns_builder {
    unsigned char *buf;
    size_t cap;
    size_t len;
    int section;   /* -1 questions, else the last vg_dns_section used */
    int truncated; /* TC was set */
    int failed;    /* a record was dropped for space */
    size_t n_slots;
    /* Names written so far, by suffix: where each starts in buf and its
     * uncompressed length, for compression. */
    struct {
        uint16_t off;
        uint8_t len;
    } slots[VG_DNS_COMPRESS_SLOTS];
};

/* Starts a message with the given id and flags (opcode and rcode
 * included; counts start at 0).  Fails with VG_DNS_ERR_INVALID if cap is
 * under 12 or over 65535. */
int vg_dns_builder_init(struct vg_dns_builder *b, void *buf, size_t cap,
                        uint16_t id, uint16_t flags);
int vg_dns_builder_question(struct vg_dns_builder *b,
                            const struct vg_dns_name *name, uint16_t type,
                            uint16_t qclass);
/* A record with opaque RDATA (copied as is, never compressed). */
int vg_dns_builder_rr(struct vg_dns_builder *b, enum vg_dns_section s,
                      const struct vg_dns_name *name, uint16_t type,
                      uint16_t rclass, uint32_t ttl, const void *rdata,
                      size_t rdlength);
/* A record whose RDATA is one name (PTR, CNAME, NS): compressed. */
int vg_dns_builder_rr_name(struct vg_dns_builder *b, enum vg_dns_section s,
                           const struct vg_dns_name *name, uint16_t type,
                           uint16_t rclass, uint32_t ttl,
                           const struct vg_dns_name *target);
/* Returns the message's length (the header's counts are kept current as
 * records are added, so the buffer is a valid message at any time). */
size_t vg_dns_builder_finish(const struct vg_dns_builder *b);

/* Builds a standard query: one question, RD as asked.  Returns the
 * length, or a negative error. */
int vg_dns_build_query(void *buf, size_t cap, uint16_t id, int rd,
                       const struct vg_dns_name *name, uint16_t type,
                       uint16_t qclass);

/* ------------------------------------------------------------------ */
/* resolv.conf(5)                                                      */
/* ------------------------------------------------------------------ */

#define VG_DNS_CONF_MAX_BYTES 65535 /* larger input: VG_DNS_ERR_TOO_LARGE */
#define VG_DNS_CONF_MAX_NAMESERVERS 32
#define VG_DNS_CONF_MAX_SEARCH 32

/* Which options an "options" line set. */
#define VG_DNS_OPT_NDOTS 0x001
#define VG_DNS_OPT_TIMEOUT 0x002
#define VG_DNS_OPT_ATTEMPTS 0x004
#define VG_DNS_OPT_ROTATE 0x008
#define VG_DNS_OPT_MAX_TIMEOUTS 0x010
#define VG_DNS_OPT_MAX_INFLIGHT 0x020
#define VG_DNS_OPT_RANDOMIZE_CASE 0x040
#define VG_DNS_OPT_INITIAL_PROBE_TIMEOUT 0x080
#define VG_DNS_OPT_GETADDRINFO_ALLOW_SKEW 0x100
#define VG_DNS_OPT_SO_RCVBUF 0x200
#define VG_DNS_OPT_SO_SNDBUF 0x400

struct vg_dns_nameserver {
    struct sockaddr_storage addr; /* port 53 when the line gave none */
    socklen_t addrlen;
};

/* What a resolv.conf says.  search holds the "search" domains, or the
 * one "domain" (the last of the two kinds of line wins, as in
 * resolv.conf(5)); has_search says whether either line was present.
 * Numeric options are clamped: ndots to 0..15, attempts to 1..255,
 * timeouts are in milliseconds (fractions allowed, "2.5"). */
struct vg_dns_resolv_conf {
    struct vg_dns_nameserver ns[VG_DNS_CONF_MAX_NAMESERVERS];
    int n_ns;
    char *search[VG_DNS_CONF_MAX_SEARCH];
    int n_search;
    int has_search;
    unsigned set; /* VG_DNS_OPT_* bits of the options present */
    int ndots;
    int timeout_ms;
    int attempts;
    int max_timeouts;
    int max_inflight;
    int randomize_case;
    int initial_probe_timeout_ms;
    int getaddrinfo_allow_skew_ms;
    int so_rcvbuf;
    int so_sndbuf;
};

/* Parses len bytes of resolv.conf text.  Lines are "nameserver ADDR"
 * (IPv4, IPv6, "[IPv6]:port" or "IPv4:port"), "domain NAME",
 * "search NAME...", "options OPT[:VALUE]..."; '#' and ';' start comments;
 * unknown lines, unknown options, bad values and nameservers beyond the
 * bound are ignored.  On success *out is new (free with
 * vg_dns_resolv_conf_free).  Fails only for VG_DNS_ERR_TOO_LARGE and
 * VG_DNS_ERR_NOMEM. */
int vg_dns_resolv_conf_parse(const char *text, size_t len,
                             struct vg_dns_resolv_conf **out);
void vg_dns_resolv_conf_free(struct vg_dns_resolv_conf *conf);
/* Applies one option word ("ndots:2", "rotate", "timeout" with value),
 * as the options line does: name with or without the colon and a value
 * as text (NULL for none).  Returns 0 if known and valid, else
 * VG_DNS_ERR_FORMAT. */
int vg_dns_resolv_conf_option(struct vg_dns_resolv_conf *conf, const char *name,
                              size_t namelen, const char *val, size_t vallen);

/* ------------------------------------------------------------------ */
/* hosts(5)                                                            */
/* ------------------------------------------------------------------ */

#define VG_DNS_HOSTS_MAX_BYTES (64u << 20)

/* One (address, name) pair; a line with aliases gives one entry per name,
 * in order, the canonical name first (is_alias 0). */
struct vg_dns_host_entry {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    const char *name; /* in the table's string pool */
    int is_alias;
};

struct vg_dns_hosts {
    struct vg_dns_host_entry *e;
    size_t n;
    char *pool;
};

/* Parses len bytes of hosts text: "ADDRESS NAME [ALIAS...]" per line,
 * '#' to the end of the line is a comment, fields separated by spaces or
 * tabs.  Lines with a bad address are skipped, as are names that are not
 * valid domain names.  Fails only for VG_DNS_ERR_TOO_LARGE and
 * VG_DNS_ERR_NOMEM. */
int vg_dns_hosts_parse(const char *text, size_t len, struct vg_dns_hosts **out);
void vg_dns_hosts_free(struct vg_dns_hosts *hosts);
/* The first entry at or after index *pos whose name equals name (ASCII
 * case ignored, a final '.' on either ignored) and whose family is family
 * (or any with AF_UNSPEC); *pos is set past it.  NULL when none. */
const struct vg_dns_host_entry *
vg_dns_hosts_find(const struct vg_dns_hosts *hosts, const char *name,
                  int family, size_t *pos);

#endif
