// The Function App on the Flex Consumption plan (Linux, Node.js 20) and every app setting the code reads.
// All connections are identity-based: no connection string, key or SAS token is stored anywhere.

@description('Name of the Function App (also its default host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app; the app also gets the azd-service-name tag.')
param tags object

@description('The azd service name from azure.yaml that deploys to this app.')
param serviceName string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of the user-assigned managed identity (AZURE_CLIENT_ID and the storage and telemetry connections).')
param identityClientId string

@description('Blob service URI (no trailing slash) of the storage account behind AzureWebJobsStorage, Durable Functions and the state tables.')
param blobServiceUri string

@description('Queue service URI of the same storage account.')
param queueServiceUri string

@description('Table service URI of the same storage account.')
param tableServiceUri string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (not a secret: local authentication is disabled).')
param applicationInsightsConnectionString string

@description('Most instances the app may scale out to.')
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
param instanceMemoryMB int

@description('Node.js major version of the Flex Consumption runtime.')
param nodeVersion string

@description('The scaler config document (SCALER_CONFIG).')
param scalerConfig object

@description('NCRONTAB schedule of the evaluateTargets timer (SCALER_SCHEDULE).')
param schedule string

@description('Durable Functions task hub name (SCALER_TASK_HUB, read by host.json).')
param taskHubName string

@description('Prefix of the tables the scaler creates (SCALER_STATE_TABLE_PREFIX).')
param stateTablePrefix string

@description('Regional Azure Monitor metrics endpoint, with {region} (SCALER_METRICS_ENDPOINT_TEMPLATE).')
param metricsEndpointTemplate string

@description('Targets evaluated at once (SCALER_CONCURRENCY).')
param concurrency int

@description('How a timer tick reads the fleet: resource-graph or arm (SCALER_FLEET_READ).')
param fleetRead string

@description('ARM requests in flight at once (SCALER_ARM_CONCURRENCY).')
param armConcurrency int

@description('Azure Monitor metrics requests in flight at once (SCALER_MONITOR_CONCURRENCY).')
param monitorConcurrency int

@description('Table Storage requests in flight at once (SCALER_TABLE_CONCURRENCY).')
param tableConcurrency int

@description('How long a lease protects one act, in seconds (SCALER_LEASE_SECONDS).')
param leaseSeconds int

@description('Raises the elastic-cluster node maximum once the service allows more than 20 (SCALER_ELASTIC_CLUSTER_MAX_NODES); 0 keeps the service maximum.')
param elasticClusterMaxNodes int

@description('Days the decision ledger is kept (SCALER_LEDGER_RETENTION_DAYS).')
param ledgerRetentionDays int

@description('Days alert receipts are kept (SCALER_ALERT_RECEIPT_RETENTION_DAYS).')
param alertReceiptRetentionDays int

@description('Accepted token audiences, comma-separated (SCALER_ENTRA_AUDIENCES); empty leaves Microsoft Entra ID validation of the HTTP API off.')
param entraAudiences string

@description('Which endpoints need a Microsoft Entra ID token on top of the function key (SCALER_ENTRA_APPLY_TO).')
@allowed([
  'all'
  'alerts'
  'operators'
])
param entraApplyTo string

@description('App role an operator token must carry (SCALER_ENTRA_OPERATOR_ROLE).')
param entraOperatorRole string

@description('App role the alert webhook token must carry (SCALER_ENTRA_ALERT_ROLE).')
param entraAlertRole string

@description('App role that may read status; the operator role may too (SCALER_ENTRA_READER_ROLE).')
param entraReaderRole string

@description('Accepted token issuers, comma-separated (SCALER_ENTRA_ISSUERS); empty uses the tenant\'s v2.0 and v1 issuers.')
param entraIssuers string

@description('Where the token signing keys are published (SCALER_ENTRA_JWKS_URI); empty uses the public cloud endpoint of the tenant.')
param entraJwksUri string

// environment().resourceManager ends with '/'; SCALER_ARM_ENDPOINT is documented without it.
func withoutTrailingSlash(url string) string => endsWith(url, '/') ? substring(url, 0, length(url) - 1) : url

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobServiceUri}/${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// Flex Consumption sets the runtime in functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not appear here. test/unit/infra/app-settings.test.ts checks these keys
// against the settings the code reads.
var coreSettings = {
  // Functions host storage and the Durable Functions task hub, through the managed identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobServiceUri
  AzureWebJobsStorage__queueServiceUri: queueServiceUri
  AzureWebJobsStorage__tableServiceUri: tableServiceUri
  // Telemetry with Microsoft Entra ID authentication.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The scaler (shared/config/app-settings.ts, host.json, functions/register.ts).
  AZURE_CLIENT_ID: identityClientId
  SCALER_CONFIG: string(scalerConfig)
  SCALER_SCHEDULE: schedule
  SCALER_TASK_HUB: taskHubName
  SCALER_STATE_TABLE_ENDPOINT: tableServiceUri
  SCALER_STATE_TABLE_PREFIX: stateTablePrefix
  SCALER_ARM_ENDPOINT: withoutTrailingSlash(environment().resourceManager)
  SCALER_METRICS_ENDPOINT_TEMPLATE: metricsEndpointTemplate
  SCALER_CONCURRENCY: string(concurrency)
  SCALER_FLEET_READ: fleetRead
  SCALER_ARM_CONCURRENCY: string(armConcurrency)
  SCALER_MONITOR_CONCURRENCY: string(monitorConcurrency)
  SCALER_TABLE_CONCURRENCY: string(tableConcurrency)
  SCALER_LEASE_SECONDS: string(leaseSeconds)
  SCALER_LEDGER_RETENTION_DAYS: string(ledgerRetentionDays)
  SCALER_ALERT_RECEIPT_RETENTION_DAYS: string(alertReceiptRetentionDays)
}

// Only written when set: the code refuses a value that would lower the service maximum.
var serviceMaximumSettings = elasticClusterMaxNodes > 0 ? { SCALER_ELASTIC_CLUSTER_MAX_NODES: string(elasticClusterMaxNodes) } : {}

// Microsoft Entra ID validation of the HTTP API: on when audiences are given. The code rejects these settings
// when empty, so they are only written when they have a value.
var entraSettings = {
  SCALER_ENTRA_TENANT_ID: tenant().tenantId
  SCALER_ENTRA_AUDIENCES: entraAudiences
  SCALER_ENTRA_APPLY_TO: entraApplyTo
  SCALER_ENTRA_OPERATOR_ROLE: entraOperatorRole
  SCALER_ENTRA_ALERT_ROLE: entraAlertRole
  SCALER_ENTRA_READER_ROLE: entraReaderRole
}
var entraOptionalSettings = {
  SCALER_ENTRA_ISSUERS: entraIssuers
  SCALER_ENTRA_JWKS_URI: entraJwksUri
}
var entraSettingsWithValues = toObject(filter(items(entraOptionalSettings), setting => !empty(setting.value)), setting => setting.key, setting => setting.value)

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(coreSettings, serviceMaximumSettings, empty(entraAudiences) ? {} : union(entraSettings, entraSettingsWithValues))
}

// No basic (publishing-profile) authentication: azd deploys with a Microsoft Entra ID token.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
