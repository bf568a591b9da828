// A disk that fills mid-part costs the candidate nothing: the answer made
// while nothing can be saved waits in the page ("Retrying…": the server
// answered 503), is saved once there is room, and the time left is what
// it was, because examd credits the time nothing could be saved. The
// full disk is examd's file-size limit at 0 (every write fails as with
// ENOSPC; examd ignores SIGXFSZ).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { browser, shot, signIn, timerSeconds, ownExamd, storedPart } from
    './lib.mjs';

let b, x;
before(async () => {
	b = await browser();
	x = await ownExamd();
});
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
	if (x)
		await x.cleanup();
});

// Sets examd's soft RLIMIT_FSIZE: 0 for a full disk, -1 for no limit.
function fileSizeLimit(pid, bytes) {
	execFileSync('python3', ['-c', 'import resource, sys; ' +
	    'pid, n = int(sys.argv[1]), int(sys.argv[2]); ' +
	    'hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)[1]; ' +
	    'resource.prlimit(pid, resource.RLIMIT_FSIZE, ' +
	    '(hard if n < 0 else n, hard))', String(pid), String(bytes)]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a full disk mid-part: the answer waits, is saved when there is room, and no time is lost', async () => {
	const { page } = b;
	await signIn(page, x.world.codes.outage, x.url);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('radio').nth(1).check();			// Q1: b
	await page.locator('#save-status[data-state="saved"]').waitFor();
	const t1 = await timerSeconds(page);
	const w1 = Date.now();

	fileSizeLimit(x.proc.pid, 0);
	let full = true;
	try {
		await page.getByRole('button', { name: 'Next →' }).click();
		await page.getByRole('radio').nth(2).check();		// Q2: c, 503
		await page.locator('#save-status[data-state="retrying"]')
		    .waitFor();
		assert.equal(await page.locator('#save-status').textContent(),
		    'Retrying…');
		await shot(page, 'outage-retrying');
		await sleep(8000);
		fileSizeLimit(x.proc.pid, -1);
		full = false;
	} finally {
		if (full)
			fileSizeLimit(x.proc.pid, -1);
	}
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 30000 });
	const view = await storedPart(page);
	assert.deepEqual(view.items.slice(0, 2).map((i) => i.answer), ['b', 'c']);
	// The 8 s of full disk came back (and more: the outage ran from the
	// first refused save to the first commit after it); the page's
	// retries back off, so the time after that is the candidate's own.
	// Whole seconds on the clock, twice, and a rounded wall time: 3 s of
	// the 8 are slack. Without the credit t2 is t1 - wall.
	const t2 = await timerSeconds(page);
	const wall = Math.round((Date.now() - w1) / 1000);
	assert.ok(t2 <= t1 && t2 >= t1 - wall + 5, 'time left ' + t1 +
	    ' s, then ' + t2 + ' s, ' + wall + ' s later: the outage is ' +
	    'credited');
});

test('a full disk at Start: the clock does not start, and the part opens by itself when there is room', async () => {
	const c = await browser();
	try {
		const { page } = c;
		await signIn(page, x.world.codes.outage_start, x.url);
		const start = page.getByRole('button', { name: /^Start Part 1/ });
		await start.waitFor();
		fileSizeLimit(x.proc.pid, 0);
		let full = true;
		try {
			await start.click();
			const err = page.locator('p.error[role="alert"]');
			await page.waitForFunction(() => /trying again/.test(
			    document.querySelector('p.error[role="alert"]')
			    .textContent));
			assert.match(await err.textContent(), /Your time has not started/);
			assert.ok(await start.isDisabled(), 'no second press needed');
			await shot(page, 'outage-start-retrying');
			await sleep(4000);
			// Still on the instructions: nothing started meanwhile.
			assert.equal(await page.locator('#timer').isVisible(), false);
			fileSizeLimit(x.proc.pid, -1);
			full = false;
		} finally {
			if (full)
				fileSizeLimit(x.proc.pid, -1);
		}
		await page.getByRole('radio').first().waitFor({ timeout: 30000 });
		// The part's 90 minutes began at the start that was stored, so
		// at most a few seconds are gone from the clock.
		const left = await timerSeconds(page);
		assert.ok(left >= 90 * 60 - 10 && left <= 90 * 60, 'time left ' +
		    left + ' s');
		assert.deepEqual(c.problems, [], 'no script errors on the page');
	} finally {
		await c.close();
	}
});
