// The session ends under the page mid-part. Here examd ends it the way it
// does when a candidate signs in again with the same access code (on
// another computer, say): the first session is revoked at once, and its
// next request gets 401. The page must ask the candidate to sign in
// again, keep what was not saved yet (in memory, in this window), and
// after the sign-in be back in the same part, the same place, with every
// answer, the kept one saved too. Once in each part: an MC answer, and
// writing typed after the session ended.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, apiAs, world, storedPart } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

const code = world.codes.session;

// The other computer's sign-in: ends the page's session.
async function signInElsewhere() {
	const r = await apiAs('POST', '/login', { access_code: code });
	assert.equal(r.status, 200, JSON.stringify(r.json));
}

// The sign-in screen, in the same page (no reload: what is kept is in
// this window's memory), says why; then sign in again.
async function signInAgain(page) {
	const input = page.getByLabel('Access code');
	await input.waitFor({ timeout: 10000 });
	const notice = await page.locator('#signin-notice').textContent();
	assert.match(notice, /session has ended/);
	assert.match(notice, /not saved yet is kept in this window/);
	assert.equal(await page.evaluate(() => document.activeElement.id), 'code',
	    'focus is in the access code field');
	assert.match(await page.getByLabel('Access code')
	    .getAttribute('aria-describedby'), /signin-notice/,
	    'which a screen reader reads with the reason');
	assert.equal(await page.locator('#timer').isVisible(), false);
	await shot(page, 'session-ended');
	await input.fill(code);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

test('Part 1: an answer given after the session ended is kept and saved after signing in again', async () => {
	const { page } = b;
	await signIn(page, code);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('radio').nth(0).check();			// Q1: a
	await page.getByRole('button', { name: 'Next →' }).click();
	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	await page.locator('#save-status[data-state="saved"]').waitFor();

	await signInElsewhere();
	await page.getByRole('radio').nth(2).click();			// Q2: c, refused
	await signInAgain(page);

	await page.getByRole('heading', { name: /^Question 2 of/ }).waitFor();
	assert.equal(await page.getByRole('radio').nth(2).isChecked(), true);
	await page.locator('#save-status[data-state="saved"]')
	    .waitFor({ timeout: 10000 });
	const view = await storedPart(page);
	assert.deepEqual(view.items.slice(0, 2).map((i) => i.answer), ['a', 'c']);
	assert.match(await page.locator('#mc-counts').textContent(), /^2 of/);
});

const FIRST = 'Tamsin and Eli come to the first visit together. ';
const SECOND = 'Typed after the session ended, and not lost.';

test('Part 2: writing typed after the session ended is back in its box, and saved', async () => {
	const { page } = b;
	await page.getByRole('button', { name: 'Review and submit' }).click();
	await page.getByRole('button', { name: /^Submit Part 1/ }).click();
	await page.getByRole('dialog').getByRole('button', { name: /^Submit/ })
	    .click();
	await page.getByRole('button', { name: /^Start Part 2/ }).click();
	await page.getByRole('tab').filter({ hasText: 'clinical' }).first().click();
	await page.getByRole('button', { name: 'Answer this vignette' }).click();
	const box = page.getByLabel('Your response');
	await box.pressSequentially(FIRST, { delay: 5 });
	await page.locator('#wc').getByText('· saved').waitFor();
	const tab = await page.getByRole('tab', { selected: true }).getAttribute('id');

	await signInElsewhere();
	// One input event: typed key by key, the session_ended event (pushed
	// within one stream tick) could land mid-word and the rest of the keys
	// would go to the sign-in screen. Saved 1.5 s later: 401.
	await box.fill(FIRST + SECOND);
	await signInAgain(page);

	await page.locator('#rule').waitFor();
	assert.equal(await page.getByRole('tab', { selected: true })
	    .getAttribute('id'), tab, 'the same vignette');
	assert.equal(await page.getByLabel('Your response').inputValue(),
	    FIRST + SECOND);
	await page.locator('#wc').getByText('· saved').waitFor({ timeout: 10000 });
	const view = await storedPart(page, 'essay');
	const texts = Object.values(view.responses).map((r) => r.text);
	assert.deepEqual(texts, [FIRST + SECOND]);
});

test('someone else signing in at this window does not get what was kept', async () => {
	const { page } = b;
	// Another candidate, in Part 2 as well (set up through the API).
	const other = world.codes.session_other;
	const t = (await apiAs('POST', '/login', { access_code: other })).json.token;
	for (const [m, p] of [['GET', '/attempt'],
	    ['POST', '/attempt/sections/mc/start'],
	    ['POST', '/attempt/sections/mc/submit'],
	    ['POST', '/attempt/sections/essay/start']]) {
		const r = await apiAs(m, p, undefined, t);
		assert.equal(r.status, 200, m + ' ' + p + ': ' + JSON.stringify(r.json));
	}
	await signInElsewhere();
	await page.getByLabel('Your response').pressSequentially(' Not theirs.',
	    { delay: 5 });
	await page.getByLabel('Access code').waitFor({ timeout: 10000 });
	const sent = [];
	page.on('request', (r) => { if (r.method() === 'PUT') sent.push(r.url()); });
	await page.getByLabel('Access code').fill(other);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.locator('#rule').waitFor();
	await page.waitForTimeout(2000);	// longer than the typing delay
	assert.deepEqual(sent, [], 'nothing sent in their name');
	assert.deepEqual((await storedPart(page, 'essay')).responses, {});
	assert.doesNotMatch(await page.locator('#app').textContent(), /Not theirs/);
});
