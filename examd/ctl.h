/*
 * examctl's commands. Each takes the database path (NULL when --db was not
 * given) and its own arguments, and returns the exit status: 0 success,
 * 1 bad input or failed check (message on stderr naming file and line or
 * the record), 2 usage.
 */
#ifndef EXAMD_CTL_H
#define EXAMD_CTL_H

struct ctl_cmd {
	const char	*name;
	const char	*usage;
	int		 needs_db;
	int		(*fn)(const char *db, int argc, char **argv);
};

int	ctl_init(const char *db, int argc, char **argv);
int	ctl_gen_cert(const char *db, int argc, char **argv);
int	ctl_backup(const char *db, int argc, char **argv);
int	ctl_association(const char *db, int argc, char **argv);
int	ctl_user(const char *db, int argc, char **argv);
int	ctl_audit_cmd(const char *db, int argc, char **argv);
int	ctl_demo(const char *db, int argc, char **argv);
int	ctl_import(const char *db, int argc, char **argv);
int	ctl_export(const char *db, int argc, char **argv);

/* Opens the store read-write, schema checked; prints the error itself. */
struct store;
struct store *ctl_open(const char *db);

#endif
