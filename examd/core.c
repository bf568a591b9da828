#include <stdlib.h>

#include <event2/buffer.h>

#include "core.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "store.h"

static void
core_healthz(struct req *req)
{
	http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void
core_metrics(struct req *req)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL)
		fatal("core_metrics");
	metrics_render(b);
	evbuffer_add_printf(b, "# HELP examd_store_queued Units of work "
	    "waiting for the writer.\n# TYPE examd_store_queued gauge\n"
	    "examd_store_queued %d\n", store_queued(req->srv->store));
	http_reply_buffer(req, 200, "text/plain; version=0.0.4", b);
	evbuffer_free(b);
}

const struct route core_routes[] = {
	{ "GET", "/healthz", ROLE_PUBLIC, 0, core_healthz },
	{ "GET", "/api/v1/healthz", ROLE_PUBLIC, 0, core_healthz },
	{ "GET", "/metrics", ROLE_PUBLIC, 0, core_metrics },
	{ NULL, NULL, 0, 0, NULL }
};
