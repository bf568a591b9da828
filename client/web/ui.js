// Small DOM helpers shared by the views. No framework: h() builds
// elements, text is always set as text; only the item bank's sanitized
// HTML (stems, choices, vignettes) goes in through html().

export function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k.startsWith('on'))
			el.addEventListener(k.slice(2), v);
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else
			el.setAttribute(k, v === true ? '' : v);
	}
	for (const kid of kids.flat()) {
		if (kid === null || kid === undefined || kid === false)
			continue;
		el.append(kid instanceof Node ? kid : String(kid));
	}
	return el;
}

// The server's sanitized subset of HTML (examd/qti_html.c), e.g. a stem.
export function html(tag, attrs, markup) {
	const el = h(tag, attrs);
	el.innerHTML = markup || '';
	return el;
}

export function $(sel, root = document) {
	return root.querySelector(sel);
}

// Replace the app's content and move focus to its heading, so a screen
// reader user hears where they are and keyboard focus is not lost.
export function show(...nodes) {
	const app = $('#app');
	app.replaceChildren(...nodes);
	const head = app.querySelector('[data-focus]') || app.querySelector('h1, h2');
	if (head) {
		if (!head.hasAttribute('tabindex'))
			head.setAttribute('tabindex', '-1');
		head.focus({ preventScroll: false });
	}
	window.scrollTo(0, 0);
}

export function announce(text, urgent = false) {
	const el = $(urgent ? '#announce-alert' : '#announce-polite');
	el.textContent = '';
	// A change the next frame is announced even when the text repeats.
	requestAnimationFrame(() => { el.textContent = text; });
}

// A message over the whole page (the proctor's pause): the page behind
// (main) is inert, so neither Tab nor a screen reader wanders into it;
// closing it puts focus back where it was.
let overlayReturn = null;

export function overlay(title, text) {
	const o = $('#overlay');
	if (!title) {
		if (o.hidden)
			return;
		o.hidden = true;
		$('#main').inert = false;
		const back = overlayReturn;
		overlayReturn = null;
		if (back && document.contains(back) && !back.disabled)
			back.focus();
		else
			$('#main').focus();
		return;
	}
	$('#overlay-title').textContent = title;
	$('#overlay-text').textContent = text;
	if (o.hidden)
		overlayReturn = document.activeElement;
	o.hidden = false;
	$('#main').inert = true;
	$('.overlay-box', o).focus();
}

// A modal confirmation; resolves true when the candidate confirms.
export function confirmDialog(title, body, okText) {
	const d = $('#confirm');
	$('#confirm-title').textContent = title;
	$('#confirm-text').replaceChildren(...[].concat(body));
	$('#confirm-ok').textContent = okText;
	return new Promise((resolve) => {
		d.addEventListener('close', () => resolve(d.returnValue === 'ok'),
		    { once: true });
		d.returnValue = 'cancel';
		d.showModal();
		$('#confirm-cancel').focus();
	});
}

export function duration(ms) {
	const mins = Math.round(ms / 60000);
	if (mins < 60)
		return mins + (mins === 1 ? ' minute' : ' minutes');
	const hh = Math.floor(mins / 60), mm = mins % 60;
	return hh + (hh === 1 ? ' hour' : ' hours') +
	    (mm ? ' ' + mm + (mm === 1 ? ' minute' : ' minutes') : '');
}

// "1:29:59", "4:05", "0:09"
export function clockText(ms) {
	const s = Math.max(0, Math.ceil(ms / 1000));
	const hh = Math.floor(s / 3600), mm = Math.floor(s / 60) % 60, ss = s % 60;
	const p = (n) => String(n).padStart(2, '0');
	return hh > 0 ? hh + ':' + p(mm) + ':' + p(ss) : mm + ':' + p(ss);
}

// Words as examd counts them (examd/delivery_essay.c): runs of
// non-space holding a letter or digit. The server's count is the one
// that is stored; this one is for the live display while typing.
export function wordCount(text) {
	let n = 0;
	for (const w of text.split(/[\s\u200B\uFEFF]+/u))
		if (/[\p{L}\p{N}]/u.test(w))
			n++;
	return n;
}

export function plural(n, one, many) {
	return n + ' ' + (n === 1 ? one : many);
}
