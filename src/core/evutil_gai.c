/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_gai.c: evutil_getaddrinfo(), its result list and error strings.
 *
 * Vigil answers everything it can itself, with no lookup at all: a missing
 * host (the wildcard or loopback address), numeric hosts (parsed as
 * strictly as evutil_inet_pton(), zone ids included), numeric services,
 * the socket types and protocols, and AI_ADDRCONFIG.  Only host names go
 * to the system resolver (getaddrinfo(3), so /etc/hosts and nsswitch.conf
 * apply), and only for their addresses and canonical name; service names
 * go to getservbyname_r(3).  Every result list is Vigil's own, one
 * allocation per record (the address lives inside it) plus the canonical
 * name.
 */
#include <event2/util.h>

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "evutil-internal.h"
#include "mm-internal.h"

/* The flags Vigil understands; glibc's AI_IDN and AI_CANONIDN are passed
 * on to the system resolver. */
#define ALLOWED_FLAGS                                                  \
    (EVUTIL_AI_PASSIVE | EVUTIL_AI_CANONNAME | EVUTIL_AI_NUMERICHOST | \
     EVUTIL_AI_NUMERICSERV | EVUTIL_AI_V4MAPPED | EVUTIL_AI_ALL |      \
     EVUTIL_AI_ADDRCONFIG | AI_IDN | AI_CANONIDN)
/* The flags that matter to a host name lookup. */
#define RESOLVER_FLAGS                                          \
    (EVUTIL_AI_CANONNAME | EVUTIL_AI_V4MAPPED | EVUTIL_AI_ALL | \
     EVUTIL_AI_ADDRCONFIG | AI_IDN | AI_CANONIDN)

/* Most addresses taken from one name lookup. */
#define MAX_ADDRESSES 256

/* A socket type and protocol pair, with the protocol's name for
 * getservbyname_r(), and the port of the requested service. */
struct sock_kind {
    int socktype;
    int protocol;
    const char *proto_name;
    int port;
};

/* The pairs Vigil knows, in order of preference for each socket type and
 * protocol. */
static const struct sock_kind known_kinds[] = {
    {SOCK_STREAM, IPPROTO_TCP, "tcp", 0},
    {SOCK_DGRAM, IPPROTO_UDP, "udp", 0},
    {SOCK_STREAM, IPPROTO_SCTP, "sctp", 0},
    {SOCK_SEQPACKET, IPPROTO_SCTP, "sctp", 0},
    {SOCK_DGRAM, IPPROTO_UDPLITE, "udplite", 0},
};
#define N_KNOWN_KINDS (sizeof(known_kinds) / sizeof(known_kinds[0]))

/* One result record and the address it points to, in a single block, so
 * that freeing the record frees the address. */
struct gai_node {
    struct evutil_addrinfo ai;
    union {
        struct sockaddr sa;
        struct sockaddr_in sin;
        struct sockaddr_in6 sin6;
    } addr;
};

/* A growing list of addresses. */
struct addr_list {
    struct sockaddr_in6 *v; /* AF_INET entries use the sockaddr_in part */
    size_t n;
    size_t cap;
};

/* Appends an address (a sockaddr_in or sockaddr_in6) unless it is already
 * in the list.  Returns 0, or EVUTIL_EAI_MEMORY. */
static int
addr_list_add(struct addr_list *list, const struct sockaddr *sa)
{
    struct sockaddr_in6 entry;
    size_t len = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                          : sizeof(struct sockaddr_in6);
    int rv = 0;

    memset(&entry, 0, sizeof(entry));
    memcpy(&entry, sa, len);
    for (size_t i = 0; i < list->n; i++) {
        if (evutil_sockaddr_cmp((struct sockaddr *)&list->v[i],
                                (struct sockaddr *)&entry, 1) == 0)
            goto done;
    }
    if (list->n == MAX_ADDRESSES)
        goto done;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        struct sockaddr_in6 *v;

        v = vg_mm_reallocarray(list->v, cap, sizeof(*v));
        if (v == NULL) {
            rv = EVUTIL_EAI_MEMORY;
            goto done;
        }
        list->v = v;
        list->cap = cap;
    }
    list->v[list->n++] = entry;
