/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * consumer.c: a program built against an installed Vigil.  It prints the
 * version it runs against and fails unless that is libevent 2.1.12.
 */
#include <event2/event.h>

#include <stdio.h>
#include <string.h>

int
main(void)
{
    if (event_get_version_number() != LIBEVENT_VERSION_NUMBER ||
        strcmp(event_get_version(), LIBEVENT_VERSION) != 0) {
        fprintf(stderr, "consumer: header and library disagree\n");
        return 1;
    }
    printf("consumer: running on libevent %s\n", event_get_version());
    return 0;
}
