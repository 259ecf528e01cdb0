import type { Command } from 'commander';

/** Placeholder until the command lands. */
export function registerSlo(_program: Command): void {}
