// The warnings at 1, 5 and 10 minutes left: said through the assertive
// live region and shown under the header, with the clock coloured.
//
// How the time gets near a mark: the server keeps the time, so the test
// moves the server's clock rather than the page's. A candidate of the
// short form (6 s parts) starts Part 1, and the proctor extends it through
// the real API so that a few seconds are left above a mark; the page
// learns of it from the "extended" event and the warning comes as real
// time runs out. Going up (1, then 5, then 10 minutes) also checks that
// extra time arms a passed warning again. playwright's page.clock would
// fake only the page's countdown, which the server's re-syncs (each save
// reply, a "time" event every 30 s) would contradict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shot, signIn, apiAs, timerSeconds, world, useBrowser,
    candidatePath } from './lib.mjs';

const w = useBrowser({ proctor: true });

const ABOVE = 7;	// seconds left above the mark after the extension

// Extends the open part so that `seconds` (about) are left.
async function extendTo(seconds) {
	const r = await apiAs('GET', '/sittings/' + world.sitting_of.warnings +
	    '/roster', undefined, w.proctor);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	const me = r.json.candidates.find((c) => c.id === world.candidates.warnings);
	const add = Math.ceil(seconds - me.remaining_ms / 1000);
	const x = await apiAs('POST', candidatePath('warnings') + '/extend',
	    { seconds: add, reason: 'browser test: warnings' }, w.proctor);
	assert.equal(x.status, 200, JSON.stringify(x.json));
}

async function warned(page, text, level) {
	const alert = page.locator('#announce-alert');
	assert.equal(await alert.getAttribute('aria-live'), 'assertive');
	await alert.getByText(text, { exact: true })
	    .waitFor({ state: 'attached', timeout: (ABOVE + 8) * 1000 });
	const note = page.locator('#time-warning');
	assert.equal(await note.isVisible(), true, 'shown, not only said');
	assert.equal(await note.textContent(), text);
	const mark = Number(text.match(/^\d+/)[0]) * 60;
	const left = await timerSeconds(page);
	assert.ok(left <= mark && left > mark - 3, 'the clock says ' + left + ' s');
	assert.equal(await page.locator('#timer').getAttribute('data-level'), level);
}

test('1, 5 and 10 minutes left are said and shown, each as the mark is passed', async () => {
	const { page } = w.b;
	await signIn(page, world.codes.warnings);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of 3/ }).waitFor();

	await extendTo(60 + ABOVE);
	await page.locator('#announce-alert').getByText(/more time/)
	    .waitFor({ state: 'attached' });
	assert.equal(await page.locator('#time-warning').isVisible(), false,
	    'no warning before the mark');
	await warned(page, '1 minute left in this part.', 'last');
	await shot(page, 'warning-1-minute');

	await extendTo(300 + ABOVE);
	await warned(page, '5 minutes left in this part.', 'low');

	await extendTo(600 + ABOVE);
	await warned(page, '10 minutes left in this part.', 'ok');
	// Answering goes on as before under the note.
	await page.getByRole('radio').nth(0).check();
	await page.locator('#save-status[data-state="saved"]').waitFor();
});
