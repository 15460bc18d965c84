/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent.c: the generic bufferevent layer.  Everything a kind of
 * bufferevent (socket, pair, filter) has in common: the callbacks, run
 * now or from the loop, the reference count and lock, enabling and
 * pausing directions, watermarks and timeouts; the kind's own behaviour
 * comes from its const ops table.
 *
 * Lifetime: the program's reference, plus one for every scheduled
 * deferred callback and one for every handler running.  When the count
 * reaches zero the kind releases its resources and the memory goes, at
 * once without threads, otherwise once the internal events have been
 * finalized by the loop (so a handler running in another thread never
 * sees freed memory).
 */
#include "bufferevent-internal.h"

#include <errno.h>
#include <string.h>

#include "buffer-internal.h"
#include "mm-internal.h"

/* ------------------------------------------------------------------ */
/* Callbacks.                                                          */

/* libevent runs the read callback again, once an iteration, while the
 * callback leaves the input at or above the high watermark with reading
 * enabled and paused only by that watermark (observed on 2.1.12, and
 * programs may rely on it).  Called after a read callback ran. */
void
vg_bev_repeat_readcb_at_high(struct vg_bev *p)
{
    struct bufferevent *bev = &p->bev;
    struct event_base *base = bev->ev_base;

    if (bev->wm_read.high == 0 || bev->readcb == NULL ||
        !(bev->enabled & EV_READ) ||
        (p->read_suspended & ~VG_BEV_SUSPEND_WM) != 0 || base == NULL ||
        evbuffer_get_length(bev->input) < bev->wm_read.high)
        return;
    p->readcb_pending = 1;
    BASE_LOCK(base);
    if (vg_event_callback_activate_later(base, &p->deferred)) {
        p->refcnt++;
        vg_base_wake(base);
    }
    BASE_UNLOCK(base);
}

/* Calls a data callback for deferred_cb(), without the lock if unlock
 * (BEV_OPT_UNLOCK_CALLBACKS). */
static void
call_data_cb(struct bufferevent *bev, bufferevent_data_cb cb, int unlock)
{
    void *arg = bev->cbarg;

    if (unlock)
        BEV_UNLOCK(bev);
    cb(bev, arg);
    if (unlock)
        BEV_LOCK(bev);
}

/* Calls the user's callbacks whose runs were deferred. */
static void
deferred_cb(struct event_callback *cb, void *arg)
{
    struct vg_bev *p = arg;
    struct bufferevent *bev = &p->bev;
    int unlock = (p->options & BEV_OPT_UNLOCK_CALLBACKS) != 0;

    (void)cb;
    BEV_LOCK(bev);
    if (p->eventcb_pending & BEV_EVENT_CONNECTED) {
        /* A connection is reported before the data that followed it. */
        p->eventcb_pending &= ~BEV_EVENT_CONNECTED;
        if (bev->errorcb != NULL) {
            bufferevent_event_cb ecb = bev->errorcb;
            void *arg2 = bev->cbarg;

            if (unlock)
                BEV_UNLOCK(bev);
            ecb(bev, BEV_EVENT_CONNECTED, arg2);
            if (unlock)
                BEV_LOCK(bev);
        }
    }
    if (p->readcb_pending) {
        /* Cleared first: the callback may schedule another run. */
        p->readcb_pending = 0;
        if (bev->readcb != NULL) {
            call_data_cb(bev, bev->readcb, unlock);
            vg_bev_repeat_readcb_at_high(p);
        }
    }
    if (p->writecb_pending) {
        p->writecb_pending = 0;
        if (bev->writecb != NULL)
            call_data_cb(bev, bev->writecb, unlock);
    }
    if (p->eventcb_pending) {
        short what = p->eventcb_pending;
        int err = p->errno_pending;

        p->eventcb_pending = 0;
        p->errno_pending = 0;
        if (bev->errorcb != NULL) {
            bufferevent_event_cb ecb = bev->errorcb;
            void *arg2 = bev->cbarg;

            if (unlock)
                BEV_UNLOCK(bev);
            errno = err;
            ecb(bev, what, arg2);
            if (unlock)
                BEV_LOCK(bev);
        }
    }
    /* The activation's reference. */
    vg_bev_decref_and_unlock(p);
}

