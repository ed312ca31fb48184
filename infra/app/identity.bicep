// The one user-assigned managed identity the scaler uses for everything: ARM, Azure Monitor, its own storage,
// Application Insights and the PostgreSQL login. A user-assigned identity (not system-assigned) so its roles can
// be granted before the app exists and survive re-creating the app.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
