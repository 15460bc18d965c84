/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_pair.c: two bufferevents joined to each other; what one
 * writes arrives in the other's input.  Data moves at once (whole chunks
 * are relinked, never copied) whenever the writer may write and the reader
 * may read, up to the reader's high watermark; the callbacks always run
 * from the loop.  The two share one lock.
 */
#include "bufferevent-internal.h"

#include "mm-internal.h"

struct vg_bev_pair {
    struct vg_bev p;
    struct vg_bev_pair *partner;
    struct evbuffer_cb_entry *outbuf_cb;
    /* The partner whose lock this one borrows; referenced until this one
     * is gone. */
    struct vg_bev_pair *lock_owner;
};

#define PAIR(bev) ((struct vg_bev_pair *)(bev))

/* Moves data from src's output to dst's input.  With force, moves
 * everything regardless of the enabled directions and the watermark, and
 * runs both callbacks even if nothing moved (bufferevent_flush). */
static void
transfer(struct vg_bev_pair *src, struct vg_bev_pair *dst, int force)
{
    struct bufferevent *s = &src->p.bev, *d = &dst->p.bev;
    size_t n, have;

    if (!force && (!vg_bev_can_write(&src->p) || !vg_bev_can_read(&dst->p)))
        return;
    n = evbuffer_get_length(s->output);
    if (n == 0 && !force)
        return;
    have = evbuffer_get_length(d->input);
    if (!force && d->wm_read.high != 0) {
        if (have >= d->wm_read.high)
            return;
        if (n > d->wm_read.high - have)
            n = d->wm_read.high - have;
    }
    src->p.refcnt++;
    dst->p.refcnt++;
    if (n == evbuffer_get_length(s->output))
        evbuffer_add_buffer(d->input, s->output);
    else
        evbuffer_remove_buffer(s->output, d->input, n);
    vg_bev_generic_touch(d);
    vg_bev_generic_touch(s);
    if (force || evbuffer_get_length(d->input) >= d->wm_read.low)
        vg_bev_run_readcb(&dst->p, 0);
    if (force || evbuffer_get_length(s->output) <= s->wm_write.low)
        vg_bev_run_writecb(&src->p, 0);
    /* The lock is shared: unlock once for each reference dropped. */
    BEV_LOCK(d);
    vg_bev_decref_and_unlock(&dst->p);
    BEV_LOCK(s);
    vg_bev_decref_and_unlock(&src->p);
}

static void
pair_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
               void *arg)
{
    struct vg_bev_pair *bp = arg;

    (void)buf;
    if (info->n_added == 0)
        return;
    if (bp->partner != NULL)
        transfer(bp, bp->partner, 0);
    /* Data left behind starts the write timeout. */
    if (evbuffer_get_length(bp->p.bev.output) > 0)
        vg_bev_generic_touch(&bp->p.bev);
}

static int
pair_enable(struct bufferevent *bev, short what)
{
    struct vg_bev_pair *bp = PAIR(bev);

    vg_bev_generic_touch(bev);
    if (bp->partner == NULL)
        return 0;
    if (what & EV_READ)
        transfer(bp->partner, bp, 0);
    if ((what & EV_WRITE) && bp->partner != NULL)
        transfer(bp, bp->partner, 0);
    return 0;
}

static int
pair_disable(struct bufferevent *bev, short what)
{
    (void)what;
    vg_bev_generic_touch(bev);
    return 0;
}

static void
pair_unlink(struct bufferevent *bev)
{
    struct vg_bev_pair *bp = PAIR(bev);

    if (bp->partner != NULL) {
        bp->partner->partner = NULL;
        bp->partner = NULL;
    }
}

static void
pair_destruct(struct bufferevent *bev)
{
    struct vg_bev_pair *bp = PAIR(bev);

    pair_unlink(bev);
    if (bp->outbuf_cb != NULL) {
        evbuffer_remove_cb_entry(bev->output, bp->outbuf_cb);
        bp->outbuf_cb = NULL;
    }
}

static int
pair_flush(struct bufferevent *bev, short iotype,
           enum bufferevent_flush_mode mode)
{
    struct vg_bev_pair *bp = PAIR(bev);
    struct vg_bev_pair *partner = bp->partner;

