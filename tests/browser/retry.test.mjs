// A save the server refuses with 503 (its store could not make the
// change durable: nothing was saved) is retried. The 503 is injected once
// with a route in front of the real examd, which then gets every later
// request: the page must say so quietly ("Retrying…", no dialog, no
// alarm), send the same seq again for the same answer (a retry, not a
// second save), and end with the answer stored under that seq.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, world, storedPart } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

const UNAVAILABLE = JSON.stringify({ error: { code: 'store_unavailable',
    message: 'the store could not make the change durable: nothing was ' +
    'saved' } });

// The first PUT of item n gets a 503 here; the rest go to examd. Returns
// the bodies sent and the replies examd gave.
async function refuseOnce(page, n) {
	const sent = [], replies = [];
	let refused = false;
	const path = '/api/v1/attempt/sections/mc/answers/' + n;
	await page.route('**' + path, (route) => {
		sent.push(route.request().postDataJSON());
		if (refused)
			return route.continue();
		refused = true;
		return route.fulfill({ status: 503, contentType: 'application/json',
		    body: UNAVAILABLE });
	});
	page.on('response', async (res) => {
		if (new URL(res.url()).pathname === path && res.status() === 200)
			replies.push(await res.json());
	});
	return { sent, replies };
}

test('a save refused with 503 is retried quietly with the same seq, and stored once', async () => {
	const { page } = b;
	await signIn(page, world.codes.retry);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
	const { sent, replies } = await refuseOnce(page, 1);

	await page.getByRole('radio').nth(2).check();			// c
	const status = page.locator('#save-status');
	await page.locator('#save-status[data-state="retrying"]').waitFor();
	assert.equal(await status.textContent(), 'Retrying…');
	await shot(page, 'retrying');
	// Unobtrusive: no dialog, nothing that takes focus, no alarm.
	assert.equal(await page.locator('#overlay').isVisible(), false);
	assert.equal(await page.getByRole('radio').nth(2).isChecked(), true);
	assert.equal(await page.locator('#announce-alert').textContent(), '');
	assert.doesNotMatch(await page.locator('#announce-polite').textContent(),
	    /connection/i);

	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 10000 });
	assert.equal(sent.length, 2, JSON.stringify(sent));
	assert.deepEqual(sent[1], sent[0], 'the retry is the same request');
	assert.equal(replies.length, 1);
	assert.equal(replies[0].applied, true);
	assert.equal(replies[0].seq, sent[0].seq);
	const view = await storedPart(page);
	assert.equal(view.items[0].answer, 'c');
	assert.equal(view.items[0].seq, sent[0].seq,
	    'stored once, under the seq of the first try');
});

test('an answer changed while the retry waits goes with a new seq, and wins', async () => {
	const { page } = b;
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	const { sent, replies } = await refuseOnce(page, 2);
	await page.getByRole('radio').nth(0).check();			// a: 503
	await page.locator('#save-status[data-state="retrying"]').waitFor();
	await page.getByRole('radio').nth(1).check();			// b, waits
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 10000 });
	assert.equal(sent.length, 2, JSON.stringify(sent));
	assert.equal(sent[0].choice, 'a');
	assert.equal(sent[1].choice, 'b');
	assert.equal(sent[1].seq, sent[0].seq + 1);
	assert.equal(replies[0].applied, true);
	const view = await storedPart(page);
	assert.equal(view.items[1].answer, 'b');
	assert.equal(view.items[1].seq, sent[1].seq);
});
