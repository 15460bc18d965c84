/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_ratelim.c: token-bucket rate limits for single bufferevents
 * and for groups.
 */
#include "bufferevent-internal.h"

#include <stdint.h>
#include <sys/queue.h>

#include "mm-internal.h"

struct ev_token_bucket_cfg {
    size_t read_rate;
    size_t read_maximum;
    size_t write_rate;
    size_t write_maximum;
    struct timeval tick_timeout;
    unsigned msec_per_tick;
};

/* What is left to read and write, as of tick last_updated. */
struct vg_bucket {
    ev_ssize_t read_limit;
    ev_ssize_t write_limit;
    uint64_t last_updated;
};

struct vg_bev_rate_limit {
    TAILQ_ENTRY(vg_bev_rate_limit) next_in_group;
    struct vg_bev *bev;
    /* The program's configuration (it must outlive the use), or NULL
     * when the bufferevent has no limit of its own. */
    const struct ev_token_bucket_cfg *cfg;
    struct vg_bucket bucket;
    /* Resumes the bufferevent when its buckets refill. */
    struct event refill;
    struct bufferevent_rate_limit_group *group;
};

struct bufferevent_rate_limit_group {
    /* Resumed in this order, which turns one place each time: the first
     * resumed reads first (epoll reports in that order). */
    TAILQ_HEAD(vg_rl_members, vg_bev_rate_limit) members;
    struct ev_token_bucket_cfg cfg; /* a copy */
    struct vg_bucket bucket;
    int n_members;
    int read_suspended;
    int write_suspended;
    /* A member was busy when the suspension changed. */
    int out_of_sync;
    size_t configured_min_share;
    size_t min_share; /* the configured one, at most the rates */
    /* Each member's share of the bucket for the current tick: fixed when
     * the tick starts (or the membership changes), so that the members
     * reading first do not take more than those reading last. */
    ev_ssize_t read_share;
    ev_ssize_t write_share;
    uint64_t share_tick;
    int share_members; /* n_members when computed; -1: not yet */
    ev_uint64_t total_read;
    ev_uint64_t total_written;
    struct event_base *base;
    struct event refill;
    void *lock;
};

#define DEFAULT_MIN_SHARE 64

#define GROUP_LOCK(g) vg_lock((g)->lock)
#define GROUP_UNLOCK(g) vg_unlock((g)->lock)

/* ------------------------------------------------------------------ */
/* Buckets.                                                            */

static uint64_t
current_tick(struct event_base *base, const struct ev_token_bucket_cfg *cfg)
{
    vg_usec_t now;

    BASE_LOCK(base);
    now = vg_base_now(base);
    BASE_UNLOCK(base);
    return (uint64_t)(now / 1000) / cfg->msec_per_tick;
}

/* Adds n ticks of rate to *limit, at most max. */
static void
refill_one(ev_ssize_t *limit, uint64_t n, size_t rate, size_t max)
{
    if (*limit >= (ev_ssize_t)max)
        return;
    if (n >= (uint64_t)max || (uint64_t)rate * n >= (uint64_t)max ||
        *limit + (ev_ssize_t)(rate * n) >= (ev_ssize_t)max)
        *limit = (ev_ssize_t)max;
    else
        *limit += (ev_ssize_t)(rate * n);
}

static void
bucket_init(struct vg_bucket *b, const struct ev_token_bucket_cfg *cfg,
            uint64_t tick)
{
    b->read_limit = (ev_ssize_t)cfg->read_rate;
    b->write_limit = (ev_ssize_t)cfg->write_rate;
    b->last_updated = tick;
}

/* Brings a bucket up to date; returns 1 if it changed. */
static int
bucket_update(struct vg_bucket *b, const struct ev_token_bucket_cfg *cfg,
              uint64_t tick)
{
    uint64_t n;

    if (tick <= b->last_updated)
        return 0;
    n = tick - b->last_updated;
    refill_one(&b->read_limit, n, cfg->read_rate, cfg->read_maximum);
    refill_one(&b->write_limit, n, cfg->write_rate, cfg->write_maximum);
    b->last_updated = tick;
    return 1;
}

