import { describe, expect, it } from 'vitest';
import { ballastTables } from './leftovers.ts';

describe('ballastTables', () => {
  it('picks the netdev tables named ballast_* from nft -j list tables', () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'netdev', name: 'ballast_hf_1', handle: 1 } },
        { table: { family: 'inet', name: 'ballast_hf_2', handle: 2 } },
        { table: { family: 'netdev', name: 'filter', handle: 3 } },
      ],
    });
    expect(ballastTables(json)).toEqual(['ballast_hf_1']);
  });

  it('no tables is an empty list', () => {
    expect(ballastTables('{"nftables": [{"metainfo": {"version": "1.0.6"}}]}')).toEqual([]);
  });
});
