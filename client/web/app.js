// The candidate's exam app: sign in, wait to be admitted, read the
// instructions, take the parts. The server holds all state; this page
// shows it, sends every change as soon as it is made, and after a reload
// (or a lost connection, or a server restart) rebuilds itself from
// GET /attempt and the section view.

import { api, ApiError, SaveTracker } from './api.js';
import { Clock } from './clock.js';
import { $, h, show, announce, overlay, duration } from './ui.js';
import { McPart } from './part1.js';
import { EssayPart } from './part2.js';

const POLL_WAITING_MS = 15000;	// waiting room: ask even if no event came
const POLL_PAUSED_MS = 5000;	// paused: ask too, in case "resumed" is lost

const app = {
	attempt: null,
	part: null,		// the open part's view (McPart | EssayPart)
	partId: null,
	events: null,
	poll: null,
	pausePoll: null,
	timeUp: new Set(),	// parts this page saw run out of time
	who: null,		// the candidate signed in (GET /me's id)
	stash: null,		// {who, partId, pending}: unsaved when the session ended
	signingIn: false,	// the sign-in screen is up
	closed: false,		// the sitting closed: nothing more to do here
};

const tracker = new SaveTracker($('#save-status'), (t) => announce(t));
const clock = new Clock(() => onClockZero());

function partName(attempt, sec) {
	const i = attempt.sections.findIndex((s) => s.id === sec.id);
	return sec.title || 'Part ' + (i + 1);
}

function setBar(text) {
	$('#bar-part').textContent = text || '';
}

// --- sign-in -------------------------------------------------------------

// Codes are 20 letters and digits, printed in groups of four; people type
// them with spaces, without dashes, in lower case: all fine.
function normaliseCode(s) {
	return s.replace(/[\s-]+/g, '').toUpperCase();
}

function showSignin(message) {
	stopEverything();
	app.signingIn = true;
	setBar('');
	const err = h('p', { class: 'error', id: 'signin-error', role: 'alert' });
	const input = h('input', {
		id: 'code', name: 'access_code', type: 'text',
		autocomplete: 'off', autocapitalize: 'characters',
		spellcheck: 'false', inputmode: 'text', required: true,
		'aria-describedby': (message ? 'signin-notice ' : '') +
		    'code-help signin-error',
		placeholder: 'XXXX-XXXX-XXXX-XXXX-XXXX', maxlength: 64,
	});
	const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
	const form = h('form', { class: 'signin', novalidate: true },
	    h('label', { for: 'code' }, 'Access code'),
	    input,
	    h('p', { class: 'help', id: 'code-help' },
		'The 20-character code from your coordinator. Dashes, spaces ' +
		'and lower case are fine.'),
	    err, button);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const code = normaliseCode(input.value);
		err.textContent = '';
		input.removeAttribute('aria-invalid');
		if (code.length !== 20 || !/^[0-9A-Z]+$/.test(code)) {
			err.textContent = code.length === 0 ?
			    'Please enter your access code.' :
			    'An access code has 20 letters and digits; this one has ' +
			    code.length + (/^[0-9A-Z]*$/.test(code) ? '.' :
			    ' and characters that are not letters or digits.');
			input.setAttribute('aria-invalid', 'true');
			input.focus();
			return;
		}
		button.disabled = true;
		button.textContent = 'Signing in…';
		try {
			const r = await api('POST', '/login', { access_code: code });
			if (r.role !== 'candidate') {
				err.textContent = 'This page is for candidates. Staff ' +
				    'sign in on their own pages.';
				await api('POST', '/logout').catch(() => {});
				return;
			}
			input.value = '';
			boot();
		} catch (e) {
			err.textContent = signinError(e);
			input.setAttribute('aria-invalid', 'true');
			input.focus();
		} finally {
			button.disabled = false;
			button.textContent = 'Sign in';
		}
	});
	show(h('section', { class: 'panel narrow' },
	    h('h1', {}, 'Written examination'),
	    h('p', { class: 'lead' }, 'Infant Mental Health Endorsement®'),
	    message ? h('p', { class: 'notice', id: 'signin-notice',
		role: 'status' }, message) : null,
	    form));
	input.focus();
}

