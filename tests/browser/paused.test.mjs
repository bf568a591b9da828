// The proctor pauses the candidate through the real API while an answer
// is on its way: examd refuses that save with 409 paused. The page must
// show the pause, keep the answer (on screen and waiting to be sent), and
// once the proctor resumes, save it with the same seq and run the clock
// again. To make "while the candidate is answering" exact rather than a
// race, a route holds the save in the browser until the pause is made,
// then lets it through to examd unchanged.
//
// First with the event stream working (the "paused" event and the 409
// both arrive), then with the stream dropped by a route, so the 409 alone
// must show the pause and the page must find the resume by asking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shot, signIn, apiAs, timerSeconds, world, useBrowser,
    candidatePath, storedPart } from './lib.mjs';

const w = useBrowser({ proctor: true });

async function proctorDoes(what) {
	const r = await apiAs('POST', candidatePath('paused') + '/' + what,
	    undefined, w.proctor);
	assert.equal(r.status, 200, what + ': ' + JSON.stringify(r.json));
}

// Holds the next PUT of item n until release(); records what was sent
// and what examd answered.
async function holdSave(page, n) {
	const path = '/api/v1/attempt/sections/mc/answers/' + n;
	const x = { sent: [], replies: [] };
	let arrived, release;
	x.arrived = new Promise((r) => { arrived = r; });
	const gate = new Promise((r) => { release = r; });
	x.release = release;
	await page.route('**' + path, async (route) => {
		x.sent.push(route.request().postDataJSON());
		if (x.sent.length === 1) {
			arrived();
			await gate;
		}
		await route.continue();
	});
	page.on('response', async (res) => {
		if (new URL(res.url()).pathname === path)
			x.replies.push([res.status(), await res.json()]);
	});
	// The page may show a reply before this listener has read its body.
	x.answered = async (k) => {
		for (let i = 0; i < 100 && x.replies.length < k; i++)
			await new Promise((r) => setTimeout(r, 50));
		assert.ok(x.replies.length >= k, 'examd answered ' + k + ' times');
	};
	return x;
}

async function pausedShown(page) {
	const box = page.getByRole('alertdialog', { name: 'The exam is paused' });
	await box.waitFor({ timeout: 10000 });
	assert.match(await box.textContent(), /saved when the exam resumes/);
	assert.match(await page.locator('#timer').textContent(), /^Paused/);
	return box;
}

async function clockRuns(page) {
	const t1 = await timerSeconds(page);
	await page.waitForTimeout(2100);
	const t2 = await timerSeconds(page);
	assert.ok(t2 < t1, 'the clock runs again: ' + t1 + ' s, then ' + t2 + ' s');
}

test('a save refused because the proctor paused is kept, and saved on resume', async () => {
	const { page } = w.b;
	await signIn(page, world.codes.paused);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
	await page.waitForTimeout(300);		// the event stream is open
	const held = await holdSave(page, 1);
	await page.getByRole('radio').nth(1).check();			// b
	await held.arrived;
	await proctorDoes('pause');
	held.release();
	const box = await pausedShown(page);
	await page.locator('#save-status[data-state="paused"]').waitFor();
	assert.equal(await page.locator('#save-status').textContent(),
	    'Paused — saved on resume');
	await held.answered(1);
	assert.deepEqual(held.replies.map((r) => [r[0], r[1].error.code]),
	    [[409, 'paused']], 'examd refused the save');
	// The answer is kept on the page, though not yet on the server.
	assert.equal(await page.getByRole('radio').nth(1).isChecked(), true);
	assert.equal(await page.getByRole('radio').nth(1).isDisabled(), true);
	assert.match(await page.locator('#mc-counts').textContent(), /^1 of/);
	assert.equal((await storedPart(page)).items[0].answer, null);
	const t1 = await page.locator('#timer').textContent();
	await page.waitForTimeout(1200);
	assert.equal(await page.locator('#timer').textContent(), t1,
	    'the clock stands still');
	// Keyboard: focus is in the dialog, and Tab stays out of the page.
	assert.equal(await page.evaluate(() =>
	    document.activeElement.closest('#overlay') !== null), true);
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() =>
	    document.activeElement.closest('#main')), null);
	await shot(page, 'paused-pending');

	await proctorDoes('resume');
	await box.waitFor({ state: 'hidden', timeout: 10000 });
	await page.locator('#announce-alert').getByText('The exam has resumed')
	    .waitFor();
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 10000 });
	assert.equal(held.sent.length, 2);
	assert.equal(held.sent[1].seq, held.sent[0].seq, 'the same save again');
	await held.answered(2);
	assert.equal(held.replies[1][0], 200);
	assert.equal(held.replies[1][1].applied, true);
	const view = await storedPart(page);
	assert.equal(view.items[0].answer, 'b', 'the answer chosen is stored');
	assert.equal(await page.getByRole('radio').nth(1).isDisabled(), false);
	await clockRuns(page);
});

test('with the event stream down, the 409 alone shows the pause and the page finds the resume', async () => {
	const { page } = w.b;
	await page.route('**/api/v1/attempt/events', (route) => route.abort());
	await page.reload();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	const held = await holdSave(page, 2);
	await page.getByRole('radio').nth(2).check();			// c
	await held.arrived;
	await proctorDoes('pause');
	held.release();
	const box = await pausedShown(page);
	await page.locator('#save-status[data-state="paused"]').waitFor();
	assert.equal(await page.getByRole('radio').nth(2).isChecked(), true);
	await proctorDoes('resume');
	await box.waitFor({ state: 'hidden', timeout: 15000 });
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 10000 });
	assert.equal(held.sent.at(-1).seq, held.sent[0].seq);
	const view = await storedPart(page);
	assert.equal(view.items[1].answer, 'c');
	await clockRuns(page);
});
