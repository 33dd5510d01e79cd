/** The committed public surface of the main entry (test/package/public-surface.txt), for the package tests. */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The names listed in public-surface.txt, without comments and blank lines, in file order. */
export function publicSurface(): string[] {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package', 'public-surface.txt');
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}
