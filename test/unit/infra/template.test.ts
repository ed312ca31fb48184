import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bodyProperty, mainObject, objectEntries, stringLiteral, type BicepFile } from './bicep.js';
import { bicepFile, bicepFiles, markdownSection, readText, ROOT } from './repo.js';
import { readAzureYaml } from './azure-yaml.js';
import { DIRECTION_PROPERTY } from '../../../shared/alerts/alert-ask.js';

const files = bicepFiles();
const main = bicepFile('infra/main.bicep');
const functionApp = bicepFile('infra/app/function-app.bicep');
const parametersFile = JSON.parse(readText('infra/main.parameters.json')) as {
  parameters: Record<string, { value: unknown }>;
};
const azureYaml = readAzureYaml(readText('azure.yaml'));
const packageJson = JSON.parse(readText('package.json')) as {
  main: string;
  engines: { node: string };
  scripts: Record<string, string>;
};
const allParams = files.flatMap((file) =>
  file.params.map((param) => ({ ...param, where: `${file.path}#${param.name}` })),
);

function variable(file: BicepFile, name: string): string | undefined {
  return file.vars.find((candidate) => candidate.symbol === name)?.body;
}

function resourceOfType(file: BicepFile, type: string) {
  const resource = file.resources.find((candidate) => candidate.type === type && !candidate.existing);
  if (!resource) throw new Error(`${file.path} declares no ${type}`);
  return resource;
}

describe('the Bicep templates', () => {
  it('are all read (every file has declarations the reader understood)', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(file.params.length + file.resources.length, file.path).toBeGreaterThan(0);
    expect(allParams.length).toBe(
      files.reduce((count, file) => count + [...file.text.matchAll(/^param\s/gm)].length, 0),
    );
  });

  it.each(allParams)('describe $where', ({ description }) => {
    expect(description?.trim().length ?? 0).toBeGreaterThan(10);
  });

  it('hard-code no region list: location parameters allow any region', () => {
    const locations = allParams.filter((param) => /location/i.test(param.name));
    expect(locations.length).toBeGreaterThan(0);
    for (const param of locations)
      expect(
        param.decorators.map((decorator) => decorator.name),
        param.where,
      ).not.toContain('allowed');
  });

  it('reference only module files that exist', () => {
    const modules = files.flatMap((file) => file.modules.map((module) => ({ file, module })));
    expect(modules.length).toBeGreaterThan(5);
    for (const { file, module } of modules)
      expect(existsSync(join(ROOT, dirname(file.path), module.path)), `${file.path} -> ${module.path}`).toBe(true);
  });
});

describe('module calls', () => {
  const calls = files.flatMap((file) =>
    file.modules.map((module) => ({
      file,
      module,
      target: files.find((candidate) => candidate.path === posix.join(posix.dirname(file.path), module.path)),
      where: `${file.path}#${module.symbol}`,
    })),
  );

  it.each(calls)('$where passes every parameter the module needs and no other', ({ module, target }) => {
    if (!target) throw new Error(`${module.path} is not among the Bicep files`);
    const passed = [...objectEntries(bodyProperty(module, 'params') ?? '{}').keys()].sort();
    const declared = target.params.map((param) => param.name);
    const needed = target.params.filter((param) => param.defaultValue === undefined).map((param) => param.name);
    expect(passed.filter((name) => !declared.includes(name))).toEqual([]);
    expect(needed.filter((name) => !passed.includes(name))).toEqual([]);
  });

  it.each(files.filter((file) => file.modules.length > 0).map((file) => ({ path: file.path, file })))(
    '$path uses only outputs its modules declare',
    ({ file }) => {
      const uses = [...file.text.matchAll(/\b(\w+)\.outputs\.(\w+)/g)];
      expect(uses.length).toBeGreaterThan(0);
      for (const match of uses) {
        const called = calls.find((call) => call.file === file && call.module.symbol === match[1]);
        expect(
          called?.target?.outputs.map((output) => output.symbol),
          match[0],
        ).toContain(match[2]);
      }
    },
  );
});