static void
update_own(struct vg_bev_rate_limit *rl)
{
    if (rl->cfg != NULL)
        bucket_update(&rl->bucket, rl->cfg,
                      current_tick(rl->bev->bev.ev_base, rl->cfg));
}

static void
update_group(struct bufferevent_rate_limit_group *g)
{
    bucket_update(&g->bucket, &g->cfg, current_tick(g->base, &g->cfg));
}

static const struct timeval *
tick_tv(const struct ev_token_bucket_cfg *cfg)
{
    return &cfg->tick_timeout;
}

/* ------------------------------------------------------------------ */
/* Suspending and resuming.                                            */

static void
own_refill_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_bev_rate_limit *rl = arg;
    struct vg_bev *p = rl->bev;
    int again = 0;

    (void)fd;
    (void)what;
    BEV_LOCK(&p->bev);
    p->refcnt++;
    if (rl->cfg == NULL)
        goto done;
    update_own(rl);
    if (rl->bucket.read_limit > 0)
        vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_BW);
    else
        again = 1;
    if (rl->bucket.write_limit > 0)
        vg_bev_unsuspend_write(p, VG_BEV_SUSPEND_BW);
    else
        again = 1;
    if (again)
        event_add(&rl->refill, tick_tv(rl->cfg));
done:
    vg_bev_decref_and_unlock(p);
}

/* Suspends or resumes a bufferevent after its own bucket changed. */
static void
check_own(struct vg_bev_rate_limit *rl)
{
    struct vg_bev *p = rl->bev;
    int suspended = 0;

    if (rl->cfg == NULL)
        return;
    if (rl->bucket.read_limit <= 0) {
        vg_bev_suspend_read(p, VG_BEV_SUSPEND_BW);
        suspended = 1;
    } else {
        vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_BW);
    }
    if (rl->bucket.write_limit <= 0) {
        vg_bev_suspend_write(p, VG_BEV_SUSPEND_BW);
        suspended = 1;
    } else {
        vg_bev_unsuspend_write(p, VG_BEV_SUSPEND_BW);
    }
    if (suspended && !event_pending(&rl->refill, EV_TIMEOUT, NULL))
        event_add(&rl->refill, tick_tv(rl->cfg));
    else if (!suspended)
        event_del(&rl->refill);
}

/* Tries to take a member's lock.  The group lock is held, and the caller
 * may hold another member's lock: waiting could deadlock against a thread
 * doing the same the other way round, so a busy member is skipped and
 * brought in line by the next refill. */
static int
try_lock_member(struct vg_bev *p)
{
    if (p->lock == NULL)
        return 1;
    return vg_lock_fns.lock(EVTHREAD_TRY, p->lock) == 0;
}

/* Makes every member's group suspension match the group's (the group lock
 * held); returns 0 if a member was busy. */
static int
sync_members(struct bufferevent_rate_limit_group *g)
{
    struct vg_bev_rate_limit *rl;
    int all = 1;

    TAILQ_FOREACH(rl, &g->members, next_in_group)
    {
        struct vg_bev *p = rl->bev;

        if (!try_lock_member(p)) {
            all = 0;
            continue;
        }
        if (g->read_suspended)
            vg_bev_suspend_read(p, VG_BEV_SUSPEND_BW_GROUP);
        else
            vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_BW_GROUP);
        if (g->write_suspended)
            vg_bev_suspend_write(p, VG_BEV_SUSPEND_BW_GROUP);
        else
            vg_bev_unsuspend_write(p, VG_BEV_SUSPEND_BW_GROUP);
        BEV_UNLOCK(&p->bev);
    }
    return all;
}

/* Suspends or resumes every member of a group after its bucket changed
 * (the group lock held). */
