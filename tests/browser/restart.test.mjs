// What a lost connection, a server killed mid-part, and a closed tab cost
// the candidate: nothing. An answer made while the server is down waits
// in the page ("Offline — will retry") and is saved when it is back; the
// acknowledged answers survived kill -9; the time left is what it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, timerSeconds, ownExamd } from './lib.mjs';

let b, x;
before(async () => {
	b = await browser();
	x = await ownExamd();
});
after(async () => {
	await b.close();
	if (x)
		await x.cleanup();
});


test('kill -9 of the server mid-part, an answer made while it is down, a restart', async () => {
	const { page } = b;
	await signIn(page, x.world.codes.restart, x.url);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('radio').nth(1).check();			// Q1: b
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('radio').nth(2).check();			// Q2: c
	await page.locator('#save-status[data-state="saved"]').waitFor();
	const t1 = await timerSeconds(page);

	await x.stop('SIGKILL');
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('radio').nth(0).check();			// Q3: a, server down
	await page.locator('#save-status[data-state="offline"]').waitFor();
	assert.equal(await page.locator('#save-status').textContent(),
	    'Offline — will retry');
	await shot(page, 'offline');

	await x.start();
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 40000 });

	await page.reload();
	await page.getByRole('heading', { name: /^Question 3 of/ }).waitFor();
	assert.equal(await page.getByRole('radio').nth(0).isChecked(), true);
	const view = await page.evaluate(async () =>
	    (await fetch('/api/v1/attempt/sections/mc')).json());
	assert.deepEqual(view.items.slice(0, 3).map((i) => i.answer),
	    ['b', 'c', 'a']);
	const t2 = await timerSeconds(page);
	assert.ok(t2 <= t1 && t2 > t1 - 30, 'time left ' + t1 + ' s, then ' +
	    t2 + ' s: the downtime is credited');
});

test('a closed tab: a new one opens where the candidate was', async () => {
	const page = await b.ctx.newPage();
	await b.page.close();
	b.page = page;
	await page.goto(x.url + '/');
	await page.getByRole('heading', { name: /^Question 3 of/ }).waitFor();
	await page.getByRole('button', { name: 'Question 1, answered' }).waitFor();
});

test('another browser: sign in again, continue at the first unanswered question', async () => {
	const other = await browser();
	try {
		await signIn(other.page, x.world.codes.restart, x.url);
		await other.page.getByRole('heading', { name: /^Question 4 of/ })
		    .waitFor();
		assert.match(await other.page.locator('#mc-counts').textContent(),
		    /^3 of \d+ answered/);
	} finally {
		await other.close();
	}
});
