/* delivery_api.c: the attempt and proctoring endpoints (issue 6). */
#ifndef EXAMD_DELIVERY_API_H
#define EXAMD_DELIVERY_API_H

struct server;

extern const struct route delivery_routes[];
int	delivery_init(struct server *, char **errstr);
void	delivery_fini(struct server *);

#endif
