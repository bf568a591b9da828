// A sitting admitted by its proctor: the candidate waits, and the page
// moves on by itself when the proctor admits them (the "admitted" event).
// Then the proctor pauses the part: the page covers itself and the clock
// stops; resume brings both back. Extra time shows on the clock at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, apiAs, timerSeconds, world } from './lib.mjs';

let b, proctor;
before(async () => {
	b = await browser();
	const r = await apiAs('POST', '/login', world.proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	proctor = r.json.token;
});
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

const cand = () => '/sittings/' + world.sittings.proctored + '/candidates/' +
    world.candidates.waiting;

test('the waiting room waits, and moves on when the proctor admits', async () => {
	const { page } = b;
	await signIn(page, world.codes.waiting);
	await page.getByRole('heading', { name: 'Waiting to be admitted' }).waitFor();
	await shot(page, 'waiting');
	// Give the event stream a moment to be open, then admit.
	await page.waitForTimeout(500);
	const r = await apiAs('POST', cand() + '/admit', undefined, proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	await page.getByRole('button', { name: /^Start Part 1/ })
	    .waitFor({ timeout: 5000 });
});

test('a pause by the proctor covers the page and stops the clock', async () => {
	const { page } = b;
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
	let r = await apiAs('POST', cand() + '/pause', undefined, proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	const box = page.getByRole('alertdialog', { name: 'The exam is paused' });
	await box.waitFor({ timeout: 5000 });
	const t1 = await page.locator('#timer').textContent();
	assert.match(t1, /^Paused/);
	await page.waitForTimeout(1500);
	assert.equal(await page.locator('#timer').textContent(), t1,
	    'the clock does not move while paused');
	await shot(page, 'paused');
	r = await apiAs('POST', cand() + '/resume', undefined, proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	await box.waitFor({ state: 'hidden', timeout: 5000 });
	await page.getByRole('radio').nth(0).check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
});

test('extra time from the proctor is on the clock at once, and announced', async () => {
	const { page } = b;
	const t1 = await timerSeconds(page);
	const r = await apiAs('POST', cand() + '/extend',
	    { seconds: 600, reason: 'browser test' }, proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	await page.locator('#announce-alert')
	    .getByText('Your proctor gave you more time: 10 minutes.').waitFor();
	const t2 = await timerSeconds(page);
	assert.ok(t2 > t1 + 590 && t2 <= t1 + 600, t1 + ' s, then ' + t2 + ' s');
});