done:
    return rv;
}

/* Adds an IPv4 address (network order bytes) to the list. */
static int
add_v4(struct addr_list *list, const void *addr)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    memcpy(&sin.sin_addr, addr, 4);
    return addr_list_add(list, (struct sockaddr *)&sin);
}

/* Adds an IPv6 address with its zone to the list. */
static int
add_v6(struct addr_list *list, const void *addr, unsigned scope)
{
    struct sockaddr_in6 sin6;

    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    memcpy(&sin6.sin6_addr, addr, 16);
    sin6.sin6_scope_id = scope;
    return addr_list_add(list, (struct sockaddr *)&sin6);
}

/* Works out the socket type and protocol pairs to answer with.  Returns
 * their number (1 or 2) in *count, and 0 or an EVUTIL_EAI_* code. */
static int
choose_kinds(int socktype, int protocol, struct sock_kind kinds[2], int *count)
{
    int rv = 0;

    *count = 0;
    if (socktype == 0 && protocol == 0) {
        /* Unspecified: a stream and a datagram answer (libevent's own
         * resolver gives these two; glibc adds a raw one). */
        kinds[0] = known_kinds[0];
        kinds[1] = known_kinds[1];
        *count = 2;
        goto done;
    }
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM &&
        socktype != SOCK_SEQPACKET && socktype != SOCK_RAW) {
        rv = EVUTIL_EAI_SOCKTYPE;
        goto done;
    }
    if (socktype != SOCK_RAW) {
        for (size_t i = 0; i < N_KNOWN_KINDS; i++) {
            const struct sock_kind *k = &known_kinds[i];

            if ((socktype == 0 || k->socktype == socktype) &&
                (protocol == 0 || k->protocol == protocol)) {
                kinds[0] = *k;
                *count = 1;
                goto done;
            }
        }
        if (socktype != 0) {
            /* A socket type with a protocol it does not carry. */
            rv = EVUTIL_EAI_SOCKTYPE;
            goto done;
        }
    }
    /* A raw socket, or a protocol only a raw socket can carry. */
    kinds[0].socktype = SOCK_RAW;
    kinds[0].protocol = protocol;
    kinds[0].proto_name = NULL;
    kinds[0].port = 0;
    *count = 1;
done:
    return rv;
}

/* Fills in the port of each kind from servname, dropping the kinds a named
 * service does not exist for.  Returns 0 or an EVUTIL_EAI_* code. */
static int
resolve_service(const char *servname, int flags, struct sock_kind kinds[2],
                int *count)
{
    long port = 0;
    int kept = 0;
    int rv = 0;
    const char *p;

    /* An empty service is no service, as in glibc. */
    if (servname == NULL || servname[0] == '\0')
        goto done;
    if (kinds[0].socktype == SOCK_RAW) {
        /* Raw sockets have no ports. */
        rv = EVUTIL_EAI_SERVICE;
        goto done;
    }
    for (p = servname; *p >= '0' && *p <= '9'; p++) {
        port = port * 10 + (*p - '0');
        if (port > 65535) {
            rv = EVUTIL_EAI_SERVICE;
            goto done;
        }
    }
    if (*p == '\0') {
        for (int i = 0; i < *count; i++)
            kinds[i].port = (int)port;
        goto done;
    }
    if (flags & EVUTIL_AI_NUMERICSERV) {
        rv = EVUTIL_EAI_NONAME;
        goto done;
    }
    for (int i = 0; i < *count; i++) {
        struct servent ent, *found = NULL;
        char buf[4096];

        if (getservbyname_r(servname, kinds[i].proto_name, &ent, buf,
                            sizeof(buf), &found) != 0 ||
            found == NULL)
            continue;
        kinds[kept] = kinds[i];
        kinds[kept].port = ntohs((uint16_t)found->s_port);
        kept++;
    }
    *count = kept;
    if (kept == 0)
        rv = EVUTIL_EAI_SERVICE;
done:
    return rv;
}

