/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * log.c: the log callback, debug logging switch and fatal callback.
 */
#include <event2/event.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-internal.h"

static event_log_cb log_fn;
static event_fatal_cb fatal_fn;
ev_uint32_t vg_log_debug_mask;

void
event_set_log_callback(event_log_cb cb)
{
    log_fn = cb;
}

void
event_set_fatal_callback(event_fatal_cb cb)
{
    fatal_fn = cb;
}

void
event_enable_debug_logging(ev_uint32_t which)
{
    vg_log_debug_mask = which;
}

static void
emit(int severity, const char *msg)
{
    const char *name;

    if (log_fn != NULL) {
        log_fn(severity, msg);
        return;
    }
    switch (severity) {
    case EVENT_LOG_DEBUG:
        name = "debug";
        break;
    case EVENT_LOG_MSG:
        name = "msg";
        break;
    case EVENT_LOG_WARN:
        name = "warn";
        break;
    case EVENT_LOG_ERR:
        name = "err";
        break;
    default:
        name = "???";
        break;
    }
    (void)fprintf(stderr, "[%s] %s\n", name, msg);
}

/* Formats a message, with ": strerror(err)" appended when err is not 0. */
VG_PRINTF(3, 0)
static void
logv(int severity, int err, const char *fmt, va_list ap)
{
    char buf[1024];
    size_t len;

    if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
        buf[0] = '\0';
    len = strlen(buf);
    if (err != 0 && len < sizeof(buf) - 3)
        (void)snprintf(buf + len, sizeof(buf) - len, ": %s", strerror(err));
    emit(severity, buf);
}

/* A warning, with the text of errno when with_errno; errno survives. */
static void
warn_v(int with_errno, const char *fmt, va_list ap)
{
    int err = errno;

    logv(EVENT_LOG_WARN, with_errno ? err : 0, fmt, ap);
    errno = err;
}

void
vg_log_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_v(1, fmt, ap);
    va_end(ap);
}

void
vg_log_warnx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_v(0, fmt, ap);
    va_end(ap);
}

/* libevent exports these two without declaring them, and the code its
 * event_rpcgen.py generates declares and calls them to report messages
 * that do not decode: such code links and runs on Vigil too.  Nothing
 * else is exported under libevent's internal log names. */
EVENT2_EXPORT_SYMBOL void event_warn(const char *fmt, ...) VG_PRINTF(1, 2);
EVENT2_EXPORT_SYMBOL void event_warnx(const char *fmt, ...) VG_PRINTF(1, 2);

void
event_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_v(1, fmt, ap);
    va_end(ap);
}

void
event_warnx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_v(0, fmt, ap);
    va_end(ap);
}

void
vg_log_emit(int severity, const char *msg)
{
    if (severity == EVENT_LOG_DEBUG && !vg_log_debug_mask)
        return;
    emit(severity, msg);
}

void
vg_log_msgx(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    logv(EVENT_LOG_MSG, 0, fmt, ap);
    va_end(ap);
    errno = err;
}

void
vg_log_debugx_(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    logv(EVENT_LOG_DEBUG, 0, fmt, ap);
    va_end(ap);
    errno = err;
}

void
vg_log_errx(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    logv(EVENT_LOG_ERR, 0, fmt, ap);
    va_end(ap);
    if (fatal_fn != NULL)
        fatal_fn(code);
    if (code == VG_ERR_ABORT)
        abort();
    exit(code);
}