static void
schedule_deferred(struct vg_bev *p)
{
    struct event_base *base = p->bev.ev_base;

    if (base == NULL)
        return; /* a 1.x bufferevent before bufferevent_base_set() */
    BASE_LOCK(base);
    if (vg_event_deferred_schedule(base, &p->deferred)) {
        p->refcnt++;
        vg_base_wake(base);
    }
    BASE_UNLOCK(base);
}

void
vg_bev_run_readcb(struct vg_bev *p, int options)
{
    struct bufferevent *bev = &p->bev;

    if (bev->readcb == NULL)
        return;
    if ((p->options | options) & BEV_OPT_DEFER_CALLBACKS) {
        p->readcb_pending = 1;
        schedule_deferred(p);
    } else {
        bev->readcb(bev, bev->cbarg);
        vg_bev_repeat_readcb_at_high(p);
    }
}

void
vg_bev_run_writecb(struct vg_bev *p, int options)
{
    struct bufferevent *bev = &p->bev;

    if (bev->writecb == NULL)
        return;
    if ((p->options | options) & BEV_OPT_DEFER_CALLBACKS) {
        p->writecb_pending = 1;
        schedule_deferred(p);
    } else {
        bev->writecb(bev, bev->cbarg);
    }
}

void
vg_bev_run_eventcb(struct vg_bev *p, short what, int options)
{
    struct bufferevent *bev = &p->bev;

    if (bev->errorcb == NULL)
        return;
    if ((p->options | options) & BEV_OPT_DEFER_CALLBACKS) {
        p->eventcb_pending |= what;
        p->errno_pending = errno;
        schedule_deferred(p);
    } else {
        bev->errorcb(bev, what, bev->cbarg);
    }
}

/* ------------------------------------------------------------------ */
/* Timeouts of the kinds without a socket (pairs, filters).            */

static void
generic_timeout_cb(evutil_socket_t fd, short what, void *arg, short dir)
{
    struct vg_bev *p = arg;
    struct bufferevent *bev = &p->bev;

    (void)fd;
    (void)what;
    BEV_LOCK(bev);
    p->refcnt++;
    bev->enabled &= ~dir;
    bev->be_ops->disable(bev, dir);
    vg_bev_generic_adj_timeouts(bev);
    errno = 0;
    vg_bev_run_eventcb(p,
                       BEV_EVENT_TIMEOUT | (dir == EV_READ ? BEV_EVENT_READING
                                                           : BEV_EVENT_WRITING),
                       0);
    vg_bev_decref_and_unlock(p);
}

static void
generic_read_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    generic_timeout_cb(fd, what, arg, EV_READ);
}

static void
generic_write_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    generic_timeout_cb(fd, what, arg, EV_WRITE);
}

void
vg_bev_init_generic_timeouts(struct vg_bev *p)
{
    struct bufferevent *bev = &p->bev;

    evtimer_assign(&bev->ev_read, bev->ev_base, generic_read_timeout_cb, p);
    evtimer_assign(&bev->ev_write, bev->ev_base, generic_write_timeout_cb, p);
}

int
vg_bev_timer_adj_timeouts(struct bufferevent *bev, int keep_write)
{
    struct vg_bev *p = VG_BEV(bev);
    const struct timeval *tr = vg_bev_tv(&bev->timeout_read);
    const struct timeval *tw = vg_bev_tv(&bev->timeout_write);
    int r = 0;

    if (tr != NULL && vg_bev_can_read(p)) {
        if (event_add(&bev->ev_read, tr) < 0)
            r = -1;
    } else if (event_pending(&bev->ev_read, EV_TIMEOUT, NULL)) {
        event_del(&bev->ev_read);
    }
    if (tw != NULL && vg_bev_can_write(p) &&
        evbuffer_get_length(bev->output) > 0) {
        if (event_add(&bev->ev_write, tw) < 0)
            r = -1;
    } else if ((tw == NULL || !vg_bev_can_write(p) || !keep_write) &&
               event_pending(&bev->ev_write, EV_TIMEOUT, NULL)) {
        event_del(&bev->ev_write);
    }
    return r;
}

int
vg_bev_generic_adj_timeouts(struct bufferevent *bev)
{
    return vg_bev_timer_adj_timeouts(bev, 0);
}

/* ------------------------------------------------------------------ */
/* Life cycle.                                                         */

static void
free_memory(struct vg_bev *p)
{
    vg_lock_free(p->own_lock ? p->lock : NULL, EVTHREAD_LOCKTYPE_RECURSIVE);
    if (p->free_mem != NULL)
        p->free_mem(p);
    else
        vg_mm_free(p);
}