/* Finds which families have an address configured on this host, loopback
 * interfaces and addresses aside (the rule of AI_ADDRCONFIG). */
static void
configured_families(int *have_v4, int *have_v6)
{
    struct ifaddrs *ifs = NULL;

    *have_v4 = *have_v6 = 0;
    if (getifaddrs(&ifs) < 0) {
        /* Knowing nothing, restrict nothing. */
        *have_v4 = *have_v6 = 1;
        return;
    }
    for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        const struct sockaddr *sa = i->ifa_addr;

        if (sa == NULL || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        if (sa->sa_family == AF_INET) {
            const struct sockaddr_in *sin = (const void *)sa;

            if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
                *have_v4 = 1;
        } else if (sa->sa_family == AF_INET6) {
            const struct sockaddr_in6 *sin6 = (const void *)sa;

            if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
                *have_v6 = 1;
        }
    }
    freeifaddrs(ifs);
}

/* Whether name, though not a valid address, has the form of one (its last
 * label is a number, which no host name's top-level domain is).  The
 * system resolver would read such names with inet_aton(3) rules, where
 * "010.0.0.1" means 8.0.0.1; Vigil refuses them instead. */
static int
looks_numeric(const char *name)
{
    size_t len = strlen(name);
    size_t start;
    int hex = 0;
    int rv = 0;

    if (len > 0 && name[len - 1] == '.')
        len--;
    start = len;
    while (start > 0 && name[start - 1] != '.')
        start--;
    if (start == len)
        goto done;
    if (len - start > 2 && name[start] == '0' &&
        (name[start + 1] == 'x' || name[start + 1] == 'X')) {
        start += 2;
        hex = 1;
    }
    for (size_t i = start; i < len; i++) {
        char c = name[i];

        if (!(c >= '0' && c <= '9') &&
            !(hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))))
            goto done;
    }
    rv = 1;
done:
    return rv;
}

/* Asks the system resolver for the addresses of a host name.  Returns 0 or
 * an EVUTIL_EAI_* code; *canon receives the canonical name if asked. */
static int
lookup_name(const char *nodename, int family, int flags, struct addr_list *list,
            char **canon)
{
    struct addrinfo hints, *res = NULL;
    int rv;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags & RESOLVER_FLAGS;
    rv = getaddrinfo(nodename, NULL, &hints, &res);
    if (rv != 0)
        goto done;
    for (struct addrinfo *a = res; a != NULL && rv == 0; a = a->ai_next) {
        if ((a->ai_family == AF_INET &&
             a->ai_addrlen >= sizeof(struct sockaddr_in)) ||
            (a->ai_family == AF_INET6 &&
             a->ai_addrlen >= sizeof(struct sockaddr_in6)))
            rv = addr_list_add(list, a->ai_addr);
    }
    if (rv == 0 && list->n == 0)
        rv = EVUTIL_EAI_NODATA;
    if (rv == 0 && (flags & EVUTIL_AI_CANONNAME) && res->ai_canonname) {
        *canon = vg_mm_strdup(res->ai_canonname);
        if (*canon == NULL)
            rv = EVUTIL_EAI_MEMORY;
    }
done:
    if (res != NULL)
        freeaddrinfo(res);
    return rv;
}

/* Works out the addresses for nodename.  Returns 0 or an EVUTIL_EAI_*
 * code. */
static int
resolve_host(const char *nodename, int family, int flags,
             struct addr_list *list, char **canon)
{
    unsigned char a[16];
    unsigned scope = 0;
    size_t len;
    int rv = 0;

    if (flags & EVUTIL_AI_ADDRCONFIG) {
        int have_v4, have_v6;

        configured_families(&have_v4, &have_v6);
        if (family == AF_UNSPEC && have_v4 != have_v6) {
            family = have_v4 ? AF_INET : AF_INET6;
        } else if ((family == AF_INET && !have_v4) ||
                   (family == AF_INET6 && !have_v6)) {
            rv = EVUTIL_EAI_NONAME;
            goto done;
        }
    }

