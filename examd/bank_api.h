/* The item bank's routes (bank_api.c): GET /exams, /items, /assets. */
#ifndef EXAMD_BANK_API_H
#define EXAMD_BANK_API_H

#include "http.h"

extern const struct route bank_routes[];

#endif
