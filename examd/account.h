/* Administration of associations and staff accounts; the audit read API. */
#ifndef EXAMD_ACCOUNT_H
#define EXAMD_ACCOUNT_H

#include "http.h"

extern const struct route account_routes[];

/* Validation shared with examctl. */
int		 account_username_valid(const char *);
int		 account_code_valid(const char *);	/* association code */
int		 account_endorsement_valid(const char *);
/* NULL when the password is acceptable, else why not. */
const char	*account_password_problem(const char *);

#endif
