/* examc's commands and what they share. */
#ifndef EXAMD_EXAMC_H
#define EXAMD_EXAMC_H

#include <openssl/ssl.h>

struct event_base;

struct examc {
	struct event_base	*base;
	SSL_CTX			*ctx;
	char			 host[256];
	int			 port;
};

struct examc_cmd {
	const char	*name;
	const char	*usage;
	int		(*fn)(struct examc *, int argc, char **argv);
};

const char	*examc_opt(int argc, char **argv, const char *name);
long		 examc_opt_long(int argc, char **argv, const char *name,
		    long def, long min, long max);

int	examc_hammer(struct examc *, int argc, char **argv);
int	examc_load(struct examc *, int argc, char **argv);

#endif
