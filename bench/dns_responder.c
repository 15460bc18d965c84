/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_responder: the peer of the resolver benchmark (dns_resolve.c on
 * libevent's API, dns_resolve_cares.c on c-ares).  A DNS server on one UDP
 * socket and raw epoll that answers every query as fast as it can: an A
 * query of class IN gets one record, 192.0.2.1 with a TTL of 300, under
 * the question echoed as it came (its case kept, for resolvers that
 * randomize it); any other type gets an empty answer (no data); a query
 * whose question cannot be read gets FORMERR, another opcode NOTIMP, and a
 * datagram too short for a header, or a response, nothing.  Datagrams are
 * read and answered in batches (recvmmsg, sendmmsg).
 *
 *   usage: dns_responder [-p PORT]
 *
 * Listens on 127.0.0.1:PORT (default 0: any free port), prints "port N"
 * once ready, and runs until SIGTERM or SIGINT; it then prints on stderr
 * how many queries it answered and how many datagrams it dropped.
 */
#include "dns-common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_QUERY 512
#define MAX_REPLY 512

/* Header flags: the second and third octets of a message. */
#define FLAG_QR 0x80 /* in octet 2: a response */
#define FLAG_AA 0x04 /* in octet 2: authoritative */
#define FLAG_RD 0x01 /* in octet 2: recursion desired (copied) */
#define FLAG_RA 0x80 /* in octet 3: recursion available */
#define RCODE_FORMERR 1
#define RCODE_NOTIMP 4

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void
put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A reply of a header alone, with the query's id and RD and this rcode. */
static size_t
header_only(const uint8_t *q, uint8_t *out, unsigned rcode)
{
    memset(out, 0, 12);
    out[0] = q[0];
    out[1] = q[1];
    out[2] = (uint8_t)(FLAG_QR | FLAG_AA | (q[2] & FLAG_RD));
    out[3] = (uint8_t)(FLAG_RA | rcode);
    return 12;
}

/*
 * Builds the reply to the query q of qlen octets into out (MAX_REPLY
 * octets).  Returns its length, or 0 to answer nothing.  Every read from q
 * is checked against qlen first.
 */
static size_t
answer(const uint8_t *q, size_t qlen, uint8_t *out)
{
    static const uint8_t record[16] = {
        0xc0, 0x0c,             /* the name: a pointer to the question's */
        0x00, 0x01, 0x00, 0x01, /* type A, class IN */
        0x00, 0x00, 0x01, 0x2c, /* TTL 300 */
        0x00, 0x04,             /* RDLENGTH */
        192,  0,    2,    1,    /* 192.0.2.1 */
    };
    size_t pos = 12, name_len = 0;
    unsigned qtype, qclass;
    int is_a;

    if (qlen < 12 || (q[2] & FLAG_QR) != 0)
        return 0;
    if (((q[2] >> 3) & 0x0f) != 0)
        return header_only(q, out, RCODE_NOTIMP);
    if (q[4] != 0 || q[5] != 1)
        return header_only(q, out, RCODE_FORMERR);
    for (;;) {
        unsigned len;

        if (pos >= qlen)
            return header_only(q, out, RCODE_FORMERR);
        len = q[pos];
        if (len == 0) {
            pos++;
            break;
        }
        /* No compression in a lone question; no reserved label types. */
        if ((len & 0xc0) != 0 || len > qlen - pos - 1)
            return header_only(q, out, RCODE_FORMERR);
        name_len += len + 1;
        if (name_len > 254)
            return header_only(q, out, RCODE_FORMERR);
        pos += len + 1;
    }
    if (qlen - pos < 4)
        return header_only(q, out, RCODE_FORMERR);
    qtype = (unsigned)q[pos] << 8 | q[pos + 1];
    qclass = (unsigned)q[pos + 2] << 8 | q[pos + 3];
    pos += 4;
    /* The question is at most 12 + 255 + 4 octets: it fits with a record. */
    memcpy(out, q, pos);
    out[2] = (uint8_t)(FLAG_QR | FLAG_AA | (q[2] & FLAG_RD));
    out[3] = FLAG_RA;
    is_a = qtype == 1 && qclass == 1;
    put16(out + 6, is_a ? 1 : 0); /* ANCOUNT */
    put16(out + 8, 0);            /* NSCOUNT */
    put16(out + 10, 0);           /* ARCOUNT: any EDNS record is dropped */
    if (is_a) {
        memcpy(out + pos, record, sizeof(record));
        pos += sizeof(record);
    }
    return pos;
}

int
main(int argc, char **argv)
{
    static uint8_t in[BATCH][MAX_QUERY];
    static uint8_t out[BATCH][MAX_REPLY];
    struct mmsghdr rmsg[BATCH], smsg[BATCH];
    struct iovec riov[BATCH], siov[BATCH];
    struct sockaddr_in from[BATCH];
    struct sockaddr_in sin;
    struct epoll_event ev;
    struct sigaction sa;
    socklen_t slen = sizeof(sin);
    long answered = 0, dropped = 0;
    int port = 0, opt, fd, ep, size = 4 << 20;

    while ((opt = getopt(argc, argv, "p:")) != -1) {
        switch (opt) {
        case 'p':
            port = (int)bench_parse_long(optarg, "-p", 0, 65535);
            break;
        default:
            fprintf(stderr, "usage: dns_responder [-p PORT]\n");
            return 2;
        }
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("dns_responder: socket");
        return 1;
    }
    /* Room for a burst of every query in flight (best effort). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
        perror("dns_responder: bind");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        perror("dns_responder: epoll");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(sin.sin_port));
    fflush(stdout);

    while (!stop) {
        int i, n, nsend = 0, sent;

        n = epoll_wait(ep, &ev, 1, 1000);
        if (n < 0 && errno != EINTR) {
            perror("dns_responder: epoll_wait");
            return 1;
        }
        if (n <= 0)
            continue;
        for (i = 0; i < BATCH; i++) {
            riov[i].iov_base = in[i];
            riov[i].iov_len = sizeof(in[i]);
            memset(&rmsg[i], 0, sizeof(rmsg[i]));
            rmsg[i].msg_hdr.msg_iov = &riov[i];
            rmsg[i].msg_hdr.msg_iovlen = 1;
            rmsg[i].msg_hdr.msg_name = &from[i];
            rmsg[i].msg_hdr.msg_namelen = sizeof(from[i]);
        }
        n = recvmmsg(fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                perror("dns_responder: recvmmsg");
                return 1;
            }
            continue;
        }
        for (i = 0; i < n; i++) {
            size_t len = 0;

            /* A truncated datagram (over MAX_QUERY) is not answered. */
            if ((rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) == 0)
                len = answer(in[i], rmsg[i].msg_len, out[nsend]);
            if (len == 0) {
                dropped++;
                continue;
            }
            siov[nsend].iov_base = out[nsend];
            siov[nsend].iov_len = len;
            memset(&smsg[nsend], 0, sizeof(smsg[nsend]));
            smsg[nsend].msg_hdr.msg_iov = &siov[nsend];
            smsg[nsend].msg_hdr.msg_iovlen = 1;
            smsg[nsend].msg_hdr.msg_name = &from[i];
            smsg[nsend].msg_hdr.msg_namelen = rmsg[i].msg_hdr.msg_namelen;
            nsend++;
        }
        for (i = 0; i < nsend; i += sent) {
            sent = sendmmsg(fd, smsg + i, (unsigned)(nsend - i), 0);
            if (sent <= 0) {
                /* A full send buffer: UDP may drop, and so do we. */
                dropped += nsend - i;
                break;
            }
            answered += sent;
        }
    }
    fprintf(stderr, "dns_responder answered=%ld dropped=%ld\n", answered,
            dropped);
    close(ep);
    close(fd);
    return 0;
}
