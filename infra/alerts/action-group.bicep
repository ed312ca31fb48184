// An action group whose Secure Webhook calls the scaler's alert function. Azure Monitor gets a Microsoft Entra
// ID token for the app registration that protects the endpoint and posts the common alert schema.
// The HTTP API also requires a function key (authLevel 'function', functions/register.ts), which the URL
// carries: it is read from the app when the action group is deployed, never written in a template, parameter
// or azd environment. It is the alert function's own key, valid for POST /api/alerts only, never the host's
// default key (valid for every function: scale, pause, resume). Anyone who can read the action group can read
// that URL, so main.bicep creates the group only with Entra ID validation on the alert endpoint.

@description('Name of the action group.')
param name string

@description('Short name of the action group (at most 12 characters, shown in notifications).')
@maxLength(12)
param shortName string

@description('Tags applied to the action group.')
param tags object

@description('Name of the scaler Function App (in this resource group).')
param functionAppName string

@description('Name of the alert function (functions/register.ts), whose own key the URL carries.')
param functionName string

@description('Path of the alert function under the app\'s host name, e.g. api/alerts.')
param webhookPath string

@description('Object id of the Microsoft Entra app registration that protects the alert endpoint.')
param webhookAppObjectId string

@description('Application ID URI of that app registration (the token audience), e.g. api://<application id>.')
param webhookAppIdentifierUri string

resource functionApp 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource alertFunction 'Microsoft.Web/sites/functions@2024-11-01' existing = {
  parent: functionApp
  name: functionName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    groupShortName: shortName
    enabled: true
    webhookReceivers: [
      {
        name: 'elastic-scaler'
        serviceUri: 'https://${functionApp.properties.defaultHostName}/${webhookPath}?code=${alertFunction.listKeys().default}'
        useCommonAlertSchema: true
        useAadAuth: true
        objectId: webhookAppObjectId
        identifierUri: webhookAppIdentifierUri
        tenantId: tenant().tenantId
      }
    ]
  }
}

output id string = actionGroup.id
