import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { configJsonSchema, configReferenceMarkdown, README_FILE, SCHEMA_FILE, withReference } from '../../../scripts/config-docs.js';
import { REASON_CODES } from '../../../shared/policy/decision.js';

describe('generated documentation', () => {
  it('keeps config.schema.json in step with the schema (run npm run config:schema)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(configJsonSchema());
  });

  it('keeps the README config reference in step with the schema (run npm run config:schema)', async () => {
    const readme = await readFile(README_FILE, 'utf8');
    expect(readme).toBe(withReference(readme, configReferenceMarkdown()));
  });

  it('documents every field the schema has', () => {
    const reference = configReferenceMarkdown();
    for (const path of ['targets[].limits.default', 'targets[].rules[].timeAggregation', 'targets[].rebalance.parallelism', 'targets[].onConflictingAutoscaler', 'targets[].optimized.scaleIn.minKeepAlive']) {
      expect(reference).toContain(`\`${path}\``);
    }
  });

  it('lists every reason code in the README', async () => {
    const readme = await readFile(README_FILE, 'utf8');
    for (const reason of REASON_CODES) expect(readme).toContain(`\`${reason}\``);
  });
});
