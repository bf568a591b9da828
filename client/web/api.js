// Talking to examd: one fetch wrapper, and the savers that keep a
// candidate's latest answer on its way to the server until it is durable.
//
// The session is the HttpOnly __Host-examd cookie set by POST /login; this
// code never sees or stores the token.

const BASE = '/api/v1';
const TIMEOUT_MS = 20000;	// a request that takes longer counts as lost

export class ApiError extends Error {
	constructor(status, code, message, retryAfter) {
		super(message);
		this.status = status;	// 0: no answer (network)
		this.code = code;
		this.retryAfter = retryAfter;
	}
	get transient() {
		return this.status === 0 || this.status === 502 ||
		    this.status === 503 || this.status === 504;
	}
}

export async function api(method, path, body) {
	const opts = { method, headers: {}, credentials: 'same-origin',
	    cache: 'no-store' };
	if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	const ctl = new AbortController();
	const t = setTimeout(() => ctl.abort(), TIMEOUT_MS);
	opts.signal = ctl.signal;
	let r, text;
	try {
		r = await fetch(BASE + path, opts);
		text = await r.text();
	} catch (e) {
		throw new ApiError(0, 'network',
		    'The connection to the exam server was lost.');
	} finally {
		clearTimeout(t);
	}
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		data = null;
	}
	if (!r.ok) {
		const err = (data && data.error) || {};
		throw new ApiError(r.status, err.code || 'http_' + r.status,
		    err.message || 'The exam server answered ' + r.status + '.',
		    r.headers.get('Retry-After'));
	}
	return data;
}

// --- save status -------------------------------------------------------

function clockTime(d) {
	const p = (n) => String(n).padStart(2, '0');
	return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}

// Every saver reports here; the header shows one line for all of them:
// "Saving…", "Offline — will retry" (no answer from the server at all),
// "Retrying…" (the server answered 503 or 429: busy, nothing saved; said
// quietly, it is usually over in a second), "Paused — saved on resume",
// "Saved 12:03:04".
export class SaveTracker {
	constructor(el, announce) {
		this.el = el;
		this.announce = announce;
		this.savers = new Set();
		this.lastSaved = null;
		this.state = 'idle';
	}
	add(s) {
		this.savers.add(s);
	}
	clear() {
		for (const s of this.savers)
			s.stop();
		this.savers.clear();
		this.lastSaved = null;
		this.update();
	}
	saved() {
		this.lastSaved = new Date();
		this.update();
	}
	busy() {
		for (const s of this.savers)
			if (s.inflight || s.dirty)
				return true;
		return false;
	}
	any(what) {
		for (const s of this.savers)
			if (s.dirty && what(s))
				return true;
		return false;
	}
	offline() {
		return this.any((s) => s.offline);
	}
	update() {
		let state, text;
		if (this.offline()) {
			state = 'offline';
			text = 'Offline — will retry';
		} else if (this.any((s) => s.blocked === 'paused')) {
			state = 'paused';
			text = 'Paused — saved on resume';
		} else if (this.any((s) => s.retrying)) {
			state = 'retrying';
			text = 'Retrying…';
		} else if (this.busy()) {
			state = 'saving';
			text = 'Saving…';
		} else if (this.lastSaved) {
			state = 'saved';
			text = 'Saved ' + clockTime(this.lastSaved);
		} else {
			state = 'idle';
			text = '';
		}
		if (state !== this.state) {
			if (state === 'offline')
				this.announce('Connection lost. Your answers are kept ' +
				    'here and will be saved when it returns.');
			else if (this.state === 'offline' && state === 'saved')
				this.announce('Connection back. All answers saved.');
		}
		this.state = state;
		this.el.textContent = text;
		this.el.dataset.state = state;
	}
	// Resolves once nothing is waiting to be saved; rejects when offline
	// for longer than `ms`.
	settle(ms = 15000) {
		return new Promise((resolve, reject) => {
			const t0 = performance.now();
			const poll = () => {
				for (const s of this.savers)
					s.kick(true);
				if (!this.busy())
					return resolve();
				if (performance.now() - t0 > ms)
					return reject(new Error('unsaved'));
				setTimeout(poll, 200);
			};
			poll();
		});
	}
	// Now: the network is back, or the exam resumed. Saves held back by
	// a pause go again; a part closed or a session ended stays so.
	kickAll() {
		for (const s of this.savers) {
			if (s.blocked === 'paused')
				s.blocked = null;
			s.kick(true);
		}
	}
}

