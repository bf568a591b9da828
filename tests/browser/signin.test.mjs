// The sign-in screen: what a candidate sees first, what a wrong code says,
// and that a code typed loosely (spaces, no dashes, lower case) works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, shot, signIn, apiAs, URL, world } from './lib.mjs';

let b;
before(async () => { b = await browser(); });
after(async () => {
	assert.deepEqual(b.problems, [], 'no script errors on the page');
	await b.close();
});

test('the sign-in screen asks for the access code, with its label focused', async () => {
	const { page } = b;
	const r = await page.goto(URL + '/');
	assert.equal(r.status(), 200);
	const csp = r.headers()['content-security-policy'] || '';
	assert.match(csp, /script-src 'self'/, 'pages carry a CSP');
	await page.getByRole('heading', { name: 'Written examination' }).waitFor();
	const input = page.getByLabel('Access code');
	await input.waitFor();
	assert.equal(await input.evaluate((el) => el === document.activeElement), true,
	    'the code field has focus');
	await shot(page, 'signin');
});

test('a code of the wrong length is refused on the page, before the server', async () => {
	const { page } = b;
	await signIn(page, 'ABCD-1234');
	const err = page.locator('#signin-error');
	await assert.doesNotReject(err.getByText('20 letters and digits').waitFor());
	assert.equal(await page.getByLabel('Access code').getAttribute('aria-invalid'), 'true');
});

test('a wrong code gets a clear error from the server', async () => {
	const { page } = b;
	await signIn(page, '0000-0000-0000-0000-0000');
	const err = page.locator('#signin-error');
	await err.getByText('not recognised').waitFor();
	await shot(page, 'signin-wrong-code');
	// Still on the sign-in screen, nothing stored in the page's storage.
	await page.getByLabel('Access code').waitFor();
	const stored = await page.evaluate(() => JSON.stringify(localStorage) +
	    document.cookie);
	assert.equal(stored, '{}', 'no token in localStorage or readable cookies');
});

test('a code typed in lower case with spaces signs in; the session is an HttpOnly cookie', async () => {
	const { page, ctx } = b;
	const loose = world.codes.signin_spaces.replace(/-/g, ' ').toLowerCase();
	await signIn(page, loose);
	await page.getByLabel('Access code').waitFor({ state: 'detached' });
	const cookies = await ctx.cookies(URL);
	const c = cookies.find((x) => x.name === '__Host-examd');
	assert.ok(c, 'the session cookie is set');
	assert.equal(c.httpOnly, true);
	assert.equal(c.secure, true);
	assert.equal(c.sameSite, 'Strict');
	assert.equal(await page.evaluate(() => localStorage.length), 0);
	assert.equal(await page.evaluate(() => document.cookie), '');
	// The cookie is the session: GET /me from the page works.
	const me = await page.evaluate(async () =>
	    (await fetch('/api/v1/me')).status);
	assert.equal(me, 200);
	await shot(page, 'after-signin');
});

test('a reload keeps the candidate signed in', async () => {
	const { page } = b;
	await page.reload();
	await page.locator('#boot').waitFor({ state: 'detached' });
	assert.equal(await page.getByLabel('Access code').count(), 0);
});

test('the API refuses the same wrong code with invalid_credentials', async () => {
	const r = await apiAs('POST', '/login', { access_code: '0000-0000-0000-0000-0001' });
	assert.equal(r.status, 401);
	assert.equal(r.json.error.code, 'invalid_credentials');
});
