// Shared by the browser tests: the examd that run.sh started (EXAMD_URL),
// the world fixture.py wrote (EXAMD_WORLD), Debian's Chromium through
// playwright-core, screenshots into tests/out/.
//
// Certificate: examd's development certificate is self-signed. Rather
// than turning certificate checks off, Chromium is told to accept exactly
// that certificate's public key (--ignore-certificate-errors-spki-list
// with its SPKI SHA-256), so any other certificate would still fail.

import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

export const URL = process.env.EXAMD_URL;
export const OUT = process.env.EXAMD_OUT || 'tests/out';
if (!URL || !process.env.EXAMD_WORLD)
	throw new Error('run these through tests/browser/run.sh');
export const world = JSON.parse(readFileSync(process.env.EXAMD_WORLD, 'utf8'));


function spki(certFile) {
	const cert = new X509Certificate(readFileSync(certFile));
	const der = cert.publicKey.export({ type: 'spki', format: 'der' });
	return createHash('sha256').update(der).digest('base64');
}

// A fresh browser with an empty profile; close() removes it.
export async function browser(cert = process.env.EXAMD_CERT) {
	const dir = mkdtempSync(join(tmpdir(), 'examd-chromium-'));
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: process.env.EXAMD_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		viewport: { width: 1024, height: 768 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync',
		    '--ignore-certificate-errors-spki-list=' +
		    spki(cert)],
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	const problems = [];
	page.on('pageerror', (e) => problems.push('page error: ' + e.message));
	page.on('console', (m) => {
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
			problems.push('console: ' + m.text());
	});
	return {
		ctx, page, problems,
		async close() {
			await ctx.close();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export async function shot(page, name) {
	mkdirSync(OUT, { recursive: true });
	await page.screenshot({ path: join(OUT, name + '.png'), fullPage: false });
}

// Seconds on the header's clock ("1:29:58 left" -> 5398).
export async function timerSeconds(page) {
	const t = await page.locator('#timer').textContent();
	const m = t.match(/(\d+(?::\d\d)+) left/);
	if (!m)
		throw new Error('timer text: ' + t);
	return m[1].split(':').reduce((a, x) => a * 60 + Number(x), 0);
}

export async function signIn(page, code, url = URL) {
	await page.goto(url + '/');
	await page.getByLabel('Access code').fill(code);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

// Talk to the API directly (a proctor admitting, a check of what is
// stored), over TLS with the development certificate as the only CA.
export function apiAs(method, path, body, token) {
	const headers = { 'Content-Type': 'application/json' };
	if (token)
		headers.Authorization = 'Bearer ' + token;
	return new Promise((resolve, reject) => {
		const req = https.request(URL + '/api/v1' + path, { method, headers,
		    ca: readFileSync(process.env.EXAMD_CERT) }, (res) => {
			let data = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { data += c; });
			res.on('end', () => resolve({ status: res.statusCode,
			    json: data ? JSON.parse(data) : null }));
		});
		req.on('error', reject);
		if (body !== undefined)
			req.write(JSON.stringify(body));
		req.end();
	});
}

export function freePort() {
	return new Promise((resolve) => {
		const srv = createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

// An examd of a test's own (for restarts), on the certificate run.sh
// made, with a fresh database and world set up as run.sh does it.
export async function ownExamd({ env = {} } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'examd-own-'));
	const bin = process.env.EXAMD_BIN;
	const db = join(dir, 'examd.db');
	const certs = join(process.env.EXAMD_DIR, 'certs');
	execFileSync(join(bin, 'examctl'), ['--db', db, 'init']);
	execFileSync(join(bin, 'examctl'), ['--db', db, 'import', 'items/bank']);
	const port = await freePort();
	const x = {
		url: 'https://127.0.0.1:' + port,
		world: null,
		proc: null,
		start() {
			return new Promise((resolve, reject) => {
				const p = spawn(join(bin, 'examd'), ['--db', db, '--cert',
				    join(certs, 'cert.pem'), '--key', join(certs, 'key.pem'),
				    '--listen', '127.0.0.1:' + port, '--web', 'client/web'],
				    { stdio: ['ignore', 'ignore', 'pipe'] });
				let log = '';
				p.stderr.setEncoding('utf8');
				p.stderr.on('data', (c) => {
					log += c;
					if (log.includes('listening on'))
						resolve();
				});
				p.on('exit', () => reject(new Error('examd exited: ' + log)));
				x.proc = p;
			});
		},
		stop(signal = 'SIGTERM') {
			const p = x.proc;
			x.proc = null;
			if (!p || p.exitCode !== null)
				return Promise.resolve();
			return new Promise((resolve) => {
				p.removeAllListeners('exit');
				p.on('exit', resolve);
				p.kill(signal);
			});
		},
		async cleanup() {
			await x.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
	await x.start();
	execFileSync('python3', ['tests/browser/fixture.py', db, x.url,
	    join(certs, 'cert.pem'), join(dir, 'world.json')],
	    { env: { ...process.env, ...env } });
	x.world = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8'));
	return x;
}

// The proctor of every sitting in the world (fixture.py): a token, and
// the path of one candidate's proctoring actions (…/pause, …/void).
export async function proctorToken() {
	const r = await apiAs('POST', '/login', world.proctor);
	if (r.status !== 200)
		throw new Error('proctor sign-in: ' + JSON.stringify(r.json));
	return r.json.token;
}

export function candidatePath(key) {
	return '/sittings/' + world.sitting_of[key] + '/candidates/' +
	    world.candidates[key];
}

// The candidate's own stored view of a part, read through the page's
// session: what the server holds, not what the page shows.
export async function storedPart(page, part = 'mc') {
	return page.evaluate(async (p) =>
	    (await fetch('/api/v1/attempt/sections/' + p)).json(), part);
}

// A test file's browser (and, with proctor, a proctor's token), made
// before its tests and closed after them, checking that the page had no
// script errors: const w = useBrowser({ proctor: true }); w.b.page.
export function useBrowser({ proctor = false } = {}) {
	const w = { b: null, proctor: null };
	before(async () => {
		w.b = await browser();
		if (proctor)
			w.proctor = await proctorToken();
	});
	after(async () => {
		assert.deepEqual(w.b.problems, [], 'no script errors on the page');
		await w.b.close();
	});
	return w;
}