function signinError(e) {
	if (!(e instanceof ApiError))
		return 'Something went wrong. Please try again.';
	switch (e.code) {
	case 'invalid_credentials':
		return 'That access code was not recognised. Please check it ' +
		    'against the one your coordinator sent you.';
	case 'too_many_attempts':
	case 'sitting_not_open':
	case 'sitting_closed':
		return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
	case 'network':
		return 'Cannot reach the exam server. Check your connection and ' +
		    'try again.';
	default:
		return e.message;
	}
}

// --- the attempt -----------------------------------------------------------

function stopEverything() {
	if (app.events) {
		app.events.close();
		app.events = null;
	}
	clearInterval(app.poll);
	app.poll = null;
	closePart();
	overlay(null);
}

function closePart() {
	clearInterval(app.pausePoll);
	app.pausePoll = null;
	if (app.part)
		app.part.close();
	app.part = null;
	app.partId = null;
	tracker.clear();
	clock.stop();
}

async function boot() {
	let attempt, me;
	app.signingIn = false;
	try {
		[attempt, me] = await Promise.all([api('GET', '/attempt'),
		    api('GET', '/me').catch(() => null)]);
	} catch (e) {
		if (e.status === 401)
			return e.code === 'sitting_closed' ? showSittingClosed() :
			    showSignin();
		if (e.status === 404)
			return noAttempt();
		return showProblem(e);
	}
	app.who = me ? me.id : null;
	if (app.stash && app.stash.who !== app.who)
		app.stash = null;	// someone else signed in here
	connectEvents();
	route(attempt);
}

// No attempt to show (a server without delivery, or none yet): signed in
// or not is all there is to say.
async function noAttempt() {
	try {
		await api('GET', '/me');
	} catch (e) {
		return e.status === 401 ? showSignin() : showProblem(e);
	}
	setBar('');
	show(h('section', { class: 'panel narrow' },
	    h('h1', {}, 'You are signed in'),
	    h('p', {}, 'There is no examination to take on this server yet. ' +
		'Please check the time of your sitting with your coordinator.'),
	    signOutButton()));
}

function showProblem(e) {
	setBar('');
	const again = h('button', { class: 'primary', onclick: () => boot() },
	    'Try again');
	show(h('section', { class: 'panel narrow' },
	    h('h1', {}, 'The exam cannot be shown'),
	    h('p', {}, e.status === 0 ?
		'The exam server cannot be reached. Your saved answers are safe ' +
		'on the server. Check your connection and try again.' :
		e.message),
	    again));
	if (e.transient)
		setTimeout(() => { if (document.contains(again)) boot(); }, 5000);
}

// Decides the screen from the attempt alone, so that a reload lands where
// the candidate was.
function route(attempt) {
	app.attempt = attempt;
	const secs = attempt.sections || [];
	const open = secs.find((s) => s.status === 'open');
	const next = secs.find((s) => s.status === 'not_started');
	const status = attempt.status;
	clearInterval(app.poll);
	app.poll = null;
	if (status === 'void')
		return showVoided();
	if (open && status !== 'waiting' && status !== 'registered')
		return openPart(open);
	closePart();
	if (status === 'registered' || status === 'waiting')
		return showWaiting();
	if (status === 'closed' && !secs.length)
		return showEnded('The sitting has closed',
		    'The time to take this examination has passed. Please ' +
		    'contact your coordinator.');
	if (secs.some((s) => s.submitted_by === 'forfeit'))
		return showSittingClosed();
	if (!next || status === 'complete')
		return showEnded('You have finished the examination',
		    'All your answers were submitted. You may close this window.');
	const done = secs.filter((s) => s.status === 'submitted');
	showStart(attempt, next, done);
}

