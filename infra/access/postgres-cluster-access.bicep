// What the scaler needs on one elastic cluster (Azure Database for PostgreSQL flexible server with
// properties.cluster), assigned on the cluster itself: never on its resource group or subscription.
// Deployed into the cluster's resource group, which may be in another subscription.

@description('Name of the elastic cluster (the flexible server) in this resource group.')
param clusterName string

@description('Principal (object) id of the scaler managed identity.')
param principalId string

@description('Name (GUID) of the custom "PostgreSQL cluster operator" role, defined by custom-roles.bicep.')
param operatorRoleName string

var builtInRoles = loadJsonContent('../built-in-roles.json')

resource cluster 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' existing = {
  name: clusterName
}

// Reader: GET the server (cluster.clusterSize, state, high availability) and its server parameters.
resource clusterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, builtInRoles.Reader)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.Reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Custom operator role: PATCH cluster.clusterSize and the Citus connection server parameters. Built-in
// Contributor would also allow deleting the cluster, changing its network and reading its secrets.
resource clusterOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, operatorRoleName)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', operatorRoleName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Reader: Microsoft.Insights/metrics/read for the batched metrics queries (cpu_percent, ...).
resource clusterMonitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, builtInRoles['Monitoring Reader'])
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Monitoring Reader'])
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
