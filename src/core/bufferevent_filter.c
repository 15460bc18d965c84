/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_filter.c: a bufferevent on top of another one, transforming
 * what passes between them.  The filter takes over the underlying
 * bufferevent's callbacks: data arriving there goes through the input
 * filter into the filter's input; data written to the filter goes through
 * the output filter into the underlying output, at once.  The underlying
 * bufferevent reads only while the filter reads.
 */
#include "bufferevent-internal.h"

#include "mm-internal.h"

struct vg_bev_filter {
    struct vg_bev p;
    struct bufferevent *underlying;
    bufferevent_filter_cb in_filter;
    bufferevent_filter_cb out_filter;
    void (*free_context)(void *);
    void *ctx;
    struct evbuffer_cb_entry *outbuf_cb;
    /* The output filter is running: what it writes to this bufferevent
     * joins the output without a nested run (as libevent). */
    unsigned in_output : 1;
};

#define FILT(bev) ((struct vg_bev_filter *)(bev))

/* The filter used when none is given: moves everything unchanged. */
static enum bufferevent_filter_result
copy_filter(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
            enum bufferevent_flush_mode mode, void *ctx)
{
    (void)mode;
    (void)ctx;
    if (lim >= 0 && (size_t)lim < evbuffer_get_length(src))
        evbuffer_remove_buffer(src, dst, (size_t)lim);
    else
        evbuffer_add_buffer(dst, src);
    return BEV_OK;
}

/* The timeouts: the read timeout runs while reading is enabled, restarted
 * whenever data arrives; the write timeout is (re)started by data passing
 * through the output filter or waiting in the output, and stops only when
 * writing is disabled or the timeout cleared (libevent's behaviour: a
 * filter cannot tell when the underlying bufferevent has written). */
static int
filter_adj_timeouts(struct bufferevent *bev)
{
    return vg_bev_timer_adj_timeouts(bev, 1);
}

/* Runs the input filter; returns -1 after BEV_ERROR, else whether
 * anything was produced. */
static int
process_input(struct vg_bev_filter *f, enum bufferevent_flush_mode mode)
{
    struct bufferevent *bev = &f->p.bev;
    struct evbuffer *src = f->underlying->input;
    enum bufferevent_filter_result res;
    int any = 0;

    if (mode == BEV_NORMAL && !vg_bev_can_read(&f->p))
        return 0;
    do {
        ev_ssize_t limit = -1;

        if (bev->wm_read.high != 0) {
            size_t have = evbuffer_get_length(bev->input);

            if (have >= bev->wm_read.high)
                break;
            limit = (ev_ssize_t)(bev->wm_read.high - have);
        }
        res = f->in_filter(src, bev->input, limit, mode, f->ctx);
        if (res == BEV_OK)
            any = 1;
        else if (res == BEV_ERROR)
            return -1;
    } while (res == BEV_OK && evbuffer_get_length(src) > 0 &&
             (mode != BEV_NORMAL || vg_bev_can_read(&f->p)));
    if (any)
        vg_bev_timer_touch(bev, 1);
    if (any && evbuffer_get_length(bev->input) >= bev->wm_read.low)
        vg_bev_run_readcb(&f->p, 0);
    return any;
}

/* Runs the output filter; returns -1 after BEV_ERROR, else whether
 * anything was produced. */
static int
process_output(struct vg_bev_filter *f, enum bufferevent_flush_mode mode)
{
    struct bufferevent *bev = &f->p.bev;
    struct evbuffer *dst = f->underlying->output;
    enum bufferevent_filter_result res;
    int any = 0;

    if (f->in_output)
        return 0;
    if (mode == BEV_NORMAL &&
        (!vg_bev_can_write(&f->p) || evbuffer_get_length(bev->output) == 0))
        return 0;
    f->in_output = 1;
    do {
        ev_ssize_t limit = -1;

        if (bev->wm_write.high != 0) {
            size_t have = evbuffer_get_length(dst);

            if (have >= bev->wm_write.high)
                break;
            limit = (ev_ssize_t)(bev->wm_write.high - have);
        }
        res = f->out_filter(bev->output, dst, limit, mode, f->ctx);
        if (res == BEV_OK)
            any = 1;
    } while (res == BEV_OK && evbuffer_get_length(bev->output) > 0 &&
             (mode != BEV_NORMAL || vg_bev_can_write(&f->p)));
    f->in_output = 0;
    if (res == BEV_ERROR)
        return -1;
    /* Data passing through (re)starts the write timeout, which then
     * runs whether or not the underlying bufferevent gets it out. */
    if (any && vg_bev_tv(&bev->timeout_write) != NULL &&
        vg_bev_can_write(&f->p))
        event_add(&bev->ev_write, &bev->timeout_write);
    else if (evbuffer_get_length(bev->output) > 0)
        vg_bev_timer_touch(bev, 1);
    if (any && evbuffer_get_length(bev->output) <= bev->wm_write.low)
        vg_bev_run_writecb(&f->p, 0);
    return any;
}

