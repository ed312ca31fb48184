// elastic-scaler: everything `azd up` creates. Deployed at subscription scope so it can create the resource
// group, define the custom roles and grant the scaler's identity its roles on target clusters that live in
// other resource groups (or subscriptions). Nothing here needs or stores a secret.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------------
// azd environment
// ---------------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region of the scaler\'s own resources. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations). Target clusters may be anywhere.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group to create; empty means rg-<environmentName>.')
param resourceGroupName string = ''

// ---------------------------------------------------------------------------------------------------------
// What to scale
// ---------------------------------------------------------------------------------------------------------

@description('The scaler config document (version 1, see config.schema.json), stored in the app setting SCALER_CONFIG. The scaler identity gets its roles on every target resourceId it lists.')
param scalerConfig object

@description('More elastic cluster resource ids to grant the scaler access to, beyond the postgres-elastic-cluster targets of scalerConfig (e.g. clusters you will add to the config later).')
param postgresClusterResourceIds array = []

@description('More Kusto (Azure Data Explorer) cluster resource ids to grant the scaler access to, beyond the kusto-cluster targets of scalerConfig.')
param kustoClusterResourceIds array = []

// ---------------------------------------------------------------------------------------------------------
// App settings (defaults match shared/config/app-settings.ts; a test keeps them in step)
// ---------------------------------------------------------------------------------------------------------

@description('NCRONTAB schedule of the evaluateTargets timer (SCALER_SCHEDULE); every minute by default.')
param schedule string = '0 */1 * * * *'

