// Part 1: multiple choice. One question at a time, a navigator of all
// questions (answered / flagged / current), previous and next, a review
// screen, and submission with a confirmation. Every choice and flag is a
// PUT of its own, saved by a Saver (api.js).

import { api, Saver } from './api.js';
import { Part } from './part.js';
import { $, h, html, show, confirmDialog, plural } from './ui.js';

export class McPart extends Part {
	constructor(ctx, view) {
		super();
		this.ctx = ctx;
		this.sec = ctx.section;
		this.items = view.items || [];
		this.answers = new Map();	// n -> {choice, flagged}
		this.savers = new Map();
		this.enabled = true;
		this.submitting = false;
		this.reviewing = false;
		this.posKey = 'examd.pos.' + this.sec.id;
		for (const it of this.items) {
			this.answers.set(it.n, { choice: it.answer ?? null,
			    flagged: !!it.flagged });
			this.savers.set(it.n, new Saver(ctx.tracker,
			    (v, seq) => this.put(it.n, v, seq), {
				onSaved: (r) => this.saved(r),
				onRefused: (e) => this.refused(e, it.n),
				onPaused: () => ctx.paused(),
				onSignedOut: () => ctx.signedOut(),
			    }, typeof it.seq === 'number' ? it.seq : 0));
		}
		// Where this browser was; elsewhere, the first question not
		// answered.
		const saved = localStorage.getItem(this.posKey);
		const first = this.items.findIndex((it) => !it.answer);
		this.cur = saved !== null && saved >= 0 && saved < this.items.length ?
		    Number(saved) : Math.max(0, first);
		this.render();
	}

	put(n, v, seq) {
		const body = { choice: v.choice, flagged: v.flagged, seq };
		return api('PUT', '/attempt/sections/' +
		    encodeURIComponent(this.sec.id) + '/answers/' + n, body);
	}

	saved(r) {
		if (r && typeof r.remaining_ms === 'number')
			this.ctx.clock.sync(r.remaining_ms);
	}

	refused(e, n) {
		if (e.status === 409 && e.code !== 'paused')
			return this.ctx.closed(e);
		this.message('Question ' + this.number(n) + ' was not saved: ' +
		    e.message);
	}

	number(n) {
		return this.items.findIndex((it) => it.n === n) + 1;
	}

	counts() {
		let answered = 0, flagged = 0;
		for (const a of this.answers.values()) {
			if (a.choice)
				answered++;
			if (a.flagged)
				flagged++;
		}
		return { answered, flagged, total: this.items.length };
	}

	// --- layout ---

	render() {
		this.navList = h('ol', { class: 'navgrid', 'aria-label': 'Questions' });
		this.items.forEach((it, i) => {
			this.navList.append(h('li', {}, h('button', {
				type: 'button', class: 'navq', dataset: { i },
				onclick: () => this.go(i, true),
			}, String(i + 1))));
		});
		this.countsEl = h('p', { class: 'counts', id: 'mc-counts' });
		this.reviewBtn = h('button', { type: 'button', class: 'secondary wide',
		    onclick: () => this.review() }, 'Review and submit');
		this.pane = h('section', { class: 'q-pane', 'aria-live': 'off' });
		this.msgEl = h('p', { class: 'error', role: 'alert' });
		this.banner = h('p', { class: 'banner', role: 'status', hidden: true });
		show(h('div', { class: 'mc-layout' },
		    h('nav', { class: 'nav-pane', 'aria-label': 'Question navigator' },
			h('h2', { class: 'nav-title' }, this.ctx.name),
			this.countsEl, this.navList,
			h('ul', { class: 'legend', 'aria-hidden': 'true' },
			    h('li', {}, h('span', { class: 'sw answered' }), 'answered'),
			    h('li', {}, h('span', { class: 'sw flagged' }), 'flagged'),
			    h('li', {}, h('span', { class: 'sw current' }), 'current')),
			this.reviewBtn),
		    h('div', { class: 'q-main' }, this.banner, this.msgEl, this.pane)));
		this.go(this.cur, false, true);
	}

	updateNav() {
		const c = this.counts();
		this.countsEl.textContent = c.answered + ' of ' + c.total +
		    ' answered' + (c.flagged ? ' · ' + c.flagged + ' flagged' : '');
		this.navList.querySelectorAll('button').forEach((b, i) => {
			const a = this.answers.get(this.items[i].n);
			b.classList.toggle('answered', !!a.choice);
			b.classList.toggle('flagged', a.flagged);
			const cur = i === this.cur && !this.reviewing;
			b.classList.toggle('current', cur);
			if (cur)
				b.setAttribute('aria-current', 'step');
			else
				b.removeAttribute('aria-current');
			b.setAttribute('aria-label', 'Question ' + (i + 1) + ', ' +
			    (a.choice ? 'answered' : 'not answered') +
			    (a.flagged ? ', flagged' : ''));
			b.disabled = !this.enabled;
		});
	}

