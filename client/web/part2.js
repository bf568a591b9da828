// Part 2: the vignettes. The candidate reads them, chooses the ones to
// answer within the track's rule ("answer K of N, at least M from group
// G"), and writes. Writing is saved 1.5 s after typing stops, at the
// latest every 10 s while typing goes on, and when the text box loses
// focus. The rule is checked here for a quick answer and by the server,
// which has the last word.

import { api, Saver } from './api.js';
import { Part } from './part.js';
import { $, h, html, show, confirmDialog, plural, wordCount } from './ui.js';

const TYPE_DELAY_MS = 1500;
const TYPE_MAX_WAIT_MS = 10000;

// The rule as sent by the server, read tolerantly:
// {"answer":K,"require":[{"group","min"}]} (or {"group":min}).
function readRule(r) {
	r = r || {};
	const answer = r.answer ?? r.k ?? r.choose ?? 1;
	let req = r.require || r.groups || [];
	if (!Array.isArray(req))
		req = Object.entries(req).map(([group, min]) => ({ group, min }));
	return { answer, require: req.map((g) => ({ group: g.group,
	    min: g.min ?? g.at_least ?? 1 })) };
}

function categories(p) {
	const c = p.groups ?? p.categories ?? p.category ?? '';
	return Array.isArray(c) ? c : String(c).split(/\s+/).filter(Boolean);
}

function inGroup(p, g) {
	return categories(p).includes(g);
}

export function ruleText(rule, n) {
	let s = 'Answer ' + rule.answer + ' of the ' + n + ' vignettes';
	const parts = rule.require.map((g) => 'at least ' + g.min + ' ' + g.group);
	if (parts.length)
		s += ', including ' + parts.join(' and ');
	return s + '.';
}

// Could `chosen` (a Set of indexes) still be completed to K answers
// meeting every minimum? A small search: N <= 16.
function feasible(rule, prompts, chosen) {
	const left = rule.answer - chosen.size;
	if (left < 0)
		return false;
	const need = (set) => rule.require.every((g) =>
	    [...set].filter((i) => inGroup(prompts[i], g.group)).length >= g.min);
	const rest = prompts.map((_, i) => i).filter((i) => !chosen.has(i));
	const pick = (from, k, set) => {
		if (k === 0)
			return need(set);
		for (let j = from; j < rest.length; j++) {
			set.add(rest[j]);
			const ok = pick(j + 1, k - 1, set);
			set.delete(rest[j]);
			if (ok)
				return true;
		}
		return false;
	};
	return pick(0, left, new Set(chosen));
}

export class EssayPart extends Part {
	constructor(ctx, view) {
		super();
		this.ctx = ctx;
		this.sec = ctx.section;
		this.prompts = view.prompts || [];
		this.rule = readRule(view.rule);
		this.enabled = true;
		this.submitting = false;
		this.posKey = 'examd.vignette.' + this.sec.id;
		this.state = this.prompts.map((p) => {
			let r = view.responses ? view.responses[p.id] : null;
			if (typeof r === 'string')
				r = { text: r };
			r = r || null;
			return {
				// Chosen once its saved text has a word (the server's
				// rule); a vignette opened but not written is not.
				chosen: !!r && (r.words > 0 || /\S/.test(r.text || '')),
				text: (r && r.text) || '',
				words: r && typeof r.words === 'number' ? r.words : null,
				savedText: r ? (r.text || '') : null,
				seq: (r && r.seq) || 0,
			};
		});
		this.savers = this.prompts.map((p, i) => new Saver(ctx.tracker,
		    (text, seq) => this.put(p.id, text, seq), {
			onSaved: (r, text) => this.saved(i, r, text),
			onRefused: (e) => this.refused(i, e),
			onPaused: () => ctx.paused(),
			onSignedOut: () => ctx.signedOut(),
		    }, this.state[i].seq));
		const saved = Number(localStorage.getItem(this.posKey));
		this.cur = saved >= 0 && saved < this.prompts.length ? saved :
		    Math.max(0, this.state.findIndex((s) => s.chosen));
		this.render();
	}

	put(pid, text, seq) {
		return api('PUT', '/attempt/sections/' +
		    encodeURIComponent(this.sec.id) + '/essays/' +
		    encodeURIComponent(pid), { text, seq });
	}

	chosenSet() {
		return new Set(this.state.map((s, i) => s.chosen ? i : -1)
		    .filter((i) => i >= 0));
	}

	// --- layout ---