describe('infra/main.bicep, following azd conventions', () => {
  it('deploys at subscription scope and creates the resource group, tagged with the environment', () => {
    expect(main.targetScope).toBe('subscription');
    const group = resourceOfType(main, 'Microsoft.Resources/resourceGroups');
    expect(bodyProperty(group, 'tags')).toBe('tags');
    expect(objectEntries(variable(main, 'tags') ?? '{}').get('azd-env-name')).toBe('environmentName');
  });

  it('takes the environment name and location from azd', () => {
    expect(parametersFile.parameters['environmentName']?.value).toBe('${AZURE_ENV_NAME}');
    expect(parametersFile.parameters['location']?.value).toBe('${AZURE_LOCATION}');
    expect(parametersFile.parameters['principalId']?.value).toBe('${AZURE_PRINCIPAL_ID}');
    const location = main.params.find((param) => param.name === 'location');
    expect(location?.decorators.find((decorator) => decorator.name === 'metadata')?.args).toMatch(/type:\s*'location'/);
  });

  it('has a parameters file that names only real parameters, gives every required one and holds no literal value', () => {
    const names = main.params.map((param) => param.name);
    expect(Object.keys(parametersFile.parameters).filter((name) => !names.includes(name))).toEqual([]);
    const required = main.params.filter((param) => param.defaultValue === undefined).map((param) => param.name);
    expect(required.filter((name) => !(name in parametersFile.parameters))).toEqual([]);
    for (const [name, { value }] of Object.entries(parametersFile.parameters))
      expect(value, name).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
  });

  it.each([
    'AZURE_LOCATION',
    'AZURE_TENANT_ID',
    'AZURE_RESOURCE_GROUP',
    'SERVICE_SCALER_NAME',
    'SCALER_IDENTITY_NAME',
    'SCALER_IDENTITY_CLIENT_ID',
  ])('outputs %s', (name) => {
    expect(main.outputs.map((output) => output.symbol)).toContain(name);
  });

  it('keeps deployer data-plane access off by default', () => {
    expect(main.params.find((param) => param.name === 'grantDeployerDataAccess')?.defaultValue).toBe('false');
  });

  it('grants roles on every target in the config, so the config and the roles cannot drift apart', () => {
    expect(variable(main, 'configuredTargets')).toBe('scalerConfig.?targets ?? []');
    expect(variable(main, 'postgresClusterIds')).toContain('configuredPostgresIds');
    expect(variable(main, 'kustoClusterIds')).toContain('configuredKustoIds');
    const loops = Object.fromEntries(main.modules.map((module) => [module.path, module.body]));
    expect(loops['access/postgres-cluster-access.bicep']).toMatch(/^\[for id in postgresClusterIds:/);
    expect(loops['access/kusto-cluster-access.bicep']).toMatch(/^\[for id in kustoClusterIds:/);
    expect(loops['access/operation-status-access.bicep']).toMatch(/^\[for resourceGroupId in targetResourceGroupIds:/);
  });
});

describe('the Function App', () => {
  const site = resourceOfType(functionApp, 'Microsoft.Web/sites');
  const plan = resourceOfType(functionApp, 'Microsoft.Web/serverfarms');
  const config = objectEntries(
    mainObject(objectEntries(bodyProperty(site, 'properties') ?? '{}').get('functionAppConfig') ?? '{}'),
  );

  it('runs on the Flex Consumption plan', () => {
    expect(objectEntries(bodyProperty(plan, 'sku') ?? '{}').get('name')).toBe("'FC1'");
    expect(objectEntries(bodyProperty(plan, 'sku') ?? '{}').get('tier')).toBe("'FlexConsumption'");
  });

  it('runs Node.js, by default the major version package.json asks for', () => {
    const runtime = objectEntries(config.get('runtime') ?? '{}');
    expect(runtime.get('name')).toBe("'node'");
    expect(runtime.get('version')).toBe('nodeVersion');
    expect(main.params.find((param) => param.name === 'nodeVersion')?.defaultValue).toBe(
      `'${/\d+/.exec(packageJson.engines.node)?.[0]}'`,
    );
  });

  it('reads its deployment package with the user-assigned identity, not a connection string', () => {
    const storage = objectEntries(objectEntries(config.get('deployment') ?? '{}').get('storage') ?? '{}');
    expect(objectEntries(storage.get('authentication') ?? '{}').get('type')).toBe("'UserAssignedIdentity'");
    expect(bodyProperty(site, 'identity')).toMatch(/type:\s*'UserAssigned'/);
  });

  it('carries the azd-service-name tag of the service in azure.yaml', () => {
    expect(bodyProperty(site, 'tags')).toBe("union(tags, { 'azd-service-name': serviceName })");
    const call = main.modules.find((module) => module.path === 'app/function-app.bicep');
    if (!call) throw new Error('main.bicep does not deploy app/function-app.bicep');
    expect(objectEntries(bodyProperty(call, 'params') ?? '{}').get('serviceName')).toBe('serviceName');
    expect(stringLiteral(variable(main, 'serviceName') ?? '')).toBe(azureYaml.serviceName);
  });
});

describe('no secrets', () => {
  const infraText =
    files.map((file) => file.text).join('\n') + readText('infra/main.parameters.json') + readText('azure.yaml');

  it.each([
    {
      name: 'account keys',
      pattern: /AccountKey=|listKeys\(\s*resourceId\(\s*'Microsoft\.Storage|\.listKeys\(\)\.keys/,
    },
    { name: 'storage connection strings', pattern: /DefaultEndpointsProtocol=|UseDevelopmentStorage/ },
    { name: 'SAS tokens', pattern: /SharedAccessSignature|[?&]sig=/ },
    { name: 'instrumentation keys', pattern: /InstrumentationKey=/ },
    { name: 'passwords', pattern: /password\s*[:=]/i },
    {
      name: 'GUID literals (role ids live in built-in-roles.json)',
      pattern: /'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'/i,
    },
  ])('holds no $name', ({ pattern }) => {
    expect(infraText).not.toMatch(pattern);
  });

  it('declares no secure parameter with a default value', () => {
    for (const param of allParams.filter((candidate) =>
      candidate.decorators.some((decorator) => decorator.name === 'secure'),
    ))
      expect(param.defaultValue, param.where).toBeUndefined();
  });

  it('turns shared keys off on the storage account and local authentication off on Application Insights', () => {
    const storage = resourceOfType(bicepFile('infra/app/storage.bicep'), 'Microsoft.Storage/storageAccounts');
    expect(objectEntries(bodyProperty(storage, 'properties') ?? '{}').get('allowSharedKeyAccess')).toBe('false');
    const insights = resourceOfType(bicepFile('infra/app/monitoring.bicep'), 'Microsoft.Insights/components');
    expect(objectEntries(bodyProperty(insights, 'properties') ?? '{}').get('DisableLocalAuth')).toBe('true');
  });

  it('turns basic (publishing credential) authentication off on the app', () => {
    const policies = functionApp.resources.filter(
      (resource) => resource.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies',
    );
    expect(policies.map((policy) => bodyProperty(policy, 'name')).sort()).toEqual(["'ftp'", "'scm'"]);
    for (const policy of policies) expect(bodyProperty(policy, 'properties')).toMatch(/allow:\s*false/);
  });
});

describe('the alert webhook', () => {
  const register = readText('functions/register.ts');
  const registration = /host\.http\(\s*'\w+'\s*,\s*\{([^}]*\balertWebhookHandler\b[^}]*)\}/.exec(register)?.[1];
  const route = registration && /route:\s*'([^']+)'/.exec(registration)?.[1];
  const authLevelSource = registration && /authLevel(?::\s*'(\w+)')?/.exec(registration);
  const authLevel = authLevelSource?.[1] ?? /const authLevel\s*=\s*'(\w+)'/.exec(register)?.[1] ?? 'function';
  const hostJson = JSON.parse(readText('host.json')) as { extensions?: { http?: { routePrefix?: string } } };
  const routePrefix = hostJson.extensions?.http?.routePrefix ?? 'api';
  const actionGroup = resourceOfType(bicepFile('infra/alerts/action-group.bicep'), 'Microsoft.Insights/actionGroups');
  const receiver = objectEntries(
    mainObject(objectEntries(bodyProperty(actionGroup, 'properties') ?? '{}').get('webhookReceivers') ?? '[{}]'),
  );

  it('is called at the route the alert function is registered on', () => {
    expect(route, 'functions/register.ts registers no http function with alertWebhookHandler').toBeDefined();
    expect(stringLiteral(variable(main, 'alertWebhookPath') ?? '')).toBe(posix.join(routePrefix, route as string));
  });

  it('is a Secure Webhook with the common alert schema', () => {
    expect(receiver.get('useAadAuth')).toBe('true');
    expect(receiver.get('useCommonAlertSchema')).toBe('true');
    expect(receiver.get('identifierUri')).toBe('webhookAppIdentifierUri');
  });

  it("carries the alert function's own key, read from the app at deployment, never the host key valid for every function", () => {
    const file = bicepFile('infra/alerts/action-group.bicep');
    const uri = receiver.get('serviceUri') ?? '';
    const functionKeySource = file.resources.find((resource) => resource.symbol === 'alertFunction');
    const call = main.modules.find((module) => module.path === 'alerts/action-group.bicep');
    const registeredName = /host\.http\(\s*'(\w+)'\s*,\s*\{[^}]*\balertWebhookHandler\b/.exec(register)?.[1];

    if (authLevel === 'anonymous') expect(uri).not.toContain('?code=');
    else expect(uri).toMatch(/\?code=\$\{alertFunction\.listKeys\(\)\.default\}'$/);
    expect(functionKeySource).toMatchObject({ type: 'Microsoft.Web/sites/functions', existing: true });
    expect(bodyProperty(functionKeySource!, 'name')).toBe('functionName');
    expect(objectEntries(bodyProperty(call!, 'params') ?? '{}').get('functionName')).toBe('alertFunctionName');
    expect(stringLiteral(variable(main, 'alertFunctionName') ?? '')).toBe(registeredName);
    expect(file.text).not.toMatch(/functionKeys|Microsoft\.Web\/sites\/host@/);
  });

  it('fails the deployment when an action group is wired while the alert endpoint does not need an Entra ID token', () => {
    const guard = variable(main, 'alertWebhookProtected') ?? '';
    const call = main.modules.find((module) => module.path === 'alerts/action-group.bicep');

    expect(guard).toMatch(
      /^!alertActionGroupEnabled \|\| \(!empty\(httpEntraAudiences\) && httpEntraApplyTo != 'operators'\) \? true : fail\('alertActionGroupEnabled needs Microsoft Entra ID on the alert endpoint: /,
    );
    expect(call?.body).toMatch(/^if \(alertActionGroupEnabled && alertWebhookProtected\)/);
  });

  it('example alert rules tell the scaler the direction through the custom property the code reads', () => {
    const rules = bicepFile('infra/alerts/example-metric-alerts.bicep');
    const alert = resourceOfType(rules, 'Microsoft.Insights/metricAlerts');
    const actions = objectEntries(bodyProperty(alert, 'properties') ?? '{}').get('actions') ?? '[{}]';
    const properties = objectEntries(objectEntries(mainObject(actions)).get('webHookProperties') ?? '{}');
    expect([...properties.keys()]).toEqual([DIRECTION_PROPERTY]);
    expect(properties.get(DIRECTION_PROPERTY)).toBe('rule.direction');
    const directions = [...rules.text.matchAll(/direction:\s*'(\w+)'/g)].map((match) => match[1]);
    expect(new Set(directions)).toEqual(new Set(['out', 'in']));
  });
});

describe('azure.yaml', () => {
  it('deploys one TypeScript function app from the project root', () => {
    expect(azureYaml.services).toEqual([{ name: 'scaler', project: '.', language: 'ts', host: 'function' }]);
  });

  it('points at a project azd can build and the Functions host can load', () => {
    const project = join(ROOT, azureYaml.services[0]?.project ?? '');
    for (const file of ['package.json', 'host.json', 'functions/index.ts'])
      expect(existsSync(join(project, file)), file).toBe(true);
    expect(packageJson.scripts['build']).toBeDefined();
    expect(packageJson.main).toBe('dist/functions/index.js');
  });

  it('provisions infra/main.bicep', () => {
    expect(azureYaml.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(existsSync(join(ROOT, 'infra/main.bicep'))).toBe(true);
  });

  it('ships what the app needs and lets the platform install node_modules (.funcignore)', () => {
    const ignored = readText('.funcignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toContain('node_modules');
    const matches = (path: string) =>
      ignored.some((pattern) =>
        new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(
          path.split('/')[0] as string,
        ),
      );
    for (const needed of [
      'package.json',
      'package-lock.json',
      'host.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'functions',
      'shared',
      'dist',
    ])
      expect(matches(needed), needed).toBe(false);
    for (const unwanted of ['test', 'bench', 'infra', '.azure', 'local.settings.json'])
      expect(matches(unwanted), unwanted).toBe(true);
  });
});

describe('the README Deploy section', () => {
  const deploy = markdownSection(readText('README.md'), '## Deploy');

  it.each([
    'azd up',
    'azd down',
    'pgaadauth_create_principal(',
    'scaler.direction',
    'Secure Webhook',
    'useCommonAlertSchema',
  ])('explains %s', (phrase) => {
    expect(deploy).toContain(phrase);
  });

  it.each(main.params.map((param) => ({ name: param.name })))('documents the $name parameter', ({ name }) => {
    expect(deploy).toContain(`\`${name}\``);
  });
});