// One saver per answer (an MC item or an essay response). set() records
// the latest value; the saver sends it with a sequence number above every
// one it sent before, one request at a time, and keeps trying through
// network errors and 503s with backoff. The server acknowledges only once
// the save is durable, so "saved" here means on disk there.
//
// A retry of an unchanged value goes with the seq it was first sent with:
// if the lost request had been applied after all, the server answers
// "applied": false for it instead of applying the same answer twice. A
// value changed meanwhile goes with a new, higher seq.
//
// send(value, seq) returns the server's reply; hooks: onSaved(reply, value),
// onRefused(ApiError, value) for a refusal that retrying will not change
// (409 section_closed, 422 ...), onPaused(), onSignedOut().
export class Saver {
	constructor(tracker, send, hooks, seq = 0) {
		this.tracker = tracker;
		this.sendFn = send;
		this.hooks = hooks;
		this.seq = seq;
		this.value = undefined;
		this.dirty = false;
		this.inflight = false;
		this.offline = false;	// no answer from the server
		this.retrying = false;	// it answered 503/502/504/429
		this.blocked = null;	// 'paused' | 'signed_out' | 'closed' | 'refused'
		this.unsent = null;	// {value, seq} of a send with no outcome
		this.tries = 0;
		this.debounce = null;
		this.retry = null;
		this.firstDirty = 0;
		tracker.add(this);
	}
	// delay: wait this long after the last change (typing); maxWait: but
	// never longer than this after the first unsaved change.
	set(value, delay = 0, maxWait = 10000) {
		this.value = value;
		if (!this.dirty)
			this.firstDirty = performance.now();
		this.dirty = true;
		if (this.blocked === 'refused')
			this.blocked = null;
		clearTimeout(this.debounce);
		const waited = performance.now() - this.firstDirty;
		if (delay > 0 && waited < maxWait)
			this.debounce = setTimeout(() => this.kick(),
			    Math.min(delay, maxWait - waited));
		else
			this.kick();
		this.tracker.update();
	}
	flush() {
		clearTimeout(this.debounce);
		this.kick(true);
	}
	// The value the server has not acknowledged (waiting, on its way,
	// or held back by a pause or an ended session), or undefined.
	unsaved() {
		const held = this.blocked === 'paused' ||
		    this.blocked === 'signed_out';
		return this.dirty || this.inflight || held ? this.value : undefined;
	}
	stop() {
		clearTimeout(this.debounce);
		clearTimeout(this.retry);
		this.blocked = 'closed';
		this.dirty = false;
	}
	kick(now = false) {
		if (now)
			clearTimeout(this.debounce);
		if (this.inflight || !this.dirty || this.blocked)
			return;
		if (this.retry && !now)
			return;
		clearTimeout(this.retry);
		this.retry = null;
		this.send();
	}
	async send() {
		const value = this.value;
		const seq = this.unsent && this.unsent.value === value ?
		    this.unsent.seq : ++this.seq;
		this.unsent = null;
		this.inflight = true;
		this.dirty = false;
		this.tracker.update();
		try {
			const r = await this.sendFn(value, seq);
			this.inflight = false;
			this.offline = false;
			this.retrying = false;
			this.tries = 0;
			if (r && typeof r.seq === 'number' && r.seq > seq &&
			    r.applied !== true) {
				// Stored state is newer (another tab, or a seq
				// from before a reload): go above it.
				this.seq = r.seq;
				if (this.value === value)
					this.dirty = true;
			}
			this.hooks.onSaved && this.hooks.onSaved(r, value);
			if (!this.dirty)
				this.tracker.saved();
		} catch (e) {
			this.inflight = false;
			if (!(e instanceof ApiError))
				throw e;
			if (e.transient || e.status === 429 || e.status === 401 ||
			    (e.status === 409 && e.code === 'paused'))
				this.unsent = { value, seq };
			if (e.transient || e.status === 429) {
				this.dirty = true;
				this.offline = e.status === 0;
				this.retrying = e.status !== 0;
				const after = Number(e.retryAfter) * 1000 || 0;
				const wait = Math.max(Math.min(after, 60000),
				    Math.min(30000, 1000 * 2 ** this.tries++) *
				    (0.75 + Math.random() / 2));
				this.retry = setTimeout(() => {
					this.retry = null;
					this.kick();
				}, wait);
			} else if (e.status === 409 && e.code === 'paused') {
				this.dirty = true;
				this.blocked = 'paused';
				this.hooks.onPaused && this.hooks.onPaused(e);
			} else if (e.status === 401) {
				this.dirty = true;
				this.blocked = 'signed_out';
				this.hooks.onSignedOut && this.hooks.onSignedOut(e);
			} else {
				this.blocked = e.status === 409 ? 'closed' : 'refused';
				this.hooks.onRefused && this.hooks.onRefused(e, value);
			}
		}
		this.tracker.update();
		this.kick();
	}
}