static void
check_group(struct bufferevent_rate_limit_group *g)
{
    int rs = g->bucket.read_limit <= 0;
    int ws = g->bucket.write_limit <= 0;

    if (rs != g->read_suspended || ws != g->write_suspended || g->out_of_sync) {
        struct vg_bev_rate_limit *first = TAILQ_FIRST(&g->members);

        /* Whoever was resumed first last time goes last this time. */
        if ((!rs || !ws) && first != NULL) {
            TAILQ_REMOVE(&g->members, first, next_in_group);
            TAILQ_INSERT_TAIL(&g->members, first, next_in_group);
        }
        g->read_suspended = rs;
        g->write_suspended = ws;
        g->out_of_sync = !sync_members(g);
    }
    if ((rs || ws || g->out_of_sync) &&
        !event_pending(&g->refill, EV_TIMEOUT, NULL))
        event_add(&g->refill, tick_tv(&g->cfg));
    else if (!rs && !ws && !g->out_of_sync)
        event_del(&g->refill);
}

static void
group_refill_cb(evutil_socket_t fd, short what, void *arg)
{
    struct bufferevent_rate_limit_group *g = arg;

    (void)fd;
    (void)what;
    GROUP_LOCK(g);
    update_group(g);
    check_group(g);
    GROUP_UNLOCK(g);
}

static void ratelim_destruct(struct vg_bev *p);

/* The bufferevent's rate-limit record, made on first use. */
static struct vg_bev_rate_limit *
get_rl(struct vg_bev *p)
{
    struct vg_bev_rate_limit *rl = p->rate;

    if (rl != NULL)
        return rl;
    rl = vg_mm_calloc(1, sizeof(*rl));
    if (rl == NULL)
        return NULL;
    rl->bev = p;
    evtimer_assign(&rl->refill, p->bev.ev_base, own_refill_cb, rl);
    p->rate = rl;
    p->rate_destruct = ratelim_destruct;
    return rl;
}

/* ------------------------------------------------------------------ */
/* For the bufferevents' I/O.                                          */

static ev_ssize_t
share_of(ev_ssize_t limit, int n, size_t min_share)
{
    ev_ssize_t share;

    if (limit <= 0)
        return 0;
    share = limit / (n > 0 ? n : 1);
    if (share < (ev_ssize_t)min_share)
        share = (ev_ssize_t)min_share;
    return share;
}

/* What one member may move at once (the group lock held, the bucket up
 * to date): its share of the bucket as the tick started, but never more
 * than the bucket still holds (or the minimum share), so that a tick's
 * burst bound holds however the members' reads fall. */
static ev_ssize_t
group_share(struct bufferevent_rate_limit_group *g, int writing)
{
    ev_ssize_t left, share, cap;

    if (g->share_members != g->n_members ||
        g->share_tick != g->bucket.last_updated) {
        g->read_share =
            share_of(g->bucket.read_limit, g->n_members, g->min_share);
        g->write_share =
            share_of(g->bucket.write_limit, g->n_members, g->min_share);
        g->share_members = g->n_members;
        g->share_tick = g->bucket.last_updated;
    }
    left = writing ? g->bucket.write_limit : g->bucket.read_limit;
    if (left <= 0)
        return 0;
    share = writing ? g->write_share : g->read_share;
    cap = left > (ev_ssize_t)g->min_share ? left : (ev_ssize_t)g->min_share;
    return share < cap ? share : cap;
}

static ev_ssize_t
max_to(struct vg_bev *p, int writing)
{
    struct vg_bev_rate_limit *rl = p->rate;
    ev_ssize_t max =
        (ev_ssize_t)(writing ? p->max_single_write : p->max_single_read);

    if (rl == NULL)
        return max;
    if (rl->cfg != NULL) {
        ev_ssize_t lim;

        /* As in libevent, an own limit replaces the single-operation
         * maximum rather than capping it. */
        update_own(rl);
        lim = writing ? rl->bucket.write_limit : rl->bucket.read_limit;
        max = lim;
    }
    if (rl->group != NULL) {
        struct bufferevent_rate_limit_group *g = rl->group;
        ev_ssize_t share;

        GROUP_LOCK(g);
        update_group(g);
        share = group_share(g, writing);
        GROUP_UNLOCK(g);
        if (share < max)
            max = share;
    }
    return max < 0 ? 0 : max;
}

ev_ssize_t
vg_bev_max_to_read(struct vg_bev *p)
{
    return max_to(p, 0);
}

ev_ssize_t
vg_bev_max_to_write(struct vg_bev *p)
{
    return max_to(p, 1);
}

