/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_server_epoll: the floor of the HTTP benchmark, a keep-alive
 * HTTP/1.1 server written on raw epoll (level-triggered, nonblocking
 * sockets) that does as little as a server can: no parsing beyond finding
 * the blank line that ends each request's head, and one fixed response
 * for every request whatever its method or path.  http-common.h describes
 * the options.
 *
 * A readable connection gets one read(); every complete request in its
 * buffer is answered by one write() of that many copies of the response,
 * so pipelined requests cost one write per batch.  What the socket does
 * not take waits, and the connection watches for writing only (it reads
 * no more) until it drained.  Requests with bodies are not supported.
 *
 * The file mode reads the file into memory once at start-up and serves
 * that copy: no open(), no sendfile(), no page cache lookups per request,
 * which is what makes it a floor rather than a file server.
 */
#include "http-common.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define READ_SIZE 65536
#define MAX_HEAD 65536 /* a request head longer than this closes */

struct conn {
    int fd;
    char in[READ_SIZE + MAX_HEAD];
    size_t in_len;
    char *out; /* what the socket did not take yet */
    size_t out_len;
    size_t out_off;
    size_t out_cap;
    struct conn *prev;
    struct conn *next;
};

static struct {
    struct http_server_opts o;
    int ep;
    int lfd;
    int sfd;
    char *resp; /* the response */
    size_t resp_len;
    char *batch; /* room for a batch of responses */
    size_t batch_cap;
    struct conn *conns;
} g;

static void
conn_close(struct conn *c)
{
    close(c->fd); /* Also takes it out of the epoll set. */
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        g.conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c->out);
    free(c);
}

static int
watch(struct conn *c, uint32_t what)
{
    struct epoll_event ev;

    ev.events = what;
    ev.data.ptr = c;
    return epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Grows a buffer to hold at least need bytes.  Returns 0 or -1. */
static int
reserve(char **buf, size_t *cap, size_t need)
{
    char *p;
    size_t n = *cap ? *cap : 4096;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    p = realloc(*buf, n);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

/*
 * Writes what is pending.  Returns 1 when all of it is out, 0 when some
 * waits, -1 when the connection failed.
 */
static int
flush(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = 0;
    c->out_len = 0;
    return 1;
}

/* Readable: answers every complete request.  Returns -1 to close. */
static int
on_read(struct conn *c)
{
    size_t done = 0;
    size_t count = 0;
    size_t i;
    ssize_t n;
    char *p;

    n = read(c->fd, c->in + c->in_len, READ_SIZE);
    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    c->in_len += (size_t)n;
    while ((p = memmem(c->in + done, c->in_len - done, "\r\n\r\n", 4)) !=
           NULL) {
        done = (size_t)(p - c->in) + 4;
        count++;
    }
    if (done < c->in_len) {
        if (c->in_len - done > MAX_HEAD)
            return -1;
        memmove(c->in, c->in + done, c->in_len - done);
    }
    c->in_len -= done;
    if (count == 0)
        return 0;

    if (reserve(&g.batch, &g.batch_cap, count * g.resp_len) != 0)
        return -1;
    for (i = 0; i < count; i++)
        memcpy(g.batch + i * g.resp_len, g.resp, g.resp_len);
    n = write(c->fd, g.batch, count * g.resp_len);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        n = 0;
    }
    if ((size_t)n == count * g.resp_len)
        return 0;
    /* The rest waits until the socket drains; no reading meanwhile. */
    if (reserve(&c->out, &c->out_cap, count * g.resp_len - (size_t)n) != 0)
        return -1;
    memcpy(c->out, g.batch + n, count * g.resp_len - (size_t)n);
    c->out_len = count * g.resp_len - (size_t)n;
    c->out_off = 0;
    return watch(c, EPOLLOUT);
}

static int
on_write(struct conn *c)
{
    int rc = flush(c);

    if (rc == 1)
        return watch(c, EPOLLIN);
    return rc;
}

static void
on_accept(void)
{
    for (;;) {
        struct epoll_event ev;
        struct conn *c;
        int one = 1;
        int fd = accept4(g.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                perror("accept4");
            return;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = malloc(sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->in_len = 0;
        c->out = NULL;
        c->out_len = c->out_off = c->out_cap = 0;
        c->prev = NULL;
        c->next = g.conns;
        if (g.conns != NULL)
            g.conns->prev = c;
        g.conns = c;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            perror("epoll_ctl");
            conn_close(c);
        }
    }
}

/* Builds the one response, the file read into memory for the file mode. */
static int
make_response(void)
{
    static const char hello[] = "HTTP/1.1 200 OK\r\n"
                                "Content-Type: text/plain\r\n"
                                "Content-Length: 6\r\n"
                                "\r\n" HTTP_HELLO_BODY;
    struct stat st;
    size_t head;
    int fd;

    if (g.o.mode == HTTP_MODE_HELLO) {
        g.resp_len = sizeof(hello) - 1;
        g.resp = bench_calloc(1, g.resp_len);
        memcpy(g.resp, hello, g.resp_len);
        return 0;
    }
    fd = open(g.o.file, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(g.o.file);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    g.resp = bench_calloc(1, 256 + (size_t)st.st_size);
    head = (size_t)snprintf(g.resp, 256,
                            "HTTP/1.1 200 OK\r\n"
                            "Content-Type: application/octet-stream\r\n"
                            "Content-Length: %lld\r\n"
                            "\r\n",
                            (long long)st.st_size);
    g.resp_len = head;
    while (g.resp_len < head + (size_t)st.st_size) {
        ssize_t n = read(fd, g.resp + g.resp_len,
                         head + (size_t)st.st_size - g.resp_len);

        if (n <= 0) {
            fprintf(stderr, "%s: short read\n", g.o.file);
            close(fd);
            return -1;
        }
        g.resp_len += (size_t)n;
    }
    close(fd);
    return 0;
}

static int
listen_on(void)
{
    struct sockaddr_in sin;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        perror("socket");
        return -1;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)g.o.port);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(fd, 1024) != 0) {
        perror("bind/listen");
        close(fd);
        return -1;
    }
    return fd;
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[MAX_EVENTS];
    struct epoll_event ev;
    sigset_t mask;
    int stop = 0;

    http_server_parse(argc, argv, &g.o);
    signal(SIGPIPE, SIG_IGN);
    if (make_response() != 0)
        return 1;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    g.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    g.lfd = listen_on();
    if (g.sfd < 0 || g.ep < 0 || g.lfd < 0) {
        perror("signalfd/epoll_create1");
        return 1;
    }
    ev.events = EPOLLIN;
    ev.data.ptr = &g.lfd; /* The listener. */
    if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.lfd, &ev) != 0)
        return 1;
    ev.data.ptr = &g.sfd; /* SIGTERM and SIGINT. */
    if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.sfd, &ev) != 0 ||
        http_server_announce(&g.o, g.lfd) != 0)
        return 1;

    while (!stop) {
        int n = epoll_wait(g.ep, evs, MAX_EVENTS, -1);
        int i;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int rc;

            if (evs[i].data.ptr == &g.lfd) {
                on_accept();
                continue;
            }
            if (evs[i].data.ptr == &g.sfd) {
                stop = 1;
                continue;
            }
            if (c->out_len > 0)
                rc = on_write(c);
            else
                rc = on_read(c);
            if (rc < 0)
                conn_close(c);
        }
    }
    while (g.conns != NULL)
        conn_close(g.conns);
    close(g.lfd);
    close(g.sfd);
    close(g.ep);
    free(g.resp);
    free(g.batch);
    return 0;
}