@description('Durable Functions task hub name (SCALER_TASK_HUB): 3-45 letters and digits, starting with a letter.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'elasticscaler'

@description('Prefix of the tables the scaler creates in its storage account (SCALER_STATE_TABLE_PREFIX).')
param stateTablePrefix string = 'scaler'

@description('Regional Azure Monitor metrics endpoint with a {region} placeholder (SCALER_METRICS_ENDPOINT_TEMPLATE); change it only for a sovereign cloud.')
param metricsEndpointTemplate string = 'https://{region}.metrics.monitor.azure.com'

@description('Targets evaluated at once (SCALER_CONCURRENCY).')
@minValue(1)
param concurrency int = 128

@description('How a timer tick reads the live state of the fleet: one Resource Graph query per 1,000 targets (resource-graph) or one ARM GET per target (arm) (SCALER_FLEET_READ).')
@allowed(['resource-graph', 'arm'])
param fleetRead string = 'resource-graph'

@description('ARM requests the scaler has in flight at once (SCALER_ARM_CONCURRENCY).')
@minValue(1)
param armConcurrency int = 16

@description('Azure Monitor metrics requests the scaler has in flight at once (SCALER_MONITOR_CONCURRENCY).')
@minValue(1)
param monitorConcurrency int = 16

@description('Table Storage requests the scaler has in flight at once (SCALER_TABLE_CONCURRENCY).')
@minValue(1)
param tableConcurrency int = 128

@description('How long a lease protects one act on a target, in seconds (SCALER_LEASE_SECONDS).')
@minValue(1)
param leaseSeconds int = 120

@description('Raises the elastic-cluster node maximum (20 at general availability) once the service allows more (SCALER_ELASTIC_CLUSTER_MAX_NODES); 0 keeps the service maximum.')
@minValue(0)
@maxValue(1000)
param elasticClusterMaxNodes int = 0

@description('Days the decision ledger is kept (SCALER_LEDGER_RETENTION_DAYS).')
@minValue(1)
param ledgerRetentionDays int = 30

@description('Days alert receipts are kept for de-duplication (SCALER_ALERT_RECEIPT_RETENTION_DAYS).')
@minValue(1)
param alertReceiptRetentionDays int = 7

// ---------------------------------------------------------------------------------------------------------
// Microsoft Entra ID validation of the HTTP API (on top of function keys; off until audiences are given)
// ---------------------------------------------------------------------------------------------------------

@description('Accepted token audiences, comma-separated: the application ID URI and/or client id of the scaler app registration (SCALER_ENTRA_AUDIENCES). Empty leaves Entra ID validation off; the tenant is this deployment\'s tenant.')
param httpEntraAudiences string = ''

@description('Which endpoints need an Entra ID token on top of the function key: all, alerts or operators (SCALER_ENTRA_APPLY_TO).')
@allowed([
  'all'
  'alerts'
  'operators'
])
param httpEntraApplyTo string = 'all'

@description('App role an operator token must carry (SCALER_ENTRA_OPERATOR_ROLE).')
param httpEntraOperatorRole string = 'Scaler.Operate'

@description('App role the alert webhook token must carry: the role assigned to Azure Monitor\'s action groups (SCALER_ENTRA_ALERT_ROLE). A token without it gets 403.')
param httpEntraAlertRole string = 'ActionGroupsSecureWebhook'

@description('App role that may read status; the operator role may too (SCALER_ENTRA_READER_ROLE). A token with neither gets 403.')
param httpEntraReaderRole string = 'Scaler.Read'

@description('Accepted token issuers, comma-separated (SCALER_ENTRA_ISSUERS); empty uses the tenant\'s v2.0 and v1 issuers. Set it for a sovereign cloud.')
param httpEntraIssuers string = ''

@description('Where the token signing keys are published (SCALER_ENTRA_JWKS_URI); empty uses the public cloud endpoint. Set it for a sovereign cloud.')
param httpEntraJwksUri string = ''

// ---------------------------------------------------------------------------------------------------------
// Hosting and monitoring
// ---------------------------------------------------------------------------------------------------------

@description('Most Flex Consumption instances the app may use. The scaler needs few: leases keep one act per target.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Node.js major version the app runs on; package.json engines must allow it.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Days the Log Analytics workspace keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ---------------------------------------------------------------------------------------------------------
// The person (or pipeline) running azd
// ---------------------------------------------------------------------------------------------------------

@description('Object id of the deployer (azd sets AZURE_PRINCIPAL_ID). Used only when grantDeployerDataAccess is true.')
param principalId string = ''

@description('Principal type of the deployer (azd sets AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Grant the deployer data-plane access (blobs, queues, tables) to the scaler storage account, e.g. to run the Functions host locally against it. Off by default.')
param grantDeployerDataAccess bool = false

// ---------------------------------------------------------------------------------------------------------
// Alerts (optional)
// ---------------------------------------------------------------------------------------------------------

@description('Create an action group whose Secure Webhook posts alerts (common alert schema) to the scaler alert function. Turn it on after the first azd up: the webhook URL needs the deployed app\'s function key.')
param alertActionGroupEnabled bool = false

@description('Object id of the Microsoft Entra app registration that protects the alert endpoint (required when alertActionGroupEnabled is true).')
param alertWebhookAppObjectId string = ''

@description('Application ID URI of that app registration, the audience of the tokens Azure Monitor sends (required when alertActionGroupEnabled is true).')
param alertWebhookAppIdentifierUri string = ''

@description('Also create example metric alert rules (CPU) on every target, each telling the scaler which way to go through the scaler.direction custom property. Needs alertActionGroupEnabled.')
param exampleAlertRulesEnabled bool = false

// ---------------------------------------------------------------------------------------------------------
// Names and targets
// ---------------------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// The service in azure.yaml; the function app carries it as the azd-service-name tag.
var serviceName = 'scaler'
var functionAppName = '${abbrs.webSitesFunctions}scaler-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// The alert function's name and route (functions/register.ts); a test keeps them in step.
var alertFunctionName = 'alertWebhook'
var alertWebhookPath = 'api/alerts'

// The action group's URL carries a function key that anyone who can read the group can read, so an action group
// is only created when the alert endpoint also needs Azure Monitor's Microsoft Entra ID token.
var alertWebhookProtected = !alertActionGroupEnabled || (!empty(httpEntraAudiences) && httpEntraApplyTo != 'operators') ? true : fail('alertActionGroupEnabled needs Microsoft Entra ID on the alert endpoint: set SCALER_ENTRA_AUDIENCES to the app registration\'s application ID URI and SCALER_ENTRA_APPLY_TO to all or alerts (not operators)')

// Targets: every resourceId in the config plus the extra ids, lower-cased so each gets exactly one set of
// role assignments however its id is spelled.
var configuredTargets = scalerConfig.?targets ?? []
var configuredPostgresIds = map(filter(configuredTargets, target => target.kind == 'postgres-elastic-cluster'), target => toLower(target.resourceId))
var configuredKustoIds = map(filter(configuredTargets, target => target.kind == 'kusto-cluster'), target => toLower(target.resourceId))
var postgresClusterIds = union(configuredPostgresIds, map(postgresClusterResourceIds, id => toLower(id)))
var kustoClusterIds = union(configuredKustoIds, map(kustoClusterResourceIds, id => toLower(id)))
var targetIds = concat(postgresClusterIds, kustoClusterIds)

// A resource id reads /subscriptions/{0}/resourceGroups/{1}/providers/...: segments 2 and 4 after a split.
var targetSubscriptionIds = union(map(targetIds, id => split(id, '/')[2]), [])
var targetResourceGroupIds = union(map(targetIds, id => '/subscriptions/${split(id, '/')[2]}/resourcegroups/${split(id, '/')[4]}'), [])
var alertTargets = concat(map(postgresClusterIds, id => { id: id, kind: 'postgres-elastic-cluster' }), map(kustoClusterIds, id => { id: id, kind: 'kusto-cluster' }))

// ---------------------------------------------------------------------------------------------------------
// The scaler's own resources
// ---------------------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}scaler-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module appAccess 'app/app-access.bicep' = {
  name: 'app-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    grantDeployerDataAccess: grantDeployerDataAccess
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobServiceUri: storage.outputs.blobServiceUri
    queueServiceUri: storage.outputs.queueServiceUri
    tableServiceUri: storage.outputs.tableServiceUri
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    nodeVersion: nodeVersion
    scalerConfig: scalerConfig
    schedule: schedule
    taskHubName: taskHubName
    stateTablePrefix: stateTablePrefix
    metricsEndpointTemplate: metricsEndpointTemplate
    concurrency: concurrency
    fleetRead: fleetRead
    armConcurrency: armConcurrency
    monitorConcurrency: monitorConcurrency
    tableConcurrency: tableConcurrency
    leaseSeconds: leaseSeconds
    elasticClusterMaxNodes: elasticClusterMaxNodes
    ledgerRetentionDays: ledgerRetentionDays
    alertReceiptRetentionDays: alertReceiptRetentionDays
    entraAudiences: httpEntraAudiences
    entraApplyTo: httpEntraApplyTo
    entraOperatorRole: httpEntraOperatorRole
    entraAlertRole: httpEntraAlertRole
    entraReaderRole: httpEntraReaderRole
    entraIssuers: httpEntraIssuers
    entraJwksUri: httpEntraJwksUri
  }
  // The host starts as soon as the app exists: let it find its storage and telemetry roles in place.
  dependsOn: [
    appAccess
  ]
}