static void
finalized_cb(struct event *ev, void *arg)
{
    struct vg_bev *p = arg;

    (void)ev;
    if (--p->pending_finalize == 0)
        free_memory(p);
}

static void
wm_inbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
            void *arg)
{
    struct vg_bev *p = arg;
    size_t len = evbuffer_get_length(buf);

    (void)info;
    if (p->bev.wm_read.high != 0 && len >= p->bev.wm_read.high)
        vg_bev_suspend_read(p, VG_BEV_SUSPEND_WM);
    else
        vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_WM);
}

int
vg_bev_init_common(struct vg_bev *p, struct event_base *base,
                   const struct bufferevent_ops *ops, int options)
{
    struct bufferevent *bev = &p->bev;

    if ((options & (BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS)) ==
        BEV_OPT_UNLOCK_CALLBACKS) {
        vg_log_warnx("UNLOCK_CALLBACKS requires DEFER_CALLBACKS");
        return -1;
    }
    bev->ev_base = base;
    bev->be_ops = ops;
    bev->input = evbuffer_new();
    bev->output = evbuffer_new();
    if (bev->input == NULL || bev->output == NULL)
        goto fail;
    if ((options & BEV_OPT_THREADSAFE) && vg_locking_enabled()) {
        p->lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        if (p->lock == NULL)
            goto fail;
        p->own_lock = 1;
        evbuffer_enable_locking(bev->input, p->lock);
        evbuffer_enable_locking(bev->output, p->lock);
    }
    bev->enabled = EV_WRITE;
    p->refcnt = 1;
    p->options = options;
    p->priority = base != NULL ? base->nactivequeues / 2 : 0;
    p->max_single_read = VG_BEV_MAX_SINGLE_DEFAULT;
    p->max_single_write = VG_BEV_MAX_SINGLE_DEFAULT;
    vg_event_callback_init(base, &p->deferred, deferred_cb, p, p->priority);
    return 0;
fail:
    if (bev->input != NULL)
        evbuffer_free(bev->input);
    if (bev->output != NULL)
        evbuffer_free(bev->output);
    bev->input = bev->output = NULL;
    return -1;
}

void
vg_bev_share_lock(struct vg_bev *p, void *lock)
{
    if (lock == NULL || p->lock != NULL)
        return;
    p->lock = lock;
    p->own_lock = 0;
    evbuffer_enable_locking(p->bev.input, lock);
    evbuffer_enable_locking(p->bev.output, lock);
}

int
vg_bev_decref_and_unlock(struct vg_bev *p)
{
    struct bufferevent *bev = &p->bev;
    struct event_base *base = bev->ev_base;
    int threaded;

    VG_ASSERT(p->refcnt > 0);
    if (--p->refcnt > 0) {
        BEV_UNLOCK(bev);
        return 0;
    }
    if (bev->be_ops->destruct != NULL)
        bev->be_ops->destruct(bev);
    if (p->rate_destruct != NULL)
        p->rate_destruct(p);
    if (p->inbuf_wm_cb != NULL)
        evbuffer_remove_cb_entry(bev->input, p->inbuf_wm_cb);
    evbuffer_free(bev->input);
    evbuffer_free(bev->output);
    threaded = 0;
    if (base != NULL) {
        BASE_LOCK(base);
        vg_event_callback_cancel(base, &p->deferred);
        threaded = base->th_base_lock != NULL;
        BASE_UNLOCK(base);
    }
    BEV_UNLOCK(bev);

    if (bev->ev_read.ev_base == NULL) {
        free_memory(p);
    } else if (!threaded) {
        /* Nothing can be running elsewhere. */
        event_del(&bev->ev_read);
        event_del(&bev->ev_write);
        free_memory(p);
    } else {
        p->pending_finalize = 2;
        event_finalize(0, &bev->ev_read, finalized_cb);
        event_finalize(0, &bev->ev_write, finalized_cb);
    }
    return 1;
}

void
bufferevent_incref(struct bufferevent *bufev)
{
    BEV_LOCK(bufev);
    VG_BEV(bufev)->refcnt++;
    BEV_UNLOCK(bufev);
}

int
bufferevent_decref(struct bufferevent *bufev)
{
    BEV_LOCK(bufev);
    return vg_bev_decref_and_unlock(VG_BEV(bufev));
}