/* The underlying bufferevent's callbacks. */

static void
under_read_cb(struct bufferevent *under, void *arg)
{
    struct vg_bev_filter *f = arg;

    (void)under;
    BEV_LOCK(&f->p.bev);
    f->p.refcnt++;
    process_input(f, BEV_NORMAL);
    vg_bev_decref_and_unlock(&f->p);
}

static void
under_write_cb(struct bufferevent *under, void *arg)
{
    struct vg_bev_filter *f = arg;

    (void)under;
    BEV_LOCK(&f->p.bev);
    f->p.refcnt++;
    process_output(f, BEV_NORMAL);
    vg_bev_decref_and_unlock(&f->p);
}

static void
under_event_cb(struct bufferevent *under, short what, void *arg)
{
    struct vg_bev_filter *f = arg;

    (void)under;
    BEV_LOCK(&f->p.bev);
    f->p.refcnt++;
    vg_bev_run_eventcb(&f->p, what, 0);
    vg_bev_decref_and_unlock(&f->p);
}

static void
filter_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                 void *arg)
{
    struct vg_bev_filter *f = arg;

    (void)buf;
    if (info->n_added == 0)
        return;
    /* The output's lock is the bufferevent's and is held here; taking
     * it again (it is recursive) keeps the pattern of the other
     * callbacks. */
    BEV_LOCK(&f->p.bev);
    f->p.refcnt++;
    process_output(f, BEV_NORMAL);
    vg_bev_decref_and_unlock(&f->p);
}

/* ------------------------------------------------------------------ */
/* The ops table.                                                      */

static int
filter_enable(struct bufferevent *bev, short what)
{
    struct vg_bev_filter *f = FILT(bev);

    if (what & EV_READ) {
        vg_bev_unsuspend_read(VG_BEV(f->underlying), VG_BEV_SUSPEND_FILT);
        if (evbuffer_get_length(f->underlying->input) > 0)
            process_input(f, BEV_NORMAL);
    }
    if (what & EV_WRITE)
        process_output(f, BEV_NORMAL);
    vg_bev_timer_touch(bev, 1);
    return 0;
}

static int
filter_disable(struct bufferevent *bev, short what)
{
    struct vg_bev_filter *f = FILT(bev);

    if (what & EV_READ)
        vg_bev_suspend_read(VG_BEV(f->underlying), VG_BEV_SUSPEND_FILT);
    vg_bev_timer_touch(bev, 1);
    return 0;
}

static void
filter_destruct(struct bufferevent *bev)
{
    struct vg_bev_filter *f = FILT(bev);
    struct bufferevent *u = f->underlying;

    if (f->free_context != NULL)
        f->free_context(f->ctx);
    f->free_context = NULL;
    if (f->outbuf_cb != NULL) {
        evbuffer_remove_cb_entry(bev->output, f->outbuf_cb);
        f->outbuf_cb = NULL;
    }
    if (f->p.options & BEV_OPT_CLOSE_ON_FREE) {
        bufferevent_free(u);
    } else {
        BEV_LOCK(u);
        if (u->errorcb == under_event_cb && u->cbarg == f) {
            u->readcb = NULL;
            u->writecb = NULL;
            u->errorcb = NULL;
            u->cbarg = NULL;
        }
        vg_bev_unsuspend_read(VG_BEV(u), VG_BEV_SUSPEND_FILT);
        BEV_UNLOCK(u);
    }
}

/* Drops the reference on the underlying bufferevent once the filter no
 * longer uses its lock. */
