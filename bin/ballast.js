#!/usr/bin/env node
import module from 'node:module';

// Node caches the compiled (and type-stripped) modules on disk, which more than
// halves the CLI's start-up CPU on every run after the first. It must be on
// before the CLI's modules load, hence the dynamic import. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
// The fault daemon runs for days beside what it faults: it loads only itself (src/cli/daemon-main.ts).
const [command, sub] = process.argv.slice(2);
await import(command === 'chaos' && sub === 'proxy' ? '../src/cli/daemon-main.ts' : '../src/cli/main.ts');
