// What both parts share: the time-up banner, and closing their savers.
// A part has this.banner, this.savers (a Map or an Array) and
// setEnabled(on).

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

	close() {
		for (const s of this.savers.values())
			s.stop();
	}
}
