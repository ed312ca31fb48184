import { describe, expect, it } from 'vitest';
import { bodyProperty, objectEntries, objectEntriesOf, stringLiteral } from './bicep.js';
import { settingsReadByCode } from './code-settings.js';
import { bicepFile } from './repo.js';

/** Settings the code reads that the deployed app must NOT get, and why. */
const LOCAL_ONLY: Record<string, string> = {
  SCALER_STATE_CONNECTION_STRING:
    'a connection string is a secret; in Azure the scaler reaches its tables through SCALER_STATE_TABLE_ENDPOINT and its managed identity',
};

/** Settings the Functions host and its extensions read (not our code): identity-based storage and telemetry. */
const HOST_SETTINGS = [
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

const functionApp = bicepFile('infra/app/function-app.bicep');
const main = bicepFile('infra/main.bicep');
const appSettingsResource = functionApp.resources.find(
  (resource) => resource.type === 'Microsoft.Web/sites/config' && bodyProperty(resource, 'name') === "'appsettings'",
);
const templateSettings = objectEntriesOf(
  functionApp,
  appSettingsResource ? (bodyProperty(appSettingsResource, 'properties') ?? '{}') : '{}',
);
const codeSettings = settingsReadByCode();
const deployedSettings = codeSettings.filter((setting) => !(setting.name in LOCAL_ONLY));

/** The main.bicep parameter default that an app setting's value comes from, when it is a plain pass-through. */
function templateDefault(setting: string): string | undefined {
  const value = templateSettings.get(setting);
  const moduleParam = value && /^(?:string\()?(\w+)\)?$/.exec(value)?.[1];
  if (!moduleParam || !functionApp.params.some((param) => param.name === moduleParam)) return undefined;
  const call = main.modules.find((module) => module.path === 'app/function-app.bicep');
  const passed = call && objectEntries(bodyProperty(call, 'params') ?? '{}').get(moduleParam);
  return main.params.find((param) => param.name === passed)?.defaultValue;
}

function literalValue(source: string): unknown {
  return /^-?\d+(\.\d+)?$/.test(source) ? Number(source) : stringLiteral(source);
}

describe('the app settings in infra/app/function-app.bicep', () => {
  it('come from one appsettings resource the reader understands', () => {
    expect(appSettingsResource).toBeDefined();
    expect(templateSettings.size).toBeGreaterThanOrEqual(HOST_SETTINGS.length);
    expect(codeSettings.map((setting) => setting.name)).toEqual(
      expect.arrayContaining(['SCALER_CONFIG', 'SCALER_SCHEDULE', 'SCALER_TASK_HUB']),
    );
  });

  it.each(deployedSettings)('set $name, which $readBy reads', ({ name }) => {
    expect(
      templateSettings.has(name),
      `${name} is read by the code but infra/app/function-app.bicep does not set it`,
    ).toBe(true);
  });

  it.each(Object.entries(LOCAL_ONLY).map(([name, why]) => ({ name, why })))(
    'leave $name out because $why',
    ({ name }) => {
      expect(
        codeSettings.some((setting) => setting.name === name),
        `${name} is no longer read by the code; remove it from LOCAL_ONLY`,
      ).toBe(true);
      expect(templateSettings.has(name)).toBe(false);
    },
  );

  it('set nothing that neither the code nor the Functions host reads (a misspelt name would go unnoticed)', () => {
    const known = new Set([...codeSettings.map((setting) => setting.name), ...HOST_SETTINGS]);
    expect([...templateSettings.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it.each(codeSettings.filter((setting) => setting.codeDefault !== undefined && !(setting.name in LOCAL_ONLY)))(
    'default $name to the code default ($codeDefault)',
    ({ name, codeDefault }) => {
      const source = templateDefault(name);
      expect(source, `${name} should come straight from a main.bicep parameter with a literal default`).toBeDefined();
      expect(literalValue(source as string)).toEqual(codeDefault);
    },
  );

  it('connect AzureWebJobsStorage (host, timers, Durable Functions) through the managed identity, not a key', () => {
    expect(templateSettings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(templateSettings.get('AzureWebJobsStorage__clientId')).toBe('identityClientId');
    for (const service of ['blob', 'queue', 'table'])
      expect(templateSettings.get(`AzureWebJobsStorage__${service}ServiceUri`)).toBe(`${service}ServiceUri`);
    expect(templateSettings.has('AzureWebJobsStorage')).toBe(false);
  });

  it('give the scaler its identity and an identity-based Table Storage endpoint', () => {
    expect(templateSettings.get('AZURE_CLIENT_ID')).toBe('identityClientId');
    expect(templateSettings.get('SCALER_STATE_TABLE_ENDPOINT')).toBe('tableServiceUri');
    expect(templateSettings.get('SCALER_CONFIG')).toBe('string(scalerConfig)');
  });

  it('send telemetry with Microsoft Entra ID authentication', () => {
    expect(templateSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      "'ClientId=${identityClientId};Authorization=AAD'",
    );
  });

  it('leave the runtime to the Flex Consumption plan (FUNCTIONS_WORKER_RUNTIME is rejected there)', () => {
    expect(templateSettings.has('FUNCTIONS_WORKER_RUNTIME')).toBe(false);
    expect(templateSettings.has('FUNCTIONS_EXTENSION_VERSION')).toBe(false);
  });
});