	render() {
		this.tabs = h('ol', { class: 'vtabs', role: 'tablist',
		    'aria-label': 'Vignettes', 'aria-orientation': 'vertical' });
		this.prompts.forEach((p, i) => {
			this.tabs.append(h('li', { role: 'presentation' },
			    h('button', { type: 'button', role: 'tab', id: 'tab-' + i,
				'aria-controls': 'vpanel', class: 'vtab',
				onclick: () => this.go(i, false),
				onkeydown: (ev) => this.tabKey(ev, i) })));
		});
		this.chosenEl = h('p', { class: 'counts' });
		this.submitBtn = h('button', { type: 'button', class: 'primary wide',
		    onclick: () => this.submit() }, 'Submit ' + this.ctx.name);
		this.msgEl = h('p', { class: 'error', role: 'alert' });
		this.banner = h('p', { class: 'banner', role: 'status', hidden: true });
		this.panel = h('section', { class: 'v-pane', id: 'vpanel',
		    role: 'tabpanel' });
		show(h('div', { class: 'essay-layout' },
		    h('nav', { class: 'nav-pane', 'aria-label': 'Vignettes' },
			h('h1', { class: 'nav-title', 'data-focus': '' },
			    this.ctx.name),
			h('p', { class: 'rule', id: 'rule' },
			    ruleText(this.rule, this.prompts.length)),
			this.chosenEl, this.tabs, this.submitBtn),
		    h('div', { class: 'q-main' }, this.banner, this.msgEl,
			this.panel)));
		this.go(this.cur, false);
	}

