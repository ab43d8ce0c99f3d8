#!/usr/bin/env node
// The `plugform` command (package.json "bin"): registers tsx, as `npm start` runs the server,
// and hands over to the TypeScript entry. `npx plugform --help` in a checkout.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
