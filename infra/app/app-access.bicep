// Data-plane roles on the scaler's own resources, each scoped to one resource (never the resource group).
// Optionally the same storage roles for the person who runs `azd up`, off by default.

@description('Name of the scaler storage account.')
param storageAccountName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Principal (object) id of the scaler managed identity.')
param identityPrincipalId string

@description('Also grant the deployer the storage data roles, to run the Functions host locally against this account.')
param grantDeployerDataAccess bool

@description('Principal (object) id of the deployer; only used when grantDeployerDataAccess is true.')
param deployerPrincipalId string

@description('Principal type of the deployer.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string

var builtInRoles = loadJsonContent('../built-in-roles.json')
var deployerGetsAccess = grantDeployerDataAccess && !empty(deployerPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Storage Blob Data Owner: the Functions host keeps its leases, timer schedules and keys in blobs
// (AzureWebJobsStorage needs Owner, not Contributor), Durable Functions keeps partition leases and large
// messages there, and Flex Consumption reads the deployment package with this identity.
resource scalerBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, builtInRoles['Storage Blob Data Owner'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Blob Data Owner'])
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor: Durable Functions' control and work-item queues (the follow-up orchestration).
resource scalerQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, builtInRoles['Storage Queue Data Contributor'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Queue Data Contributor'])
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor: the scaler's state (leases, operations, the ledger, pause flags, alert
// receipts) and Durable Functions' history and instance tables.
resource scalerTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, builtInRoles['Storage Table Data Contributor'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Table Data Contributor'])
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher: send telemetry to Application Insights with Microsoft Entra ID, since the
// component has local (instrumentation key) authentication disabled.
resource scalerMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityPrincipalId, builtInRoles['Monitoring Metrics Publisher'])
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Monitoring Metrics Publisher'])
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Deployer, optional: the same blob role, to run the Functions host locally against this account.
resource deployerBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerGetsAccess) {
  name: guid(storage.id, deployerPrincipalId, builtInRoles['Storage Blob Data Owner'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Blob Data Owner'])
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// Deployer, optional: the same queue role (Durable Functions when the host runs locally).
resource deployerQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerGetsAccess) {
  name: guid(storage.id, deployerPrincipalId, builtInRoles['Storage Queue Data Contributor'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Queue Data Contributor'])
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// Deployer, optional: the same table role, to read the ledger and state while debugging.
resource deployerTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerGetsAccess) {
  name: guid(storage.id, deployerPrincipalId, builtInRoles['Storage Table Data Contributor'])
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Table Data Contributor'])
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}
