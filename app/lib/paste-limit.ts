/**
 * A paste longer than a field holds is cut by the browser without a word (`maxlength`). Every
 * field of the app says so the same way: a note under the field, tied to it (aria-describedby) and
 * announced (role="status"): "Cut to 100 characters: the pasted text had 500." The note goes away
 * with the next change that fits. Listening on the document covers every form, present and future.
 */
const NOTE_CLASS = 'paste-cut';
let count = 0;

type LimitedField = HTMLInputElement | HTMLTextAreaElement;

function limitedField(target: EventTarget | null): LimitedField | null {
  if (!(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) return null;
  return target.maxLength > 0 ? target : null;
}

function noteOf(field: LimitedField): HTMLElement | null {
  const next = field.nextElementSibling;
  return next instanceof HTMLElement && next.classList.contains(NOTE_CLASS) ? next : null;
}

function removeNote(field: LimitedField): void {
  const note = noteOf(field);
  if (!note) return;
  const described = (field.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== note.id);
  if (described.length) field.setAttribute('aria-describedby', described.join(' '));
  else field.removeAttribute('aria-describedby');
  note.remove();
}

function showNote(field: LimitedField, pasted: number): void {
  removeNote(field);
  const note = document.createElement('p');
  note.id = `paste-cut-${++count}`;
  note.className = `${NOTE_CLASS} hint`;
  note.setAttribute('role', 'status');
  note.textContent = `Cut to ${field.maxLength} characters: the pasted text had ${pasted}.`;
  field.after(note);
  field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
}

function onPaste(event: ClipboardEvent): void {
  const field = limitedField(event.target);
  const text = event.clipboardData?.getData('text/plain');
  if (!field || text === undefined) return;
  const replaced = (field.selectionEnd ?? 0) - (field.selectionStart ?? 0);
  if (field.value.length - replaced + text.length > field.maxLength) showNote(field, text.length);
}

function onInput(event: Event): void {
  const field = limitedField(event.target);
  if (field && (event as InputEvent).inputType !== 'insertFromPaste' && field.value.length < field.maxLength) removeNote(field);
}

/** Starts saying when a paste is cut, in every field of the document. Returns the way to stop. */
export function watchPasteLimits(root: Document = document): () => void {
  root.addEventListener('paste', onPaste, true);
  root.addEventListener('input', onInput, true);
  return () => {
    root.removeEventListener('paste', onPaste, true);
    root.removeEventListener('input', onInput, true);
  };
}