function showWaiting() {
	setBar('Waiting room');
	show(h('section', { class: 'panel narrow waiting' },
	    h('h1', {}, 'Waiting to be admitted'),
	    h('p', {}, 'You are signed in. Your proctor will admit you to the ' +
		'examination; this page moves on by itself when they do.'),
	    h('p', { class: 'help' }, 'Please keep this window open.'),
	    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
	    signOutButton()));
	app.poll = setInterval(refresh, POLL_WAITING_MS);
}

function signOutButton() {
	return h('button', { class: 'link', type: 'button', onclick: async () => {
		await api('POST', '/logout').catch(() => {});
		app.stash = null;
		showSignin('You are signed out.');
	} }, 'Sign out');
}

function instructionsFor(sec, attempt) {
	const time = typeof sec.remaining_ms === 'number' ?
	    duration(sec.remaining_ms) : null;
	if (sec.kind === 'mc')
		return [
		    h('p', {}, 'This part has multiple-choice questions with one ' +
			'correct answer each' + (time ? '. You have ' + time + '.' :
			'.')),
		    h('ul', {},
			h('li', {}, 'Move between questions freely with Previous, ' +
			    'Next or the question numbers.'),
			h('li', {}, 'Flag a question to come back to it; flags are ' +
			    'only for you.'),
			h('li', {}, 'Each answer is saved as you choose it. You can ' +
			    'change answers until you submit the part.'),
			h('li', {}, 'The time shown is kept by the server. When it ' +
			    'runs out, the answers you have given are submitted.'),
			h('li', {}, 'If your connection drops or the window closes, ' +
			    'sign in again: you will be back where you were.'))];
	return [
	    h('p', {}, 'This part has vignettes: short case descriptions. Read ' +
		'them, choose the ones you will answer, and write your responses' +
		(time ? '. You have ' + time + '.' : '.')),
	    h('ul', {},
		h('li', {}, 'The page tells you how many vignettes to answer, ' +
		    'and from which groups.'),
		h('li', {}, 'Your writing is saved a moment after you stop ' +
		    'typing; the header says when it was last saved.'),
		h('li', {}, 'The word count is shown as you write.'),
		h('li', {}, 'When the time runs out, what you have written is ' +
		    'submitted.'))];
}

function showStart(attempt, next, done) {
	const name = partName(attempt, next);
	setBar(done.length ? 'Between parts' : 'Instructions');
	const start = h('button', { class: 'primary', type: 'button' },
	    'Start ' + name);
	const err = h('p', { class: 'error', role: 'alert' });
	// A start the server could not store (busy, disk full, no answer)
	// did not start the clock: the page says so and tries again by
	// itself for as long as this screen is up.
	const press = async () => {
		start.disabled = true;
		try {
			await api('POST', '/attempt/sections/' +
			    encodeURIComponent(next.id) + '/start');
		} catch (e) {
			// Already started (another tab): the attempt says so.
			if (e.status === 409) {
				err.textContent = '';
				return refresh();
			}
			if (e.status === 401)
				return sessionEnded(e);
			if (!e.transient) {
				err.textContent = e.message;
				start.disabled = false;
				return;
			}
			err.textContent = name + ' could not be started just now. ' +
			    'Your time has not started; trying again…';
			const wait = Math.min(Number(e.retryAfter) || 3, 30) * 1000;
			setTimeout(() => { if (document.contains(start)) press(); },
			    wait);
			return;
		}
		err.textContent = '';
		refresh();
	};
	start.addEventListener('click', () => {
		err.textContent = '';
		press();
	});
	const timeUpNote = done.some((s) => app.timeUp.has(s.id)) ?
	    h('p', { class: 'notice', role: 'status' }, 'Time is up for ' +
		partName(attempt, done[done.length - 1]) + ': your answers were ' +
		'submitted.') : null;
	show(h('section', { class: 'panel' },
	    h('h1', {}, done.length ? 'Ready for ' + name :
		(attempt.exam && attempt.exam.title) || 'Instructions'),
	    timeUpNote,
	    done.length ? h('p', {}, done.map((s) => partName(attempt, s)).join(
		' and ') + ' submitted. Your answers are saved.') : null,
	    h('h2', {}, name + (next.title ? '' : next.kind === 'mc' ?
		': multiple choice' : ': vignettes')),
	    instructionsFor(next, attempt),
	    h('p', {}, 'The clock starts when you press the button.'),
	    err, start));
}

