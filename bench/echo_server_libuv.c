/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server_libuv: echo_server.c on libuv, for comparison.  Reads land
 * in a buffer the allocation callback hands out; each read is written back
 * with uv_write (which tries the socket at once) and its buffer freed when
 * the write completes.  echo-common.h describes the options.
 */
#include <uv.h>

#include "echo-common.h"

struct wreq {
    uv_write_t req;
    char *base;
};

static struct {
    struct echo_server_opts o;
    uv_loop_t *loop;
    uv_tcp_t server;
    long closed;
} g;

static void
on_close(uv_handle_t *h)
{
    free(h);
    g.closed++;
    if (g.o.exit_after > 0 && g.closed >= g.o.exit_after)
        uv_stop(g.loop);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(ECHO_IO_CHUNK);
    buf->len = buf->base != NULL ? ECHO_IO_CHUNK : 0;
}

static void
on_written(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;

    (void)status;
    free(w->base);
    free(w);
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct wreq *w;
    uv_buf_t out;

    if (n <= 0) {
        free(buf->base);
        if (n < 0)
            uv_close((uv_handle_t *)s, on_close);
        return;
    }
    w = malloc(sizeof(*w));
    if (w == NULL) {
        free(buf->base);
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    w->base = buf->base;
    out = uv_buf_init(buf->base, (unsigned int)n);
    if (uv_write(&w->req, s, &out, 1, on_written) != 0) {
        free(w->base);
        free(w);
        uv_close((uv_handle_t *)s, on_close);
    }
}

static void
on_connection(uv_stream_t *server, int status)
{
    uv_tcp_t *c;

    if (status < 0)
        return;
    c = malloc(sizeof(*c));
    if (c == NULL || uv_tcp_init(g.loop, c) != 0) {
        free(c);
        return;
    }
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_close);
        return;
    }
    uv_tcp_nodelay(c, 1);
    if (uv_read_start((uv_stream_t *)c, on_alloc, on_read) != 0)
        uv_close((uv_handle_t *)c, on_close);
}

int
main(int argc, char **argv)
{
    struct sockaddr_in sin;
    uv_os_fd_t fd;

    echo_server_parse(argc, argv, &g.o);
    echo_server_addr(&g.o, &sin);
    g.loop = uv_default_loop();
    if (uv_tcp_init(g.loop, &g.server) != 0 ||
        uv_tcp_bind(&g.server, (const struct sockaddr *)&sin, 0) != 0 ||
        uv_listen((uv_stream_t *)&g.server, 1024, on_connection) != 0 ||
        uv_fileno((uv_handle_t *)&g.server, &fd) != 0) {
        fprintf(stderr, "cannot listen\n");
        return 1;
    }
    if (echo_server_announce(fd) != 0)
        return 1;
    uv_run(g.loop, UV_RUN_DEFAULT);
    return 0;
}