    if (mode == BEV_NORMAL)
        return 0;
    if (partner == NULL)
        return -1; /* nothing to flush to (as libevent) */
    bp->p.refcnt++;
    partner->p.refcnt++;
    if (iotype & EV_READ)
        transfer(partner, bp, 1);
    if (iotype & EV_WRITE)
        transfer(bp, partner, 1);
    if (mode == BEV_FINISHED) {
        if (iotype & EV_READ)
            vg_bev_run_eventcb(&partner->p, BEV_EVENT_EOF | BEV_EVENT_WRITING,
                               0);
        if (iotype & EV_WRITE)
            vg_bev_run_eventcb(&partner->p, BEV_EVENT_EOF | BEV_EVENT_READING,
                               0);
    }
    BEV_LOCK(&partner->p.bev);
    vg_bev_decref_and_unlock(&partner->p);
    BEV_LOCK(bev);
    vg_bev_decref_and_unlock(&bp->p);
    return 0;
}

/* Frees a pair member that borrowed its partner's lock, then drops the
 * reference on the partner (which may free the lock). */
static void
pair_free_mem(struct vg_bev *p)
{
    struct vg_bev_pair *owner = ((struct vg_bev_pair *)p)->lock_owner;

    vg_mm_free(p);
    if (owner != NULL) {
        BEV_LOCK(&owner->p.bev);
        vg_bev_decref_and_unlock(&owner->p);
    }
}

static const struct bufferevent_ops vg_bev_ops_pair = {
    .type = "pair",
    .enable = pair_enable,
    .disable = pair_disable,
    .unlink = pair_unlink,
    .destruct = pair_destruct,
    .adj_timeouts = vg_bev_generic_adj_timeouts,
    .flush = pair_flush,
    .ctrl = NULL,
    .set_priority = NULL,
};

static struct vg_bev_pair *
pair_elt_new(struct event_base *base, int implicit, int options)
{
    struct vg_bev_pair *bp = vg_mm_calloc(1, sizeof(*bp));

    if (bp == NULL)
        return NULL;
    if (vg_bev_init_common(&bp->p, base, &vg_bev_ops_pair, options) < 0) {
        vg_mm_free(bp);
        return NULL;
    }
    bp->p.implicit_base = implicit;
    vg_bev_init_generic_timeouts(&bp->p);
    bp->outbuf_cb = evbuffer_add_cb(bp->p.bev.output, pair_outbuf_cb, bp);
    if (bp->outbuf_cb == NULL) {
        bufferevent_free(&bp->p.bev);
        return NULL;
    }
    return bp;
}

int
bufferevent_pair_new(struct event_base *base, int options,
                     struct bufferevent *pair[2])
{
    struct vg_bev_pair *a, *b;
    int implicit = base == NULL;

    /* A NULL base means the current one (event_init()), as in libevent;
     * without one there is nothing to run the callbacks. */
    if (base == NULL)
        base = vg_current_base;
    if (base == NULL || pair == NULL)
        return -1;
    options |= BEV_OPT_DEFER_CALLBACKS;
    a = pair_elt_new(base, implicit, options);
    if (a == NULL)
        return -1;
    b = pair_elt_new(base, implicit, options & ~BEV_OPT_THREADSAFE);
    if (b == NULL) {
        bufferevent_free(&a->p.bev);
        return -1;
    }
    if (a->p.lock != NULL) {
        vg_bev_share_lock(&b->p, a->p.lock);
        b->p.options |= BEV_OPT_THREADSAFE;
        b->lock_owner = a;
        b->p.free_mem = pair_free_mem;
        a->p.refcnt++;
    }
    a->partner = b;
    b->partner = a;
    pair[0] = &a->p.bev;
    pair[1] = &b->p.bev;
    return 0;
}

struct bufferevent *
bufferevent_pair_get_partner(struct bufferevent *bev)
{
    struct bufferevent *r = NULL;

    if (bev->be_ops != &vg_bev_ops_pair)
        return NULL;
    BEV_LOCK(bev);
    if (PAIR(bev)->partner != NULL)
        r = &PAIR(bev)->partner->p.bev;
    BEV_UNLOCK(bev);
    return r;
}
