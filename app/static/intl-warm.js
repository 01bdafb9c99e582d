// A dedicated worker started by app.html as the page begins to load. The first date, time or
// number formatter a page makes loads the browser's locale data (60–140 ms on a laptop, several
// times that on a phone, all in one piece). That data is kept by the page's process, not by one
// thread: loaded here, off the main thread while the app's code downloads, it is ready when the
// first screen formats its dates, and the main thread never blocks on it. The same formatters as
// app/lib/format.ts, app/lib/seat-time.ts and the reports.
new Intl.DateTimeFormat([], { dateStyle: 'medium', timeStyle: 'short' }).format(0);
new Intl.DateTimeFormat([], { dateStyle: 'medium' }).format(0);
new Intl.DateTimeFormat([], { timeStyle: 'short' }).format(0);
new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' }).format(0);
new Intl.DateTimeFormat([], { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(0);
new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-1, 'day');
new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'narrow' }).format(-1, 'day');
new Intl.NumberFormat().format(1234.5);
close();
