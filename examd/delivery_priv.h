/*
 * delivery_priv.h: shared by the delivery*.c files only.
 */
#ifndef EXAMD_DELIVERY_PRIV_H
#define EXAMD_DELIVERY_PRIV_H

/* Set *errstr (if errstr != NULL and *errstr == NULL) to a malloc'd,
 * formatted message. Out of memory leaves it NULL: the refusal stands. */
void	 delivery_err(char **errstr, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
