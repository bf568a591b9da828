/* Every module of examd: one row each. Order is start-up order. */
#include <stddef.h>

#include "account.h"
#include "auth.h"
#include "bank_api.h"
#include "core.h"
#include "delivery_api.h"
#include "events.h"
#include "http.h"
#include "scheduling.h"
#include "server.h"
#include "web.h"

const struct module server_modules[] = {
	{ "core", core_routes, NULL, NULL },
	{ "auth", auth_routes, auth_init, auth_fini },
	{ "account", account_routes, NULL, NULL },
	{ "sched", sched_routes, NULL, NULL },
	{ "bank", bank_routes, NULL, NULL },
	{ "web", NULL, web_init, web_fini },
	{ "events", NULL, events_init, events_fini },
	{ "delivery", delivery_routes, delivery_init, delivery_fini },
	{ NULL, NULL, NULL, NULL }
};