void
bufferevent_free(struct bufferevent *bufev)
{
    struct vg_bev *p = VG_BEV(bufev);

    if (bufev == NULL)
        return;
    BEV_LOCK(bufev);
    if (p->freed) {
        BEV_UNLOCK(bufev);
        return;
    }
    p->freed = 1;
    bufev->readcb = NULL;
    bufev->writecb = NULL;
    bufev->errorcb = NULL;
    bufev->cbarg = NULL;
    if (bufev->be_ops->unlink != NULL)
        bufev->be_ops->unlink(bufev);
    /* Queued callbacks have nothing left to call: drop them and their
     * references now, so that the memory (and a CLOSE_ON_FREE socket)
     * does not wait for a loop that may never run again. */
    if (bufev->ev_base != NULL) {
        BASE_LOCK(bufev->ev_base);
        if (vg_event_callback_cancel(bufev->ev_base, &p->deferred))
            p->refcnt--;
        BASE_UNLOCK(bufev->ev_base);
    }
    p->readcb_pending = 0;
    p->writecb_pending = 0;
    p->eventcb_pending = 0;
    vg_bev_decref_and_unlock(p);
}

void
bufferevent_lock(struct bufferevent *bufev)
{
    BEV_LOCK(bufev);
}

void
bufferevent_unlock(struct bufferevent *bufev)
{
    BEV_UNLOCK(bufev);
}

/* ------------------------------------------------------------------ */
/* Enabling and pausing.                                               */

/* Sets WHAT in the suspension mask *MASK; the first suspension turns off
 * the backend's polling for EVENT if the user has it enabled. */
static void
suspend_dir(struct vg_bev *p, unsigned short *mask, unsigned short what,
            short event)
{
    unsigned short was = *mask;

    *mask |= what;
    if (!was && (p->bev.enabled & event))
        p->bev.be_ops->disable(&p->bev, event);
}

/* Clears WHAT from *MASK; lifting the last suspension turns polling for
 * EVENT back on if the user has it enabled. */
static void
unsuspend_dir(struct vg_bev *p, unsigned short *mask, unsigned short what,
              short event)
{
    if (!(*mask & what))
        return;
    *mask &= (unsigned short)~what;
    if (!*mask && (p->bev.enabled & event))
        p->bev.be_ops->enable(&p->bev, event);
}

void
vg_bev_suspend_read(struct vg_bev *p, unsigned short what)
{
    suspend_dir(p, &p->read_suspended, what, EV_READ);
}

void
vg_bev_unsuspend_read(struct vg_bev *p, unsigned short what)
{
    unsuspend_dir(p, &p->read_suspended, what, EV_READ);
}

void
vg_bev_suspend_write(struct vg_bev *p, unsigned short what)
{
    suspend_dir(p, &p->write_suspended, what, EV_WRITE);
}

void
vg_bev_unsuspend_write(struct vg_bev *p, unsigned short what)
{
    unsuspend_dir(p, &p->write_suspended, what, EV_WRITE);
}

int
bufferevent_enable(struct bufferevent *bufev, short event)
{
    struct vg_bev *p = VG_BEV(bufev);
    short impl;
    int r = 0;

    if (bufev == NULL)
        return -1;
    event &= EV_READ | EV_WRITE;
    BEV_LOCK(bufev);
    p->refcnt++;
    impl = event;
    if (p->read_suspended)
        impl &= ~EV_READ;
    if (p->write_suspended)
        impl &= ~EV_WRITE;
    bufev->enabled |= event;
    if (impl != 0 && bufev->be_ops->enable(bufev, impl) < 0)
        r = -1;
    vg_bev_decref_and_unlock(p);
    return r;
}

int
bufferevent_disable(struct bufferevent *bufev, short event)
{
    int r = 0;

    if (bufev == NULL)
        return -1;
    event &= EV_READ | EV_WRITE;
    BEV_LOCK(bufev);
    bufev->enabled &= ~event;
    if (event != 0 && bufev->be_ops->disable(bufev, event) < 0)
        r = -1;
    BEV_UNLOCK(bufev);
    return r;
}

short
bufferevent_get_enabled(struct bufferevent *bufev)
{
    short r;

    BEV_LOCK(bufev);
    r = bufev->enabled;
    BEV_UNLOCK(bufev);
    return r;
}

/* ------------------------------------------------------------------ */
/* Callbacks, buffers, watermarks, timeouts.                           */

