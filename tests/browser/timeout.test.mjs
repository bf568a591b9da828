// The short form (imh-short: 6 s parts): the clock runs out, the page
// stops taking answers, the server submits the part itself and the page
// says so; the same for Part 2, which ends the examination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, world } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

// Deadline 6 s + the server's 5 s grace + a little for the unit.
const SUBMITTED_WITHIN = 25000;

test('Part 1 runs out: time is up, and the server\'s submission is shown', async () => {
	const { page } = b;
	await signIn(page, world.codes.timeout);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of 3/ }).waitFor();
	await page.getByRole('radio').nth(0).check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
	// At zero the page stops taking answers and says why.
	await page.locator('.banner').getByText('Time is up').waitFor();
	assert.equal(await page.getByRole('radio').nth(1).isDisabled(), true);
	await shot(page, 'timeout-part1-zero');
	// Then the server submits at its deadline, and says so.
	await page.getByRole('heading', { name: /^Ready for Part 2/ })
	    .waitFor({ timeout: SUBMITTED_WITHIN });
	await page.locator('.notice').getByText('your answers were submitted').waitFor();
	await shot(page, 'timeout-part1-submitted');
	const a = await page.evaluate(async () =>
	    (await fetch('/api/v1/attempt')).json());
	assert.equal(a.sections[0].status, 'submitted');
});

test('Part 2 runs out while writing: the examination ends with what was saved', async () => {
	const { page } = b;
	await page.getByRole('button', { name: /^Start Part 2/ }).click();
	await page.locator('#rule').waitFor();
	await page.getByRole('button', { name: 'Answer this vignette' }).click();
	await page.getByLabel('Your response').pressSequentially(
	    'Time runs out while I write this', { delay: 10 });
	await page.getByRole('heading', { name: 'You have finished the examination' })
	    .waitFor({ timeout: SUBMITTED_WITHIN });
	await page.getByText('Time is up: your answers were submitted.').waitFor();
	await shot(page, 'timeout-finished');
	const a = await page.evaluate(async () =>
	    (await fetch('/api/v1/attempt')).json());
	assert.equal(a.status, 'complete');
});
