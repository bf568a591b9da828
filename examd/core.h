/* Operations endpoints: /healthz and /metrics. */
#ifndef EXAMD_CORE_H
#define EXAMD_CORE_H

#include "http.h"

extern const struct route core_routes[];

#endif
