export { de } from './de.ts';
export { en, type Messages } from './en.ts';
export { formatDuration, formatTime, LANGS, type Lang, messagesFor, negotiateLang } from './negotiate.ts';
