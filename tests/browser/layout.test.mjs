// The page at the sizes candidates use: a 1024×768 laptop and a tablet in
// portrait (768×1024). Nothing wider than the window, the clock and the
// save status always in view, the navigator beside or above the question.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, world } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

async function noSideways(page) {
	const { sw, w } = await page.evaluate(() => ({
	    sw: document.documentElement.scrollWidth, w: window.innerWidth }));
	assert.ok(sw <= w, 'page is ' + sw + ' px wide in a ' + w + ' px window');
}

async function box(page, sel) {
	return page.locator(sel).boundingBox();
}

test('sign-in fits a phone-sized window too', async () => {
	const { page } = b;
	await page.setViewportSize({ width: 390, height: 740 });
	await page.goto(process.env.EXAMD_URL + '/');
	await page.getByLabel('Access code').waitFor();
	await noSideways(page);
	await page.setViewportSize({ width: 1024, height: 768 });
});

test('1024×768: navigator beside the question, clock in view', async () => {
	const { page } = b;
	await signIn(page, world.codes.layout);
	await page.getByRole('button', { name: /^Start Part 1/ }).click();
	await page.getByRole('heading', { name: /^Question 1 of/ }).waitFor();
	await noSideways(page);
	const nav = await box(page, '.nav-pane'), q = await box(page, '.q-pane');
	assert.ok(nav.x + nav.width <= q.x, 'navigator left of the question');
	assert.ok(await page.getByRole('button', { name: 'Review and submit' })
	    .isVisible());
	const timer = await box(page, '#timer');
	assert.ok(timer.y >= 0 && timer.y + timer.height <= 768);
	await shot(page, 'layout-1024');
});

test('tablet portrait 768×1024: one column, navigator above the question', async () => {
	const { page } = b;
	await page.setViewportSize({ width: 768, height: 1024 });
	await page.getByRole('radio').nth(0).check();
	await noSideways(page);
	const nav = await box(page, '.nav-pane'), q = await box(page, '.q-pane');
	assert.ok(nav.y + nav.height <= q.y, 'navigator above the question');
	await page.locator('#save-status[data-state="saved"]').waitFor();
	assert.ok(await page.locator('#timer').isVisible());
	await shot(page, 'layout-tablet');
});
