import { describe, expect, it } from 'vitest';
import { parseAppSettings } from '../../../shared/config/app-settings.js';

const minimal = {
  SCALER_CONFIG: '{"version":1}',
  SCALER_STATE_TABLE_ENDPOINT: 'https://scalerstate.table.core.windows.net',
};

describe('parseAppSettings', () => {
  it('fills the defaults', () => {
    expect(parseAppSettings(minimal)).toMatchObject({
      SCALER_CONCURRENCY: 128,
      SCALER_STATE_TABLE_PREFIX: 'scaler',
      SCALER_LEDGER_RETENTION_DAYS: 30,
      SCALER_LEASE_SECONDS: 120,
    });
  });

  it('lists every problem at once, naming each setting', () => {
    const attempt = () =>
      parseAppSettings({
        SCALER_CONCURRENCY: 'many',
        SCALER_METRICS_ENDPOINT_TEMPLATE: 'https://metrics.example',
        SCALER_STATE_TABLE_ENDPOINT: 'not a url',
      });
    expect(attempt).toThrow(/app settings: 4 problem\(s\)/);
    expect(attempt).toThrow(/SCALER_CONFIG: not set; set it to the config JSON or to the path of a config file/);
    expect(attempt).toThrow(/SCALER_CONCURRENCY: must be a whole number/);
    expect(attempt).toThrow(/SCALER_METRICS_ENDPOINT_TEMPLATE: must contain {region}/);
    expect(attempt).toThrow(/SCALER_STATE_TABLE_ENDPOINT: not a URL; set it to https:\/\/<account>/);
  });

  it('asks for a Table Storage endpoint when neither endpoint nor connection string is set', () => {
    expect(() => parseAppSettings({ SCALER_CONFIG: '{}' })).toThrow(
      /SCALER_STATE_TABLE_ENDPOINT: not set; set it to https:\/\/<account>\.table\.core\.windows\.net/,
    );
  });
});
