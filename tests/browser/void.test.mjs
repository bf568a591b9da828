// The proctor voids an attempt mid-part. The page says the attempt has
// been voided (not "time is up", not "submitted") and offers nothing more
// to answer: at once through the "void" event, and also when the event
// stream is down and the candidate's next save is refused (409
// attempt_void). A reload lands on the same screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, apiAs, world, useBrowser, candidatePath }
    from './lib.mjs';

const w = useBrowser({ proctor: true });

async function startPart1(page, code) {
	await signIn(page, code);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
}

async function voided(page) {
	await page.getByRole('heading', { name: 'Your attempt has been voided' })
	    .waitFor({ timeout: 10000 });
	assert.equal(await page.getByRole('radio').count(), 0,
	    'no question left to answer');
	assert.equal(await page.getByRole('button', { name: /Submit|Start|Next/ })
	    .count(), 0, 'nothing offered but signing out');
	assert.equal(await page.locator('#timer').isVisible(), false,
	    'no clock');
	const text = await page.locator('#app').textContent();
	assert.doesNotMatch(text, /time is up|submitted/i);
}

test('a void by the proctor ends the page at once and offers nothing to answer', async () => {
	const { page } = w.b;
	await startPart1(page, world.codes.void);
	await page.getByRole('radio').nth(0).check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
	await page.waitForTimeout(300);		// the event stream is open
	const r = await apiAs('POST', candidatePath('void') + '/void',
	    { reason: 'browser test: notes on the desk' }, w.proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	await voided(page);
	await page.locator('#announce-alert')
	    .getByText('Your attempt has been voided').waitFor();
	// The proctor's reason is for the record, not for the page.
	assert.doesNotMatch(await page.locator('body').textContent(),
	    /notes on the desk/);
	await shot(page, 'voided');
	await page.reload();
	await voided(page);
});

test('with the event stream down, the next save finds the void and says so', async () => {
	const other = await browser();
	try {
		const { page } = other;
		// A network that drops the stream (some proxies do): only
		// the save's refusal can tell the page.
		await page.route('**/api/v1/attempt/events', (route) => route.abort());
		await startPart1(page, world.codes.void_save);
		await page.getByRole('radio').nth(0).check();
		await page.locator('#save-status[data-state="saved"]').waitFor();
		const r = await apiAs('POST', candidatePath('void_save') + '/void',
		    { reason: 'browser test' }, w.proctor);
		assert.equal(r.status, 200, JSON.stringify(r.json));
		await page.getByRole('radio').nth(1).check();
		await voided(page);
		// The server agrees: no more saves.
		const r2 = await page.evaluate(async () => {
			const x = await fetch('/api/v1/attempt/sections/mc/answers/1',
			    { method: 'PUT', headers: { 'Content-Type':
				'application/json' },
			    body: JSON.stringify({ choice: 'b', seq: 9999 }) });
			return [x.status, (await x.json()).error.code];
		});
		assert.deepEqual(r2, [409, 'attempt_void']);
		assert.deepEqual(other.problems, []);
	} finally {
		await other.close();
	}
});