	tabKey(ev, i) {
		const n = this.prompts.length;
		const to = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1,
		    ArrowLeft: i - 1, Home: 0, End: n - 1 }[ev.key];
		if (to === undefined)
			return;
		ev.preventDefault();
		this.go((to + n) % n, false);
		$('#tab-' + this.cur).focus();
	}

	updateTabs() {
		const n = this.chosenSet().size;
		this.chosenEl.textContent = 'Chosen ' + n + ' of ' + this.rule.answer;
		this.tabs.querySelectorAll('.vtab').forEach((b, i) => {
			const p = this.prompts[i], s = this.state[i];
			const words = s.words ?? wordCount(s.text);
			b.replaceChildren(
			    h('span', { class: 'vt-title' }, p.title || 'Vignette ' + (i + 1)),
			    h('span', { class: 'vt-meta' },
				categories(p).join(', '),
				s.chosen ? h('span', { class: 'vt-chosen' },
				    ' · answering, ' + plural(words, 'word', 'words')) :
				    null));
			b.classList.toggle('chosen', s.chosen);
			b.setAttribute('aria-selected', i === this.cur ? 'true' : 'false');
			b.tabIndex = i === this.cur ? 0 : -1;
		});
		this.submitBtn.disabled = !this.enabled;
	}

	go(i, focus) {
		if (this.ta)
			this.flush();
		this.cur = i;
		localStorage.setItem(this.posKey, String(i));
		const p = this.prompts[i], s = this.state[i];
		this.panel.setAttribute('aria-labelledby', 'tab-' + i);
		this.ta = null;
		const kids = [
		    h('h2', { id: 'vhead', tabindex: '-1' }, p.title || 'Vignette ' + (i + 1)),
		    categories(p).length ? h('p', { class: 'badges' },
			categories(p).map((c) => h('span', { class: 'badge' }, c))) :
			null,
		    html('div', { class: 'vignette' }, p.text),
		];
		if (s.chosen) {
			kids.push(this.editor(i));
		} else {
			this.chooseMsg = h('p', { class: 'error', role: 'alert' });
			kids.push(h('div', { class: 'choose-box' },
			    h('button', { type: 'button', class: 'primary',
				disabled: !this.enabled,
				onclick: () => this.choose(i) },
				'Answer this vignette'),
			    this.chooseMsg));
		}
		this.panel.replaceChildren(...kids);
		this.updateTabs();
		if (focus)
			$('#vhead', this.panel).focus();
	}

	editor(i) {
		const s = this.state[i];
		const ta = h('textarea', { id: 'response', rows: 14,
		    'aria-describedby': 'wc rule', disabled: !this.enabled,
		    oninput: () => this.typed(i),
		    onblur: () => this.flush() });
		ta.value = s.text;
		this.ta = ta;
		this.wcEl = h('p', { class: 'wc', id: 'wc' });
		const stop = h('button', { type: 'button', class: 'link',
		    onclick: () => this.unchoose(i) }, 'Answer a different vignette');
		const box = h('div', { class: 'editor' },
		    h('label', { for: 'response' }, 'Your response'),
		    ta, h('div', { class: 'editor-foot' }, this.wcEl, stop));
		this.updateWc(i);
		return box;
	}

	updateWc(i) {
		if (!this.wcEl || i !== this.cur)
			return;
		const s = this.state[i];
		const live = wordCount(s.text);
		let text = plural(live, 'word', 'words');
		if (s.savedText !== null && s.savedText === s.text && s.words !== null)
			text = plural(s.words, 'word', 'words') + ' · saved';
		this.wcEl.textContent = text;
	}

	typed(i) {
		const s = this.state[i];
		s.text = this.ta.value;
		this.updateWc(i);
		this.savers[i].set(s.text, TYPE_DELAY_MS, TYPE_MAX_WAIT_MS);
	}

	flush() {
		this.savers[this.cur].flush();
	}

	saved(i, r, text) {
		const s = this.state[i];
		s.savedText = text;
		if (r && typeof r.words === 'number')
			s.words = s.text === text ? r.words : null;
		if (r && typeof r.remaining_ms === 'number')
			this.ctx.clock.sync(r.remaining_ms);
		this.updateWc(i);
		this.updateTabs();
	}

	refused(i, e) {
		if (e.status === 409 && e.code !== 'paused')
			return this.ctx.closed(e);
		const s = this.state[i];
		if (e.code === 'essay_rule') {
			// The server refused the choice (the rule): the text
			// stays on screen so nothing typed is lost.
			this.msgEl.textContent = e.message;
			s.chosen = false;
			this.go(i, false);
			this.chooseMsg.textContent = e.message;
			return;
		}
		this.msgEl.textContent = 'Your response to "' +
		    (this.prompts[i].title || 'this vignette') + '" was not saved: ' +
		    e.message;
	}

	choose(i) {
		const chosen = this.chosenSet();
		this.msgEl.textContent = '';
		if (chosen.size >= this.rule.answer) {
			this.chooseMsg.textContent = 'You can answer ' +
			    plural(this.rule.answer, 'vignette', 'vignettes') +
			    ' and have chosen ' + chosen.size + '. To answer this one ' +
			    'instead, first open one you chose and choose "Answer a ' +
			    'different vignette".';
			this.chooseMsg.scrollIntoView({ block: 'nearest' });
			return;
		}
		chosen.add(i);
		if (!feasible(this.rule, this.prompts, chosen)) {
			const short = this.rule.require.filter((g) => !feasible(
			    { answer: this.rule.answer, require: [g] },
			    this.prompts, chosen)).map((g) => g.group);
			this.chooseMsg.textContent = 'The rule is: ' +
			    ruleText(this.rule, this.prompts.length) + ' Choosing ' +
			    'this one would leave no room for ' + (short.length ?
			    'a ' + short.join(' or ') + ' vignette' :
			    'the vignettes the rule requires') + '.';
			this.chooseMsg.scrollIntoView({ block: 'nearest' });
			return;
		}
		this.state[i].chosen = true;
		this.go(i, false);
		this.ta.focus();
	}

	async unchoose(i) {
		const s = this.state[i];
		if (s.text.trim() !== '' && !await confirmDialog(
		    'Answer a different vignette?', [h('p', {}, 'Your response to "' +
		    (this.prompts[i].title || 'this vignette') + '" (' +
		    plural(wordCount(s.text), 'word', 'words') + ') will be ' +
		    'cleared.')], 'Clear my response'))
			return;
		s.text = '';
		s.chosen = false;
		if (s.savedText !== null && s.savedText !== '')
			this.savers[i].set('');
		s.words = null;
		this.go(i, true);
	}

	// Writing done before the session ended and not saved then (see
	// Part.pending): back in its box, and saved. Empty text was a
	// vignette given up.
	restore(pending) {
		for (const [i, text] of pending) {
			const s = this.state[i];
			if (!s || typeof text !== 'string')
				continue;
			s.text = text;
			s.chosen = /\S/.test(text);
			this.savers[i].set(text);
		}
		this.go(this.cur, false);
	}

	// --- submit ---

	async submit() {
		const chosen = [...this.chosenSet()];
		const list = h('ul', {}, chosen.map((i) => h('li', {},
		    (this.prompts[i].title || 'Vignette ' + (i + 1)) + ': ' +
		    plural(this.state[i].words ?? wordCount(this.state[i].text),
			'word', 'words'))));
		const body = [h('p', {}, ruleText(this.rule, this.prompts.length)),
		    chosen.length ? list : h('p', { class: 'warn' },
			'You have not answered any vignette.')];
		if (chosen.length < this.rule.answer)
			body.push(h('p', { class: 'warn' }, 'You have answered ' +
			    chosen.length + ' of ' + this.rule.answer + '.'));
		body.push(h('p', {}, 'Once you submit ' + this.ctx.name + ', you ' +
		    'cannot change your responses.'));
		if (!await confirmDialog('Submit ' + this.ctx.name + '?', body,
		    'Submit ' + this.ctx.name))
			return;
		this.msgEl.textContent = '';
		if (await this.ctx.submit((t) => { this.msgEl.textContent = t; }))
			localStorage.removeItem(this.posKey);
	}

	// --- state from outside ---

	setEnabled(on) {
		this.enabled = on;
		this.panel.querySelectorAll('textarea, button').forEach((el) => {
			el.disabled = !on;
		});
		this.updateTabs();
	}
}
