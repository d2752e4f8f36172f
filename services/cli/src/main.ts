#!/usr/bin/env node
// The operator CLI: `npm run mlc -- tenants list`. It only talks to the admin REST API (MLC_API_URL, MLC_API_KEY).
import { processIo, runCli } from './cli';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
