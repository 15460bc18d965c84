/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * version.c: which libevent release this library stands in for.
 */
#include <event2/event.h>

const char *
event_get_version(void)
{
    return EVENT__VERSION;
}

ev_uint32_t
event_get_version_number(void)
{
    return EVENT__NUMERIC_VERSION;
}
