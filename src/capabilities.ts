/**
 * Importing this registers every capability's spec kinds (LoadTest, Check,
 * User, Team, Schedule, EscalationPolicy, Experiment, ...) and their bundle
 * checks with the spec loader. The spec module cannot import the capabilities
 * without a cycle, so each entry point (the CLI, the server's spec loading,
 * tests that load examples/) imports this one file instead of a list that goes
 * stale as capabilities are added. It imports only each capability's
 * registration module, not the capability: `ballast validate` should not load
 * a load generator, a browser driver and a fault daemon to read YAML.
 */
import './checks/spec/register.ts';
import './load/scenario/register.ts';
import './oncall/spec/register.ts';
import './chaos/experiment/register.ts';
