/** Registers the `LoadTest` kind with the spec loader (imported for its effect). */
import { registerKind } from '../../spec/index.ts';
import { loadTestSchema } from './schema.ts';

registerKind({ apiVersion: 'ballast.dev/v1', kind: 'LoadTest', schema: loadTestSchema });
