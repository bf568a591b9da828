/*
 * The event base examd and examc run on. evhttp turns a connection's read
 * and write events on and off several times per request; the epoll
 * changelist folds those into one epoll_ctl(2) per descriptor per loop turn
 * (it mishandles dup(2)ed descriptors, and neither program dups a socket).
 */
#ifndef EXAMD_EVBASE_H
#define EXAMD_EVBASE_H

struct event_base;

/* NULL when libevent cannot make one. */
struct event_base *evbase_new(void);

#endif