// The proctor voided the attempt: nothing more can be answered, and the
// page says that rather than "time is up". The proctor's reason is for
// the record, not shown here.
function showVoided() {
	const wasTaking = !!app.part;
	app.timeUp.clear();
	showEnded('Your attempt has been voided',
	    'Your proctor has voided this attempt: it has ended and will not ' +
	    'be scored, and no more answers can be given. If you think this ' +
	    'is a mistake, please contact your coordinator.');
	if (wasTaking)
		announce('Your attempt has been voided by your proctor. No more ' +
		    'answers can be given.', true);
}

// The sitting's window closed: this session ended with it, and a part
// not started by then was not taken. Said from the last attempt seen (the
// server answers nothing more to this session); no sign-in form, since
// the code no longer signs in.
function showSittingClosed() {
	const secs = (app.attempt && app.attempt.sections) || [];
	const names = (list) => list.map((s) => partName(app.attempt, s))
	    .join(' and ');
	const lost = secs.filter((s) => s.status === 'not_started' ||
	    s.submitted_by === 'forfeit');
	const done = secs.filter((s) => s.status !== 'not_started' &&
	    s.submitted_by !== 'forfeit');
	const text = (lost.length ? names(lost) + (lost.length === 1 ?
	    ' was' : ' were') + ' not started before the sitting closed, so ' +
	    (lost.length === 1 ? 'it was' : 'they were') + ' not taken. ' :
	    '') + (done.length ? 'Your answers to ' + names(done) + ' were ' +
	    'submitted and are saved. ' : '') + 'If you have questions, ' +
	    'please contact your coordinator.';
	app.closed = true;
	showEnded('The sitting has closed', text);
	if (app.events) {
		app.events.close();
		app.events = null;
	}
}

function showEnded(title, text) {
	closePart();
	setBar('');
	const timed = [...app.timeUp].length > 0;
	show(h('section', { class: 'panel narrow' },
	    h('h1', {}, title),
	    timed ? h('p', { class: 'notice', role: 'status' }, 'Time is up: ' +
		'your answers were submitted.') : null,
	    h('p', {}, text),
	    signOutButton()));
}

async function openPart(sec) {
	if (app.partId === sec.id && app.part)
		return;
	closePart();
	let view;
	try {
		view = await api('GET', '/attempt/sections/' +
		    encodeURIComponent(sec.id));
	} catch (e) {
		if (e.status === 401)
			return sessionEnded(e);
		return showProblem(e);
	}
	const name = partName(app.attempt, sec);
	setBar(name);
	app.partId = sec.id;
	const ctx = {
		section: sec, name, tracker, clock,
		closed: (e) => partClosed(sec, e),
		signedOut: (e) => sessionEnded(e),
		paused: () => setPaused(true),
		submit: (say) => submitPart(sec, say),
	};
	const Part = (view.items || sec.kind === 'mc') && !view.prompts ?
	    McPart : EssayPart;
	app.part = new Part(ctx, view);
	clock.start(view.remaining_ms, !!view.paused);
	const stash = app.stash;
	app.stash = null;
	if (stash && stash.partId === sec.id && stash.pending.length) {
		app.part.restore(stash.pending);
		announce('You are back where you were. The answer you gave ' +
		    'before signing in again is being saved.');
	}
	if (view.paused)
		setPaused(true, view.remaining_ms);
}

// The session ended under the page: the token expired, was revoked, or
// the candidate signed in elsewhere (which ends this session). What the
// open part had not got saved yet stays in this window's memory (never
// in storage: the computer may be shared) and is saved once the same
// candidate has signed in again and is back in the same part.
function sessionEnded(e) {
	if (app.signingIn || app.closed)
		return;		// said already; another save found the same
	if (e && e.code === 'sitting_closed')
		return showSittingClosed();
	let kept = 0;
	if (app.part && app.partId) {
		const pending = app.part.pending();
		kept = pending.length;
		app.stash = { who: app.who, partId: app.partId, pending };
	}
	showSignin('Your session has ended, perhaps because you signed in ' +
	    'somewhere else. Please sign in again with your access code. ' +
	    'Your saved answers are safe on the server' + (kept ?
	    ', and what was not saved yet is kept in this window and will be ' +
	    'saved when you are back.' : '.'));
}