static void
filter_free_mem(struct vg_bev *p)
{
    struct bufferevent *u = FILT(p)->underlying;

    vg_mm_free(p);
    bufferevent_decref(u);
}

static int
filter_flush(struct bufferevent *bev, short iotype,
             enum bufferevent_flush_mode mode)
{
    struct vg_bev_filter *f = FILT(bev);
    int any = 0, r;

    f->p.refcnt++;
    if (iotype & EV_READ) {
        r = process_input(f, mode);
        if (r < 0)
            any = -1;
        else if (r > 0 && any == 0)
            any = 1;
    }
    if (iotype & EV_WRITE) {
        r = process_output(f, mode);
        if (r < 0)
            any = -1;
        else if (r > 0 && any == 0)
            any = 1;
        if (mode != BEV_NORMAL && any >= 0)
            bufferevent_flush(f->underlying, EV_WRITE, mode);
    }
    BEV_LOCK(bev);
    vg_bev_decref_and_unlock(&f->p);
    return any;
}

static int
filter_ctrl(struct bufferevent *bev, enum vg_bev_ctrl_op op,
            union vg_bev_ctrl_data *data)
{
    struct vg_bev_filter *f = FILT(bev);

    switch (op) {
    case VG_BEV_CTRL_GET_UNDERLYING:
        data->ptr = f->underlying;
        return 0;
    case VG_BEV_CTRL_GET_FD:
        data->fd = bufferevent_getfd(f->underlying);
        return 0;
    case VG_BEV_CTRL_SET_FD:
        return bufferevent_setfd(f->underlying, data->fd);
    default:
        return -1;
    }
}

static const struct bufferevent_ops vg_bev_ops_filter = {
    .type = "filter",
    .enable = filter_enable,
    .disable = filter_disable,
    .unlink = NULL,
    .destruct = filter_destruct,
    .adj_timeouts = filter_adj_timeouts,
    .flush = filter_flush,
    .ctrl = filter_ctrl,
    .set_priority = NULL,
};

struct bufferevent *
bufferevent_filter_new(struct bufferevent *underlying,
                       bufferevent_filter_cb input_filter,
                       bufferevent_filter_cb output_filter, int options,
                       void (*free_context)(void *), void *ctx)
{
    struct vg_bev_filter *f;
    int own_options = options;

    if (underlying == NULL)
        return NULL;
    f = vg_mm_calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    /* A thread-safe filter shares the underlying bufferevent's lock when
     * it has one. */
    if ((options & BEV_OPT_THREADSAFE) && VG_BEV(underlying)->lock != NULL)
        own_options &= ~BEV_OPT_THREADSAFE;
    if (vg_bev_init_common(&f->p, underlying->ev_base, &vg_bev_ops_filter,
                           own_options) < 0) {
        vg_mm_free(f);
        return NULL;
    }
    if (own_options != options) {
        vg_bev_share_lock(&f->p, VG_BEV(underlying)->lock);
        f->p.options = options;
    }
    /* Over a bufferevent made with a NULL base, the filter reports none
     * either (libevent takes the underlying one's base as it is). */
    f->p.implicit_base = VG_BEV(underlying)->implicit_base;
    vg_bev_init_generic_timeouts(&f->p);
    f->underlying = underlying;
    f->in_filter = input_filter != NULL ? input_filter : copy_filter;
    f->out_filter = output_filter != NULL ? output_filter : copy_filter;
    f->free_context = free_context;
    f->ctx = ctx;
    f->p.free_mem = filter_free_mem;
    bufferevent_incref(underlying);
    f->outbuf_cb = evbuffer_add_cb(f->p.bev.output, filter_outbuf_cb, f);
    if (f->outbuf_cb == NULL) {
        f->free_context = NULL;
        f->p.options &= ~BEV_OPT_CLOSE_ON_FREE;
        bufferevent_free(&f->p.bev);
        return NULL;
    }
    bufferevent_setcb(underlying, under_read_cb, under_write_cb, under_event_cb,
                      f);
    BEV_LOCK(underlying);
    vg_bev_suspend_read(VG_BEV(underlying), VG_BEV_SUSPEND_FILT);
    BEV_UNLOCK(underlying);
    bufferevent_enable(underlying, EV_READ | EV_WRITE);
    return &f->p.bev;
}
