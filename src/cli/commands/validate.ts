import type { Command } from 'commander';

/** Placeholder until the command lands. */
export function registerValidate(_program: Command): void {}
