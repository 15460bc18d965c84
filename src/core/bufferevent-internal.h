/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent-internal.h: what the generic bufferevent layer
 * (bufferevent.c), the kinds of bufferevent (bufferevent_sock.c,
 * bufferevent_pair.c, bufferevent_filter.c) and the rate limits
 * (bufferevent_ratelim.c) share: struct vg_bev, the ops table a kind
 * fills in, and the generic functions the kinds call.
 *
 * Who may include it: those five files only (src/openssl reaches
 * bufferevents through the public API).  Never installed.
 *
 * Layering.  The kinds and the rate limits call the generic layer; the
 * generic layer reaches a kind only through its const struct
 * bufferevent_ops (bev->be_ops), and the rate limits only through the
 * hook p->rate_destruct, which bufferevent_ratelim.c sets when it gives a
 * bufferevent a rate-limit record.  A kind calls the rate limits for the
 * bytes it may move and has moved (vg_bev_max_to_*, vg_bev_decrement_*).
 *
 * Every bufferevent is a struct vg_bev, whose first member is the public
 * struct bufferevent; a kind embeds struct vg_bev first in its own
 * structure.
 *
 * Locking.  p->lock (BEV_LOCK, recursive; NULL without
 * BEV_OPT_THREADSAFE or without thread support) protects every field of
 * struct bufferevent and struct vg_bev and the kind's own fields, and is
 * also the lock of the input and output evbuffers.  The two members of a
 * pair share pair[0]'s lock; a thread-safe filter shares its underlying
 * bufferevent's lock when that has one.  Lock order: a bufferevent's lock,
 * then its base's lock (BASE_LOCK: needed to schedule or cancel
 * p->deferred and a kind's own event_callbacks), then a rate-limit
 * group's lock (which protects the group's fields and member list).  Code
 * holding a group lock takes a member's lock only with a try-lock.  The
 * generic layer calls the ops with the lock held.
 *
 * Ownership.  p->refcnt counts the program's reference (dropped by
 * bufferevent_free()), one for each queued activation of p->deferred or
 * of a kind's event_callback, and one for each handler running.  At zero
 * (vg_bev_decref_and_unlock) the kind's destruct op releases what the
 * kind holds (a socket closes its fd with BEV_OPT_CLOSE_ON_FREE; a filter
 * frees its underlying bufferevent with it), the rate-limit hook frees
 * the rate-limit record, the generic layer frees the two evbuffers and an
 * owned lock, and the memory goes through p->free_mem (or vg_mm_free) at
 * once, or once the loop has finalized ev_read and ev_write when the base
 * has threads.  A pair member borrowing its partner's lock holds a
 * reference on the partner until its memory is gone; a filter holds one
 * on its underlying bufferevent.  Rate-limit configurations and groups
 * belong to the program, which must keep a configuration alive while a
 * bufferevent uses it.
 */
#ifndef VIGIL_BUFFEREVENT_INTERNAL_H
#define VIGIL_BUFFEREVENT_INTERNAL_H

#include "event-internal.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>

#include <stddef.h>

/* Why reading or writing is paused, apart from being disabled. */
#define VG_BEV_SUSPEND_WM 0x01       /* input at or above its high mark */
#define VG_BEV_SUSPEND_BW 0x02       /* own rate limit exhausted */
#define VG_BEV_SUSPEND_BW_GROUP 0x04 /* group rate limit exhausted */
#define VG_BEV_SUSPEND_LOOKUP 0x08   /* host name lookup in progress */
#define VG_BEV_SUSPEND_FILT 0x10     /* a filter's own reasons */

/* What bufferevent_getfd/setfd/get_underlying ask of a kind. */
enum vg_bev_ctrl_op {
    VG_BEV_CTRL_GET_FD,
    VG_BEV_CTRL_SET_FD,
    VG_BEV_CTRL_GET_UNDERLYING
};

union vg_bev_ctrl_data {
    evutil_socket_t fd;
    struct bufferevent *ptr;
};

struct bufferevent_ops {
    const char *type;
    /* Starts reading and/or writing (what is EV_READ|EV_WRITE); called
     * with the lock held when a direction becomes enabled and not
     * suspended.  0 or -1. */
    int (*enable)(struct bufferevent *bev, short what);
    /* Stops reading and/or writing.  0 or -1. */
    int (*disable)(struct bufferevent *bev, short what);
    /* bufferevent_free() was called: detach from other objects (may be
     * NULL). */
    void (*unlink)(struct bufferevent *bev);
    /* The last reference is gone: release the kind's resources (may be
     * NULL).  Called with the lock held. */
    void (*destruct)(struct bufferevent *bev);
    /* The timeouts changed (may be NULL). */
    int (*adj_timeouts)(struct bufferevent *bev);
    /* bufferevent_flush() (may be NULL: nothing to flush). */
    int (*flush)(struct bufferevent *bev, short iotype,
                 enum bufferevent_flush_mode mode);
    /* getfd, setfd, get_underlying (may be NULL).  0 or -1. */
    int (*ctrl)(struct bufferevent *bev, enum vg_bev_ctrl_op op,
                union vg_bev_ctrl_data *data);
    /* bufferevent_priority_set(): moves the kind's own events and
     * callbacks to priority pri (already checked against the base);
     * NULL when the kind has no priority of its own (the call fails, as
     * in libevent).  0 or -1. */
    int (*set_priority)(struct bufferevent *bev, int pri);
};

struct vg_bev_rate_limit;
struct bufferevent_rate_limit_group;

struct vg_bev {
    struct bufferevent bev;

