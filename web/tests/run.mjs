// Runs the browser tests (every *.test.mjs here, or those named on the command line) one file at a time with
// node:test, printing each test as it ends; exits non-zero when one fails. `npm run test:browser` against `make up`,
// or tests/web/test_browser.py (make test) against the test stack.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.test.mjs'))
  .filter((name) => wanted.length === 0 || wanted.some((part) => name.includes(part)))
  .sort()
  .map((name) => join(here, name));

let failed = 0;
const stream = run({ files, concurrency: 1, timeout: 240_000 });
stream.on('test:fail', (event) => {
  if (event.details?.type !== 'suite') failed += 1;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
});
