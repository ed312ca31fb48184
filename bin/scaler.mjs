#!/usr/bin/env node
// The `scaler` command. Runs the TypeScript sources directly through tsx, so `npx scaler ...` works right after
// `npm install` with no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