void
bufferevent_setcb(struct bufferevent *bufev, bufferevent_data_cb readcb,
                  bufferevent_data_cb writecb, bufferevent_event_cb eventcb,
                  void *cbarg)
{
    BEV_LOCK(bufev);
    bufev->readcb = readcb;
    bufev->writecb = writecb;
    bufev->errorcb = eventcb;
    bufev->cbarg = cbarg;
    BEV_UNLOCK(bufev);
}

void
bufferevent_getcb(struct bufferevent *bufev, bufferevent_data_cb *readcb_ptr,
                  bufferevent_data_cb *writecb_ptr,
                  bufferevent_event_cb *eventcb_ptr, void **cbarg_ptr)
{
    BEV_LOCK(bufev);
    if (readcb_ptr != NULL)
        *readcb_ptr = bufev->readcb;
    if (writecb_ptr != NULL)
        *writecb_ptr = bufev->writecb;
    if (eventcb_ptr != NULL)
        *eventcb_ptr = bufev->errorcb;
    if (cbarg_ptr != NULL)
        *cbarg_ptr = bufev->cbarg;
    BEV_UNLOCK(bufev);
}

struct evbuffer *
bufferevent_get_input(struct bufferevent *bufev)
{
    return bufev->input;
}

struct evbuffer *
bufferevent_get_output(struct bufferevent *bufev)
{
    return bufev->output;
}

struct event_base *
bufferevent_get_base(struct bufferevent *bev)
{
    return VG_BEV(bev)->implicit_base ? NULL : bev->ev_base;
}

int
bufferevent_write(struct bufferevent *bufev, const void *data, size_t size)
{
    if (evbuffer_add(bufev->output, data, size) < 0)
        return -1;
    return 0;
}

int
bufferevent_write_buffer(struct bufferevent *bufev, struct evbuffer *buf)
{
    if (evbuffer_add_buffer(bufev->output, buf) < 0)
        return -1;
    return 0;
}

size_t
bufferevent_read(struct bufferevent *bufev, void *data, size_t size)
{
    int n = evbuffer_remove(bufev->input, data, size);

    return n < 0 ? 0 : (size_t)n;
}

int
bufferevent_read_buffer(struct bufferevent *bufev, struct evbuffer *buf)
{
    return evbuffer_add_buffer(buf, bufev->input);
}

void
bufferevent_setwatermark(struct bufferevent *bufev, short events,
                         size_t lowmark, size_t highmark)
{
    struct vg_bev *p = VG_BEV(bufev);

    BEV_LOCK(bufev);
    if (events & EV_WRITE) {
        bufev->wm_write.low = lowmark;
        bufev->wm_write.high = highmark;
    }
    if (events & EV_READ) {
        bufev->wm_read.low = lowmark;
        bufev->wm_read.high = highmark;
        if (highmark != 0) {
            if (p->inbuf_wm_cb == NULL)
                p->inbuf_wm_cb = evbuffer_add_cb(bufev->input, wm_inbuf_cb, p);
            else
                evbuffer_cb_set_flags(bufev->input, p->inbuf_wm_cb,
                                      EVBUFFER_CB_ENABLED);
            if (evbuffer_get_length(bufev->input) >= highmark)
                vg_bev_suspend_read(p, VG_BEV_SUSPEND_WM);
            else
                vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_WM);
        } else {
            if (p->inbuf_wm_cb != NULL)
                evbuffer_cb_clear_flags(bufev->input, p->inbuf_wm_cb,
                                        EVBUFFER_CB_ENABLED);
            vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_WM);
        }
    }
    BEV_UNLOCK(bufev);
}

int
bufferevent_getwatermark(struct bufferevent *bufev, short events,
                         size_t *lowmark, size_t *highmark)
{
    const struct event_watermark *wm;

    if (events == EV_READ)
        wm = &bufev->wm_read;
    else if (events == EV_WRITE)
        wm = &bufev->wm_write;
    else
        return -1;
    BEV_LOCK(bufev);
    if (lowmark != NULL)
        *lowmark = wm->low;
    if (highmark != NULL)
        *highmark = wm->high;
    BEV_UNLOCK(bufev);
    return 0;
}

int
bufferevent_set_timeouts(struct bufferevent *bufev,
                         const struct timeval *timeout_read,
                         const struct timeval *timeout_write)
{
    int r = 0;

    BEV_LOCK(bufev);
    if (timeout_read != NULL)
        bufev->timeout_read = *timeout_read;
    else
        memset(&bufev->timeout_read, 0, sizeof(bufev->timeout_read));
    if (timeout_write != NULL)
        bufev->timeout_write = *timeout_write;
    else
        memset(&bufev->timeout_write, 0, sizeof(bufev->timeout_write));
    if (bufev->be_ops->adj_timeouts != NULL)
        r = bufev->be_ops->adj_timeouts(bufev);
    BEV_UNLOCK(bufev);
    return r;
}