    void *lock;
    unsigned own_lock : 1;
    /* bufferevent_free() was called. */
    unsigned freed : 1;
    /* Connecting (socket): writes wait; the write event watches the
     * connection. */
    unsigned connecting : 1;
    /* The connection was refused at once; reported from the loop. */
    unsigned connection_refused : 1;
    /* Made with a NULL base: the events run on the current base (the one
     * event_init() made), but bufferevent_get_base() reports NULL until
     * bufferevent_base_set(), as libevent does. */
    unsigned implicit_base : 1;
    /* Deferred callbacks waiting to run. */
    unsigned readcb_pending : 1;
    unsigned writecb_pending : 1;
    short eventcb_pending;
    int errno_pending;

    int refcnt;
    int options;                    /* enum bufferevent_options */
    unsigned short read_suspended;  /* VG_BEV_SUSPEND_* */
    unsigned short write_suspended; /* VG_BEV_SUSPEND_* */
    int priority;
    int dns_error;

    /* Runs deferred callbacks; each activation holds a reference. */
    struct event_callback deferred;
    /* Watches the input for the read high watermark. */
    struct evbuffer_cb_entry *inbuf_wm_cb;

    size_t max_single_read;
    size_t max_single_write;
    /* Rate limiting, when set up (bufferevent_ratelim.c), and how it is
     * torn down when the bufferevent goes. */
    struct vg_bev_rate_limit *rate;
    void (*rate_destruct)(struct vg_bev *p);

    /* Events that must finalize before the memory goes. */
    int pending_finalize;
    /* Frees the kind's memory after finalization. */
    void (*free_mem)(struct vg_bev *p);
};

#define VG_BEV(b) ((struct vg_bev *)(b))
#define BEV_LOCK(b) vg_lock(VG_BEV(b)->lock)
#define BEV_UNLOCK(b) vg_unlock(VG_BEV(b)->lock)

#define VG_BEV_MAX_SINGLE_DEFAULT 16384

/* Sets up the common part; the kind's fields are its own.  The input and
 * output buffers are made here.  0 or -1. */
int vg_bev_init_common(struct vg_bev *p, struct event_base *base,
                       const struct bufferevent_ops *ops, int options);
/* Shares another bufferevent's lock (pairs); before any use. */
void vg_bev_share_lock(struct vg_bev *p, void *lock);

/* Drops a reference and unlocks; returns 1 if this freed it. */
int vg_bev_decref_and_unlock(struct vg_bev *p);

/* Pause or resume a direction for a reason (VG_BEV_SUSPEND_*). */
void vg_bev_suspend_read(struct vg_bev *p, unsigned short what);
void vg_bev_unsuspend_read(struct vg_bev *p, unsigned short what);
void vg_bev_suspend_write(struct vg_bev *p, unsigned short what);
void vg_bev_unsuspend_write(struct vg_bev *p, unsigned short what);

/* Runs a callback now or later (BEV_OPT_DEFER_CALLBACKS, or
 * BEV_TRIG_DEFER_CALLBACKS in options).  The lock is held. */
void vg_bev_run_readcb(struct vg_bev *p, int options);
void vg_bev_run_writecb(struct vg_bev *p, int options);
void vg_bev_run_eventcb(struct vg_bev *p, short what, int options);
void vg_bev_repeat_readcb_at_high(struct vg_bev *p);

/* Reading and writing are enabled and not paused. */
static inline int
vg_bev_can_read(const struct vg_bev *p)
{
    return (p->bev.enabled & EV_READ) && !p->read_suspended;
}
static inline int
vg_bev_can_write(const struct vg_bev *p)
{
    return (p->bev.enabled & EV_WRITE) && !p->write_suspended;
}

/* The timeval, or NULL when it is all zero. */
static inline const struct timeval *
vg_bev_tv(const struct timeval *tv)
{
    return (tv->tv_sec != 0 || tv->tv_usec != 0) ? tv : NULL;
}

/* Changes the priority of a deferred callback (the base lock held). */
void vg_bev_callback_set_priority(struct event_base *base,
                                  struct event_callback *cb, int pri);

/* Timeouts for kinds without a socket: ev_read and ev_write become plain
 * timers, armed while a direction is enabled (writing: with data waiting)
 * and re-armed whenever data moves.  vg_bev_timer_adj_timeouts arms or
 * stops them; with keep_write, a running write timeout also survives an
 * empty output (the filter's rule: it cannot see the underlying
 * bufferevent write).  vg_bev_generic_adj_timeouts is it without. */
void vg_bev_init_generic_timeouts(struct vg_bev *p);
int vg_bev_timer_adj_timeouts(struct bufferevent *bev, int keep_write);
int vg_bev_generic_adj_timeouts(struct bufferevent *bev);
/* Re-arms the timers after data moved, when any timeout is set. */
static inline void
vg_bev_timer_touch(struct bufferevent *bev, int keep_write)
{
    if (vg_bev_tv(&bev->timeout_read) != NULL ||
        vg_bev_tv(&bev->timeout_write) != NULL)
        vg_bev_timer_adj_timeouts(bev, keep_write);
}

static inline void
vg_bev_generic_touch(struct bufferevent *bev)
{
    vg_bev_timer_touch(bev, 0);
}

/* Rate limits (bufferevent_ratelim.c).  How many bytes may move now. */
ev_ssize_t vg_bev_max_to_read(struct vg_bev *p);
ev_ssize_t vg_bev_max_to_write(struct vg_bev *p);
/* Accounts for bytes moved; may suspend.  0 or -1. */
int vg_bev_decrement_read(struct vg_bev *p, ev_ssize_t n);
int vg_bev_decrement_write(struct vg_bev *p, ev_ssize_t n);
/* Pauses reading of a bufferevent found out of tokens. */
void vg_bev_ratelim_pause_read(struct vg_bev *p);

#endif
