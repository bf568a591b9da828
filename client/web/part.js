// What both parts share: the time-up banner, what is not saved yet, and
// closing their savers. A part has this.banner, this.savers (a Map or an
// Array), setEnabled(on) and restore(pending).

export class Part {
	// The clock reached zero: no more changes while the server submits.
	timeUp() {
		this.banner.textContent = 'Time is up. Your work is being ' +
		    'submitted…';
		this.banner.hidden = false;
		this.setEnabled(false);
	}

	// The server still had time (an extension, a clock that ran fast).
	timeBack() {
		this.banner.hidden = true;
		this.setEnabled(true);
	}

	// What the candidate gave that the server has not acknowledged, as
	// [key, value] pairs (key: an item's n, or a vignette's index) that
	// restore() takes back after the candidate has signed in again.
	pending() {
		const out = [];
		for (const [k, s] of this.savers.entries()) {
			const v = s.unsaved();
			if (v !== undefined)
				out.push([k, v]);
		}
		return out;
	}

	close() {
		for (const s of this.savers.values())
			s.stop();
	}
}