int
bufferevent_flush(struct bufferevent *bufev, short iotype,
                  enum bufferevent_flush_mode mode)
{
    int r = 0;

    BEV_LOCK(bufev);
    if (bufev->be_ops->flush != NULL)
        r = bufev->be_ops->flush(bufev, iotype, mode);
    BEV_UNLOCK(bufev);
    return r;
}

void
bufferevent_trigger(struct bufferevent *bufev, short iotype, int options)
{
    struct vg_bev *p = VG_BEV(bufev);
    int ignore = (options & BEV_TRIG_IGNORE_WATERMARKS) != 0;

    BEV_LOCK(bufev);
    p->refcnt++;
    if ((iotype & EV_READ) &&
        (ignore || evbuffer_get_length(bufev->input) >= bufev->wm_read.low))
        vg_bev_run_readcb(p, options);
    if ((iotype & EV_WRITE) &&
        (ignore || evbuffer_get_length(bufev->output) <= bufev->wm_write.low))
        vg_bev_run_writecb(p, options);
    vg_bev_decref_and_unlock(p);
}

void
bufferevent_trigger_event(struct bufferevent *bufev, short what, int options)
{
    struct vg_bev *p = VG_BEV(bufev);

    BEV_LOCK(bufev);
    p->refcnt++;
    vg_bev_run_eventcb(p, what, options);
    vg_bev_decref_and_unlock(p);
}

/* ------------------------------------------------------------------ */
/* What depends on the kind.                                           */

int
bufferevent_setfd(struct bufferevent *bufev, evutil_socket_t fd)
{
    union vg_bev_ctrl_data d;
    int r = -1;

    BEV_LOCK(bufev);
    d.fd = fd;
    if (bufev->be_ops->ctrl != NULL)
        r = bufev->be_ops->ctrl(bufev, VG_BEV_CTRL_SET_FD, &d);
    BEV_UNLOCK(bufev);
    return r;
}

evutil_socket_t
bufferevent_getfd(struct bufferevent *bufev)
{
    union vg_bev_ctrl_data d;
    evutil_socket_t fd = -1;

    BEV_LOCK(bufev);
    if (bufev->be_ops->ctrl != NULL &&
        bufev->be_ops->ctrl(bufev, VG_BEV_CTRL_GET_FD, &d) == 0)
        fd = d.fd;
    BEV_UNLOCK(bufev);
    return fd;
}

struct bufferevent *
bufferevent_get_underlying(struct bufferevent *bufev)
{
    union vg_bev_ctrl_data d;
    struct bufferevent *u = NULL;

    BEV_LOCK(bufev);
    if (bufev->be_ops->ctrl != NULL &&
        bufev->be_ops->ctrl(bufev, VG_BEV_CTRL_GET_UNDERLYING, &d) == 0)
        u = d.ptr;
    BEV_UNLOCK(bufev);
    return u;
}

void
vg_bev_callback_set_priority(struct event_base *base, struct event_callback *cb,
                             int pri)
{
    /* A queued callback moves to its new queue. */
    int queued = vg_event_callback_cancel(base, cb);

    cb->evcb_pri = (ev_uint8_t)pri;
    if (queued)
        vg_event_callback_activate_later(base, cb);
}

int
bufferevent_priority_set(struct bufferevent *bufev, int pri)
{
    struct vg_bev *p = VG_BEV(bufev);
    struct event_base *base = bufev->ev_base;
    int r = -1;

    BEV_LOCK(bufev);
    if (bufev->be_ops->set_priority == NULL)
        goto done;
    if (base == NULL || pri < 0 || pri >= base->nactivequeues)
        goto done;
    if (bufev->be_ops->set_priority(bufev, pri) < 0)
        goto done;
    BASE_LOCK(base);
    p->priority = pri;
    vg_bev_callback_set_priority(base, &p->deferred, pri);
    BASE_UNLOCK(base);
    r = 0;
done:
    BEV_UNLOCK(bufev);
    return r;
}

int
bufferevent_get_priority(const struct bufferevent *bufev)
{
    return VG_BEV(bufev)->priority;
}
