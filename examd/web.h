/*
 * The browser pages. The --web folder is read into memory at start-up so
 * that serving a page never touches the disk from the loop; pages change
 * with a restart (or a later SIGHUP reload).
 */
#ifndef EXAMD_WEB_H
#define EXAMD_WEB_H

struct server;

int	web_init(struct server *, char **errstr);
void	web_fini(struct server *);

#endif
