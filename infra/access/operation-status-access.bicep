// ARM reports the progress of a cluster update at a URL outside the cluster
// (/subscriptions/{id}/providers/<provider>/locations/{region}/azureAsyncOperation|operationResults/{id}),
// so a role on the cluster alone lets the scaler start an update but not follow it. Azure Resource Manager
// documents that tracking needs permission at the resource group level. This module grants only the
// operation-status reads there, once per resource group that holds a target.

@description('Principal (object) id of the scaler managed identity.')
param principalId string

@description('Name (GUID) of the custom "operation status reader" role, defined by custom-roles.bicep.')
param operationStatusRoleName string

// Custom operation status reader: read the status of the updates the scaler started, nothing else.
resource operationStatusReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, operationStatusRoleName)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', operationStatusRoleName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
