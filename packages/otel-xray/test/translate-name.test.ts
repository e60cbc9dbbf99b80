/** Segment names (XRAY-REFERENCE §3.1): the ASCII fast path says what the charset regex says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeName } from '../src/wire/translate-name.ts';

// The rule written out plainly: drop what X-Ray rejects, cut to 200 code points, trim.
const BAD = /[^\p{L}\p{Nd}\s_.:/%&#=+\-@]/gu;
function reference(raw: string, fallback = 'span'): string {
  const name = Array.from(raw.replace(BAD, '')).slice(0, 200).join('').trim();
  return name.length > 0 ? name : fallback;
}

test('names: every ASCII character is kept or dropped as the charset says', () => {
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    for (const raw of [`a${ch}b`, ch, `${ch}${ch}x`]) assert.equal(sanitizeName(raw), reference(raw), `char ${c} in ${JSON.stringify(raw)}`);
  }
});

test('names: plain, unicode, long, blank and emptied names', () => {
  const cases = [
    'archiver',
    'GET /archive/:id',
    '  padded name  ',
    'grüße 日本 name',
    'rocket 🚀 launch',
    '🚀🚀',
    '\t\n',
    '',
    'x'.repeat(200),
    'y'.repeat(201),
    `${'z'.repeat(199)} tail`,
    `${'é'.repeat(250)}`,
    'a\u00a0b', // a non-ASCII space (\s matches it)
  ];
  for (const raw of cases) assert.equal(sanitizeName(raw), reference(raw), JSON.stringify(raw));
  assert.equal(sanitizeName('   ', 'fallback'), 'fallback');
  assert.equal(sanitizeName('x'.repeat(300)).length, 200);
});
