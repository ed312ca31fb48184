import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFromSetting } from '../../../shared/config/load.js';

const example = () => readFile('examples/scaler.config.json', 'utf8');

describe('loadConfigFromSetting', () => {
  it('reads the config from inline JSON in SCALER_CONFIG', async () => {
    const { config } = await loadConfigFromSetting({ SCALER_CONFIG: await example() });
    expect(config.targets.map((target) => target.name)).toEqual(['orders-pg', 'telemetry-adx']);
  });

  it('reads the config from a file path in SCALER_CONFIG', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'scaler-config-'));
    const file = join(directory, 'config.json');
    await writeFile(file, await example());
    const { config } = await loadConfigFromSetting({ SCALER_CONFIG: file });
    expect(config.targets).toHaveLength(2);
  });

  it('says how to fix a missing setting', async () => {
    await expect(loadConfigFromSetting({})).rejects.toThrow(
      'SCALER_CONFIG is not set: set it to the config JSON or to the path of a config file',
    );
  });

  it('names a file that cannot be read', async () => {
    await expect(loadConfigFromSetting({ SCALER_CONFIG: '/nonexistent/scaler.json' })).rejects.toThrow(
      'cannot read /nonexistent/scaler.json: there is no such file; check the path',
    );
  });

  it('throws one ConfigError listing every problem', async () => {
    const broken = await readFile('examples/broken.config.json', 'utf8');
    const error = await loadConfigFromSetting({ SCALER_CONFIG: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).category).toBe('configuration');
    expect((error as ConfigError).message).toMatch(/12 problem\(s\)/);
    expect((error as ConfigError).message).toMatch(/targets\[0\]\.limits\.max: 25 is above the service maximum/);
  });
});