    if (nodename == NULL) {
        /* The wildcard address to bind, or the loopback address. */
        static const unsigned char any4[4] = {0, 0, 0, 0};
        static const unsigned char lo4[4] = {127, 0, 0, 1};

        if (flags & EVUTIL_AI_PASSIVE) {
            if (family != AF_INET6)
                rv = add_v4(list, any4);
            if (rv == 0 && family != AF_INET)
                rv = add_v6(list, &in6addr_any, 0);
        } else {
            if (family != AF_INET)
                rv = add_v6(list, &in6addr_loopback, 0);
            if (rv == 0 && family != AF_INET6)
                rv = add_v4(list, lo4);
        }
        goto done;
    }

    len = strlen(nodename);
    if (len == 0) {
        rv = EVUTIL_EAI_NONAME;
    } else if (vg_evutil_parse_ipv4(nodename, len, a)) {
        if (family == AF_INET6 && (flags & EVUTIL_AI_V4MAPPED)) {
            unsigned char mapped[16] = {0, 0, 0, 0, 0,    0,
                                        0, 0, 0, 0, 0xff, 0xff};

            memcpy(mapped + 12, a, 4);
            rv = add_v6(list, mapped, 0);
        } else if (family == AF_INET6) {
            rv = EVUTIL_EAI_ADDRFAMILY;
        } else {
            rv = add_v4(list, a);
        }
    } else if (vg_evutil_parse_ipv6_scoped(nodename, len, a, &scope)) {
        if (family != AF_INET)
            rv = add_v6(list, a, scope);
        else if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a) && scope == 0)
            /* An IPv4-mapped address asked for as IPv4, as glibc does. */
            rv = add_v4(list, a + 12);
        else
            rv = EVUTIL_EAI_ADDRFAMILY;
    } else if ((flags & EVUTIL_AI_NUMERICHOST) || looks_numeric(nodename)) {
        rv = EVUTIL_EAI_NONAME;
    } else {
        rv = lookup_name(nodename, family, flags, list, canon);
        goto done;
    }
    if (rv == 0 && (flags & EVUTIL_AI_CANONNAME)) {
        /* A numeric host is its own canonical name. */
        *canon = vg_mm_strdup(nodename);
        if (*canon == NULL)
            rv = EVUTIL_EAI_MEMORY;
    }
done:
    return rv;
}

/* Makes one result record.  Returns NULL if memory ran out. */
static struct evutil_addrinfo *
new_node(const struct sockaddr_in6 *addr, const struct sock_kind *kind,
         int flags)
{
    struct gai_node *node;
    socklen_t len;

    node = vg_mm_calloc(1, sizeof(*node));
    if (node == NULL)
        return NULL;
    if (addr->sin6_family == AF_INET) {
        len = sizeof(struct sockaddr_in);
        memcpy(&node->addr.sin, addr, len);
        node->addr.sin.sin_port = htons((uint16_t)kind->port);
    } else {
        len = sizeof(struct sockaddr_in6);
        memcpy(&node->addr.sin6, addr, len);
        node->addr.sin6.sin6_port = htons((uint16_t)kind->port);
    }
    node->ai.ai_flags = flags;
    node->ai.ai_family = addr->sin6_family;
    node->ai.ai_socktype = kind->socktype;
    node->ai.ai_protocol = kind->protocol;
    node->ai.ai_addrlen = len;
    node->ai.ai_addr = &node->addr.sa;
    return &node->ai;
}

int
evutil_getaddrinfo(const char *nodename, const char *servname,
                   const struct evutil_addrinfo *hints_in,
                   struct evutil_addrinfo **res)
{
    struct evutil_addrinfo hints;
    struct evutil_addrinfo *head = NULL, **tail = &head;
    struct sock_kind kinds[2];
    struct addr_list list = {NULL, 0, 0};
    char *canon = NULL;
    int nkinds = 0;
    int rv;

