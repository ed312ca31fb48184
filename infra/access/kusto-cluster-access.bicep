// What the scaler needs on one Azure Data Explorer (Kusto) cluster, assigned on the cluster itself: never on
// its resource group or subscription. Deployed into the cluster's resource group, which may be in another
// subscription.

@description('Name of the Kusto cluster in this resource group.')
param clusterName string

@description('Principal (object) id of the scaler managed identity.')
param principalId string

@description('Name (GUID) of the custom "Kusto cluster operator" role, defined by custom-roles.bicep.')
param operatorRoleName string

var builtInRoles = loadJsonContent('../built-in-roles.json')

resource cluster 'Microsoft.Kusto/clusters@2024-04-13' existing = {
  name: clusterName
}

// Reader: GET the cluster (sku.capacity, state, optimizedAutoscale) and listSkusByResource (SKU bounds).
resource clusterReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, builtInRoles.Reader)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.Reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Custom operator role: PATCH sku.capacity (and optimizedAutoscale on take-over). Built-in Contributor would
// also allow deleting the cluster and its databases; the Kusto data-plane roles are not needed at all.
resource clusterOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, operatorRoleName)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', operatorRoleName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Reader: Microsoft.Insights/metrics/read for the batched metrics queries (CPU, ...).
resource clusterMonitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, builtInRoles['Monitoring Reader'])
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Monitoring Reader'])
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
