/**
 * The server parameters ("configurations") an emulated elastic cluster starts with. The static entries are copied
 * from a real server's listing (including which ones Azure reports as `user-override`, docs/azure-api-shapes.md);
 * the Citus connection settings follow the node count as Azure describes (docs/citus-rebalance.md).
 */
export type ConfigurationSource = 'system-default' | 'user-override';

export interface ConfigurationProperties {
  value: string;
  description: string;
  defaultValue: string;
  dataType: 'Boolean' | 'Integer' | 'Numeric' | 'Enumeration' | 'String' | 'Set';
  allowedValues: string;
  source: ConfigurationSource;
  isDynamicConfig: boolean;
  isReadOnly: boolean;
  isConfigPendingRestart: boolean;
  unit?: string;
  documentationLink: string;
}

export type ConfigurationSeed = Omit<ConfigurationProperties, 'value' | 'source' | 'isConfigPendingRestart'> & {
  name: string;
  value?: string;
  source?: ConfigurationSource;
};

const PG_DOCS = 'https://www.postgresql.org/docs/{version}';
const CITUS_DOCS = 'https://docs.citusdata.com/en/stable/develop/api_guc.html';

const STATIC_SEEDS: readonly ConfigurationSeed[] = [
  seed(
    'allow_in_place_tablespaces',
    'Boolean',
    'off',
    'on,off',
    'Allows tablespaces directly inside pg_tblspc, for testing.',
    `${PG_DOCS}/runtime-config-developer.html#GUC-ALLOW-IN-PLACE-TABLESPACES`,
    { isReadOnly: true },
  ),
  seed(
    'application_name',
    'String',
    '',
    '[A-Za-z0-9._-]*',
    'Sets the application name to be reported in statistics and logs.',
    `${PG_DOCS}/libpq-connect.html#LIBPQ-CONNECT-APPLICATION-NAME`,
  ),
  seed(
    'archive_mode',
    'Enumeration',
    'off',
    'always,on,off',
    'Allows archiving of WAL files using archive_command.',
    `${PG_DOCS}/runtime-config-wal.html#GUC-ARCHIVE-MODE`,
    { value: 'always', source: 'user-override', isDynamicConfig: false, isReadOnly: true },
  ),
  seed(
    'archive_timeout',
    'Integer',
    '300',
    '0-1073741823',
    'Forces a switch to the next WAL file if a new file has not been started within N seconds.',
    `${PG_DOCS}/runtime-config-wal.html#GUC-ARCHIVE-TIMEOUT`,
    { isReadOnly: true, unit: 'seconds' },
  ),
  seed(
    'array_nulls',
    'Boolean',
    'on',
    'on,off',
    "Enables input of NULL (case insensitive) to be considered as NULL value rather than the literal String 'NULL'.",
    `${PG_DOCS}/runtime-config-compatible.html#GUC-ARRAY-NULLS`,
  ),
  seed(
    'authentication_timeout',
    'Integer',
    '60',
    '1-600',
    'Sets the maximum allowed time to complete client authentication.',
    `${PG_DOCS}/runtime-config-connection.html#GUC-AUTHENTICATION-TIMEOUT`,
    { value: '30', source: 'user-override', isReadOnly: true, unit: 'seconds' },
  ),
  seed(
    'auto_explain.log_min_duration',
    'Integer',
    '-1',
    '-1-2147483647',
    'Sets the minimum execution time above which plans will be logged. Zero prints all plans. -1 turns this feature off.',
    `${PG_DOCS}/auto-explain.html#id-1.11.7.13.5.3.1.1.3`,
    { unit: 'milliseconds' },
  ),
  seed(
    'citus.max_background_task_executors',
    'Integer',
    '1',
    '1-1000',
    'Sets the maximum number of parallel background tasks (such as shard moves) across the cluster.',
    `${CITUS_DOCS}#citus-max-background-task-executors-integer`,
  ),
  seed(
    'citus.max_background_task_executors_per_node',
    'Integer',
    '1',
    '1-128',
    'Sets the maximum number of parallel background tasks (such as shard moves) touching one node.',
    `${CITUS_DOCS}#citus-max-background-task-executors-per-node-integer`,
  ),
  seed(
    'citus.shard_count',
    'Integer',
    '32',
    '1-64000',
    'Sets the number of shards for a new distributed table.',
    `${CITUS_DOCS}#citus-shard-count-integer`,
  ),
  seed(
    'maintenance_work_mem',
    'Integer',
    '274432',
    '1024-2097151',
    'Sets the maximum memory to be used for maintenance operations such as VACUUM, Create Index.',
    `${PG_DOCS}/runtime-config-resource.html#GUC-MAINTENANCE-WORK-MEM`,
    { unit: 'KB' },
  ),
  seed(
    'max_locks_per_transaction',
    'Integer',
    '64',
    '10-8388608',
    'Sets the maximum number of locks can be taken per transaction. When running a replica server, you must set this parameter to the same or higher value than on the master server.',
    `${PG_DOCS}/runtime-config-locks.html#GUC-MAX-LOCKS-PER-TRANSACTION`,
    { isDynamicConfig: false },
  ),
  seed(
    'max_parallel_workers',
    'Integer',
    '8',
    '0-1024',
    'Sets the maximum number of workers than can be supported for parallel operations.',
    `${PG_DOCS}/runtime-config-resource.html#GUC-MAX-PARALLEL-WORKERS`,
  ),
  seed(
    'max_stack_depth',
    'Integer',
    '100',
    '100-2147483647',
    'Sets the maximum stack depth, in kilobytes.',
    `${PG_DOCS}/runtime-config-resource.html#GUC-MAX-STACK-DEPTH`,
    { value: '2048', source: 'user-override', isReadOnly: true, unit: 'KB' },
  ),
  seed(
    'metrics.autovacuum_diagnostics',
    'Boolean',
    'off',
    'on,off',
    'Enables the autovacuum metrics.',
    'https://go.microsoft.com/fwlink/?linkid=2165163',
  ),
  seed(
    'metrics.collector_database_activity',
    'Boolean',
    'off',
    'on,off',
    'Enables the enhanced metrics.',
    'https://go.microsoft.com/fwlink/?linkid=2165163',
  ),
  seed(
    'zero_damaged_pages',
    'Boolean',
    'off',
    'on,off',
    'Continues processing past damaged page headers.',
    `${PG_DOCS}/runtime-config-developer.html#GUC-ZERO-DAMAGED-PAGES`,
    { isReadOnly: true },
  ),
];