	go(i, focus, first = false) {
		if (i < 0 || i >= this.items.length)
			return;
		this.cur = i;
		this.reviewing = false;
		localStorage.setItem(this.posKey, String(i));
		const it = this.items[i];
		const a = this.answers.get(it.n);
		const stemId = 'stem-' + it.n;
		const choices = h('div', { class: 'choices', role: 'radiogroup',
		    'aria-labelledby': 'qhead ' + stemId });
		it.choices.forEach((c) => {
			const id = 'c-' + it.n + '-' + c.id;
			const input = h('input', { type: 'radio', name: 'choice',
			    id, value: c.id, checked: a.choice === c.id,
			    disabled: !this.enabled,
			    onchange: () => this.choose(it.n, c.id) });
			choices.append(h('label', { class: 'choice', for: id },
			    input,
			    h('span', { class: 'letter', 'aria-hidden': 'true' },
				c.id.toUpperCase()),
			    html('span', { class: 'ctext' }, c.text)));
		});
		this.flagBtn = h('button', { type: 'button', class: 'flag',
		    'aria-pressed': a.flagged ? 'true' : 'false',
		    disabled: !this.enabled,
		    onclick: () => this.toggleFlag(it.n) },
		    a.flagged ? 'Flagged for review' : 'Flag for review');
		const prev = h('button', { type: 'button', class: 'secondary',
		    disabled: i === 0, onclick: () => this.go(i - 1, true) },
		    '← Previous');
		const next = i + 1 < this.items.length ?
		    h('button', { type: 'button', class: 'primary',
			onclick: () => this.go(i + 1, true) }, 'Next →') :
		    h('button', { type: 'button', class: 'primary',
			onclick: () => this.review() }, 'Review answers →');
		this.pane.replaceChildren(
		    h('h1', { id: 'qhead', class: 'qhead', tabindex: '-1',
			'data-focus': first ? '' : null },
			'Question ' + (i + 1), h('span', { class: 'of' },
			    ' of ' + this.items.length)),
		    html('div', { class: 'stem', id: stemId }, it.stem),
		    choices,
		    h('div', { class: 'q-actions' }, this.flagBtn,
			h('span', { class: 'spacer' }), prev, next));
		this.updateNav();
		if (focus)
			$('#qhead', this.pane).focus();
	}

	choose(n, choice) {
		const a = this.answers.get(n);
		a.choice = choice;
		this.message('');
		this.savers.get(n).set({ choice: a.choice, flagged: a.flagged });
		this.updateNav();
	}

	toggleFlag(n) {
		const a = this.answers.get(n);
		a.flagged = !a.flagged;
		this.flagBtn.setAttribute('aria-pressed', a.flagged ? 'true' : 'false');
		this.flagBtn.textContent = a.flagged ? 'Flagged for review' :
		    'Flag for review';
		this.savers.get(n).set({ choice: a.choice, flagged: a.flagged });
		this.updateNav();
	}

	// Answers given before the session ended and not saved then (see
	// Part.pending): shown again and saved.
	restore(pending) {
		for (const [n, v] of pending) {
			if (!this.answers.has(n))
				continue;
			this.answers.set(n, { choice: v.choice, flagged: v.flagged });
			this.savers.get(n).set({ choice: v.choice, flagged: v.flagged });
		}
		this.go(this.cur, false);
	}

	message(text) {
		this.msgEl.textContent = text;
	}

	// --- review and submit ---

	review() {
		this.reviewing = true;
		const c = this.counts();
		const list = h('ol', { class: 'review-grid' });
		const unanswered = [], flagged = [];
		this.items.forEach((it, i) => {
			const a = this.answers.get(it.n);
			if (!a.choice)
				unanswered.push(i + 1);
			if (a.flagged)
				flagged.push(i + 1);
			list.append(h('li', {}, h('button', {
				type: 'button', class: 'navq' + (a.choice ? ' answered' :
				    '') + (a.flagged ? ' flagged' : ''),
				'aria-label': 'Question ' + (i + 1) + ', ' +
				    (a.choice ? 'answered ' + a.choice.toUpperCase() :
				    'not answered') + (a.flagged ? ', flagged' : ''),
				onclick: () => this.go(i, true),
			}, h('span', { class: 'rn' }, String(i + 1)),
			    h('span', { class: 'ra' }, a.choice ?
				a.choice.toUpperCase() : '–'))));
		});
		const submit = h('button', { type: 'button', class: 'primary',
		    disabled: !this.enabled, onclick: () => this.submit() },
		    'Submit ' + this.ctx.name);
		this.pane.replaceChildren(
		    h('h1', { id: 'qhead', class: 'qhead', tabindex: '-1' },
			'Review ' + this.ctx.name),
		    h('p', { class: 'lead' }, c.answered + ' of ' + c.total +
			' questions answered.'),
		    unanswered.length ? h('p', {}, 'Not answered: ' +
			unanswered.join(', ') + '.') : null,
		    flagged.length ? h('p', {}, 'Flagged for review: ' +
			flagged.join(', ') + '.') : null,
		    h('p', { class: 'help' }, 'Choose a number to go back to that ' +
			'question. You can change answers until you submit.'),
		    list,
		    h('div', { class: 'q-actions' },
			h('button', { type: 'button', class: 'secondary',
			    onclick: () => this.go(this.cur, true) },
			    '← Back to the questions'),
			h('span', { class: 'spacer' }), submit));
		this.updateNav();
		$('#qhead', this.pane).focus();
	}

	async submit() {
		const c = this.counts();
		const body = [h('p', {}, 'You have answered ' + c.answered + ' of ' +
		    c.total + ' questions.')];
		if (c.answered < c.total)
			body.push(h('p', { class: 'warn' }, plural(c.total - c.answered,
			    'question is', 'questions are') + ' not answered.'));
		if (c.flagged)
			body.push(h('p', {}, plural(c.flagged, 'question is',
			    'questions are') + ' flagged for review.'));
		body.push(h('p', {}, 'Once you submit ' + this.ctx.name + ', you ' +
		    'cannot change its answers.'));
		if (!await confirmDialog('Submit ' + this.ctx.name + '?', body,
		    'Submit ' + this.ctx.name))
			return;
		this.message('');
		if (await this.ctx.submit((t) => this.message(t)))
			localStorage.removeItem(this.posKey);
	}

	// --- state from outside ---

	setEnabled(on) {
		this.enabled = on;
		this.pane.querySelectorAll('input, button.flag').forEach((el) => {
			el.disabled = !on;
		});
		this.reviewBtn.disabled = !on;
		this.updateNav();
	}
}
