// The scaler's own storage account: the Functions host (AzureWebJobsStorage), the Durable Functions task hub,
// the scaler's state tables and the Flex Consumption deployment package all live here. Shared keys are
// disabled, so every client (the app, azd, an operator) must use Microsoft Entra ID.

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

// Endpoints end with '/'; the service URIs the app settings use are written without it.
func withoutTrailingSlash(url string) string => endsWith(url, '/') ? substring(url, 0, length(url) - 1) : url

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output name string = storage.name
output blobServiceUri string = withoutTrailingSlash(storage.properties.primaryEndpoints.blob)
output queueServiceUri string = withoutTrailingSlash(storage.properties.primaryEndpoints.queue)
output tableServiceUri string = withoutTrailingSlash(storage.properties.primaryEndpoints.table)