static int
decrement(struct vg_bev *p, ev_ssize_t n, int writing)
{
    struct vg_bev_rate_limit *rl = p->rate;

    if (rl == NULL)
        return 0;
    if (rl->cfg != NULL) {
        if (writing)
            rl->bucket.write_limit -= n;
        else
            rl->bucket.read_limit -= n;
        check_own(rl);
    }
    if (rl->group != NULL) {
        struct bufferevent_rate_limit_group *g = rl->group;

        GROUP_LOCK(g);
        if (writing) {
            g->bucket.write_limit -= n;
            g->total_written += (ev_uint64_t)n;
        } else {
            g->bucket.read_limit -= n;
            g->total_read += (ev_uint64_t)n;
        }
        check_group(g);
        GROUP_UNLOCK(g);
    }
    return 0;
}

int
vg_bev_decrement_read(struct vg_bev *p, ev_ssize_t n)
{
    return decrement(p, n, 0);
}

int
vg_bev_decrement_write(struct vg_bev *p, ev_ssize_t n)
{
    return decrement(p, n, 1);
}

void
vg_bev_ratelim_pause_read(struct vg_bev *p)
{
    struct vg_bev_rate_limit *rl = p->rate;

    if (rl == NULL)
        return;
    if (rl->cfg != NULL && rl->bucket.read_limit <= 0) {
        check_own(rl);
    } else if (rl->group != NULL) {
        struct bufferevent_rate_limit_group *g = rl->group;

        /* The group's refill timer resumes it with the others. */
        GROUP_LOCK(g);
        vg_bev_suspend_read(p, VG_BEV_SUSPEND_BW_GROUP);
        g->out_of_sync = 1;
        if (!event_pending(&g->refill, EV_TIMEOUT, NULL))
            event_add(&g->refill, tick_tv(&g->cfg));
        GROUP_UNLOCK(g);
    }
}

static void
group_remove_locked(struct vg_bev_rate_limit *rl)
{
    struct bufferevent_rate_limit_group *g = rl->group;

    if (g == NULL)
        return;
    GROUP_LOCK(g);
    TAILQ_REMOVE(&g->members, rl, next_in_group);
    g->n_members--;
    GROUP_UNLOCK(g);
    rl->group = NULL;
    vg_bev_unsuspend_read(rl->bev, VG_BEV_SUSPEND_BW_GROUP);
    vg_bev_unsuspend_write(rl->bev, VG_BEV_SUSPEND_BW_GROUP);
}

/* The hook the generic layer calls when the bufferevent goes. */
static void
ratelim_destruct(struct vg_bev *p)
{
    struct vg_bev_rate_limit *rl = p->rate;

    if (rl == NULL)
        return;
    group_remove_locked(rl);
    event_del(&rl->refill);
    p->rate = NULL;
    vg_mm_free(rl);
}

/* ------------------------------------------------------------------ */
/* Configurations.                                                     */

struct ev_token_bucket_cfg *
ev_token_bucket_cfg_new(size_t read_rate, size_t read_burst, size_t write_rate,
                        size_t write_burst, const struct timeval *tick_len)
{
    struct ev_token_bucket_cfg *cfg;
    struct timeval one_second = {1, 0};

    if (read_rate == 0 || write_rate == 0 || read_rate > read_burst ||
        write_rate > write_burst || read_burst > EV_RATE_LIMIT_MAX ||
        write_burst > EV_RATE_LIMIT_MAX)
        return NULL;
    if (tick_len == NULL)
        tick_len = &one_second;
    if (tick_len->tv_sec < 0 || tick_len->tv_usec < 0 ||
        tick_len->tv_usec >= 1000000 || tick_len->tv_sec > 86400 * 365)
        return NULL;
    cfg = vg_mm_calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return NULL;
    cfg->read_rate = read_rate;
    cfg->read_maximum = read_burst;
    cfg->write_rate = write_rate;
    cfg->write_maximum = write_burst;
    cfg->tick_timeout = *tick_len;
    cfg->msec_per_tick =
        (unsigned)(tick_len->tv_sec * 1000 + (tick_len->tv_usec + 999) / 1000);
    if (cfg->msec_per_tick == 0)
        cfg->msec_per_tick = 1;
    return cfg;
}

