/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-buffer.h: evbuffer helpers for the black-box tests.  Header-only, as
 * vt-event.h is: each test compiles them against the headers of the
 * library it is built for.
 */
#ifndef VIGIL_VT_BUFFER_H
#define VIGIL_VT_BUFFER_H

#include <event2/buffer.h>

#include <check.h>
#include <stdlib.h>

/* Checks that buf holds exactly the len bytes at want. */
static inline void
vt_check_contents(struct evbuffer *buf, const void *want, size_t len)
{
    unsigned char *copy = malloc(len + 1);

    ck_assert_ptr_nonnull(copy);
    ck_assert_uint_eq(evbuffer_get_length(buf), len);
    ck_assert_int_eq(evbuffer_copyout(buf, copy, len + 1), (ev_ssize_t)len);
    if (len > 0)
        ck_assert_mem_eq(copy, want, len);
    free(copy);
}

#endif