// ---------------------------------------------------------------------------------------------------------
// Least-privilege access to the targets
// ---------------------------------------------------------------------------------------------------------

module customRoles 'access/custom-roles.bicep' = {
  name: 'custom-roles'
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    targetSubscriptionIds: targetSubscriptionIds
  }
}

module postgresAccess 'access/postgres-cluster-access.bicep' = [for id in postgresClusterIds: {
  name: take('${environmentName}-scaler-pg-${uniqueString(id)}', 64)
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  params: {
    clusterName: last(split(id, '/'))
    principalId: identity.outputs.principalId
    operatorRoleName: customRoles.outputs.postgresClusterOperatorRoleName
  }
}]

module kustoAccess 'access/kusto-cluster-access.bicep' = [for id in kustoClusterIds: {
  name: take('${environmentName}-scaler-kusto-${uniqueString(id)}', 64)
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  params: {
    clusterName: last(split(id, '/'))
    principalId: identity.outputs.principalId
    operatorRoleName: customRoles.outputs.kustoClusterOperatorRoleName
  }
}]

module operationStatusAccess 'access/operation-status-access.bicep' = [for resourceGroupId in targetResourceGroupIds: {
  name: take('${environmentName}-scaler-ops-${uniqueString(resourceGroupId)}', 64)
  scope: resourceGroup(split(resourceGroupId, '/')[2], split(resourceGroupId, '/')[4])
  params: {
    principalId: identity.outputs.principalId
    operationStatusRoleName: customRoles.outputs.operationStatusReaderRoleName
  }
}]

// ---------------------------------------------------------------------------------------------------------
// Alerts (optional)
// ---------------------------------------------------------------------------------------------------------

module actionGroup 'alerts/action-group.bicep' = if (alertActionGroupEnabled && alertWebhookProtected) {
  name: 'action-group'
  scope: rg
  params: {
    name: '${abbrs.insightsActionGroups}scaler-${resourceToken}'
    shortName: 'scaler'
    tags: tags
    functionAppName: functionApp.outputs.name
    functionName: alertFunctionName
    webhookPath: alertWebhookPath
    webhookAppObjectId: alertWebhookAppObjectId
    webhookAppIdentifierUri: alertWebhookAppIdentifierUri
  }
}

module exampleAlerts 'alerts/example-metric-alerts.bicep' = [for target in alertTargets: if (alertActionGroupEnabled && exampleAlertRulesEnabled) {
  name: take('${environmentName}-scaler-alerts-${uniqueString(target.id)}', 64)
  scope: resourceGroup(split(target.id, '/')[2], split(target.id, '/')[4])
  params: {
    clusterResourceId: target.id
    kind: target.kind
    actionGroupId: actionGroup.outputs.id
    namePrefix: '${abbrs.insightsMetricAlerts}scaler-${environmentName}-'
    tags: tags
  }
}]

// ---------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in .azure/<environment>/.env)
// ---------------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_SCALER_NAME string = functionApp.outputs.name
output SERVICE_SCALER_URI string = 'https://${functionApp.outputs.defaultHostName}'
output SCALER_ALERT_WEBHOOK_URL string = 'https://${functionApp.outputs.defaultHostName}/${alertWebhookPath}'
output SCALER_IDENTITY_NAME string = identity.outputs.name
output SCALER_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output SCALER_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SCALER_STATE_TABLE_ENDPOINT string = storage.outputs.tableServiceUri
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output SCALER_ACTION_GROUP_ID string = alertActionGroupEnabled ? actionGroup.outputs.id : ''
output SCALER_POSTGRES_CLUSTER_IDS array = postgresClusterIds
output SCALER_KUSTO_CLUSTER_IDS array = kustoClusterIds