// The candidate submits the open part: first everything typed must be on
// the server, then POST .../submit. say(text) shows why it did not
// happen; resolves true once submitted.
async function submitPart(sec, say) {
	const part = app.part;
	part.submitting = true;
	try {
		await tracker.settle();
	} catch (e) {
		part.submitting = false;
		say('Some of your work is not saved yet because the connection ' +
		    'is down. It is kept here; please submit again when the ' +
		    'header says "Saved".');
		return false;
	}
	try {
		await api('POST', '/attempt/sections/' + encodeURIComponent(sec.id) +
		    '/submit');
	} catch (e) {
		part.submitting = false;
		if (e.status === 409 && e.code !== 'paused')
			partClosed(sec, e);
		else if (e.status === 401)
			sessionEnded(e);
		else
			say('Not submitted: ' + e.message);
		return false;
	}
	partSubmitted(sec, false);
	return true;
}

// The part ended on the server (our submit, the deadline, a proctor).
function partSubmitted(sec, timedOut) {
	if (timedOut)
		app.timeUp.add(sec.id);
	closePart();
	refresh();
}

function partClosed(sec, e) {
	if (e && e.code === 'attempt_void')
		return refresh();
	// A save or submit found the part closed: the server submitted it.
	app.timeUp.add(sec.id);
	announce('Time is up. Your answers were submitted.', true);
	closePart();
	refresh();
}

function onClockZero() {
	if (!app.part)
		return;
	app.part.timeUp();
	announce('Time is up. Your answers are being submitted.', true);
	// The server submits at the deadline (plus a short grace for the
	// network) and says so with "submitted"; ask it too, in case the
	// event is lost.
	const sec = app.partId;
	let n = 0;
	const ask = async () => {
		if (app.partId !== sec)
			return;
		try {
			const a = await api('GET', '/attempt');
			const s = (a.sections || []).find((x) => x.id === sec);
			if (s && s.status === 'submitted') {
				app.timeUp.add(sec);
				app.attempt = a;
				closePart();
				return route(a);
			}
			if (s && s.remaining_ms > 0) {
				clock.sync(s.remaining_ms);
				if (app.part)
					app.part.timeBack();
				return;
			}
		} catch (e) {
			/* keep asking */
		}
		if (++n < 60)
			setTimeout(ask, 2000);
	};
	setTimeout(ask, 1000);
}

// The proctor paused (an event, the section view, or a save refused with
// 409 paused) or resumed. An answer given just before the pause stays in
// its saver, held back, and goes when the exam resumes. The resume is
// learnt from the event stream, or, if that is down, from asking.
function setPaused(paused, remaining) {
	if (paused) {
		clock.pause(remaining);
		overlay('The exam is paused',
		    'Your proctor has paused the exam. The clock is stopped. ' +
		    'Your answers are safe: any answer not saved yet is kept ' +
		    'here and saved when the exam resumes. Please wait.');
		if (app.part)
			app.part.setEnabled(false);
		if (!app.pausePoll)
			app.pausePoll = setInterval(pausedPoll, POLL_PAUSED_MS);
	} else {
		clearInterval(app.pausePoll);
		app.pausePoll = null;
		const was = clock.paused;
		clock.resume(remaining);
		if (app.part)
			app.part.setEnabled(true);
		overlay(null);
		tracker.kickAll();
		if (was)
			announce('The exam has resumed. The clock is running again.',
			    true);
	}
}

async function pausedPoll() {
	const sec = app.partId;
	let a;
	try {
		a = await api('GET', '/attempt');
	} catch (e) {
		if (e.status === 401)
			refresh();
		return;
	}
	const s = (a.sections || []).find((x) => x.id === sec);
	if (app.partId !== sec || !clock.paused)
		return;
	if (!s || s.status !== 'open' || a.status === 'void')
		return refresh();
	if (s.paused === false)
		setPaused(false, s.remaining_ms);
}

