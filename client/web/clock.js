// The time left, as the server says it. The server's remaining_ms is
// taken as true at the moment it arrives and counted down with the
// monotonic performance.now(), never the wall clock (which may be wrong
// or jump); every "time" event, save reply and section view re-syncs it.
// At zero the page does not decide anything: the server submits the part
// and says so ("submitted"); the page only asks it sooner.
//
// Warnings at 10, 5 and 1 minute left: said to screen readers through the
// assertive live region, and shown under the header for a while (the
// clock itself stays, coloured from 5 minutes). Extra time that lifts the
// clock back above a warning's mark arms that warning again.

import { $, announce, clockText } from './ui.js';

const WARN_AT = [10 * 60000, 5 * 60000, 60000];	// announced once each
const WARN_SHOW_MS = 20000;	// the visible note; the clock stays
const REARM_MS = 5000;		// above a mark by this much: warn again

export class Clock {
	constructor(onZero) {
		this.el = $('#timer');
		this.note = $('#time-warning');
		this.noteHide = null;
		this.onZero = onZero;
		this.base = null;
		this.at = 0;
		this.paused = false;
		this.warned = new Set();
		this.zeroed = false;
		this.tick = null;
	}
	start(remainingMs, paused = false) {
		this.stop();
		this.sync(remainingMs, paused);
		this.warned = new Set(WARN_AT.filter((w) => remainingMs <= w));
		this.el.hidden = false;
		this.tick = setInterval(() => this.render(), 250);
		this.render();
	}
	stop() {
		clearInterval(this.tick);
		this.tick = null;
		this.base = null;
		this.zeroed = false;
		this.el.hidden = true;
		this.el.textContent = '';
		clearTimeout(this.noteHide);
		this.note.hidden = true;
	}
	sync(remainingMs, paused) {
		if (typeof remainingMs !== 'number' || !isFinite(remainingMs))
			return;
		this.base = Math.max(0, remainingMs);
		this.at = performance.now();
		if (paused !== undefined)
			this.paused = paused;
		for (const w of WARN_AT)
			if (this.base > w + REARM_MS)
				this.warned.delete(w);
		if (this.base > 0)
			this.zeroed = false;
		if (this.tick)
			this.render();
	}
	pause(remainingMs) {
		this.sync(typeof remainingMs === 'number' ? remainingMs :
		    this.remaining(), true);
	}
	resume(remainingMs) {
		this.sync(typeof remainingMs === 'number' ? remainingMs :
		    this.remaining(), false);
	}
	warn(text, low) {
		announce(text, true);
		this.note.textContent = text;
		this.note.dataset.level = low ? 'low' : 'ok';
		this.note.hidden = false;
		clearTimeout(this.noteHide);
		this.noteHide = setTimeout(() => { this.note.hidden = true; },
		    WARN_SHOW_MS);
	}
	remaining() {
		if (this.base === null)
			return null;
		if (this.paused)
			return this.base;
		return Math.max(0, this.base - (performance.now() - this.at));
	}
	render() {
		const left = this.remaining();
		if (left === null)
			return;
		this.el.textContent = (this.paused ? 'Paused · ' : '') +
		    clockText(left) + ' left';
		this.el.dataset.level = left <= 60000 ? 'last' :
		    left <= 5 * 60000 ? 'low' : 'ok';
		for (const w of WARN_AT) {
			if (left <= w && !this.warned.has(w)) {
				this.warned.add(w);
				this.warn((w / 60000) + (w === 60000 ? ' minute' :
				    ' minutes') + ' left in this part.', left <= 5 * 60000);
			}
		}
		if (left <= 0 && !this.zeroed && !this.paused) {
			this.zeroed = true;
			this.onZero();
		}
	}
}
