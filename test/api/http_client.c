/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_client.c: evhttp's client, seen from a scripted raw-socket server
 * (test/helpers/vt-http-server.h).
 */
#include <event2/event.h>
#include <event2/http.h>

#include <stdio.h>
#include <string.h>

#include "vt-event.h"
#include "vt-http-server.h"
#include "vtest.h"

static const char ok_response[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

static const struct vt_hs_step serve_one[] = {
    VT_STEP_EXPECT, VT_STEP_SEND(ok_response), VT_STEP_WAIT_CLOSE, VT_STEP_END};

struct rec {
    int done;
    int code;
    char body[256];
};

static void
done_cb(struct evhttp_request *req, void *arg)
{
    struct rec *r = arg;

    r->done++;
    if (req != NULL) {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t n = evbuffer_get_length(in);

        r->code = evhttp_request_get_response_code(req);
        if (n >= sizeof(r->body))
            n = sizeof(r->body) - 1;
        evbuffer_remove(in, r->body, n);
        r->body[n] = '\0';
    }
}

START_TEST(smoke)
{
    struct vt_http_server *srv = vt_http_server_start(serve_one);
    struct event_base *base = event_base_new();
    struct evhttp_connection *evcon;
    struct evhttp_request *req;
    struct vt_hs_request sr;
    struct rec r = {0};

    ck_assert_ptr_nonnull(srv);
    evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1",
                                       (ev_uint16_t)vt_http_server_port(srv));
    req = evhttp_request_new(done_cb, &r);
    ck_assert_int_eq(evhttp_make_request(evcon, req, EVHTTP_REQ_GET, "/x"), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.done, 1), 1);
    ck_assert_int_eq(r.code, 200);
    ck_assert_str_eq(r.body, "hello");
    ck_assert_int_eq(vt_http_server_request(srv, 0, &sr), 0);
    printf("[%s]\n", sr.data);
    evhttp_connection_free(evcon);
    vt_http_server_stop(srv);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_client");
    TCase *tc = vt_tcase("smoke", 30);

    tcase_add_test(tc, smoke);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
