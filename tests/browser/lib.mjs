// Shared by the browser tests: the examd that run.sh started (EXAMD_URL),
// the world fixture.py wrote (EXAMD_WORLD), Debian's Chromium through
// playwright-core, screenshots into tests/out/.
//
// Certificate: examd's development certificate is self-signed. Rather
// than turning certificate checks off, Chromium is told to accept exactly
// that certificate's public key (--ignore-certificate-errors-spki-list
// with its SPKI SHA-256), so any other certificate would still fail.

import { chromium } from 'playwright-core';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';

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
export async function browser() {
	const dir = mkdtempSync(join(tmpdir(), 'examd-chromium-'));
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: process.env.EXAMD_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		viewport: { width: 1024, height: 768 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync',
		    '--ignore-certificate-errors-spki-list=' +
		    spki(process.env.EXAMD_CERT)],
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

export async function signIn(page, code) {
	await page.goto(URL + '/');
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
