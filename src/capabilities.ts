/**
 * Importing this registers every capability's spec kinds (LoadTest, Check,
 * User, Team, Schedule, EscalationPolicy, ...) with the spec loader. The spec
 * module cannot import the capabilities without a cycle, so each entry point
 * (the CLI, the server's spec loading, tests that load examples/) imports this
 * one file instead of a list that goes stale as capabilities are added.
 */
import './checks/index.ts';
import './load/index.ts';
import './oncall/index.ts';
import './chaos/index.ts';