async function refresh() {
	try {
		const a = await api('GET', '/attempt');
		if (app.part && app.partId && a.status !== 'void') {
			const s = (a.sections || []).find((x) => x.id === app.partId);
			if (s && s.status === 'open') {
				app.attempt = a;
				if (typeof s.remaining_ms === 'number')
					clock.sync(s.remaining_ms);
				return;
			}
			if (s && s.status === 'submitted' && !app.part.submitting)
				app.timeUp.add(s.id);
		}
		route(a);
	} catch (e) {
		if (e.status === 401)
			sessionEnded(e);
	}
}

// --- live events -----------------------------------------------------------

function eventData(ev) {
	try {
		return JSON.parse(ev.data || '{}') || {};
	} catch (e) {
		return {};
	}
}

function forThisPart(d) {
	return !d.section || d.section === app.partId;
}

function connectEvents() {
	if (app.events || typeof EventSource === 'undefined')
		return;
	const es = new EventSource('/api/v1/attempt/events');
	app.events = es;
	let dropped = false;
	es.addEventListener('open', () => {
		if (dropped) {
			dropped = false;
			tracker.kickAll();
			refresh();
		}
	});
	es.addEventListener('error', () => {
		dropped = true;
		if (es.readyState === EventSource.CLOSED) {
			// Refused (signed out, or the server said no): find
			// out why, and try again later.
			app.events = null;
			setTimeout(() => {
				if (!app.events && app.attempt) {
					connectEvents();
					refresh();
				}
			}, 5000);
		}
	});
	es.addEventListener('admitted', () => refresh());
	es.addEventListener('resync', () => refresh());
	es.addEventListener('session_ended', () => refresh());	// says why
	es.addEventListener('time', (ev) => {
		const d = eventData(ev);
		if (app.part && d.section === null)
			refresh();	// no part open any more
		else if (app.part && forThisPart(d)) {
			if (typeof d.paused === 'boolean' && d.paused !== clock.paused)
				setPaused(d.paused, d.remaining_ms);
			else
				clock.sync(d.remaining_ms);
		}
	});
	es.addEventListener('paused', (ev) => {
		const d = eventData(ev);
		if (app.part && forThisPart(d))
			setPaused(true, d.remaining_ms);
	});
	es.addEventListener('resumed', (ev) => {
		const d = eventData(ev);
		if (app.part && forThisPart(d))
			setPaused(false, d.remaining_ms);
	});
	es.addEventListener('extended', (ev) => {
		const d = eventData(ev);
		if (!app.part || !forThisPart(d))
			return;
		clock.sync(d.remaining_ms);
		const extra = d.added_ms ? Math.round(d.added_ms / 60000) : 0;
		announce('Your proctor gave you more time' + (extra ?
		    ': ' + extra + (extra === 1 ? ' minute.' : ' minutes.') :
		    '.'), true);
		if (app.part)
			app.part.timeBack();
	});
	es.addEventListener('submitted', (ev) => {
		const d = eventData(ev);
		if (!app.part || !forThisPart(d) || app.part.submitting)
			return refresh();
		const sec = app.attempt.sections.find((s) => s.id === app.partId);
		if (d.by === 'candidate')	// from another window
			return partSubmitted(sec, false);
		announce(d.by === 'proctor' ? 'Your proctor submitted this part.' :
		    'Time is up. Your answers were submitted.', true);
		partSubmitted(sec, d.by !== 'proctor');
	});
	es.addEventListener('void', () => refresh());
}

// Leaving with an answer not yet on the server (or kept for after the
// sign-in): the browser asks first.
window.addEventListener('beforeunload', (ev) => {
	if (tracker.busy() || (app.stash && app.stash.pending.length)) {
		ev.preventDefault();
		ev.returnValue = '';
	}
});
window.addEventListener('online', () => tracker.kickAll());

boot();
