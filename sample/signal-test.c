/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * signal-test: a persistent signal event.  Each SIGINT (Ctrl-C) is
 * reported from the loop, where any code may run; the second one deletes
 * the event and the loop, with nothing left to do, ends.
 *
 *   usage: signal-test
 */
#include <event2/event.h>

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static int caught;

static void
on_sigint(evutil_socket_t sig, short what, void *arg)
{
    struct event *self = arg;

    (void)what;
    caught++;
    printf("signal-test: got signal %d (%d of 2)\n", (int)sig, caught);
    fflush(stdout);
    if (caught == 2)
        event_del(self);
}

int
main(int argc, char **argv)
{
    struct event_base *base;
    struct event *ev;

    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: signal-test\n");
        return 2;
    }
    base = event_base_new();
    if (base == NULL)
        return 1;
    ev = evsignal_new(base, SIGINT, on_sigint, event_self_cbarg());
    if (ev == NULL || event_add(ev, NULL) < 0) {
        fprintf(stderr, "signal-test: cannot watch SIGINT\n");
        return 1;
    }
    printf("signal-test: pid %ld, waiting for two SIGINTs (Ctrl-C)\n",
           (long)getpid());
    fflush(stdout);
    event_base_dispatch(base);
    event_free(ev);
    event_base_free(base);
    printf("signal-test: done\n");
    return 0;
}
