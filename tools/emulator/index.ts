/**
 * Local HTTPS emulator of the Azure ARM (PostgreSQL flexible servers, Kusto clusters) and Azure Monitor metrics
 * endpoints, for integration tests that drive the real Azure SDK clients. See server.ts for the request pipeline.
 */
export { startAzureEmulator, DEFAULT_API_VERSIONS } from './server.js';
export type {
  AzureEmulator,
  AzureEmulatorOptions,
  PostgresControl,
  KustoControl,
  MetricsControl,
  ResourceGraphControl,
} from './server.js';
export { RESOURCE_GRAPH_PATH, DEFAULT_RESOURCE_GRAPH_QUOTA } from './routes/resource-graph.js';
export type { ResourceGraphQuota } from './routes/resource-graph.js';
export { DEFAULT_ARM_RATE_LIMITS } from './rate-limits.js';
export type { ArmRateLimitOptions } from './rate-limits.js';
export { EmulatorClock } from './clock.js';
export { ArmError, armError } from './arm.js';
export type { ArmErrorDetail } from './arm.js';
export type { AsyncOperation } from './operations.js';
export { EMULATOR_PRINCIPAL_ID } from './faults.js';
export type {
  FaultInjector,
  ThrottleOptions,
  ServerErrorOptions,
  ForbidOptions,
  ResetOptions,
  LatencyOptions,
} from './faults.js';
export type { RequestLog, RecordedRequest, RequestMatcher } from './request-log.js';
export { MAX_CLUSTER_SIZE, POSTGRES_SERVER_TYPE } from './state/postgres.js';
export type { PostgresClusterSpec, PostgresServerBody, PostgresServerState } from './state/postgres.js';
export type { ConfigurationBody } from './state/server-configurations.js';
export type { ConfigurationProperties, ConfigurationSource } from './state/postgres-parameters.js';
export { KUSTO_CLUSTER_TYPE } from './state/kusto.js';
export type {
  KustoClusterSpec,
  KustoClusterBody,
  KustoClusterState,
  KustoProvisioningState,
  OptimizedAutoscale,
} from './state/kusto.js';
export type { KustoAvailableSku, KustoSkuCapacity } from './state/kusto-skus.js';
export { MAX_RESOURCES_PER_BATCH } from './routes/monitor.js';
export { constant, plateau, steps, perMinute, ramp, withGap, MINUTE_MS } from './metrics/load.js';
export type { MetricLoad, MinuteValue, MinuteSample } from './metrics/load.js';
export type { SeriesOptions } from './metrics/store.js';
export { metricDefinition } from './metrics/catalog.js';
export type { MetricDefinition } from './metrics/catalog.js';
export {
  StaticTokenCredential,
  FAST_LRO,
  armClientOptions,
  metricsClientOptions,
  postgresClient,
  kustoClient,
  metricsClient,
  resourceGraphClient,
} from './sdk-options.js';
export type { EmulatorTarget } from './sdk-options.js';
export { rawRequest } from './raw-request.js';
export type { RawResponse, RawRequestOptions } from './raw-request.js';
export { restErrorFrom } from './rest-error.js';
