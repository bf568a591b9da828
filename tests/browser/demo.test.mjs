// README's promise: `make demo` starts a sitting that a person can take in
// the browser. scripts/demo.sh is run as it is (into a temporary folder,
// on a free port), and a candidate it prints signs in and answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { browser, shot, signIn, freePort } from './lib.mjs';

// demo.sh runs bin/examd; under `make asan` the binaries are elsewhere.
const SKIP = resolve(process.env.EXAMD_BIN) !== resolve('bin') ?
    { skip: 'demo.sh uses bin/, these tests use ' + process.env.EXAMD_BIN } : {};

let dir, url, out, b;
before(async () => {
	if (SKIP.skip)
		return;
	dir = mkdtempSync(join(tmpdir(), 'examd-demo-'));
	const listen = '127.0.0.1:' + await freePort();
	url = 'https://' + listen;
	out = execFileSync('sh', ['scripts/demo.sh'], { encoding: 'utf8',
	    env: { ...process.env, EXAMD_DEMO_DIR: dir, EXAMD_DEMO_LISTEN: listen } });
	b = await browser(join(dir, 'certs', 'cert.pem'));
});
after(async () => {
	if (b)
		await b.close();
	if (dir && existsSync(join(dir, 'examd.pid')))
		process.kill(Number(readFileSync(join(dir, 'examd.pid'), 'utf8')));
	if (dir)
		rmSync(dir, { recursive: true, force: true });
});

test('make demo: a printed access code signs in and the exam can be taken', SKIP, async () => {
	assert.match(out, new RegExp('examd is running: ' + url));
	const cands = out.slice(out.indexOf('candidates (access codes):'));
	const code = cands.match(/[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}/)[0];
	const { page } = b;
	await signIn(page, code, url);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of 60/ }).waitFor();
	await page.getByRole('radio').nth(0).check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
	await shot(page, 'demo');
	assert.deepEqual(b.problems, []);
});
