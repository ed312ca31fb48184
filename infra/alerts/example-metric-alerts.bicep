// Example metric alert rules for one target, deployed next to it. Each rule calls the scaler's action group
// and tells the scaler what to do through the custom property scaler.direction ('out' or 'in'), which Azure
// Monitor copies into data.customProperties of the common alert schema. The scaler still applies every guard
// (limits, cooldowns, one-way doors) before it acts. Tune or replace these rules for your workload.

@description('Resource id of the target cluster.')
param clusterResourceId string

@description('Target kind: postgres-elastic-cluster or kusto-cluster.')
@allowed([
  'postgres-elastic-cluster'
  'kusto-cluster'
])
param kind string

@description('Resource id of the action group that calls the scaler.')
param actionGroupId string

@description('Prefix of the alert rule names.')
param namePrefix string

@description('Tags applied to the alert rules.')
param tags object

var clusterName = last(split(clusterResourceId, '/'))

// Sustained CPU pressure asks for more capacity on both kinds; only Kusto clusters can scale in, so only they
// get a low-CPU rule (Azure does not offer scale-in for elastic clusters).
var postgresRules = [
  {
    name: 'out-cpu'
    direction: 'out'
    metricNamespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
    metricName: 'cpu_percent'
    operator: 'GreaterThan'
    threshold: 80
    windowSize: 'PT30M'
    evaluationFrequency: 'PT5M'
  }
]
var kustoRules = [
  {
    name: 'out-cpu'
    direction: 'out'
    metricNamespace: 'Microsoft.Kusto/clusters'
    metricName: 'CPU'
    operator: 'GreaterThan'
    threshold: 80
    windowSize: 'PT1H'
    evaluationFrequency: 'PT15M'
  }
  {
    name: 'in-cpu'
    direction: 'in'
    metricNamespace: 'Microsoft.Kusto/clusters'
    metricName: 'CPU'
    operator: 'LessThan'
    threshold: 20
    windowSize: 'PT6H'
    evaluationFrequency: 'PT1H'
  }
]
var rules = kind == 'postgres-elastic-cluster' ? postgresRules : kustoRules

resource metricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [for rule in rules: {
  name: take('${namePrefix}${clusterName}-${rule.name}', 260)
  location: 'global'
  tags: tags
  properties: {
    description: 'elastic-scaler example: ask the scaler to scale ${rule.direction} ${clusterName} when ${rule.metricName} is ${rule.operator} ${rule.threshold}.'
    severity: 3
    enabled: true
    scopes: [
      clusterResourceId
    ]
    evaluationFrequency: rule.evaluationFrequency
    windowSize: rule.windowSize
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: rule.name
          metricNamespace: rule.metricNamespace
          metricName: rule.metricName
          operator: rule.operator
          threshold: rule.threshold
          timeAggregation: 'Average'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroupId
        webHookProperties: {
          'scaler.direction': rule.direction
        }
      }
    ]
  }
}]
