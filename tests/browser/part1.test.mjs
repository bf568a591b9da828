// Part 1 as a candidate takes it: instructions, answers, a flag, the
// navigator, a reload in the middle that loses nothing (answers, flag,
// place, time), review and submission.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, timerSeconds, world } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});


async function savedAll(page) {
	await page.locator('#save-status[data-state="saved"]').waitFor();
}

test('instructions come first, and the clock starts with the part', async () => {
	const { page } = b;
	await signIn(page, world.codes.part1);
	await page.getByRole('heading', { name: /Part 1/ }).first().waitFor();
	assert.equal(await page.locator('#timer').isVisible(), false,
	    'no clock before the part starts');
	await shot(page, 'instructions');
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of \d+/ }).waitFor();
	assert.ok(await timerSeconds(page) > 80 * 60, 'about 90 minutes left');
});

test('answering, flagging and moving about, every change saved', async () => {
	const { page } = b;
	await page.getByRole('radio').nth(1).check();		// Q1: b
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	await page.getByRole('radio').nth(2).check();		// Q2: c
	await page.getByRole('button', { name: 'Flag for review' }).click();
	await page.getByRole('button', { name: 'Flagged for review' }).waitFor();
	// Straight to question 5 with the navigator.
	await page.getByRole('button', { name: /^Question 5, not answered/ }).click();
	await page.getByRole('heading', { name: /^Question 5 of/ }).waitFor();
	await page.getByRole('radio').nth(0).check();		// Q5: a
	// Changing an answer is fine until the part is submitted.
	await page.getByRole('radio').nth(3).check();		// Q5: d
	await savedAll(page);
	assert.match(await page.locator('#save-status').textContent(),
	    /^Saved \d\d:\d\d:\d\d$/);
	assert.match(await page.locator('#mc-counts').textContent(),
	    /^3 of \d+ answered · 1 flagged$/);
	await page.getByRole('button', { name: 'Question 2, answered, flagged' })
	    .waitFor();
	await shot(page, 'part1-question');
});

test('a reload in the middle restores answers, the flag, the place and the time', async () => {
	const { page } = b;
	const before = await timerSeconds(page);
	await page.reload();
	await page.getByRole('heading', { name: /^Question 5 of/ }).waitFor();
	assert.equal(await page.getByRole('radio').nth(3).isChecked(), true);
	await page.getByRole('button', { name: 'Question 1, answered' }).waitFor();
	await page.getByRole('button', { name: 'Question 2, answered, flagged' })
	    .click();
	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	assert.equal(await page.getByRole('radio').nth(2).isChecked(), true);
	assert.equal(await page.getByRole('button', { name: 'Flagged for review' })
	    .getAttribute('aria-pressed'), 'true');
	const after = await timerSeconds(page);
	assert.ok(after <= before && after > before - 30,
	    'the clock went on from ' + before + ', now ' + after);
	// What the server holds is what the page shows.
	const view = await page.evaluate(async () =>
	    (await fetch('/api/v1/attempt/sections/mc')).json());
	assert.equal(view.items[0].answer, 'b');
	assert.equal(view.items[1].answer, 'c');
	assert.equal(view.items[1].flagged, true);
	assert.equal(view.items[4].answer, 'd');
});

test('keyboard: arrows change the answer, focus follows the question', async () => {
	const { page } = b;
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('heading', { name: /^Question 3 of/ }).waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'qhead');
	await page.keyboard.press('Tab');	// the first choice
	await page.keyboard.press('Space');
	await page.keyboard.press('ArrowDown');
	assert.equal(await page.getByRole('radio').nth(1).isChecked(), true);
	await savedAll(page);
});

test('review lists what is missing and flagged; submitting asks first', async () => {
	const { page } = b;
	await page.getByRole('button', { name: 'Review and submit' }).click();
	await page.getByRole('heading', { name: /^Review Part 1/ }).waitFor();
	assert.match(await page.locator('.q-pane').textContent(),
	    /Flagged for review: 2\./);
	await shot(page, 'part1-review');
	await page.getByRole('button', { name: /^Submit Part 1/ }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	assert.match(await dialog.textContent(), /not answered/);
	// Going back changes nothing.
	await dialog.getByRole('button', { name: 'Go back' }).click();
	await dialog.waitFor({ state: 'hidden' });
	await page.getByRole('button', { name: /^Submit Part 1/ }).click();
	await dialog.getByRole('button', { name: /^Submit Part 1/ }).click();
	await page.getByRole('heading', { name: /^Ready for Part 2/ }).waitFor();
	assert.equal(await page.locator('#timer').isVisible(), false);
	// Submitted means closed: the server refuses further answers.
	const r = await page.evaluate(async () => (await fetch(
	    '/api/v1/attempt/sections/mc/answers/1', { method: 'PUT',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ choice: 'a', seq: 9999 }) })).status);
	assert.equal(r, 409);
});