void
ev_token_bucket_cfg_free(struct ev_token_bucket_cfg *cfg)
{
    vg_mm_free(cfg);
}

/* ------------------------------------------------------------------ */
/* A bufferevent's own limit.                                          */

int
bufferevent_set_rate_limit(struct bufferevent *bev,
                           struct ev_token_bucket_cfg *cfg)
{
    struct vg_bev *p = VG_BEV(bev);
    struct vg_bev_rate_limit *rl;
    int r = -1;

    BEV_LOCK(bev);
    p->refcnt++;
    if (cfg == NULL) {
        rl = p->rate;
        if (rl != NULL && rl->cfg != NULL) {
            rl->cfg = NULL;
            event_del(&rl->refill);
            vg_bev_unsuspend_read(p, VG_BEV_SUSPEND_BW);
            vg_bev_unsuspend_write(p, VG_BEV_SUSPEND_BW);
        }
        r = 0;
        goto done;
    }
    rl = get_rl(p);
    if (rl == NULL)
        goto done;
    if (rl->cfg != cfg) {
        uint64_t tick = current_tick(bev->ev_base, cfg);

        if (rl->cfg == NULL) {
            bucket_init(&rl->bucket, cfg, tick);
        } else {
            /* A new configuration keeps what is left, within the new
             * maximum. */
            if (rl->bucket.read_limit > (ev_ssize_t)cfg->read_maximum)
                rl->bucket.read_limit = (ev_ssize_t)cfg->read_maximum;
            if (rl->bucket.write_limit > (ev_ssize_t)cfg->write_maximum)
                rl->bucket.write_limit = (ev_ssize_t)cfg->write_maximum;
            rl->bucket.last_updated = tick;
        }
        rl->cfg = cfg;
        event_del(&rl->refill);
    }
    check_own(rl);
    r = 0;
done:
    vg_bev_decref_and_unlock(p);
    return r;
}

const struct ev_token_bucket_cfg *
bufferevent_get_token_bucket_cfg(const struct bufferevent *bev)
{
    const struct vg_bev *p = VG_BEV(bev);
    const struct ev_token_bucket_cfg *cfg = NULL;

    BEV_LOCK(bev);
    if (p->rate != NULL)
        cfg = p->rate->cfg;
    BEV_UNLOCK(bev);
    return cfg;
}

static ev_ssize_t
get_limit(struct bufferevent *bev, int writing)
{
    struct vg_bev *p = VG_BEV(bev);
    ev_ssize_t r = EV_SSIZE_MAX;

    BEV_LOCK(bev);
    if (p->rate != NULL && p->rate->cfg != NULL) {
        update_own(p->rate);
        r = writing ? p->rate->bucket.write_limit : p->rate->bucket.read_limit;
    }
    BEV_UNLOCK(bev);
    return r;
}

ev_ssize_t
bufferevent_get_read_limit(struct bufferevent *bev)
{
    return get_limit(bev, 0);
}

ev_ssize_t
bufferevent_get_write_limit(struct bufferevent *bev)
{
    return get_limit(bev, 1);
}

ev_ssize_t
bufferevent_get_max_to_read(struct bufferevent *bev)
{
    ev_ssize_t r;

    BEV_LOCK(bev);
    r = vg_bev_max_to_read(VG_BEV(bev));
    BEV_UNLOCK(bev);
    return r;
}

ev_ssize_t
bufferevent_get_max_to_write(struct bufferevent *bev)
{
    ev_ssize_t r;

    BEV_LOCK(bev);
    r = vg_bev_max_to_write(VG_BEV(bev));
    BEV_UNLOCK(bev);
    return r;
}

static int
decrement_own(struct bufferevent *bev, ev_ssize_t decr, int writing)
{
    struct vg_bev *p = VG_BEV(bev);
    struct vg_bev_rate_limit *rl;
    int r = -1;

    BEV_LOCK(bev);
    p->refcnt++;
    rl = p->rate;
    /* libevent asserts here; Vigil reports the misuse instead. */
    if (rl == NULL || rl->cfg == NULL)
        goto done;
    update_own(rl);
    if (writing)
        rl->bucket.write_limit -= decr;
    else
        rl->bucket.read_limit -= decr;
    check_own(rl);
    r = 0;
done:
    vg_bev_decref_and_unlock(p);
    return r;
}

