// The three custom roles that give the scaler exactly the ARM actions it uses where the built-in roles give far
// more. Role names are unique in a tenant, so they carry the environment name and a token. The roles can be
// assigned in this subscription and in every subscription that holds a target; assignments are made per
// cluster (operators) or per resource group (operation status), never on a subscription.
targetScope = 'subscription'

@description('azd environment name, used to keep role names unique in the tenant.')
param environmentName string

@description('Short token unique to this deployment, used to keep role names unique in the tenant.')
param resourceToken string

@description('Subscription ids (GUIDs) that hold targets; the roles become assignable there.')
param targetSubscriptionIds array

var suffix = '${environmentName}-${resourceToken}'
var assignableScopes = union([subscription().id], map(targetSubscriptionIds, subscriptionId => '/subscriptions/${subscriptionId}'))

resource postgresClusterOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'elastic-scaler-postgres-cluster-operator')
  properties: {
    roleName: 'elastic-scaler PostgreSQL cluster operator (${suffix})'
    description: 'Change the node count of an Azure Database for PostgreSQL elastic cluster and its server parameters. No delete, no network, no credentials.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.DBforPostgreSQL/flexibleServers/write'
          'Microsoft.DBforPostgreSQL/flexibleServers/configurations/read'
          'Microsoft.DBforPostgreSQL/flexibleServers/configurations/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

resource kustoClusterOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'elastic-scaler-kusto-cluster-operator')
  properties: {
    roleName: 'elastic-scaler Kusto cluster operator (${suffix})'
    description: 'Change the instance count (sku.capacity) and optimized autoscale of an Azure Data Explorer cluster. No delete, no databases, no data.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Kusto/clusters/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

resource operationStatusReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'elastic-scaler-operation-status-reader')
  properties: {
    roleName: 'elastic-scaler operation status reader (${suffix})'
    description: 'Read the status of long-running PostgreSQL flexible server and Kusto cluster operations.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read'
          'Microsoft.DBforPostgreSQL/locations/operationResults/read'
          'Microsoft.Kusto/locations/operationresults/read'
        ]
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

output postgresClusterOperatorRoleName string = postgresClusterOperator.name
output kustoClusterOperatorRoleName string = kustoClusterOperator.name
output operationStatusReaderRoleName string = operationStatusReader.name
