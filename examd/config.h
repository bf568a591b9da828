/*
 * examd's settings: command-line flags and an optional config file with
 * the same names ("name value" per line, '#' comments). Strict: an
 * unknown name or a bad value is an error naming FILE:LINE.
 */
#ifndef EXAMD_CONFIG_H
#define EXAMD_CONFIG_H

struct config {
	char	*db, *cert, *key, *web, *listen;
	char	*config_file;
	int	 check_only;		/* -n */
	int	 verbose;
	long	 max_headers, max_body;
	long	 idle_timeout, handshake_timeout;
	long	 max_conns_per_addr, max_conns;
	long	 workers;
	long	 max_batch;
	long	 access_log;
	long	 session_idle, session_max;
	long	 throttle_max_delay;
	long	 stream_recheck;
};

/* Parses argv (and the --config file it names). 0, or -1 and errstr; 2 for usage. */
int	config_parse(struct config *, int argc, char **argv, char **errstr);
int	config_load_file(struct config *, const char *path, char **errstr);
void	config_free(struct config *);
void	config_usage(void);

#endif