int
bufferevent_decrement_read_limit(struct bufferevent *bev, ev_ssize_t decr)
{
    return decrement_own(bev, decr, 0);
}

int
bufferevent_decrement_write_limit(struct bufferevent *bev, ev_ssize_t decr)
{
    return decrement_own(bev, decr, 1);
}

/* ------------------------------------------------------------------ */
/* Groups.                                                             */

static void
group_set_min_share(struct bufferevent_rate_limit_group *g)
{
    size_t s = g->configured_min_share;

    if (s > g->cfg.read_rate)
        s = g->cfg.read_rate;
    if (s > g->cfg.write_rate)
        s = g->cfg.write_rate;
    g->min_share = s;
}

struct bufferevent_rate_limit_group *
bufferevent_rate_limit_group_new(struct event_base *base,
                                 const struct ev_token_bucket_cfg *cfg)
{
    struct bufferevent_rate_limit_group *g;

    if (base == NULL || cfg == NULL)
        return NULL;
    g = vg_mm_calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    TAILQ_INIT(&g->members);
    g->share_members = -1;
    g->cfg = *cfg;
    g->base = base;
    bucket_init(&g->bucket, &g->cfg, current_tick(base, &g->cfg));
    g->configured_min_share = DEFAULT_MIN_SHARE;
    group_set_min_share(g);
    evtimer_assign(&g->refill, base, group_refill_cb, g);
    if (vg_locking_enabled()) {
        g->lock = vg_lock_alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        if (g->lock == NULL) {
            vg_mm_free(g);
            return NULL;
        }
    }
    return g;
}

int
bufferevent_rate_limit_group_set_cfg(struct bufferevent_rate_limit_group *g,
                                     const struct ev_token_bucket_cfg *cfg)
{
    if (g == NULL || cfg == NULL)
        return -1;
    GROUP_LOCK(g);
    g->cfg = *cfg;
    if (g->bucket.read_limit > (ev_ssize_t)cfg->read_maximum)
        g->bucket.read_limit = (ev_ssize_t)cfg->read_maximum;
    if (g->bucket.write_limit > (ev_ssize_t)cfg->write_maximum)
        g->bucket.write_limit = (ev_ssize_t)cfg->write_maximum;
    group_set_min_share(g);
    g->share_members = -1;
    if (event_pending(&g->refill, EV_TIMEOUT, NULL)) {
        event_del(&g->refill);
        event_add(&g->refill, tick_tv(&g->cfg));
    }
    GROUP_UNLOCK(g);
    return 0;
}

int
bufferevent_rate_limit_group_set_min_share(
    struct bufferevent_rate_limit_group *g, size_t share)
{
    if (g == NULL || share > EV_SSIZE_MAX)
        return -1;
    GROUP_LOCK(g);
    g->configured_min_share = share;
    group_set_min_share(g);
    g->share_members = -1;
    GROUP_UNLOCK(g);
    return 0;
}

void
bufferevent_rate_limit_group_free(struct bufferevent_rate_limit_group *g)
{
    struct vg_bev_rate_limit *rl;

    if (g == NULL)
        return;
    /* libevent requires an empty group; Vigil lets the members go. */
    while ((rl = TAILQ_FIRST(&g->members)) != NULL) {
        struct vg_bev *p = rl->bev;

        BEV_LOCK(&p->bev);
        group_remove_locked(rl);
        BEV_UNLOCK(&p->bev);
    }
    event_del(&g->refill);
    vg_lock_free(g->lock, EVTHREAD_LOCKTYPE_RECURSIVE);
    vg_mm_free(g);
}

int
bufferevent_add_to_rate_limit_group(struct bufferevent *bev,
                                    struct bufferevent_rate_limit_group *g)
{
    struct vg_bev *p = VG_BEV(bev);
    struct vg_bev_rate_limit *rl;
    int r = -1;

