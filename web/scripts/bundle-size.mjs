// Fails the build when the page's JavaScript, gzip-compressed, grows past its budget: everything a first
// visit downloads counts, lazy chunks included.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 400 * 1024;
const dir = 'target/classes/agentry-web/assets';
let raw = 0;
let gzipped = 0;
for (const name of readdirSync(dir)) {
  if (name.endsWith('.js')) {
    const bytes = readFileSync(join(dir, name));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
}
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`agentry-web: JavaScript ${kb(raw)}, ${kb(gzipped)} gzipped (budget ${kb(BUDGET_BYTES)})`);
if (gzipped > BUDGET_BYTES) {
  console.error(`agentry-web: the bundle is over its budget by ${kb(gzipped - BUDGET_BYTES)}`);
  process.exit(1);
}
