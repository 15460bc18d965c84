/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server: a TCP echo server through libevent's public API only (an
 * evconnlistener and one socket bufferevent per connection, whose read
 * callback moves its input buffer onto its output buffer), so that the
 * same source builds against Vigil and against Debian's libevent.
 * echo_server_epoll.c is the floor; echo_client_epoll.c the load.
 * echo-common.h describes the options.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "echo-common.h"

static struct {
    struct echo_server_opts o;
    struct event_base *base;
    long closed;
} g;

static void
read_cb(struct bufferevent *bev, void *arg)
{
    (void)arg;
    if (evbuffer_add_buffer(bufferevent_get_output(bev),
                            bufferevent_get_input(bev)) != 0) {
        fprintf(stderr, "evbuffer_add_buffer failed\n");
        event_base_loopbreak(g.base);
    }
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(bev);
        g.closed++;
        if (g.o.exit_after > 0 && g.closed >= g.o.exit_after)
            event_base_loopbreak(g.base);
    }
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
          int salen, void *arg)
{
    struct bufferevent *bev;

    (void)l;
    (void)sa;
    (void)salen;
    (void)arg;
    echo_nodelay((int)fd);
    bev = bufferevent_socket_new(g.base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        fprintf(stderr, "bufferevent_socket_new failed\n");
        evutil_closesocket(fd);
        return;
    }
    bufferevent_setcb(bev, read_cb, NULL, event_cb, NULL);
    if (bufferevent_enable(bev, EV_READ | EV_WRITE) != 0) {
        fprintf(stderr, "bufferevent_enable failed\n");
        bufferevent_free(bev);
    }
}

int
main(int argc, char **argv)
{
    struct evconnlistener *l = NULL;
    struct sockaddr_in sin;
    int ret = 1;

    echo_server_parse(argc, argv, &g.o);
    echo_server_addr(&g.o, &sin);
    g.base = event_base_new();
    if (g.base == NULL) {
        fprintf(stderr, "event_base_new failed\n");
        goto done;
    }
    l = evconnlistener_new_bind(g.base, accept_cb, NULL,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
                                (struct sockaddr *)&sin, (int)sizeof(sin));
    if (l == NULL) {
        perror("evconnlistener_new_bind");
        goto done;
    }
    if (echo_server_announce(evconnlistener_get_fd(l)) != 0)
        goto done;
    if (event_base_dispatch(g.base) < 0) {
        fprintf(stderr, "event_base_dispatch failed\n");
        goto done;
    }
    ret = 0;

done:
    if (l != NULL)
        evconnlistener_free(l);
    if (g.base != NULL)
        event_base_free(g.base);
    return ret;
}
