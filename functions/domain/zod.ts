/**
 * zod as the functions use it: its tree-shakable API (`zod/mini`, functions instead of methods)
 * with English messages, which zod/mini does not load by itself. Every schema of the project is
 * built from here (`import * as z from './zod'`). zod's classic API puts every method on every
 * schema, so a bundle holds all of zod whatever it uses: about 75 KB of each Lambda bundle and 15 to
 * 40 ms of its module init; with zod/mini a bundle holds the parts it uses. The messages are the
 * classic API's own (English), so errors read as they did (docs/decisions/0004-zod-mini.md).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