function seed(
  name: string,
  dataType: ConfigurationSeed['dataType'],
  defaultValue: string,
  allowedValues: string,
  description: string,
  documentationLink: string,
  extra: Partial<ConfigurationSeed> = {},
): ConfigurationSeed {
  return {
    name,
    dataType,
    defaultValue,
    allowedValues,
    description,
    documentationLink,
    isDynamicConfig: true,
    isReadOnly: false,
    ...extra,
  };
}

export function maxConnectionsSeed(defaultValue: number): ConfigurationSeed {
  return seed(
    'max_connections',
    'Integer',
    String(defaultValue),
    '25-5000',
    'Sets the maximum number of concurrent connections to the database server.',
    `${PG_DOCS}/runtime-config-connection.html#GUC-MAX-CONNECTIONS`,
    { isDynamicConfig: false },
  );
}

/**
 * Azure sizes these two on the coordinator from the node count: `max_connections / clusterSize` (its docs: a SKU
 * with 5,000 connections gets 2,500 on 2 nodes, 1,250 on 4). `maxConnections` is the effective value.
 */
export function perNodeSeeds(maxConnections: number, clusterSize: number): ConfigurationSeed[] {
  const perNode = String(Math.floor(maxConnections / Math.max(1, clusterSize)));
  return [
    seed(
      'citus.max_client_connections',
      'Integer',
      perNode,
      `-1-${maxConnections}`,
      'Sets the maximum number of client sessions the coordinator allows to proceed concurrently through the distributed executor.',
      `${CITUS_DOCS}#citus-max-client-connections-integer`,
    ),
    seed(
      'citus.max_shared_pool_size',
      'Integer',
      perNode,
      '-1-2147483647',
      'Sets the maximum number of connections the coordinator opens to each worker node, across all sessions.',
      `${CITUS_DOCS}#citus-max-shared-pool-size-integer`,
    ),
  ];
}

export function staticSeeds(): readonly ConfigurationSeed[] {
  return STATIC_SEEDS;
}

/**
 * Azure's default `max_connections` by the SKU's memory (Azure Database for PostgreSQL limits table):
 * Standard_D4ds_v5 (16 GiB) gets 1718, as in the ListByServer example.
 */
export function defaultMaxConnections(skuName: string): number {
  const match = /^Standard_([A-Z]+)(\d+)/i.exec(skuName);
  const family = match?.[1]?.toUpperCase() ?? 'D';
  const vCores = Number(match?.[2] ?? 2);
  const memoryGiB = vCores * (family.startsWith('E') ? 8 : family.startsWith('B') ? 2 : 4);
  const table: ReadonlyArray<readonly [maxGiB: number, connections: number]> = [
    [2, 50],
    [4, 429],
    [8, 859],
    [16, 1718],
    [32, 3437],
  ];
  return table.find(([maxGiB]) => memoryGiB <= maxGiB)?.[1] ?? 5000;
}

/** Whether `value` is allowed by the configuration's `dataType` and `allowedValues`. */
export function isAllowedValue(
  properties: Pick<ConfigurationProperties, 'dataType' | 'allowedValues'>,
  value: string,
): boolean {
  const { dataType, allowedValues } = properties;
  if (dataType === 'Integer' || dataType === 'Numeric') return inRange(allowedValues, value, dataType === 'Integer');
  if (dataType === 'Boolean' || dataType === 'Enumeration')
    return allowedValues.split(',').some((allowed) => allowed.toLowerCase() === value.toLowerCase());
  if (dataType === 'Set') return value.split(',').every((item) => allowedValues.split(',').includes(item.trim()));
  return new RegExp(`^(?:${allowedValues})$`).test(value);
}

function inRange(allowedValues: string, value: string, integer: boolean): boolean {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) return false;
  return allowedValues.split(',').some((range) => {
    const bounds = /^(-?[\d.]+)-(-?[\d.]+)$/.exec(range.trim());
    return bounds !== null && number >= Number(bounds[1]) && number <= Number(bounds[2]);
  });
}