    if (res == NULL) {
        errno = EINVAL;
        rv = EVUTIL_EAI_SYSTEM;
        goto done;
    }
    *res = NULL;
    memset(&hints, 0, sizeof(hints));
    if (hints_in != NULL)
        hints = *hints_in;

    if (nodename == NULL && servname == NULL) {
        rv = EVUTIL_EAI_NONAME;
    } else if (hints.ai_flags & ~ALLOWED_FLAGS) {
        rv = EVUTIL_EAI_BADFLAGS;
    } else if (nodename == NULL && (hints.ai_flags & EVUTIL_AI_CANONNAME)) {
        /* No host, so no canonical name to give. */
        rv = EVUTIL_EAI_BADFLAGS;
    } else if (hints.ai_family != AF_UNSPEC && hints.ai_family != AF_INET &&
               hints.ai_family != AF_INET6) {
        rv = EVUTIL_EAI_FAMILY;
    } else if ((hints.ai_flags & EVUTIL_AI_NUMERICSERV) && servname != NULL &&
               servname[strspn(servname, "0123456789")] != '\0') {
        /* A service name where only a number may stand. */
        rv = EVUTIL_EAI_NONAME;
    } else {
        rv = choose_kinds(hints.ai_socktype, hints.ai_protocol, kinds, &nkinds);
    }
    if (rv == 0)
        rv = resolve_service(servname, hints.ai_flags, kinds, &nkinds);
    if (rv == 0)
        rv = resolve_host(nodename, hints.ai_family, hints.ai_flags, &list,
                          &canon);
    if (rv != 0)
        goto done;

    for (size_t i = 0; i < list.n; i++) {
        for (int k = 0; k < nkinds; k++) {
            struct evutil_addrinfo *ai;

            ai = new_node(&list.v[i], &kinds[k], hints.ai_flags);
            if (ai == NULL) {
                rv = EVUTIL_EAI_MEMORY;
                goto done;
            }
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    if (head == NULL) {
        rv = EVUTIL_EAI_NONAME;
        goto done;
    }
    /* The canonical name goes in the first record. */
    head->ai_canonname = canon;
    canon = NULL;
    *res = head;
    head = NULL;
done:
    evutil_freeaddrinfo(head);
    vg_mm_free(canon);
    vg_mm_free(list.v);
    return rv;
}

void
evutil_freeaddrinfo(struct evutil_addrinfo *ai)
{
    while (ai != NULL) {
        struct evutil_addrinfo *next = ai->ai_next;

        vg_mm_free(ai->ai_canonname);
        vg_mm_free(ai);
        ai = next;
    }
}

const char *
evutil_gai_strerror(int err)
{
    /* libevent's own texts (the BSD ones), not glibc's: programs print
     * and compare them. */
    switch (err) {
    case 0:
        return "No error";
    case EVUTIL_EAI_ADDRFAMILY:
        return "address family for nodename not supported";
    case EVUTIL_EAI_AGAIN:
        return "temporary failure in name resolution";
    case EVUTIL_EAI_BADFLAGS:
        return "invalid value for ai_flags";
    case EVUTIL_EAI_FAIL:
        return "non-recoverable failure in name resolution";
    case EVUTIL_EAI_FAMILY:
        return "ai_family not supported";
    case EVUTIL_EAI_MEMORY:
        return "memory allocation failure";
    case EVUTIL_EAI_NODATA:
        return "no address associated with nodename";
    case EVUTIL_EAI_NONAME:
        return "nodename nor servname provided, or not known";
    case EVUTIL_EAI_SERVICE:
        return "servname not supported for ai_socktype";
    case EVUTIL_EAI_SOCKTYPE:
        return "ai_socktype not supported";
    case EVUTIL_EAI_SYSTEM:
        return "system error";
    case EVUTIL_EAI_CANCEL:
        return "Request canceled";
    default:
        return "Unknown error";
    }
}
