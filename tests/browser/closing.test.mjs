// The sitting's window closes while a candidate is between parts: the
// server forfeits the part not started and ends the session with the
// window. The page must say that (the sitting closed, Part 2 not taken,
// Part 1 saved), not "your session has ended, perhaps because you signed
// in somewhere else", and not offer a sign-in the code can no longer do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, ownExamd } from './lib.mjs';

// Long enough for examd, the fixture and a sign-in under AddressSanitizer.
const CLOSING_MS = 40000;

let b, x;
before(async () => {
	b = await browser();
	x = await ownExamd({ env: { EXAMD_CLOSING_MS: String(CLOSING_MS) } });
});
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
	if (x)
		await x.cleanup();
});

test('the window closes between parts: the page says the sitting closed and Part 2 was not taken', async () => {
	const { page } = b;
	await signIn(page, x.world.codes.closing, x.url);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('radio').first().check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
	await page.getByRole('button', { name: 'Review and submit' }).click();
	await page.getByRole('button', { name: /^Submit Part 1/ }).click();
	await page.getByRole('dialog').getByRole('button',
	    { name: /^Submit Part 1/ }).click();
	await page.getByRole('heading', { name: /^Ready for Part 2/ }).waitFor();
	const left = x.world.closes_at.closing - Date.now();
	assert.ok(left > 2000, 'the set-up took too long: ' + left + ' ms left');

	// The close reaches the page by its event stream; 30 s to spare.
	await page.getByRole('heading', { name: 'The sitting has closed' })
	    .waitFor({ timeout: left + 30000 });
	assert.ok(Date.now() >= x.world.closes_at.closing - 1000,
	    'not before the close');
	const text = await page.locator('main').textContent();
	assert.match(text, /Part 2: vignettes was not started before the sitting closed, so it was not taken/);
	assert.match(text, /Your answers to Part 1: multiple choice were submitted and are saved/);
	assert.doesNotMatch(text, /signed in somewhere else/);
	assert.equal(await page.getByLabel('Access code').count(), 0,
	    'no sign-in form: the code no longer signs in');
	await shot(page, 'closing-closed');

	// A reload says the same, as far as the server still answers.
	await page.reload();
	await page.waitForFunction(() => /The sitting has closed|Access code/
	    .test(document.body.textContent));
	assert.doesNotMatch(await page.locator('main').textContent(),
	    /signed in somewhere else/);
});
