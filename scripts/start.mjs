// `npm start`: build the app, serve app + API on http://127.0.0.1:8787 (PORT overrides) with local
// storage under .wrangler/state, and create the demo subscription on first start.
import { execSync } from 'node:child_process';
import { DEMO, seedDemo, startServer } from './server.mjs';

const port = Number(process.env.PORT ?? 8787);
execSync('npm run build', { stdio: 'inherit' });
const server = await startServer({ port });
const seeded = await seedDemo(server.baseUrl);
console.log(`
  SetMe Seats is running at ${server.baseUrl}
  ${seeded ? 'Created the demo subscription' : 'Demo subscription kept from the last start'}: ${DEMO.seats} seats, 9 users.
  Sign in as the administrator:  ${DEMO.admin.email}  /  ${DEMO.password}
  (technicians sign in as alex@, priya@, … @demo.setme.test with the same password)
  API docs: ${server.baseUrl}/api/docs      Stop with Ctrl+C.
`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void server.stop().then(() => process.exit(0)));
}
await new Promise((resolve) => server.child.once('exit', resolve));
