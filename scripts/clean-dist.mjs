#!/usr/bin/env node
/**
 * Remove dist/ before `tsc` writes it again, so that files of modules that
 * were moved or deleted in src/ do not linger in the build (and in the packed
 * tarball, whose `files` include dist/).
 *
 *   node scripts/clean-dist.mjs
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
