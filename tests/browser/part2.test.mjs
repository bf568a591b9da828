// Part 2 for a Mentor, Clinical candidate: the rule in words (2 of 3, one
// supervisory and one clinical), a choice that breaks it refused with a
// message, writing saved by itself with the server's word count, a reload
// that keeps the text, and submission.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, world } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

const CLINICAL = 'Tamsin and her son Eli are both bright, warm, funny people. ' +
    'Eli is fourteen months old and walks with confidence.';

test('Part 1 submitted, Part 2 shows the rule in words', async () => {
	const { page } = b;
	await signIn(page, world.codes.part2);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('button', { name: 'Review and submit' }).click();
	await page.getByRole('button', { name: /^Submit Part 1/ }).click();
	await page.getByRole('dialog').getByRole('button', { name: /^Submit/ })
	    .click();
	await page.getByRole('button', { name: /^Start Part 2/ }).click();
	const rule = page.locator('#rule');
	await rule.waitFor();
	assert.equal(await rule.textContent(), 'Answer 2 of the 3 vignettes, ' +
	    'including at least 1 supervisory and at least 1 clinical.');
	assert.equal(await page.getByRole('tab').count(), 3);
	await shot(page, 'part2-start');
});

async function openTab(page, group, nth = 0) {
	await page.getByRole('tab').filter({ hasText: group }).nth(nth).click();
}

test('writing is saved by itself, with the server\'s word count', async () => {
	const { page } = b;
	await openTab(page, 'clinical', 0);
	await page.getByRole('button', { name: 'Answer this vignette' }).click();
	const box = page.getByLabel('Your response');
	await box.waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id),
	    'response', 'the text box has focus');
	await box.pressSequentially(CLINICAL, { delay: 5 });
	assert.match(await page.locator('#wc').textContent(), /^20 words/);
	// Saved 1.5 s after typing stops; the count then is the server's.
	await page.locator('#wc').getByText('20 words · saved').waitFor();
	await page.locator('#save-status[data-state="saved"]').waitFor();
	await page.getByRole('tab', { selected: true })
	    .getByText('answering, 20 words').waitFor();
	await shot(page, 'part2-writing');
});

test('a second clinical vignette is refused: it leaves no room for the supervisory one', async () => {
	const { page } = b;
	await openTab(page, 'clinical', 1);
	await page.getByRole('button', { name: 'Answer this vignette' }).click();
	const msg = page.locator('.choose-box .error');
	await msg.getByText('no room for a supervisory vignette').waitFor();
	assert.equal(await page.getByLabel('Your response').count(), 0);
	await shot(page, 'part2-refused');
});

test('a reload keeps the text and the choice', async () => {
	const { page } = b;
	await openTab(page, 'supervisory');
	await page.getByRole('button', { name: 'Answer this vignette' }).click();
	await page.getByLabel('Your response').fill('As the supervisor I would ' +
	    'first listen to how the home visitor experiences the family.');
	await page.getByLabel('Your response').blur();	// saves at once
	await page.locator('#save-status[data-state="saved"]').waitFor();
	await page.reload();
	await page.locator('#rule').waitFor();
	assert.match(await page.getByLabel('Your response').inputValue(),
	    /^As the supervisor/);
	await openTab(page, 'clinical', 0);
	assert.equal(await page.getByLabel('Your response').inputValue(), CLINICAL);
	assert.match(await page.locator('.nav-pane .counts').textContent(),
	    /^Chosen 2 of 2$/);
});

test('submitting Part 2 finishes the examination', async () => {
	const { page } = b;
	await page.getByRole('button', { name: /^Submit Part 2/ }).click();
	const dialog = page.getByRole('dialog');
	assert.match(await dialog.textContent(), /20 words/);
	await dialog.getByRole('button', { name: /^Submit Part 2/ }).click();
	await page.getByRole('heading', { name: 'You have finished the examination' })
	    .waitFor();
	await shot(page, 'finished');
});
