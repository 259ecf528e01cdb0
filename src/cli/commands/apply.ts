import type { Command } from 'commander';

/** Placeholder until the command lands. */
export function registerApply(_program: Command): void {}
