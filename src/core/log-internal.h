/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * log-internal.h: messages to the user's log callback (or stderr), the
 * fatal path, and the always-on assertion.
 *
 * What it holds: the logging functions (log.c), the debug-logging mask,
 * VG_ASSERT, and the printf and noreturn attribute macros.
 *
 * Who may include it: any layer (it is part of util, the bottom one).  It
 * includes only public headers.
 *
 * Locking and ownership: none.  The callbacks and the debug mask are set
 * by the program (event_set_log_callback, event_set_fatal_callback,
 * event_enable_debug_logging), documented as calls made before other
 * threads use the library, and only read here; messages are formatted
 * into the caller's stack.
 */
#ifndef VIGIL_LOG_INTERNAL_H
#define VIGIL_LOG_INTERNAL_H

#include <event2/util.h>

#define VG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define VG_NORETURN __attribute__((noreturn))

/* Which debug messages are on (event_enable_debug_logging). */
extern ev_uint32_t vg_log_debug_mask;

/* A warning, followed by ": " and strerror(errno). */
/* Emits one finished message at EVENT_LOG_* severity (debug ones only
 * when debug logging is on). */
void vg_log_emit(int severity, const char *msg);
void vg_log_warn(const char *fmt, ...) VG_PRINTF(1, 2);
/* A warning. */
void vg_log_warnx(const char *fmt, ...) VG_PRINTF(1, 2);
/* An informational message. */
void vg_log_msgx(const char *fmt, ...) VG_PRINTF(1, 2);
/* A debug message, formatted only when debug logging is on. */
void vg_log_debugx_(const char *fmt, ...) VG_PRINTF(1, 2);
#define vg_log_debugx(...)               \
    do {                                 \
        if (vg_log_debug_mask)           \
            vg_log_debugx_(__VA_ARGS__); \
    } while (0)

/* An error the library cannot continue after: logs it, calls the user's
 * fatal callback, and exits with code (or aborts for VG_ERR_ABORT). */
void vg_log_errx(int code, const char *fmt, ...) VG_PRINTF(2, 3) VG_NORETURN;

/* The exit code that makes the fatal path abort() rather than exit(). */
#define VG_ERR_ABORT ((int)0xdeaddead)

/* The assertion that stays in release builds: a broken invariant goes
 * through the user's fatal callback, then abort(). */
#define VG_ASSERT(cond)                                                 \
    do {                                                                \
        if (__builtin_expect(!(cond), 0))                               \
            vg_log_errx(VG_ERR_ABORT, "%s:%d: %s: assertion %s failed", \
                        __FILE__, __LINE__, __func__, #cond);           \
    } while (0)

#endif