    if (g == NULL)
        return bufferevent_remove_from_rate_limit_group(bev);
    BEV_LOCK(bev);
    p->refcnt++;
    rl = get_rl(p);
    if (rl == NULL)
        goto done;
    if (rl->group == g) {
        r = 0;
        goto done;
    }
    group_remove_locked(rl);
    GROUP_LOCK(g);
    rl->group = g;
    g->n_members++;
    TAILQ_INSERT_TAIL(&g->members, rl, next_in_group);
    if (g->read_suspended)
        vg_bev_suspend_read(p, VG_BEV_SUSPEND_BW_GROUP);
    if (g->write_suspended)
        vg_bev_suspend_write(p, VG_BEV_SUSPEND_BW_GROUP);
    GROUP_UNLOCK(g);
    r = 0;
done:
    vg_bev_decref_and_unlock(p);
    return r;
}

int
bufferevent_remove_from_rate_limit_group(struct bufferevent *bev)
{
    struct vg_bev *p = VG_BEV(bev);

    BEV_LOCK(bev);
    p->refcnt++;
    if (p->rate != NULL)
        group_remove_locked(p->rate);
    vg_bev_decref_and_unlock(p);
    return 0;
}

ev_ssize_t
bufferevent_rate_limit_group_get_read_limit(
    struct bufferevent_rate_limit_group *g)
{
    ev_ssize_t r;

    GROUP_LOCK(g);
    update_group(g);
    r = g->bucket.read_limit;
    GROUP_UNLOCK(g);
    return r;
}

ev_ssize_t
bufferevent_rate_limit_group_get_write_limit(
    struct bufferevent_rate_limit_group *g)
{
    ev_ssize_t r;

    GROUP_LOCK(g);
    update_group(g);
    r = g->bucket.write_limit;
    GROUP_UNLOCK(g);
    return r;
}

static int
group_decrement(struct bufferevent_rate_limit_group *g, ev_ssize_t decr,
                int writing)
{
    if (g == NULL)
        return -1;
    GROUP_LOCK(g);
    update_group(g);
    if (writing)
        g->bucket.write_limit -= decr;
    else
        g->bucket.read_limit -= decr;
    /* The program took from the bucket: the shares follow (libevent
     * divides what is left at once). */
    g->share_members = -1;
    check_group(g);
    GROUP_UNLOCK(g);
    return 0;
}

int
bufferevent_rate_limit_group_decrement_read(
    struct bufferevent_rate_limit_group *g, ev_ssize_t decr)
{
    return group_decrement(g, decr, 0);
}

int
bufferevent_rate_limit_group_decrement_write(
    struct bufferevent_rate_limit_group *g, ev_ssize_t decr)
{
    return group_decrement(g, decr, 1);
}

void
bufferevent_rate_limit_group_get_totals(struct bufferevent_rate_limit_group *g,
                                        ev_uint64_t *total_read_out,
                                        ev_uint64_t *total_written_out)
{
    GROUP_LOCK(g);
    if (total_read_out != NULL)
        *total_read_out = g->total_read;
    if (total_written_out != NULL)
        *total_written_out = g->total_written;
    GROUP_UNLOCK(g);
}

void
bufferevent_rate_limit_group_reset_totals(
    struct bufferevent_rate_limit_group *g)
{
    GROUP_LOCK(g);
    g->total_read = 0;
    g->total_written = 0;
    GROUP_UNLOCK(g);
}

/* Stores SIZE in *FIELD under BEV's lock; 0 or anything over
 * EV_SSIZE_MAX restores the default. */
static int
set_max_single(struct bufferevent *bev, size_t *field, size_t size)
{
    BEV_LOCK(bev);
    if (size == 0 || size > EV_SSIZE_MAX)
        *field = VG_BEV_MAX_SINGLE_DEFAULT;
    else
        *field = size;
    BEV_UNLOCK(bev);
    return 0;
}

int
bufferevent_set_max_single_read(struct bufferevent *bev, size_t size)
{
    return set_max_single(bev, &VG_BEV(bev)->max_single_read, size);
}

int
bufferevent_set_max_single_write(struct bufferevent *bev, size_t size)
{
    return set_max_single(bev, &VG_BEV(bev)->max_single_write, size);
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
